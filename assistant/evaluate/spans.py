"""Map a span of a passage's text back to the original file.

A passage knows its span ``[start, end)`` in the decoded original file, but its text is normalized:
whitespace is collapsed or dropped (lines rejoined, spaces between CJK characters removed), hyphens at
line ends and page furniture (running headers, page numbers) are dropped. Every other character of the
text is copied from the original, in order. So the non-whitespace characters of the passage text are a
subsequence of ``source[start:end]``, the first one at ``start`` and the last one at ``end - 1``.

:func:`align` embeds them greedily (each at the first matching character after the previous one), which
is exact wherever nothing was dropped between two characters; where page furniture was dropped, a
character that also occurs in the dropped line can be placed a little early, never outside the passage.
:func:`original_span` then gives the original span of a sentence (or any span) of the passage text.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..records import Passage


def align(text: str, source: str, start: int, end: int) -> list[int] | None:
    """For each character of ``text``, its offset in ``source`` (-1 for whitespace), or None when the
    non-whitespace characters of ``text`` are not a subsequence of ``source[start:end]``."""
    out: list[int] = []
    at = start
    for ch in text:
        if ch.isspace():
            out.append(-1)
            continue
        found = source.find(ch, at, end)
        if found < 0:
            return None
        out.append(found)
        at = found + 1
    return out


def span_of(offsets: Sequence[int], begin: int, end: int) -> tuple[int, int] | None:
    """The original ``(start, end)`` of ``text[begin:end]`` given :func:`align`'s offsets (None when the
    span holds only whitespace)."""
    inside = [o for o in offsets[begin:end] if o >= 0]
    if not inside:
        return None
    return inside[0], inside[-1] + 1


def original_span(passage: Passage, span: tuple[int, int], source: str) -> tuple[int, int] | None:
    """Where ``passage.text[span[0]:span[1]]`` stands in the original file ``source`` (the decoded text
    the passage's offsets index), or None when the passage text does not align with the file (it was
    changed since the index was built)."""
    offsets = align(passage.text, source, passage.start, passage.end)
    if offsets is None:
        return None
    return span_of(offsets, *span)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two half-open spans share at least one character."""
    return min(a[1], b[1]) > max(a[0], b[0])
