"""Structure: the document title, its section headings, and the section path of every paragraph.

Recognised headings:

* numbered ones such as ``1　内分泌治疗的作用机制``, ``1.1　…`` or ``2.4 …``, accepted only when the
  numbers follow on from the previous heading, so that "24.8 个月" in running text is never a heading;
* Markdown ``#`` headings;
* the unnumbered heading lines of interview-style text: a short line without closing punctuation that
  introduces a long paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import display_width
from .lines import Line

SECTION_SEP = " › "
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?[\s\u3000]+(\S.*)$")
_MEASURE = re.compile(r"^(个|年|月|日|天|周|例|岁|次|倍|种|项|名|位|期|万|亿|mg|ml|mL|g\b|kg|%|vs|h\b|min)")
_MARKDOWN = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*$")
_CAPTION = re.compile(r"^(图|表|Fig\.?|Figure|Tab\.?|Table)\s*\d+")
_NOTE = re.compile(r"^(注|Note)\s*[:：]")
_ABBREVIATION = re.compile(r"^[A-Za-z0-9/+\-]{1,12}\s*[：:]")
_LABEL = re.compile(r"^(摘\s*要|Abstract|关键词|Key\s*words|导\s*语|引\s*言)\s*[:：]", re.IGNORECASE)
_REFERENCES = re.compile(
    r"^(\[1\]|［1］|1\.)\s*[A-Z\u4e00-\u9fff].*(et al|\d{4})|^(参考文献|References)\s*[:：]?$"
)
_CLOSING = "。！？!?.；;，,、：:…)）]】"


@dataclass(frozen=True)
class LineKind:
    kind: str
    """``heading``, ``label``, ``caption`` or ``para``."""
    starts_block: bool
    level: int = 0
    number: str = ""
    name: str = ""


def numbered_heading(text: str) -> tuple[str, str] | None:
    """``(number, name)`` when the line looks like a numbered heading."""
    m = _NUMBERED.match(text)
    if not m or len(text) > 60 or "。" in text:
        return None
    number, name = m.group(1), m.group(2).strip()
    if _MEASURE.match(name) or not (name[0].isalpha() or "\u4e00" <= name[0] <= "\u9fff"):
        return None
    if int(number.split(".")[0]) > 30:
        return None
    return number, name


def _follows(number: str, previous: str | None) -> bool:
    """Whether heading ``number`` can come right after ``previous`` (1 → 1.1 → 1.2 → 2 → 2.1 …)."""
    parts = [int(p) for p in number.split(".")]
    if previous is None:
        return parts[0] <= 1 and all(p <= 1 for p in parts[1:])
    prev = [int(p) for p in previous.split(".")]
    if len(parts) == len(prev) + 1:
        return parts[:-1] == prev and parts[-1] in (0, 1)
    if len(parts) <= len(prev):
        return parts[:-1] == prev[: len(parts) - 1] and parts[-1] == prev[len(parts) - 1] + 1
    return False


def _balanced(text: str) -> bool:
    return text.count("（") + text.count("(") <= text.count("）") + text.count(")")


def classify(lines: list[Line], width: int | None) -> list[LineKind]:
    """Decide, line by line, which lines are headings and where blocks start."""
    kinds: list[LineKind] = []
    last_number: str | None = None
    continuing = False  # inside a heading whose parenthesis is still open
    after_special = True
    in_note = False
    for i, line in enumerate(lines):
        text = line.text
        if continuing:
            prev = kinds[-1]
            kinds.append(LineKind("heading", False, prev.level, prev.number, prev.name))
            continuing = not _balanced(" ".join(ln.text for ln in lines[i - 1 : i + 1]))
            after_special = True
            continue
        md = _MARKDOWN.match(text)
        num = numbered_heading(text)
        if md:
            kinds.append(LineKind("heading", True, len(md.group(1)), "", md.group(2)))
            after_special = True
            continue
        if num and _follows(num[0], last_number):
            last_number = num[0]
            kinds.append(LineKind("heading", True, num[0].count(".") + 1, num[0], num[1]))
            continuing = not _balanced(text)
            after_special = True
            continue
        if _CAPTION.match(text) or _NOTE.match(text):
            kinds.append(LineKind("caption", True))
            in_note = bool(_NOTE.match(text))
            after_special = True
            continue
        if kinds and kinds[-1].kind == "caption" and _caption_continues(lines[i - 1].text, text, in_note):
            kinds.append(LineKind("caption", False))
            continue
        if _REFERENCES.match(text) and not any(k.name == "References" for k in kinds):
            kinds.append(LineKind("label", True, 1, "", "References"))
            after_special = True
            continue
        label = _LABEL.match(text)
        if label:
            kinds.append(LineKind("label", True, 1, "", re.sub(r"\s+", "", label.group(1))))
            after_special = False
            continue
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        if _is_unnumbered_heading(text, nxt, width):
            kinds.append(LineKind("heading", True, 1, "", text))
            after_special = True
            continue
        kinds.append(LineKind("para", after_special or width is None))
        after_special = False
    return kinds


def _caption_continues(previous: str, text: str, in_note: bool) -> bool:
    """Whether a caption or figure note goes on into the next line."""
    if previous[-1] in "\u2043\u2010\u00ad；;，,：:" or _ABBREVIATION.match(text):
        return True
    return in_note and previous[-1] not in "。."


def _is_unnumbered_heading(text: str, following: str, width: int | None) -> bool:
    if len(text) > 40 or text[-1] in _CLOSING or text[0].isdigit() or _CAPTION.match(following):
        return False
    long_enough = max(80, 2.5 * display_width(text))
    if width is not None:
        long_enough = max(long_enough, 3 * width)
    return display_width(following) >= long_enough


def heading_text(text: str) -> str:
    """A heading as shown in section paths: "1.1 雌激素受体抑制剂", "小结"."""
    md = _MARKDOWN.match(text)
    if md:
        return md.group(2)
    num = _NUMBERED.match(text)
    if num:
        return f"{num.group(1)} {num.group(2).strip()}"
    return text.strip()
