"""How an answer is put into words for people, shared by every face (the command line, the chat, the
Markdown export): line wrapping for mixed Chinese and English, place labels (file, lines, pages, OCR),
a question folded to a few lines, a passage's match relative to the best one, and a citation's
reference.

Plain Python over :mod:`assistant.records`: it imports no face, and neither rich nor textual (a face
passes its own cell-width function to :func:`line_ranges` when it has one).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from .ingest.structure import SECTION_SEP
from .records import Answer, Citation, Passage
from .text import WIDE_CLASS

__all__ = ["cell_len", "fold", "line_label", "line_ranges", "match", "page_label", "place", "reference",
           "uncovered_line", "also_searched_line"]

_OPEN = "（［【「『《〈“‘"
_CLOSE = "，。、；：！？）］】」』》〉”’…％"
# a no-break space (U+00A0) joins words: "lines 7–9" stays on one line
_TOKEN = re.compile(rf"\n|[^\S\n\u00a0]+|[{_OPEN}]*(?:[{WIDE_CLASS}]|(?:[^\s{WIDE_CLASS}]|\u00a0)+)[{_CLOSE}]*")
NBSP = "\u00a0"


def cell_len(text: str) -> int:
    """Terminal cells ``text`` takes: 2 for East Asian wide and full-width characters, 0 for combining
    marks and format characters, 1 for the rest (Unicode East Asian Width, via :mod:`unicodedata`)."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return n


def _fold_at(plain: str, start: int, end: int, width: int, cells: Callable[[str], int]) -> int:
    """The largest cut in ``plain[start:end]`` whose first part fits in ``width`` cells (at least 1 char)."""
    used = 0
    for i in range(start, end):
        used += cells(plain[i])
        if used > width:
            return max(i, start + 1)
    return end


def line_ranges(plain: str, width: int, cells: Callable[[str], int] = cell_len) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of each line of ``plain`` wrapped to ``width`` cells.

    Textual and rich wrap at spaces only, so a run of Chinese (which has none) would move whole to the
    next line. Here a line may break between any two CJK characters, English words stay whole (unless
    longer than the line), closing punctuation such as ，。） never starts a line, and a no-break space
    joins. Break spaces are dropped; ``cells`` measures text (rich's ``cell_len`` in the faces).
    """
    width = max(width, 2)
    lines: list[tuple[int, int]] = []
    start = col = 0
    for m in _TOKEN.finditer(plain):
        s, e = m.span()
        token = m.group()
        if token == "\n":
            lines.append((start, s))
            start, col = e, 0
            continue
        w = cells(token)
        if token.isspace():
            if col + w > width:  # the break falls in this space: drop it
                lines.append((start, s))
                start, col = e, 0
            else:
                col += w
            continue
        if col + w <= width:
            col += w
            continue
        if col > 0:
            end = s
            while end > start and plain[end - 1] in " \t":
                end -= 1
            lines.append((start, end))
            start = s
        while cells(plain[start:e]) > width:
            cut = _fold_at(plain, start, e, width, cells)
            lines.append((start, cut))
            start = cut
        col = cells(plain[start:e])
    lines.append((start, len(plain)))
    return lines


def fold(text: str, width: int, max_lines: int = 3, cells: Callable[[str], int] = cell_len,
         reserve: int = 0) -> tuple[str, int]:
    """``text`` cut to its first ``max_lines`` lines at ``width`` cells, leaving ``reserve`` cells free
    at the end of the last one (for :func:`folded_note`): ``(shown, total)``, where ``total`` is the
    length of the whole text in characters when it was cut, else 0."""
    ranges = line_ranges(text, width, cells)
    if len(ranges) <= max_lines:
        return text, 0
    start, end = ranges[max_lines - 1]
    while end > start and cells(text[start:end]) + reserve > width:
        end -= 1
    return text[:end].rstrip(), len(text)


def folded_note(total: int) -> str:
    """``… (7,000 characters)``, the end of a folded text."""
    return f"… ({total:,} characters)"


def line_label(first: int, last: int) -> str:
    """``line 7`` or ``lines 7–9``, joined by no-break spaces."""
    return f"line{NBSP}{first}" if first == last else f"lines{NBSP}{first}–{last}"


def page_label(p: Passage) -> str:
    """``p. 3`` or ``p. 3–4`` for a passage of a paged document; empty for plain text."""
    if p.page_start is None:
        return ""
    last = p.page_end if p.page_end is not None else p.page_start
    pages = str(p.page_start) if last == p.page_start else f"{p.page_start}–{last}"
    return f"p.{NBSP}{pages}"


def plural(n: int, word: str) -> str:
    """``1 passage``, ``2 passages``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def section_of(p: Passage) -> str:
    """A passage's section path below its document's title: a title that is also the first heading (a
    Markdown file's ``# Title``) is shown once, not again at the head of the path."""
    if p.section == p.title:
        return ""
    head = p.title + SECTION_SEP
    return p.section[len(head):] if p.title and p.section.startswith(head) else p.section


def place(p: Passage, section: bool = False) -> str:
    """Where a passage is: ``[section · ]file · lines 7–9[ · p. 3–4][ · OCR]``."""
    below = section_of(p) if section else ""
    parts = [below] if below else []
    parts += [p.doc, line_label(p.line_start, p.line_end)]
    if page_label(p):
        parts.append(page_label(p))
    if p.ocr:
        parts.append("OCR")
    return " · ".join(parts)


def match(score: float, top: float) -> float:
    """How well a passage matches, relative to the best passage of the same answer: 1.0 for the best,
    down to 0. Fused scores have no fixed scale of their own (weighted z-scores or reciprocal ranks),
    so only their ratio to the best score of the answer is shown."""
    if top <= 0:
        return 1.0
    return max(0.0, min(1.0, score / top))


def match_label(score: float, top: float) -> str:
    """``match 62%``: :func:`match` in words."""
    return f"match {round(100 * match(score, top))}%"


def reference(c: Citation) -> str:
    """A cited passage with its reference, as copied or quoted: the text, then title, section, file,
    lines, pages (and an OCR mark)."""
    p = c.passage
    head = p.title
    below = section_of(p)
    if below:
        head += f", {below}"
    return f"{p.text}\n\n— [{c.rank}] {head}. {place(p)}".replace(NBSP, " ")


def also_searched_line(answer: Answer) -> str:
    """``also searched: 内分泌耐药, 依维莫司`` (empty when the question was not expanded)."""
    words = [w for w in answer.also_searched if w.strip()]
    return f"also searched: {', '.join(words)}" if words else ""


def uncovered_line(answer: Answer) -> str:
    """``the documents never mention SONIA, BOLERO-2`` (empty when every part of the question is
    mentioned)."""
    parts = [u for u in answer.uncovered if u.strip()]
    return f"the documents never mention {', '.join(parts)}" if parts else ""


def notices(answer: Answer) -> list[str]:
    """The answer's notices, less one that repeats :func:`uncovered_line`."""
    covered = bool(answer.uncovered)
    return [n for n in answer.notices if not (covered and n.startswith("the documents never mention"))]
