"""PDF: the text of every page in reading order, with pypdfium2 (PDFium), and OCR for scanned pages.

Each page's characters come from PDFium's text page with their boxes. They are cut into segments (runs
on one baseline without a wide gap), and the segments are put in reading order by the page layout: a
vertical gutter with a text column on each side makes the page two (or three) columns, read column by
column and never across the gutter; lines that cross the gutter (a title, an abstract, a full-width
table) split the page into bands read top to bottom. Segments on one baseline far apart are table
cells, joined by `` | ``. Spaces inside a line are decided from the glyph geometry: never between two
CJK characters, and between Latin words where the gap says so.

A page whose text layer is unusable (almost no characters over a large image, or mostly characters
with no Unicode meaning) is rendered and recognised with RapidOCR (:mod:`.ocr`). Pages are joined with
:data:`PAGE_SEP`, so every page begins on a line of its own; :class:`~.extract.Extracted` records where.

Measured against pdfplumber on generated one- and two-column Chinese/English pages, tables and spaced
CJK (see README, "Documents"): PDFium is 10-30x faster and, with this layout step, reads two-column
pages in order where pdfplumber's default reads across the gutter.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .extract import PAGE_SEP, Extracted, ExtractError, Report, join_pages

MAX_PAGES = 2000
"""A PDF with more pages than this is skipped (a real book has fewer; a generated bomb has 100,000)."""
MAX_CHARS_PER_PAGE = 200_000
"""A real page holds under 10,000 characters; more means a generated or hostile content stream."""
MIN_TEXT_CHARS = 20
"""A page with fewer visible characters than this over a large image is treated as scanned."""
OCR_DPI = 200
"""Resolution scanned pages are rendered at for OCR (measured in README: 150-300 dpi gave about the same
accuracy on A4 pages, 200 was the best compromise)."""

_CJK = re.compile("[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31c0-\u31ef\u3400-\u4dbf"
                  "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]")
_EXPECTED = re.compile("[\x20-\x7e\xa0-\xbf\xd7\xf7\u0391-\u03c9\u2000-\u22ff\u2460-\u24ff\u25a0-\u25ff"
                       "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
"""Characters a Chinese/English document is made of: ASCII, Latin-1 symbols, Greek, punctuation,
letterlike symbols, arrows, maths, circled numbers, CJK. A text layer mostly made of anything else is a
font without a usable Unicode map."""
_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def _is_cjk(ch: str) -> bool:
    return _CJK.match(ch) is not None


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

def _turn(left: float, bottom: float, right: float, top: float, angle: int, w: float,
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
        x0, y0, x1, y1 = _turn(rect.left, rect.bottom, rect.right, rect.top, turn, width, height)
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
        if file_space or (b.x0 - a.x1 > usual + 0.1 * h and not (_is_cjk(a.ch) or _is_cjk(b.ch))):
            out.append(" ")
        out.append(b.ch)
        j = k
    return _DROP.sub("", "".join(out))


def segments(chars: list[Char]) -> list[Seg]:
    """Cut the glyph stream into segments: at PDFium's line breaks, at baseline changes, at wide gaps."""
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


def line_text(row: list[Seg]) -> str:
    """Segments of one baseline: `` | `` between cells far apart (a table row), else a space."""
    parts = [row[0].text]
    for a, b in itertools.pairwise(row):
        if len(a.text) <= 2 and len(b.text) <= 2 and all(map(_is_cjk, a.text + b.text)):
            parts.append("")  # a spread-out heading: 摘    要 -> 摘要
        else:
            parts.append(" | " if b.x0 - a.x1 > 1.5 * max(a.h, b.h) else " ")
        parts.append(b.text)
    return "".join(parts)


_SENTENCE_END = ("。", "！", "？", ".", "!", "?", "：", ":", "；")


def layout_text(lines: list[list[Seg]]) -> str:
    """Lines joined by ``\\n``, with a blank line where the vertical gap says a new block begins, and
    two spaces before a line indented from its column's left edge by one to four characters (a
    paragraph's first line, as Chinese typesetting indents it), so that the normalizer sees paragraphs."""
    pitches = [a[0].y0 - b[0].y0 for a, b in itertools.pairwise(lines) if 0 < a[0].y0 - b[0].y0 < 3 * a[0].h]
    pitch = statistics.median(pitches) if pitches else None
    lefts = [row[0].x0 for row in lines]
    out: list[str] = []
    prev: list[Seg] | None = None
    for row in lines:
        text = line_text(row).strip()
        if not text:
            continue
        h = row[0].h
        edge = min((x for x in lefts if row[0].x0 - 5 * h <= x <= row[0].x0 + 0.5 * h), default=row[0].x0)
        indented = 0.8 * h <= row[0].x0 - edge <= 4.5 * h
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


# ------------------------------------------------------------------------------------------- scanned pages

def text_layer_usable(chars: list[Char], image_cover: float, unmapped: int = 0) -> tuple[bool, str]:
    """Whether a page's text layer is worth using, or the page should be recognised by OCR (and why).

    Not usable when fewer than :data:`MIN_TEXT_CHARS` visible characters lie over images covering at
    least 30% of the page (a scan, perhaps with a stamped page number), or when at least 10% of the
    characters have no Unicode meaning (U+FFFD, private use, controls, PDFium's unmapped glyphs, letters
    a Chinese/English text is not made of).
    """
    visible = [c.ch for c in chars if not c.generated and c.ch not in " \t\r\n\u3000\xa0"]
    if len(visible) < MIN_TEXT_CHARS:
        if image_cover >= 0.3:
            return False, f"{len(visible)} characters over an image covering {image_cover:.0%} of the page"
        return True, "little text and no large image"
    bad = sum(1 for ch in visible if _EXPECTED.match(ch) is None)
    ratio = max(bad, unmapped) / len(visible)
    if ratio >= 0.10:
        return False, f"{ratio:.0%} of its characters have no Unicode meaning"
    return True, "ok"


def _objects(page: Any, kind: int, max_depth: int = 3, limit: int = 100_000) -> Iterator[Any]:
    """Raw page-object handles of one type, descending into form XObjects; at most ``limit`` visited."""
    import pypdfium2.raw as raw

    seen = 0
    stack: list[tuple[Any, int, int]] = [(None, raw.FPDFPage_CountObjects(page.raw), 0)]
    while stack:
        form, count, depth = stack.pop()
        for i in range(count):
            seen += 1
            if seen > limit:
                return
            obj = raw.FPDFPage_GetObject(page.raw, i) if form is None else raw.FPDFFormObj_GetObject(form, i)
            t = raw.FPDFPageObj_GetType(obj)
            if t == kind:
                yield obj
            elif t == raw.FPDF_PAGEOBJ_FORM and depth + 1 < max_depth:
                stack.append((obj, raw.FPDFFormObj_CountObjects(obj), depth + 1))


def image_coverage(page: Any) -> float:
    """Share of the page area (0..1) covered by image objects' bounding boxes."""
    import pypdfium2.raw as raw

    w, h = page.get_size()
    area = 0.0
    box = [ctypes.c_float() for _ in range(4)]
    for obj in _objects(page, raw.FPDF_PAGEOBJ_IMAGE):
        if raw.FPDFPageObj_GetBounds(obj, *box):
            left, bottom, right, top = (v.value for v in box)
            area += max(0.0, min(right, w) - max(left, 0.0)) * max(0.0, min(top, h) - max(bottom, 0.0))
    return min(1.0, area / (w * h)) if w * h else 0.0


def ocr_page(page: Any, dpi: int = OCR_DPI) -> str:
    """Render a page (``/Rotate`` applied, grey) at ``dpi`` and recognise it; the lines in reading order."""
    from .ocr import recognise

    scale = dpi / 72
    image = page.render(scale=scale, grayscale=True).to_numpy()
    segs = [Seg(text=_DROP.sub("", text), x0=x0 / scale, y0=y0 / scale, x1=x1 / scale, y1=y1 / scale,
                h=max((y1 - y0) / scale * 0.8, 1.0))
            for text, (x0, y0, x1, y1) in recognise(image)]
    return layout_text(order_page([s for s in segs if s.text], image.shape[0] / scale))


# ------------------------------------------------------------------------------------------- documents

_EMPTY_PAGE_TREE = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+0\b|/Count\s+0\b[^>]*?/Type\s*/Pages\b")


def open_pdf(path: Path) -> Any:
    """Open a PDF with PDFium. Raises ExtractError with a reason a person can act on."""
    import pypdfium2 as pdfium

    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        raise ExtractError("it is not a PDF (no %PDF- header)")
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ExtractError("it is encrypted and needs a password to open") from exc
        if _EMPTY_PAGE_TREE.search(path.read_bytes()[:1 << 20]):
            # PDFium refuses an empty page tree without an error code of its own
            raise ExtractError("the PDF has no pages") from exc
        raise ExtractError("it is damaged or not a PDF PDFium can read") from exc
    n = len(doc)
    if n == 0:
        doc.close()
        raise ExtractError("the PDF has no pages")
    if n > MAX_PAGES:
        doc.close()
        raise ExtractError(f"it has {n:,} pages, more than the {MAX_PAGES:,}-page limit")
    return doc


def extract_pdf(path: Path, ocr: bool = True, report: Report | None = None) -> Extracted:
    """The text of every page of a PDF, in reading order, pages joined by :data:`PAGE_SEP`.

    The text layer of every page is read first; then the pages without a usable one are recognised by
    OCR when ``ocr`` (else left empty). Raises ExtractError when the file cannot be read, or when no
    page yields any text.
    """
    import pypdfium2 as pdfium

    doc = open_pdf(path)
    try:
        n = len(doc)
        texts: list[str] = []
        scanned: list[int] = []
        for i in range(n):
            page = _page(doc, i, pdfium.PdfiumError)
            try:
                w, h = page.get_size()
                if page.get_rotation() in (90, 270):
                    w, h = h, w
                textpage = page.get_textpage()
                try:
                    chars, unmapped = page_chars(textpage, w, h)
                finally:
                    textpage.close()
                usable, _why = text_layer_usable(chars, image_coverage(page), unmapped)
                texts.append(layout_text(order_page(segments(chars), h)) if usable else "")
                if not usable:
                    scanned.append(i)
            finally:
                page.close()
            if report:
                report("pages", i + 1, n)
        if ocr:
            for done, i in enumerate(scanned, 1):
                page = _page(doc, i, pdfium.PdfiumError)
                try:
                    texts[i] = ocr_page(page)
                finally:
                    page.close()
                if report:
                    report("ocr", done, len(scanned))
    finally:
        doc.close()
    if not any(t.strip() for t in texts):
        if scanned:
            raise ExtractError(f"its {len(scanned)} page(s) are images and OCR recognised no text in them"
                               if ocr else "its pages are images, and OCR is off")
        raise ExtractError("no page has any text")
    text, starts = join_pages(texts)
    return Extracted(text=text, format="pdf", extractor="pdfium", pages=starts,
                     ocr_pages=tuple(i + 1 for i in scanned if texts[i].strip()))


def _page(doc: Any, i: int, error: type[Exception]) -> Any:
    try:
        return doc[i]
    except error as exc:
        raise ExtractError(f"page {i + 1} is damaged") from exc


__all__ = ["MAX_PAGES", "PAGE_SEP", "extract_pdf", "open_pdf"]
