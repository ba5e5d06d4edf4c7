"""Encodings of short Chinese files: a table of short phrases, each encoded as Chinese users save text
(simplified in GB18030 and GBK, traditional in Big5, both in UTF-8 and UTF-16), decoded right or
skipped as undecidable — never taken for mojibake; Japanese and Korean controls whose bytes decide are
not taken for Chinese."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from assistant.ingest.decode import UNDECIDED, decode_or_reason

PHRASES = [line for line in (Path(__file__).resolve().parents[1] / "data" / "encoding_phrases.txt")
           .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


@lru_cache(maxsize=1)
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def _traditional(text: str) -> str:
    return str(_s2t().convert(text))


def _table() -> list[tuple[str, str, str]]:
    rows = []
    for phrase in PHRASES:
        trad = _traditional(phrase)
        rows += [(phrase, "gb18030", "simplified"), (phrase, "gbk", "simplified"), (trad, "big5", "traditional"),
                 (phrase, "utf-8", "simplified"), (trad, "utf-8", "traditional"), (phrase, "utf-16", "simplified"),
                 (trad, "utf-16", "traditional")]
    return rows


def test_table_is_large_enough():
    assert len(PHRASES) >= 200
    assert all(2 <= len(p) <= 40 for p in PHRASES)


def test_short_chinese_files_decode_right_or_are_skipped():
    wrong: list[tuple[str, str, object]] = []
    skipped: dict[str, int] = {}
    tried: dict[str, int] = {}
    for text, encoding, _ in _table():
        try:
            raw = text.encode(encoding)
        except UnicodeEncodeError:
            continue  # a character Big5 or GBK lacks: such a file cannot exist
        tried[encoding] = tried.get(encoding, 0) + 1
        result = decode_or_reason(raw)
        if result == UNDECIDED:
            skipped[encoding] = skipped.get(encoding, 0) + 1
        elif not (isinstance(result, tuple) and result[0] == text):
            wrong.append((text, encoding, result))
    assert wrong == []  # never indexed as mojibake
    for encoding in ("utf-8", "utf-16"):
        assert skipped.get(encoding, 0) == 0  # the bytes decide
    for encoding in ("gb18030", "gbk", "big5"):
        assert tried[encoding] >= 200
        assert skipped.get(encoding, 0) <= 0.03 * tried[encoding], skipped


JAPANESE = ["これは日本語のテキストです。", "乳がんの治療について説明します。", "副作用が出た場合は医師に相談してください。",
            "薬を飲む前に血圧を測ってください", "ホルモン療法", "タモキシフェン", "骨転移の管理", "ありがとうございます",
            "抗がん剤の副作用", "検査結果を確認する"]
KOREAN = ["약을 복용하기 전에 혈압을 측정하십시오", "부작용이 나타나면 의사와 상담하십시오", "유방암 치료 안내",
          "항암제 부작용", "안녕하세요 반갑습니다", "호르몬 치료", "골전이 관리", "매일 한 번 복용합니다",
          "검사 결과를 확인합니다", "타목시펜"]


@pytest.mark.parametrize(("text", "encoding"), [(t, "cp932") for t in JAPANESE] + [(t, "cp949") for t in KOREAN])
def test_japanese_and_korean_are_not_taken_for_chinese(text, encoding):
    result = decode_or_reason(text.encode(encoding))
    assert result == (text, encoding)
