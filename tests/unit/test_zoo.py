"""The document zoo (tests/data/zoo): messy inputs, each with its expected repaired text and, for some,
its expected sections and their roles. One parametrized test runs them all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.ingest.decode import decode
from assistant.ingest.normalize import Normalized, normalize
from assistant.ingest.sections import find_title, sections

ZOO = Path(__file__).resolve().parents[1] / "data" / "zoo"
INPUTS = sorted(p for p in ZOO.iterdir() if ".in." in p.name)
CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3001-\u303f\uff01-\uff60]"
CJK_SPACE_CJK = re.compile(f"{CJK}[ \t\u3000]+{CJK}")


def test_the_zoo_is_large_enough():
    assert len(INPUTS) >= 60


def _check_origin(source: str, norm: Normalized) -> None:
    assert len(norm.origin) == len(norm.text)
    for i, ch in enumerate(norm.text):
        if ch.isspace():
            assert source[norm.origin[i]].isspace()
        else:
            assert source[norm.origin[i]] == ch
    assert all(a < b for a, b in zip(norm.origin, norm.origin[1:], strict=False))


@pytest.mark.parametrize("path", INPUTS, ids=[p.name.split(".in.")[0] for p in INPUTS])
def test_zoo(path: Path) -> None:
    name = path.name.split(".in.")[0]
    expected = (ZOO / f"{name}.expected.txt").read_text(encoding="utf-8")
    decoded = decode(path.read_bytes())
    if expected == "SKIPPED":
        assert decoded is None, "an undecidable encoding must be skipped, never indexed as mojibake"
        return
    assert decoded is not None
    source = decoded[0]
    norm = normalize(source)
    assert norm.text == expected
    _check_origin(source, norm)
    assert CJK_SPACE_CJK.search(norm.text) is None
    wanted = ZOO / f"{name}.sections.txt"
    if wanted.exists():
        got = [f"{s.path}\t{s.role}" for s in sections(norm, find_title(norm, name))]
        assert got == wanted.read_text(encoding="utf-8").splitlines()
