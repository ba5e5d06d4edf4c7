"""The chat's pure helpers: literal text, wrapping, the Markdown export, progress messages."""

from __future__ import annotations

from rich.cells import cell_len

from assistant import present
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


def test_newer_progress_replaces_older_but_nothing_else() -> None:
    assert IndexProgress("embed", 2, 9).can_replace(IndexProgress("embed", 1, 9))
    assert not IndexProgress("embed", 2, 9).can_replace(IndexReady(None))
    assert not IndexReady(None).can_replace(IndexProgress("embed", 1, 9))


def test_the_shared_wrapping_measures_like_rich() -> None:
    """The CLI and the chat wrap with one function; its own cell widths agree with rich's."""
    for text in ("氟维司群 fulvestrant，FLV", "ｆｕｌｌ－ｗｉｄｔｈ", "e\u0301t\u00e9", "한국어 텍스트", "emoji 🙂 ok"):
        assert present.cell_len(text) == cell_len(text)
    text = "内分泌治疗（endocrine therapy, ET）是延长患者总生存期的重要手段，但耐药问题尚未解决。" * 3
    assert present.line_ranges(text, 30) == line_ranges(text, 30)


def test_fold_keeps_a_few_lines_and_room_for_the_note() -> None:
    text = "x " * 500
    shown, total = present.fold(text, 40, 3, reserve=20)
    assert total == len(text)
    assert len(present.line_ranges(shown + " " + present.folded_note(total), 40)) == 3
    assert present.fold("short", 40) == ("short", 0)
