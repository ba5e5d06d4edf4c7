"""The chat's pure helpers: literal text, wrapping, the Markdown export, progress messages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.cells import cell_len
from tui_support import FLV, SERD, FakeAssistant

from assistant.tui.conversation import Turn, conversation_markdown, export
from assistant.tui.messages import IndexProgress, IndexReady
from assistant.tui.text import literal, score_bar
from assistant.tui.wrap import line_ranges


def test_literal_shows_control_characters_one_for_one() -> None:
    raw = "a\x1b[31mb\tc\r\nd\x07\x9b\ud800"
    shown = literal(raw)
    assert len(shown) == len(raw)
    assert shown == "a␛[31mb c \nd␇\ufffd\ufffd"
    assert all(ch == "\n" or ch.isprintable() or ch == " " for ch in shown)


def test_wrap_breaks_between_cjk_characters_and_keeps_words() -> None:
    text = ("HR+/HER2- BRCA 患者的主要治疗手段之一是内分泌治疗［6-7］，"
            "治疗药物包括选择性雌激素受体下调剂（selective estrogen receptor）。")
    for width in (10, 23, 40, 80):
        lines = [text[s:e] for s, e in line_ranges(text, width)]
        assert all(cell_len(line) <= width for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        if width > 12:  # (narrower lines fold words, punctuation and all)
            assert not any(line.startswith(("，", "。", "）")) for line in lines)
    lines = [text[s:e] for s, e in line_ranges(text, 40)]
    assert lines[0].startswith("HR+/HER2- BRCA 患者")  # Chinese fills the line, it does not jump whole
    assert cell_len(lines[0]) >= 38
    assert any("selective" in line for line in lines)


def test_wrap_folds_words_longer_than_the_line() -> None:
    url = "http://" + "x" * 100
    lines = line_ranges(url, 30)
    assert [e - s for s, e in lines] == [30, 30, 30, 17]


def test_score_bar_is_relative_to_the_best() -> None:
    assert score_bar(0.09, 0.09) == (" " * 10, "")
    assert score_bar(0.045, 0.09) == (" " * 5, " " * 5)
    assert len(score_bar(0.0, 0.09)[0]) == 1


def test_export_never_overwrites(tmp_path: Path) -> None:
    answer = FakeAssistant().ask("Which drug is the representative SERD?")
    turns = [Turn(1, answer.question, (), 5, "hybrid", "answered", answer)]
    now = datetime(2024, 5, 6, 7, 8, 9)
    existing = tmp_path / "conversation-20240506-070809.md"
    existing.write_text("keep me", encoding="utf-8")
    path = export(turns, tmp_path, now)
    assert path.name == "conversation-20240506-070809-2.md"
    assert existing.read_text(encoding="utf-8") == "keep me"
    text = path.read_text(encoding="utf-8")
    assert text == conversation_markdown(turns)
    assert f"**[1] {SERD.title}** — {SERD.section}" in text
    assert f"`{SERD.doc}:{SERD.line_start}-{SERD.line_end}`" in text
    assert f"{FLV.term} = {FLV.gloss}" in text


def test_newer_progress_replaces_older_but_nothing_else() -> None:
    assert IndexProgress("embed", 2, 9).can_replace(IndexProgress("embed", 1, 9))
    assert not IndexProgress("embed", 2, 9).can_replace(IndexReady(None))
    assert not IndexReady(None).can_replace(IndexProgress("embed", 1, 9))
