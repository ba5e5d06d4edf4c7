"""Layout of a PDF page: characters with their boxes → segments → columns → lines in reading order.

Segments are runs on one baseline without a wide gap. A vertical gutter with a text column on each side
makes the page two (or three) columns, read column by column and never across the gutter; lines that
cross the gutter (a title, an abstract, a full-width table) split the page into bands read top to bottom.
The running header and footer are read before the columns. Segments on one baseline far apart are table
cells, joined by `` | ``. Spaces inside a line are decided from the glyph geometry: never between two
wide (CJK) characters, and between Latin words where the gap says so.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..text import is_unspaced
from .extracted import ExtractError

MAX_CHARS_PER_PAGE = 200_000
"""A real page holds under 10,000 characters; more means a generated or hostile content stream."""
DROP_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


@dataclass(slots=True)
class Char:
    """One glyph of the text layer, in page points with y up (turned so that text runs left to right)."""

    ch: str
    x0: float
    y0: float
    x1: float
    y1: float
    generated: bool
    """Inserted by PDFium (a space or line break it guessed), not in the file."""


@dataclass
class Seg:
    """A run of characters on one baseline without a wide gap: a line of a column, or a table cell."""

    chars: list[Char] = field(default_factory=list)
    text: str = ""
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0
    h: float = 1.0
    """Median glyph height (about the font size)."""

    def finish(self) -> Seg:
        real = [c for c in self.chars if not c.generated and not c.ch.isspace()] or self.chars
        self.x0 = min(c.x0 for c in real)
        self.x1 = max(c.x1 for c in real)
        self.y0 = min(c.y0 for c in real)
        self.y1 = max(c.y1 for c in real)
        self.h = statistics.median(c.y1 - c.y0 for c in real) or 1.0
        self.text = _seg_text(self.chars, self.h)
        return self

    @property
    def yc(self) -> float:
        return (self.y0 + self.y1) / 2


# ------------------------------------------------------------------------------------------- characters

def turn_box(left: float, bottom: float, right: float, top: float, angle: int, w: float,
          h: float) -> tuple[float, float, float, float]:
    """Rotate a user-space box so that text whose baseline runs at ``angle`` (degrees ccw) runs left to right."""
    if angle == 90:
        return bottom, w - right, top, w - left
    if angle == 180:
        return w - right, h - top, w - left, h - bottom
    if angle == 270:
        return h - top, left, h - bottom, right
    return left, bottom, right, top


def page_chars(textpage: Any, width: float, height: float) -> tuple[list[Char], int]:
    """All glyphs of a text page with their loose boxes, turned so that the page's dominant text
    direction (PDFium's ``FPDFText_GetCharAngle``, not ``/Rotate``) runs left to right.

    Returns the characters and how many PDFium flags as having no Unicode mapping. Raises ExtractError
    when the page holds more than :data:`MAX_CHARS_PER_PAGE` characters.
    """
    import pypdfium2.raw as raw

    handle = textpage.raw
    n = raw.FPDFText_CountChars(handle)
    if n > MAX_CHARS_PER_PAGE:
        raise ExtractError(f"a page holds {n:,} characters (limit {MAX_CHARS_PER_PAGE:,})")
    votes: Counter[int] = Counter()
    for i in range(0, n, max(1, n // 200)):
        angle = raw.FPDFText_GetCharAngle(handle, i)
        if angle >= 0 and not raw.FPDFText_IsGenerated(handle, i):
            votes[round(math.degrees(angle) / 90) % 4 * 90] += 1
    turn = votes.most_common(1)[0][0] if votes else 0
    rect = raw.FS_RECTF()
    out: list[Char] = []
    unmapped = 0
    for i in range(n):
        code = raw.FPDFText_GetUnicode(handle, i)
        try:
            ch = chr(code)
        except (ValueError, OverflowError):
            ch = "\ufffd"
        unmapped += raw.FPDFText_HasUnicodeMapError(handle, i) == 1
        if not raw.FPDFText_GetLooseCharBox(handle, i, rect):
            continue
        x0, y0, x1, y1 = turn_box(rect.left, rect.bottom, rect.right, rect.top, turn, width, height)
        out.append(Char(ch, x0, y0, x1, y1, raw.FPDFText_IsGenerated(handle, i) == 1))
    return out, unmapped


def _seg_text(chars: list[Char], h: float) -> str:
    """Join a segment's glyphs, deciding every space from the geometry.

    A space in the file is kept (one per run). Otherwise a space goes between two glyphs only when
    neither is CJK and their gap exceeds the segment's usual gap by a tenth of the glyph height: this
    drops the spaces PDFium invents between letter-spaced CJK, and adds the word spaces that TeX-made
    PDFs never store.
    """
    real = [c for c in chars if not c.generated and not c.ch.isspace()]
    if not real:
        return ""
    gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(real)]
    usual = max(statistics.median(gaps), 0.0) if gaps else 0.0
    out = [real[0].ch]
    j = chars.index(real[0])
    for a, b in itertools.pairwise(real):
        k = j + 1
        while chars[k] is not b:
            k += 1
        file_space = any(not c.generated and c.ch.isspace() for c in chars[j + 1 : k])
        if file_space or (b.x0 - a.x1 > usual + 0.1 * h and not (is_unspaced(a.ch) or is_unspaced(b.ch))):
            out.append(" ")
        out.append(b.ch)
        j = k
    return DROP_CHARS.sub("", "".join(out))


def segments(chars: list[Char]) -> list[Seg]:
    """Cut the glyph stream into segments: at baseline changes, at wide gaps, at backward jumps, and at
    line breaks that are in the file.

    The line breaks PDFium generates are not trusted: it puts one between every two glyphs of some
    pages set one glyph at a time, which would make each glyph a segment (and ``2024`` read as ``2 0 2 4``);
    where a line really ends, the geometry says so."""
    segs: list[Seg] = []
    cur: list[Char] = []

    def flush() -> None:
        if any(not c.ch.isspace() for c in cur):
            seg = Seg(list(cur)).finish()
            if seg.text.strip():
                segs.append(seg)
        cur.clear()

    for c in chars:
        if c.ch in "\r\n":
            if not c.generated:
                flush()
            continue
        if c.generated or c.ch.isspace():
            if cur:
                cur.append(c)
            continue
        last = next((p for p in reversed(cur) if not p.generated and not p.ch.isspace()), None)
        if last is not None:
            h = max(last.y1 - last.y0, c.y1 - c.y0, 1.0)
            same_line = abs((last.y0 + last.y1) / 2 - (c.y0 + c.y1) / 2) < 0.5 * h
            gap = c.x0 - last.x1
            if not same_line or gap > 0.9 * h or gap < -0.5 * h:
                flush()
        cur.append(c)
    flush()
    return segs


# ------------------------------------------------------------------------------------------- layout

def _find_gutter(segs: list[Seg]) -> tuple[float, float] | None:
    """The widest vertical strip (almost) no segment crosses, with a text column on each side.

    A side counts as a column when it spans at least a quarter of the text width and its lines are
    mostly full (median width at least half the side's width): table columns (short cells) are not page
    columns. At most 35% of the segments may cross the strip (a title, an abstract, a wide table).
    """
    if len(segs) < 6:
        return None
    left = min(s.x0 for s in segs)
    right = max(s.x1 for s in segs)
    width = right - left
    if width <= 0:
        return None
    h = statistics.median(s.h for s in segs)
    lo, hi = int(left + 0.2 * width), int(right - 0.2 * width)
    if hi <= lo:
        return None
    diff = [0] * (hi - lo + 2)
    for s in segs:
        a, b = max(lo, math.floor(s.x0 + 0.5)), min(hi, math.ceil(s.x1 - 0.5))
        if a <= b:
            diff[a - lo] += 1
            diff[b - lo + 1] -= 1
    crossing = list(itertools.accumulate(diff[:-1]))
    least = min(crossing)
    if least > 0.35 * len(segs):
        return None
    best: tuple[float, float] | None = None
    x = 0
    while x < len(crossing):
        if crossing[x] != least:
            x += 1
            continue
        start = x
        while x < len(crossing) and crossing[x] == least:
            x += 1
        g0, g1 = lo + start - 0.5, lo + x - 0.5
        if (g1 - g0 >= max(0.6 * h, 4.0) and (best is None or g1 - g0 > best[1] - best[0])
                and _is_column(segs, left, g0, True) and _is_column(segs, g1, right, False)):
            best = (g0, g1)
    return best


def _is_column(segs: list[Seg], a: float, b: float, left_side: bool) -> bool:
    side = [s for s in segs if (s.x1 <= b + 1 if left_side else s.x0 >= a - 1)]
    if len(side) < 3:
        return False
    e0, e1 = min(s.x0 for s in side), max(s.x1 for s in side)
    total = max(s.x1 for s in segs) - min(s.x0 for s in segs)
    if e1 - e0 < 0.25 * total:
        return False
    return statistics.median(s.x1 - s.x0 for s in side) >= 0.5 * (e1 - e0)


def order(segs: list[Seg], depth: int = 0) -> list[list[Seg]]:
    """Reading order: output lines, each the segments on one baseline, left to right.

    With a gutter, the lines crossing it split the page into bands; each band is read left column
    first, then right; a column is searched for a gutter of its own once more (three columns).
    """
    gutter = _find_gutter(segs) if depth < 2 else None
    if gutter is None:
        return _rows(segs)
    g0, g1 = gutter
    spanning = sorted((s for s in segs if s.x0 < g1 and s.x1 > g0), key=lambda s: -s.yc)
    rest = [s for s in segs if not (s.x0 < g1 and s.x1 > g0)]
    bands: list[list[Seg]] = [[] for _ in range(len(spanning) + 1)]
    for s in rest:
        bands[sum(1 for sp in spanning if sp.yc > s.yc)].append(s)
    out: list[list[Seg]] = []
    for i, band in enumerate(bands):
        out.extend(order([s for s in band if s.x1 <= g1], depth + 1))
        out.extend(order([s for s in band if s.x1 > g1], depth + 1))
        if i < len(spanning):
            out.append([spanning[i]])
    return _merge_rows(out)


def order_page(segs: list[Seg], height: float) -> list[list[Seg]]:
    """Reading order of a whole page: the running header (lines in the top tenth of the page, clear of
    the body by more than a line) first, then the body by :func:`order`, then the footer likewise.

    Without this, a header's page number printed above the right column would be read as the first
    line of that column, inside a paragraph.
    """
    if not segs:
        return []
    head = [s for s in segs if s.y0 >= 0.9 * height]
    foot = [s for s in segs if s.y1 <= 0.1 * height]
    body = [s for s in segs if s not in head and s not in foot]
    if body:
        line = statistics.median(s.h for s in body)
        top = max(s.y1 for s in body)
        bottom = min(s.y0 for s in body)
        keep = [s for s in head if s.y0 <= top + line]  # runs on from the body: not a header
        keep += [s for s in foot if s.y1 >= bottom - line]
        if keep:
            body = [s for s in segs if s in keep or (s not in head and s not in foot)]
            head = [s for s in head if s not in keep]
            foot = [s for s in foot if s not in keep]
    return _rows(head) + order(body) + _rows(foot)


def _rows(segs: list[Seg]) -> list[list[Seg]]:
    """Top-to-bottom lines; segments sharing a baseline grouped left to right (table rows)."""
    rows: list[list[Seg]] = []
    for s in sorted(segs, key=lambda s: (-s.yc, s.x0)):
        if rows and abs(rows[-1][0].yc - s.yc) < 0.4 * max(s.h, rows[-1][0].h):
            rows[-1].append(s)
        else:
            rows.append([s])
    return [sorted(r, key=lambda s: s.x0) for r in rows]


def _merge_rows(lines: list[list[Seg]]) -> list[list[Seg]]:
    """Spanning segments on one baseline (a full-width table row) come out as one line."""
    out: list[list[Seg]] = []
    for ln in lines:
        if out and len(ln) == 1 and abs(out[-1][0].yc - ln[0].yc) < 0.4 * ln[0].h and ln[0].x0 > out[-1][-1].x1:
            out[-1].append(ln[0])
        else:
            out.append(ln)
    return out


def table_columns(lines: list[list[Seg]]) -> tuple[float, ...]:
    """Where table cells start: the left edges (points) at which a segment after the first of its line
    starts on at least two lines (within 1 pt). A cell set close to the one before it (a 12 pt gap in
    10 pt type) is still a cell when the rows above or below start a cell at the same place."""
    starts = sorted((s.x0, i) for i, row in enumerate(lines) for s in row[1:])
    shared: list[float] = []
    group: list[tuple[float, int]] = []
    for x, i in [*starts, (math.inf, -1)]:  # runs of starts each within 1 pt of the one before
        if group and x - group[-1][0] > 1.0:
            if len({row for _, row in group}) > 1:
                shared += [start for start, _ in group]
            group = []
        group.append((x, i))
    return tuple(shared)


def line_text(row: list[Seg], columns: tuple[float, ...] = ()) -> str:
    """Segments of one baseline: `` | `` between cells (far apart, or starting at one of the page's
    :func:`table_columns`), else a space."""
    parts = [row[0].text]
    for a, b in itertools.pairwise(row):
        if len(a.text) <= 2 and len(b.text) <= 2 and all(map(is_unspaced, a.text + b.text)):
            parts.append("")  # a spread-out heading: 摘    要 -> 摘要
        else:
            aligned = any(abs(b.x0 - x) <= 1.0 for x in columns)
            parts.append(" | " if b.x0 - a.x1 > 1.5 * max(a.h, b.h) or aligned else " ")
        parts.append(b.text)
    return "".join(parts)


_SENTENCE_END = ("。", "！", "？", ".", "!", "?", "：", ":", "；")


def _title_goes_on(above: list[Seg], row: list[Seg], body: float, middle: float) -> bool:
    """Whether ``row`` is the next line of a title set over several lines: type of the same size, larger
    than the body's (``body``, the median line height), both lines centred on the text's middle
    (``middle``), and the line pitch of that size. A title's size makes its line pitch larger than the
    body's, which alone would read every title line as a block of its own."""
    h = max(s.h for s in above)
    if abs(max(s.h for s in row) - h) > 0.1 * h or h < 1.2 * body:
        return False
    centred = all(abs((r[0].x0 + r[-1].x1) / 2 - middle) <= 0.5 * h for r in (above, row))
    return centred and 0 < above[0].y0 - row[0].y0 <= 1.6 * h


def layout_text(lines: list[list[Seg]]) -> str:
    """Lines joined by ``\\n``, with a blank line where the vertical gap says a new block begins, and
    two spaces before a line indented from its column's left edge by one to four characters (a
    paragraph's first line, as Chinese typesetting indents it), so that the normalizer sees paragraphs.
    A line that continues the line above at the same indent, mid-sentence, is not a first line: it is a
    paragraph set in from a table or figure that starts further left on the page."""
    pitches = [a[0].y0 - b[0].y0 for a, b in itertools.pairwise(lines) if 0 < a[0].y0 - b[0].y0 < 3 * a[0].h]
    pitch = statistics.median(pitches) if pitches else None
    lefts = [row[0].x0 for row in lines]
    columns = table_columns(lines)
    body = statistics.median(row[0].h for row in lines) if lines else 0.0
    middle = (min(lefts) + max(row[-1].x1 for row in lines)) / 2 if lines else 0.0
    out: list[str] = []
    prev: list[Seg] | None = None
    for row in lines:
        text = line_text(row, columns).strip()
        if not text:
            continue
        h = row[0].h
        edge = min((x for x in lefts if row[0].x0 - 5 * h <= x <= row[0].x0 + 0.5 * h), default=row[0].x0)
        indented = 0.8 * h <= row[0].x0 - edge <= 4.5 * h and not (
            prev is not None and abs(prev[0].x0 - row[0].x0) <= 0.5 * h and out and out[-1]
            and not out[-1].endswith(_SENTENCE_END))
        if prev is not None and _title_goes_on(prev, row, body, middle) and not out[-1].endswith(_SENTENCE_END):
            # the next line of a title set over centred lines: the same line (no space between CJK)
            out[-1] += ("" if is_unspaced(out[-1][-1]) and is_unspaced(text[0]) else " ") + text
            prev = row
            continue
        if prev is not None:
            gap = prev[0].y0 - row[0].y0
            if pitch is not None and gap < 0.5 * pitch:  # moved up or sideways: the next column or band
                new_block = out[-1].endswith(_SENTENCE_END)
            else:
                new_block = pitch is None or gap > 1.3 * pitch
            if new_block:
                out.append("")
        out.append("  " + text if indented else text)
        prev = row
    return "\n".join(out)
