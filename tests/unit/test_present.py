"""How a passage's place is put into words (shared by every face)."""

from __future__ import annotations

from assistant import present
from assistant.records import Passage


def _passage(title: str, section: str) -> Passage:
    return Passage(id=0, doc="af.md", title=title, section=section, start=0, end=4, line_start=13, line_end=13,
                   text="利伐沙班")


def test_a_title_that_is_also_the_first_heading_is_shown_once() -> None:
    # a Markdown file's "# 房颤患者的抗凝治疗" is its title and the head of every section path
    p = _passage("房颤患者的抗凝治疗", "房颤患者的抗凝治疗 › 利伐沙班")
    assert present.section_of(p) == "利伐沙班"
    assert present.section_of(_passage("房颤患者的抗凝治疗", "房颤患者的抗凝治疗")) == ""
    assert present.place(p, section=True) == f"利伐沙班 · af.md · {present.line_label(13, 13)}"
    assert present.section_of(_passage("Review", "Review of drugs › Dosing")) == "Review of drugs › Dosing"
    assert present.section_of(_passage("", "0 前言")) == "0 前言"
