"""Page furniture: running headers, footers, page numbers and page-bottom footnotes, found by behaviour
(and lines that are one HTML comment, which no reader sees).

A line is furniture because of how it behaves in the document, never merely because it is short,
numeric or frequent (a one-cell-per-line table is full of short, numeric, repeated lines that are
content):

* **Page markers** say so themselves: a page number with decoration (``−− 45``, ``- 3 -``, ``Page 3 of
  9``, ``第 5 页``), a journal running header (``2024 年 2 月第 14 卷第 1 期``, ``Vol. 14, No. 1``), and
  publishing boilerplate (``DOI:``, ``文章编号：``, ``版权所有``, ``ICP备``, ``排版编辑：``).
* **Page-number sequences**: the same line, but for a number that goes up by one from page to page
  (``中国肿瘤临床 2023 · 第 12 卷 · 45``, then ``… 46``), or a bare number that does so with a page of
  text between (``12`` … ``13``). Bare numbers need three pages in a row with text between them, so that
  a table column of 1, 2, 3 stays.
* **Repeats at page boundaries**: once the page boundaries are known — from the page offsets of a paged
  format, from form feeds, or from the page-number sequences — a line that recurs within the first or
  last lines of at least two pages is a running header or footer (unless it is a full sentence).
  Numbers at a page boundary that follow the page index (page *i* carries *i* + c) are page numbers.
* **Page-bottom footnotes**: just before a page marker, footnote blocks (``基金项目：``, ``作者简介：``,
  ``通信作者：``, ``收稿日期：``) and spaced column labels (``综 述``) belong to the page, not to the text,
  which reads on across them. Elsewhere they are content (funding and author notes are back matter).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence

from .lines import Line

MARKERS = [
    re.compile(p)
    for p in (
        r"^[\s−\-–—_·•]*[−\-–—_·•]\s*\d{1,4}\s*[−\-–—_·•]*\s*$",  # "−− 45", "- 3 -", "— 12"
        r"^\s*\d{1,4}\s*[−\-–—_·•]+\s*$",  # "45 −−"
        r"^[\s−\-–—]*(第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|[Pp]age\s+\d+(\s+of\s+\d+)?|\d+\s*/\s*\d+\s*页?)"
        r"[\s−\-–—]*$",
        r"\d{4}\s*年\s*\d{1,2}\s*月\s*第\s*\d+\s*卷\s*第\s*\d+\s*期",  # journal running header
        r"\bVol\.?\s*\d+\s*,\s*No\.?\s*\d+",
        r"^\s*DOI\s*[:：]",
        r"^\s*文章编号\s*[:：]",
        r"(公网安备|ICP\s*备|ICP证)",
        r"^\s*(排版编辑|责任编辑|本文编辑|编辑)\s*[:：]",
        r"^\s*(版权所有|Copyright\s*©)",
    )
]
"""Lines that are page furniture wherever they stand."""

COMMENT = re.compile(r"(?:\s*<!--(?:(?!-->).)*-->)+\s*")
"""A line of HTML comments alone (``<!-- tcd_main_text -->`` in Markdown converted from a web page): markup
that no reader of the document sees."""

FOOTNOTE = re.compile(
    r"^\s*[★☆*＊†‡]?\s*(基金项目|作者简介|通信作者|通讯作者|收稿日期|修回日期|接受日期)\s*[:：]"
    r"|^\s*[\u4e00-\u9fff](\s+[\u4e00-\u9fff]){1,3}\s*$"
)
"""Page-bottom footnotes and spaced column labels: furniture only right before a page marker."""

_NUMBER = re.compile(r"\d{1,4}")
_SENTENCE_END = ("。", "！", "？", "!", "?", ".")
NEAR = 3
"""How many lines at the top and at the bottom of a page can hold running headers and footers."""
_MIN_PAGE_TEXT = 30
"""Characters of text a page holds at least between two bare page numbers."""


def is_marker(text: str) -> bool:
    """Whether a line is a page marker or publishing boilerplate wherever it stands."""
    return any(p.search(text) for p in MARKERS)


def find(lines: Sequence[Line], page_starts: Sequence[int] = ()) -> set[int]:
    """Indices into ``lines`` (the non-blank lines of a document) of the lines that are page furniture.

    ``page_starts`` are the offsets where pages begin (empty for plain text: form feeds or page-number
    sequences then tell where pages break).
    """
    if not lines:
        return set()
    out = {i for i, ln in enumerate(lines) if is_marker(ln.raw)}
    out |= _next_to_markers(lines, out)
    starts = list(page_starts)
    if not starts and any(ln.page_break for ln in lines):
        starts = [0] + [ln.start for ln in lines if ln.page_break]
    if starts:
        tops = _page_tops(lines, starts)
        out |= _page_numbers_by_index(lines, tops)
    else:
        numbered = _page_number_sequences(lines)
        out |= numbered
        tops = sorted(numbered)
    out |= _repeats_near(lines, tops, out)
    out |= _footnote_zones(lines, out)
    return out | {i for i, ln in enumerate(lines) if COMMENT.fullmatch(ln.raw)}


def _next_to_markers(lines: Sequence[Line], markers: set[int]) -> set[int]:
    """Bare numbers that go on the page sequence of a page marker (``- 12 -`` … ``13``), or that stand
    in a run of page markers."""
    pages = {int(m.group()) for i in markers if (m := re.search(r"\d{1,4}", lines[i].raw)) and
             re.fullmatch(r"[\s−\-–—_·•]*\d{1,4}[\s−\-–—_·•]*", lines[i].raw)}
    def in_run(i: int) -> bool:  # right after or before two page markers in a row
        return {i - 1, i - 2} <= markers or {i + 1, i + 2} <= markers

    return {i for i, ln in enumerate(lines)
            if re.fullmatch(r"\d{1,4}", ln.raw) and ({int(ln.raw) - 1, int(ln.raw) + 1} & pages or in_run(i))}


def _page_tops(lines: Sequence[Line], starts: Sequence[int]) -> list[int]:
    """The index of the first line of each page that has one."""
    firsts = [ln.start for ln in lines]
    tops: list[int] = []
    for s in sorted(set(starts)):
        i = bisect_right(firsts, s - 1)
        if i < len(lines) and (not tops or tops[-1] != i):
            tops.append(i)
    return tops


def _near(tops: Sequence[int], n: int) -> list[tuple[int, int, int]]:
    """``(line index, boundary number, place relative to it)`` for the lines within :data:`NEAR` of a
    page boundary (the bottom of the last page counts as one)."""
    return [(i, b, i - top) for b, top in enumerate([*tops, n])
            for i in range(max(0, top - NEAR), min(n, top + NEAR))]


def _page_numbers_by_index(lines: Sequence[Line], tops: Sequence[int]) -> set[int]:
    """Bare numbers at the top or bottom of pages that follow the page index (page i carries i + c)."""
    offsets: dict[int, list[int]] = defaultdict(list)
    bounds = [*tops, len(lines)]
    for page in range(len(tops)):
        first, last = bounds[page], bounds[page + 1]
        for i in [*range(first, min(last, first + 2)), *range(max(first, last - 2), last)]:
            if re.fullmatch(r"\d{1,4}", lines[i].raw):
                offsets[int(lines[i].raw) - page].append(i)
    return {i for found in offsets.values() if len(set(found)) >= 2 for i in found}


def _page_number_sequences(lines: Sequence[Line]) -> set[int]:
    """Lines whose number goes up by one (or two: odd and even pages) from one page to the next."""
    groups: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, ln in enumerate(lines):
        text = ln.raw
        if len(text) > 80 or text.endswith(_SENTENCE_END[:3]):
            continue
        numbers = _NUMBER.findall(text)
        if not numbers or len(text) > 4 and not re.search(r"\d\s*$|^\s*\d", text):
            continue  # the page number stands at the start or the end of the line
        last = re.search(r"(\d{1,4})\s*\D{0,3}$", text)
        value = int(last.group(1)) if last else int(numbers[0])
        groups[_NUMBER.sub("#", text)].append((i, value))
    found: set[int] = set()
    for masked, members in groups.items():
        bare = masked.strip() == "#"
        for chain in _chains(members):
            if len(chain) < (3 if bare else 2):
                continue
            between = [sum(len(lines[j].raw) for j in range(a + 1, b)) for a, b in zip(chain, chain[1:], strict=False)]
            if min(between) >= (_MIN_PAGE_TEXT if bare else 2 * _MIN_PAGE_TEXT):
                found.update(chain)
    return found


def _chains(members: list[tuple[int, int]]) -> list[list[int]]:
    """Runs of occurrences whose numbers go up by a constant step of one or two."""
    chains: list[list[int]] = []
    for step in (1, 2):
        current: list[tuple[int, int]] = []
        for index, value in members:
            if current and value == current[-1][1] + step and index > current[-1][0] + 1:
                current.append((index, value))
            else:
                if len(current) >= 2:
                    chains.append([i for i, _ in current])
                current = [(index, value)]
        if len(current) >= 2:
            chains.append([i for i, _ in current])
    return chains


def _repeats_near(lines: Sequence[Line], tops: Sequence[int], known: set[int]) -> set[int]:
    """Lines that recur (numbers aside) at the same place near at least two page boundaries (and near
    at least 30% of them) and are not sentences."""
    if not tops:
        return set()
    near = _near(tops, len(lines))
    seen: dict[tuple[str, int], set[int]] = defaultdict(set)
    where: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, b, place in near:
        if i in known:
            continue
        text = lines[i].raw
        if len(text) > 80 or text.endswith(_SENTENCE_END):
            continue
        key = (_NUMBER.sub("#", text), place)  # a running header keeps its place on the page
        seen[key].add(b)
        where[key].append(i)
    pages = len(tops) + 1
    need = max(2, int(0.3 * pages))
    return {i for key, bs in seen.items() if len(bs) >= need for i in where[key]}


def _footnote_zones(lines: Sequence[Line], furniture: set[int]) -> set[int]:
    """Footnote blocks and column labels standing right before page furniture (a page's bottom)."""
    out: set[int] = set()
    for i in sorted(furniture):
        j = i - 1
        while j >= 0 and (j in furniture or j in out or FOOTNOTE.search(lines[j].raw)):
            if j not in furniture:
                out.add(j)
            j -= 1
    return out
