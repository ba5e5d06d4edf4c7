"""Case 01 in every mode, with the real model: a Traditional-script document is found by Traditional and
Simplified questions alike, unabstained, and cited in its original characters."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.settings import Settings

CASE = Path(__file__).resolve().parents[1] / "data" / "cases" / "01-traditional-script-document"


@pytest.fixture(scope="module")
def guide(tmp_path_factory) -> Assistant:
    root = tmp_path_factory.mktemp("trad")
    shutil.copytree(CASE / "seeds", root / "seeds")
    a = Assistant(Settings(seeds=root / "seeds", index=root / "index"))
    a.open()
    return a


@pytest.mark.parametrize("mode", ["hybrid", "dense", "sparse"])
@pytest.mark.parametrize("question", ["頜骨壞死", "颌骨坏死"])
def test_traditional_document_in_every_mode(guide, question, mode):
    ans = guide.ask(question, mode=mode, k=3)
    assert not ans.abstained
    top = ans.citations[0].passage
    assert top.doc == "guide.txt" and top.line_start <= 16 <= top.line_end
    assert "頜骨壞死" in top.text
