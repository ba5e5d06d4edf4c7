"""Structure: the document title, its section headings, and the section path of every paragraph.

Recognised headings:

* decimal-numbered ones such as ``1　内分泌治疗的作用机制``, ``1.1　…``, ``2.4 …``, ``1．背景`` or
  ``1. Introduction``, accepted only when the numbers follow on from the previous heading of the same
  style, so that "24.8 个月" in running text is never a heading;
* Chinese-numbered ones: ``一、``, ``（一）``, ``第一章``, ``第二节``, ``第三部分`` (numbers following on too), and
  the bracketed labels of drug labels, ``【适应症】``;
* Markdown ``#`` headings, Roman-numbered and ALL-CAPS English section titles, and the usual names of a
  paper's parts (Abstract, Introduction, Methods, Results, Discussion, Conclusions…);
* back matter, Chinese and English, which gives its section a role: references (参考文献, References),
  acknowledgements (致谢), funding (基金项目, Funding), author notes (作者简介, 通信作者, Author
  contributions, Conflict of interest…), whether alone on a line or as the label of a line;
* the unnumbered heading lines of interview-style text: a short line without closing punctuation that
  introduces a long paragraph.

Styles nest in the order they first appear (a style seen first is the outer one), as word processors'
outline inference does. A heading is never a wrapped line of running text: a line as wide as the wrap
width that goes on into the next line is text. Table rows (Markdown pipe rows, plain-text rows with
column gaps) and list items are lines of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import display_width
from .lines import Line

SECTION_SEP = " › "
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?[\s\u3000]+(\S.*)$")
_DOTTED = re.compile(r"^(\d{1,2})[．、]\s*(\S.*)$")
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
_CN_DIGITS = "〇一二三四五六七八九十"
_CN_NUMBER = "[一二三四五六七八九十百〇零]{1,4}|\\d{1,3}"
_CHINESE_STYLES = [
    ("章", re.compile(f"^第\\s*({_CN_NUMBER})\\s*章[\\s\u3000:：]*(.*)$")),
    ("节", re.compile(f"^第\\s*({_CN_NUMBER})\\s*节[\\s\u3000:：]*(.*)$")),
    ("部分", re.compile(f"^第\\s*({_CN_NUMBER})\\s*部分[\\s\u3000:：]*(.*)$")),
    ("、", re.compile("^([一二三四五六七八九十]{1,3})\\s*[、．.]\\s*(\\S.*)$")),
    ("（）", re.compile("^[（(]\\s*([一二三四五六七八九十]{1,3})\\s*[）)]\\s*(\\S.*)$")),
]
"""Chinese heading styles: style key and pattern (number, name)."""
_ROMAN = re.compile(r"^(I{1,3}|IV|VI{0,3}|IX|X)\.?\s+([A-Z][A-Za-z].*)$")
_BRACKET_LABEL = re.compile(r"^【([^】]{1,12})】")
_PAPER_PARTS = re.compile(
    r"^(?:\d{1,2}\.?\s+)?(Abstract|Background|Introduction|Methods?|Materials?\s+and\s+methods|"
    r"Patients\s+and\s+methods|Results?|Results\s+and\s+discussion|Discussion|Conclusions?|Summary|"
    r"Limitations|Case\s+(?:report|presentation))\s*[:：]?$",
    re.IGNORECASE,
)
_ALL_CAPS = re.compile(r"^(?=.*[A-Z]{3})[A-Z][A-Z0-9 ,&/\-]{2,60}$")

BACK_MATTER: list[tuple[str, re.Pattern[str]]] = [
    ("references", re.compile(r"^(参\s*考\s*文\s*献|References?|Bibliography|Literature\s+cited|Works\s+cited)"
                              r"(?=\s*[:：]?\s*$)", re.IGNORECASE)),
    ("acknowledgements", re.compile(r"^(致\s*谢|Acknowledge?ments?)(?=\s*[:：]|\s*$)", re.IGNORECASE)),
    ("funding", re.compile(r"^[★☆*＊]?\s*(基金项目|基\s*金|资助项目|Funding(?:\s+information)?|Financial\s+support|"
                           r"Grant\s+support)(?=\s*[:：]|\s*$)", re.IGNORECASE)),
    ("author-notes", re.compile(
        r"^[★☆*＊]?\s*(作者简介|通信作者|通讯作者|作者贡献(?:声明)?|利益冲突(?:声明)?|Author\s+contributions?|"
        r"Authors?['’]?\s+contributions?|Conflicts?\s+of\s+interests?|Competing\s+interests?|"
        r"Declaration\s+of\s+(?:competing\s+)?interests?|Disclosures?|Corresponding\s+authors?|"
        r"Author\s+information|About\s+the\s+authors?)(?=\s*[:：]|\s*$)", re.IGNORECASE)),
]
"""Back-matter labels and the role they give their section."""

_ITEM = re.compile(r"^(?:[-*+•●○▪■◆◇]\s+\S|[（(]\d{1,2}[）)]\s*\S|[①-⑳]\s*\S|\d{1,2}[.)]\s+\S)")
_REFERENCE_ITEM = re.compile(r"^(?:\[\d{1,3}\]|［\d{1,3}］|\d{1,3}[.．]\s*)")
_PIPE_ROW = re.compile(r"^\|.*\|$|^[^|]+(?:\|[^|]+){2,}$")


@dataclass(frozen=True)
class LineKind:
    kind: str
    """``heading``, ``label`` (摘要, Abstract, back matter, 【…】: the line's text is part of the section),
    ``caption``, ``row`` (a table row), ``item`` (a list item) or ``para``."""
    starts_block: bool
    level: int = 0
    number: str = ""
    name: str = ""
    role: str = ""
    """For back-matter labels: ``references``, ``acknowledgements``, ``funding`` or ``author-notes``."""


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


def chinese_number(text: str) -> int:
    """The value of a Chinese numeral up to 999 (一 → 1, 十二 → 12, 二十 → 20) or of ASCII digits."""
    if text.isdigit():
        return int(text)
    text = text.replace("零", "〇")
    if "百" in text:
        hundreds, _, rest = text.partition("百")
        return (chinese_number(hundreds) if hundreds else 1) * 100 + (chinese_number(rest) if rest else 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.index(tens) if tens else 1) * 10 + (_CN_DIGITS.index(ones) if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _CN_DIGITS.index(ch)
    return value


ABBREVIATION_ITEM = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-Za-z0-9+/-]*[A-Z][A-Za-z0-9+/-]*[A-Z0-9])[A-Za-z][A-Za-z0-9+/-]{1,11}\s*[:：=,，]"
    r"\s*[^;；:：\n]{2,90}?\s*(?:[;；.。]|$)", re.M)
"""One entry of an abbreviation key: ``PFS: progression-free survival;``, ``HR：激素受体；``, ``BMI, body
mass index;``. The abbreviation has two capitals, or a capital and a digit, so that ``Dose: 5 mg;`` is
not one."""
KEY_ITEMS = 4
KEY_SHARE = 0.5


def is_abbreviation_key(text: str) -> bool:
    """Whether a passage is mostly an abbreviation key (a table or figure note such as ``Note: ET:
    endocrine therapy; HR: hormone receptor; …``): at least :data:`KEY_ITEMS` entries covering at least
    :data:`KEY_SHARE` of its characters. Such a passage names a field's terms without saying anything
    about them, so it comes close to every question of the field; it gets the role ``abbreviations``."""
    entries = list(ABBREVIATION_ITEM.finditer(text))
    return len(entries) >= KEY_ITEMS and sum(m.end() - m.start() for m in entries) >= KEY_SHARE * len(text)


def back_matter(text: str) -> tuple[str, str] | None:
    """``(role, label)`` when a line opens back matter: 参考文献, 致谢, 基金项目：…, References, Funding…"""
    for role, pattern in BACK_MATTER:
        m = pattern.match(text.lstrip("#").strip())
        if m:
            return role, re.sub(r"\s+", " ", m.group(1)).strip()
    return None


def _styled_heading(text: str) -> tuple[str, int, str] | None:
    """``(style, number, name)`` for a Chinese-numbered, Roman-numbered, dotted or named heading line."""
    for style, pattern in _CHINESE_STYLES:
        m = pattern.match(text)
        if m:
            return style, chinese_number(m.group(1)), m.group(2).strip()
    m = _DOTTED.match(text)
    if m and not _MEASURE.match(m.group(2)):
        return "．", int(m.group(1)), m.group(2).strip()
    m = _ROMAN.match(text)
    if m:
        return "roman", ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"].index(m.group(1)) + 1, m.group(2)
    m = _PAPER_PARTS.match(text)
    if m:
        return "part", 0, m.group(1)
    if _ALL_CAPS.match(text) and sum(ch.isalpha() for ch in text) >= 5:
        return "caps", 0, text
    return None


class _Styles:
    """Heading styles nest in the order they first appear; numbers of a style follow on."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.last: dict[str, int] = {}

    def follows(self, style: str, number: int, loose: bool) -> bool:
        if number == 0:
            return True
        last = self.last.get(style)
        if last is None:
            return number == 1 or loose
        return number in (last + 1, 1) if style != "、" else number == last + 1 or loose

    def level(self, style: str, number: int = 0) -> int:
        if number:
            self.last[style] = number
        if style in self.stack:
            del self.stack[self.stack.index(style) + 1 :]
            for deeper in [s for s in self.last if s not in self.stack]:
                self.last.pop(deeper)  # a deeper style numbers afresh under a new heading
        else:
            self.stack.append(style)
        return len(self.stack)


def _table_rows(lines: list[Line]) -> set[int]:
    """Lines that are table rows: Markdown pipe rows, and runs of lines with column gaps."""
    rows = {i for i, ln in enumerate(lines) if _PIPE_ROW.match(ln.text) and ln.text.count("|") >= 2}
    run: list[int] = []
    for i, ln in enumerate([*lines, None]):
        if ln is not None and ln.columns >= 1:
            run.append(i)
            continue
        if len(run) >= 3 or (len(run) == 2 and max(lines[j].columns for j in run) >= 2):
            rows.update(run)
        run = []
    return rows


def _wrapped(lines: list[Line], i: int, width: int | None) -> bool:
    """Whether line ``i`` is a line of running text wrapped at the wrap width (so never a heading)."""
    if width is None or i + 1 >= len(lines) or lines[i + 1].gap:
        return False
    text = lines[i].text
    return display_width(text) >= 0.85 * width and text[-1] not in _CLOSING


def classify(lines: list[Line], width: int | None) -> list[LineKind]:
    """Decide, line by line, which lines are headings, rows, items or labels and where blocks start.

    A line after a blank line (``Line.gap``) starts a block."""
    kinds: list[LineKind] = []
    last_number: str | None = None
    styles = _Styles()
    rows = _table_rows(lines)
    continuing = False  # inside a heading whose parenthesis is still open
    after_special = True
    in_note = False
    role = ""
    in_list: str | None = None  # the number of the numbered list item just before
    styled_list: tuple[str, int] | None = None
    for i, line in enumerate(lines):
        text = line.text
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if continuing and not line.gap:
            prev = kinds[-1]
            kinds.append(LineKind("heading", False, prev.level, prev.number, prev.name))
            continuing = not _balanced(" ".join(ln.text for ln in lines[i - 1 : i + 1]))
            after_special = True
            continue
        continuing = False
        if i in rows:
            kinds.append(LineKind("row", True))
            after_special = True
            continue
        md = _MARKDOWN.match(text)
        if md:
            found = back_matter(md.group(2))
            role = found[0] if found else ""
            kinds.append(LineKind("heading", True, len(md.group(1)), "", md.group(2), role))
            after_special = True
            continue
        found = back_matter(text)
        if found and not _wrapped(lines, i, width):
            role = found[0]
            kinds.append(LineKind("label", True, 1, "", found[1], role))
            after_special = True
            continue
        num = numbered_heading(text)
        listed = num is not None and (nxt is not None and not nxt.gap and _next_in_list(num[0], nxt.text)
                                      or in_list is not None and _next_in_list(in_list, num[0] + " x"))
        in_list = num[0] if listed and num is not None else None
        if num and not listed and _follows(num[0], last_number) and not _wrapped(lines, i, width):
            last_number = num[0]
            depth = num[0].count(".") + 1
            level = styles.level(f"dec{depth}")
            kinds.append(LineKind("heading", True, level, num[0], num[1]))
            continuing = not _balanced(text)
            after_special = True
            role = ""
            continue
        if _CAPTION.match(text) or _NOTE.match(text):
            kinds.append(LineKind("caption", True))
            in_note = bool(_NOTE.match(text))
            after_special = True
            continue
        if kinds and kinds[-1].kind == "caption" and _caption_continues(lines[i - 1].text, text, in_note):
            kinds.append(LineKind("caption", False))
            continue
        if _REFERENCES.match(text) and role != "references" and not any(k.name == "References" for k in kinds):
            role = "references"
            kinds.append(LineKind("label", True, 1, "", "References", role))
            after_special = True
            continue
        if role == "references" and _REFERENCE_ITEM.match(text):
            kinds.append(LineKind("item", True))
            continue
        label = _LABEL.match(text)
        if label:
            kinds.append(LineKind("label", True, 1, "", re.sub(r"\s+", "", label.group(1))))
            after_special = False
            role = ""
            continue
        bracket = _BRACKET_LABEL.match(text)
        if bracket and (line.gap or i == 0 or not kinds or kinds[-1].starts_block or lines[i - 1].text[-1] in _CLOSING):
            level = styles.level("【】")
            inline = len(text) > bracket.end()
            kinds.append(LineKind("label" if inline else "heading", True, level, "", bracket.group(0)))
            after_special = not inline
            role = ""
            continue
        styled = _styled_heading(_unemphasised(text)) if len(text) <= 60 and "。" not in text[:-1] else None
        if styled and not _wrapped(lines, i, width) and text[-1] not in "。；;，,":
            style, number, name = styled
            loose = line.gap or width is None
            listed = (nxt is not None and not nxt.gap and _next_styled(style, number, nxt.text)
                      or styled_list == (style, number - 1))
            styled_list = (style, number) if listed else None
            standalone = style not in ("part", "caps") or loose or (nxt is not None and nxt.gap) or nxt is None
            if not listed and standalone and styles.follows(style, number, loose):
                level = styles.level(style, number)
                kinds.append(LineKind("heading", True, level, "", name))
                after_special = True
                role = ""
                continue
        if _ITEM.match(text):
            kinds.append(LineKind("item", True))
            after_special = False
            continue
        if kinds and kinds[-1].kind == "item" and not (line.indented or _wrapped(lines, i - 1, width)):
            kinds.append(LineKind("para", True))  # the text after a list, not more of its last item
            after_special = False
            continue
        if _is_unnumbered_heading(text, nxt.text if nxt is not None else "", width):
            kinds.append(LineKind("heading", True, styles.level("plain"), "", text))
            after_special = True
            role = ""
            continue
        kinds.append(LineKind("para", after_special or line.gap))
        # a short first line without closing punctuation is the title, never the start of a paragraph
        after_special = (i == 0 and width is not None and display_width(text) < 0.7 * width
                         and len(text) <= 60 and text[-1] not in _CLOSING)
    return kinds


def _next_in_list(number: str, following: str) -> bool:
    """Whether the next line carries the next number at the same depth (a numbered list, not headings)."""
    nxt = numbered_heading(following)
    if nxt is None or nxt[0].count(".") != number.count("."):
        return False
    return _follows(nxt[0], number) and nxt[0].split(".")[:-1] == number.split(".")[:-1]


def _next_styled(style: str, number: int, following: str) -> bool:
    nxt = _styled_heading(following)
    return nxt is not None and nxt[0] == style and number > 0 and nxt[1] == number + 1


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


_ATTRIBUTES = re.compile(r"\s*\{[^{}]*\}\s*$")
"""A Markdown heading's attribute block (``## 正文 { data-search-exclude }``, ``# Methods {#methods}``)."""
_EMPHASIS = re.compile(r"\s*(\*\*|__)(.+?)\1\s*")
"""A heading in bold Markdown (``**第三章 精神障碍的诊断和治疗**``): the marks are not its text."""


def heading_text(text: str) -> str:
    """A heading as shown in section paths: "1.1 雌激素受体抑制剂", "第二章 急性发作的治疗", "小结"."""
    md = _MARKDOWN.match(text)
    if md:
        return _spaced(_unemphasised(_ATTRIBUTES.sub("", md.group(2)) or md.group(2)))
    text = _unemphasised(text)
    num = _NUMBERED.match(text)
    if num:
        return f"{num.group(1)} {num.group(2).strip()}"
    return _spaced(text.strip())


def _unemphasised(text: str) -> str:
    bold = _EMPHASIS.fullmatch(text)
    return bold.group(2).strip() if bold else text


def _spaced(heading: str) -> str:
    """A 第…章/节/部分 heading with a space before its name, which normalizing took out (it joins Han
    characters): "第二章 急性发作的治疗"."""
    for style, pattern in _CHINESE_STYLES:
        if style not in ("章", "节", "部分"):
            continue
        m = pattern.match(heading)
        if m and m.group(2).strip():
            return f"{heading[: m.start(2)].rstrip()} {m.group(2).strip()}"
    return heading
