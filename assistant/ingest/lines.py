"""Lines: the original text cut into lines, each cleaned and mapped back, character by character.

A line ends at ``\n`` (a ``\r`` before it belongs to the terminator). Cleaning drops escape sequences
and invisible characters, collapses whitespace runs, and removes spaces between two wide (CJK)
characters, keeping for every character kept its offset in the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..text import ESCAPE, is_wide

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
    kept = [(ch, i) for ch, i in kept if not INVISIBLE.match(ch)]

    indented = bool(kept) and (kept[0][0] == "\u3000" or (len(kept) > 1 and kept[0][0] == kept[1][0] == " "))
    chars: list[str] = []
    origin: list[int] = []
    pending: int | None = None  # origin of a whitespace run not yet emitted
    for ch, i in kept:
        if ch.isspace():
            if pending is None:
                pending = i
            continue
        if pending is not None and chars and not (is_wide(chars[-1]) and is_wide(ch)):
            chars.append(" ")
            origin.append(pending)
        pending = None
        chars.append(ch)
        origin.append(i)
    raw = " ".join("".join(ch for ch, _ in kept).split())
    return Line(number, end, chars, origin, trailing_space=pending is not None, indented=indented, raw=raw)


def iter_lines(src: str) -> Iterator[Line]:
    """The cleaned lines of ``src``, one at a time."""
    start = 0
    number = 1
    while start <= len(src):
        nl = src.find("\n", start)
        end = len(src) if nl < 0 else nl
        if nl > start and src[nl - 1] == "\r":
            end = nl - 1  # CRLF: the "\r" is part of the line terminator, not trailing space
        yield clean_line(src, start, end, number)
        if nl < 0:
            break
        start = nl + 1
        number += 1


def split_lines(src: str) -> list[Line]:
    return list(iter_lines(src))
