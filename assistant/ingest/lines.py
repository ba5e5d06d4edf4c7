"""Lines: the original text cut into lines, each cleaned and mapped back, character by character.

A line ends at any of the line terminators in use: LF, CRLF (one terminator), CR alone, NEL (U+0085),
and the Unicode LINE and PARAGRAPH SEPARATORs (U+2028, U+2029), so that the same text gives the same
lines whatever convention wrote it. A form feed is not a line end (editors do not count it as one); it
marks a page break for :mod:`.furniture`. Cleaning drops escape sequences and invisible characters,
collapses whitespace runs, and removes spaces between two wide (CJK) characters, keeping for every
character kept its offset in the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..text import ESCAPE, tight

TERMINATOR = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
"""A line terminator: CRLF first, so that it counts as one."""
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\u00ad]")
"""Characters with no visible form in running text: the control characters of :data:`text.CONTROL` except
CR (whitespace here, so that "a\\rb" keeps a space), zero-width characters, the BOM and the soft hyphen
(a soft hyphen at a line end is handled by the line joiner first)."""


@dataclass
class Line:
    """One cleaned line of the original."""

    number: int
    """1-based line number in the original."""
    end: int
    """Offset of the line terminator (or end of text) in the original."""
    chars: list[str]
    origin: list[int]
    trailing_space: bool
    indented: bool
    raw: str
    """The line with whitespace runs collapsed, before CJK spacing was repaired."""
    start: int = 0
    """Offset of the line's first character in the original."""
    columns: int = 0
    """How many column gaps (a tab, or two or more spaces, between two visible characters) the line
    has: plain-text table rows have several."""
    page_break: bool = False
    """The line begins a new page (it holds a form feed)."""
    gap: bool = False
    """A blank line comes before it (set by the normalizer)."""
    continued: bool = False
    """Page furniture was removed just before it: it may go on with the line before the page break."""

    @property
    def text(self) -> str:
        return "".join(self.chars)


def clean_line(src: str, start: int, end: int, number: int) -> Line:
    """Drop control characters, collapse whitespace, and remove spaces between CJK characters."""
    segment = src[start:end]
    kept: list[tuple[str, int]] = []
    pos = 0
    for m in ESCAPE.finditer(segment):
        kept.extend((ch, start + i) for i, ch in enumerate(segment[pos : m.start()], pos))
        pos = m.end()
    kept.extend((ch, start + i) for i, ch in enumerate(segment[pos:], pos))
    last = max((j for j, (ch, _) in enumerate(kept) if not ch.isspace()), default=-1)
    # a soft hyphen that ends the line stays, for the line joiner to rejoin the word it splits
    kept = [(ch, i) for j, (ch, i) in enumerate(kept) if not INVISIBLE.match(ch) or (ch == "\u00ad" and j == last)]

    indented = bool(kept) and (kept[0][0] == "\u3000" or (len(kept) > 1 and kept[0][0] == kept[1][0] == " "))
    chars: list[str] = []
    origin: list[int] = []
    pending: int | None = None  # origin of a whitespace run not yet emitted
    for ch, i in kept:
        if ch.isspace():
            if pending is None:
                pending = i
            continue
        if pending is not None and chars and not tight(chars[-1], ch):
            chars.append(" ")
            origin.append(pending)
        pending = None
        chars.append(ch)
        origin.append(i)
    raw = " ".join("".join(ch for ch, _ in kept).split())
    columns = len(_COLUMN_GAP.findall(segment.strip(" \t\u3000\x0c")))
    return Line(number, end, chars, origin, trailing_space=pending is not None, indented=indented, raw=raw,
                start=start, columns=columns, page_break="\x0c" in segment)


_COLUMN_GAP = re.compile(r"\S(?:\t+| {2,}|\u3000{2,})(?=\S)")


def iter_lines(src: str) -> Iterator[Line]:
    """The cleaned lines of ``src``, one at a time."""
    start = 0
    number = 1
    for m in TERMINATOR.finditer(src):
        yield clean_line(src, start, m.start(), number)
        start = m.end()
        number += 1
    yield clean_line(src, start, len(src), number)


def split_lines(src: str) -> list[Line]:
    return list(iter_lines(src))
