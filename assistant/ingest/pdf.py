"""PDF: the text of every page in reading order, with pypdfium2 (PDFium), and OCR for scanned pages.

Each page's characters come from PDFium's text page with their boxes, and :mod:`.layout` puts them in
reading order: column by column, never across the gutter, the running header and footer first, table
cells joined by `` | ``.

A page whose text layer is unusable (almost no characters over a large image, or mostly characters
with no Unicode meaning) is rendered and recognised with RapidOCR (:mod:`.ocr`), up to a number of pages
per document (the first ones; the rest are left empty and counted, see :class:`~.extracted.Extracted`).
Pages are joined with :data:`PAGE_SEP`, so every page begins on a line of its own;
:class:`~.extracted.Extracted` records where.

A page where PDFium lost glyphs (text objects of a font that is neither embedded nor installed, which
PDFium leaves out of its text page without a word: :func:`page_objects`) is read again with pdfminer
(:mod:`.miner`) and laid out by the same rules.

Measured against pdfplumber on generated one- and two-column Chinese/English pages, tables and spaced
CJK (see README, "Documents"): PDFium is 10-30x faster and, with this layout step, reads two-column
pages in order where pdfplumber's default reads across the gutter.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..settings import OCR_PAGES
from .extracted import OCR_VERSION, PAGE_SEP, Extracted, ExtractError, Report, ScansLeft, join_pages
from .layout import DROP_CHARS, Char, Seg, layout_text, order_page, page_chars, segments

MAX_PAGES = 2000
"""A PDF with more pages than this is skipped (a real book has fewer; a generated bomb has 100,000)."""
MIN_TEXT_CHARS = 20
"""A page with fewer visible characters than this over a large image is treated as scanned."""
OCR_DPI = 200
"""Resolution scanned pages are rendered at for OCR (measured in README: 150-300 dpi gave about the same
accuracy on A4 pages, 200 was the best compromise)."""

_EXPECTED = re.compile("[\x20-\x7e\xa0-\xbf\xd7\xf7\u0391-\u03c9\u2000-\u22ff\u2460-\u24ff\u25a0-\u25ff"
                       "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
"""Characters a Chinese/English document is made of: ASCII, Latin-1 symbols, Greek, punctuation,
letterlike symbols, arrows, maths, circled numbers, CJK. A text layer mostly made of anything else is a
font without a usable Unicode map."""


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


def _objects(page: Any, kinds: tuple[int, ...], max_depth: int = 3, limit: int = 100_000) -> Iterator[tuple[int, Any]]:
    """``(type, handle)`` of the raw page objects of the given types, descending into form XObjects; at
    most ``limit`` objects visited (pypdfium2's ``get_objects`` makes a Python wrapper per object: 7 s for
    400,000)."""
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
            if t in kinds:
                yield t, obj
            elif t == raw.FPDF_PAGEOBJ_FORM and depth + 1 < max_depth:
                stack.append((obj, raw.FPDFFormObj_CountObjects(obj), depth + 1))


@dataclass
class PageObjects:
    """What one walk over a page's objects finds."""

    image_cover: float = 0.0
    """Share of the page area (0..1) covered by image objects' bounding boxes."""
    text_objects: int = 0
    lost: int = 0
    """Text objects PDFium leaves out of its text page for want of a font (see :func:`page_objects`)."""


def page_objects(page: Any) -> PageObjects:
    """Image coverage, and the text objects whose glyphs PDFium lost, in one walk over the page.

    PDFium leaves out of its text page every text object whose box is narrower than 0.01 pt
    (``CPDF_TextPage::ProcessTextObject``), without a warning. A glyph of a font that is neither embedded
    in the file nor installed on the machine (a Chinese CID font such as STSong-Light or SimSun on a Linux
    machine without Chinese fonts) cannot be measured, so a text object holding one such glyph has no
    width, and its text is lost; text set one glyph at a time loses whole lines. (An object of several
    glyphs keeps a width from their advances, and its text.) Such objects are counted in
    :attr:`PageObjects.lost`: text objects in a font that is not embedded whose box has no width. A text
    object holding only a space is counted too, harmlessly: the page is read again and pdfminer's
    reading kept only if it brings text back (:func:`.miner.recovers`).
    """
    import pypdfium2.raw as raw

    w, h = page.get_size()
    out = PageObjects()
    area = 0.0
    box = [ctypes.c_float() for _ in range(4)]
    embedded: dict[int | None, bool] = {}
    for t, obj in _objects(page, (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_TEXT)):
        if t == raw.FPDF_PAGEOBJ_IMAGE:
            if raw.FPDFPageObj_GetBounds(obj, *box):
                left, bottom, right, top = (v.value for v in box)
                area += max(0.0, min(right, w) - max(left, 0.0)) * max(0.0, min(top, h) - max(bottom, 0.0))
            continue
        out.text_objects += 1
        font = raw.FPDFTextObj_GetFont(obj)
        key = ctypes.cast(font, ctypes.c_void_p).value
        if key not in embedded:
            embedded[key] = not key or raw.FPDFFont_GetIsEmbedded(font) == 1
        if not embedded[key] and (not raw.FPDFPageObj_GetBounds(obj, *box) or abs(box[2].value - box[0].value) < 0.01):
            out.lost += 1
    out.image_cover = min(1.0, area / (w * h)) if w * h else 0.0
    return out


def ocr_page(page: Any, dpi: int = OCR_DPI) -> str:
    """Render a page (``/Rotate`` applied, grey) at ``dpi`` and recognise it; the lines in reading order."""
    from .ocr import recognise

    scale = dpi / 72
    image = page.render(scale=scale, grayscale=True).to_numpy()
    segs = [Seg(text=DROP_CHARS.sub("", text), x0=x0 / scale, y0=y0 / scale, x1=x1 / scale, y1=y1 / scale,
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


def extract_pdf(path: Path, report: Report | None = None, *, ocr_pages: int = OCR_PAGES,
                known: dict[int, str] | None = None) -> Extracted:
    """The text of every page of a PDF, in reading order, pages joined by :data:`PAGE_SEP`.

    The text layer of every page is read first (pages where PDFium lost glyphs read again with pdfminer,
    see :func:`page_objects`); then the pages without a usable one are recognised by OCR, the first
    ``ocr_pages`` of them (0: none), the rest left empty and listed in
    :attr:`~.extracted.Extracted.ocr_skipped`. ``known`` gives the text of pages already recognised
    (0-based page → text, e.g. from an earlier extraction of the same file): they are not recognised
    again and count toward ``ocr_pages``. Raises ExtractError when the file cannot be read, or when no
    page yields any text.
    """
    import pypdfium2 as pdfium

    from .miner import MINER_MAX_OBJECTS, MinerPages, only_spaces_lost, recovers

    known = known or {}
    doc = open_pdf(path)
    miner = MinerPages(path)
    try:
        n = len(doc)
        texts: list[str] = []
        scanned: list[int] = []
        recovered: list[int] = []
        incomplete: list[int] = []
        for i in range(n):
            page = _page(doc, i, pdfium.PdfiumError)
            try:
                w, h = page.get_size()
                if page.get_rotation() in (90, 270):
                    w, h = h, w
                objects = page_objects(page)
                textpage = page.get_textpage()
                try:
                    chars, unmapped = page_chars(textpage, w, h)
                finally:
                    textpage.close()
                if objects.lost:
                    again = miner.chars(i) if objects.text_objects <= MINER_MAX_OBJECTS else None
                    if again is not None and recovers(chars, again[0]):
                        (chars, h), unmapped = again, 0
                        recovered.append(i + 1)
                    elif again is None or not only_spaces_lost(chars, again[0]):
                        incomplete.append(i + 1)
                usable, _why = text_layer_usable(chars, objects.image_cover, unmapped)
                texts.append(layout_text(order_page(segments(chars), h)) if usable else "")
                if not usable:
                    scanned.append(i)
            finally:
                page.close()
            if report:
                report("pages", i + 1, n)
        miner.close()
        reused = [i for i in scanned if i in known]
        todo = [i for i in scanned if i not in known][: max(0, ocr_pages - len(reused))]
        skipped = [i for i in scanned if i not in known and i not in todo]
        for i in reused:
            texts[i] = known[i]
        for done, i in enumerate(todo, 1):
            page = _page(doc, i, pdfium.PdfiumError)
            try:
                texts[i] = ocr_page(page)
            finally:
                page.close()
            if report:
                report("ocr", done, len(todo))
    finally:
        miner.close()
        doc.close()
    if not any(t.strip() for t in texts):
        tried = len(scanned) - len(skipped)
        pages = (tuple(i + 1 for i in scanned), tuple(i + 1 for i in skipped))
        if skipped and not tried:
            raise ScansLeft(f"its {len(scanned)} page(s) are images, and OCR is off (ASSISTANT_OCR_PAGES=0)", *pages)
        if skipped:
            raise ScansLeft(f"its {len(scanned)} page(s) are images; OCR recognised no text in the first {tried} and "
                            f"the others are over the limit (ASSISTANT_OCR_PAGES={ocr_pages})", *pages)
        if scanned:
            raise ExtractError(f"its {len(scanned)} page(s) are images and OCR recognised no text in them")
        raise ExtractError("no page has any text")
    text, starts = join_pages(texts)
    return Extracted(text=text, format="pdf", extractor="pdfium+pdfminer" if recovered else "pdfium",
                     pages=starts, ocr_pages=tuple(i + 1 for i in scanned if i not in skipped and texts[i].strip()),
                     scanned=tuple(i + 1 for i in scanned), ocr_skipped=tuple(i + 1 for i in skipped),
                     recovered=tuple(recovered), incomplete=tuple(incomplete), ocr_version=OCR_VERSION)


def _page(doc: Any, i: int, error: type[Exception]) -> Any:
    try:
        return doc[i]
    except error as exc:
        raise ExtractError(f"page {i + 1} is damaged") from exc


__all__ = ["MAX_PAGES", "PAGE_SEP", "extract_pdf", "open_pdf", "page_objects"]
