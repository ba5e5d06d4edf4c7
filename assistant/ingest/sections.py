"""Sections: the title of a normalized document and the section path of every part of it.

Built on the blocks :mod:`.normalize` found (headings, labels such as 摘要/Abstract, captions,
paragraphs). :class:`LineIndex` maps original offsets to 1-based line numbers.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from .lines import TERMINATOR
from .normalize import Normalized
from .structure import SECTION_SEP, heading_text


@dataclass(frozen=True)
class Section:
    path: str
    """Section path, outermost first, joined with " › "."""
    start: int
    """Offset in the normalized text where the section's body starts (after its heading)."""
    end: int
    role: str = "body"
    """``body``, or the back matter it belongs to: ``references``, ``acknowledgements``, ``funding`` or
    ``author-notes``."""


def find_title(norm: Normalized, fallback: str) -> str:
    """The document title: a leading short line, else the first heading, else the file name."""
    for block in norm.blocks[:3]:
        text = norm.text[block.start : block.end].strip()
        if block.kind == "heading" and not block.number:
            if block is norm.blocks[0]:
                return _tidy_title(block.name or text)
            break
        if block.kind == "para" and block is norm.blocks[0] and len(text) <= 60 and text[-1] not in "。.":
            return _tidy_title(text)
    for block in norm.blocks:
        if block.kind == "heading":
            return _tidy_title(block.name)
    return fallback


_FOOTNOTE_MARK = re.compile(
    r"(?:\s*(?:[★☆*＊†‡]+\s*\d{0,2}|[\[［]\s*\d{1,3}(?:\s*[-–,，]\s*\d{1,3})*\s*[\]］]))+\s*$"
)
"""Footnote marks after a title: "★", "*1", "［1］". Digits count only after a mark or inside brackets."""


def _tidy_title(text: str) -> str:
    return _FOOTNOTE_MARK.sub("", text.strip()).strip() or text.strip()


def sections(norm: Normalized, title: str) -> list[Section]:
    """Split the normalized text into sections; each carries its full heading path and its role.

    Headings open a section after their own text; labels (摘要, Abstract, 参考文献, 基金项目：…, 【适应症】)
    open one that includes their line. A back-matter heading or label gives its section, and the
    sections nested in it, its role."""
    result: list[Section] = []
    stack: list[tuple[int, str, str, bool]] = []  # (level, name, role, is a label)
    current, role = "Lead", "body"
    start = 0
    for block in norm.blocks:
        is_title = block is norm.blocks[0] and _tidy_title(norm.text[block.start : block.end]) == title
        if block.kind not in ("heading", "label") and not is_title:
            continue
        if block.start > start:
            result.append(Section(current, start, block.start, role))
        if is_title:
            start = block.end
            continue
        if block.kind == "label":
            name = block.name
            start = block.start
        else:
            name = heading_text(norm.text[block.start : block.end])
            start = block.end
        while stack and (stack[-1][0] >= block.level or stack[-1][3]):
            stack.pop()  # a label (摘要, 关键词, 基金项目…) heads only its own text, never later headings
        stack.append((block.level, name, block.role, block.kind == "label"))
        current = SECTION_SEP.join(n for _, n, _, _ in stack)
        role = next((r for _, _, r, _ in reversed(stack) if r), "body")
    if len(norm.text) > start:
        result.append(Section(current, start, len(norm.text), role))
    result = [s for s in result if norm.text[s.start : s.end].strip()]
    if not result and norm.text.strip():
        # nothing but a title or headings (a one-line file, say): that text is the document's only
        # passage, rather than the document silently yielding none
        result.append(Section("Lead", 0, len(norm.text)))
    return result


class LineIndex:
    """Maps offsets in an original file to 1-based line numbers, counting lines as
    :func:`.lines.iter_lines` does (LF, CRLF, CR, NEL, U+2028 and U+2029 each end one line)."""

    def __init__(self, source: str) -> None:
        self._starts = [0] + [m.end() for m in TERMINATOR.finditer(source)]

    def line(self, offset: int) -> int:
        return bisect_right(self._starts, offset)

    @property
    def starts(self) -> list[int]:
        """The offset where each line begins (line 1 first)."""
        return self._starts
