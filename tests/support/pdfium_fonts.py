"""What PDFium sees of the machine's fonts, and a child process in which it sees none.

PDFium finds the fonts a PDF names but does not embed among the machine's fonts (on Linux, the font
folders under ``/usr/share/fonts`` and ``/usr/local/share/fonts``). Whether it finds a Chinese one changes
what it extracts (:func:`assistant.ingest.pdf.lost_glyphs`), so the tests that depend on it either ask
(:func:`pdfium_draws_chinese`) or run where it has none (:func:`without_system_fonts`): a spawned child
process whose PDFium is given an empty list of system fonts (``FPDF_SetSystemFontInfo``), as on a machine
without any font installed. Nothing is uninstalled, and the test process's PDFium is left as it was.
"""

from __future__ import annotations

import ctypes
import io
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
_KEPT: list[Any] = []


def install_no_system_fonts() -> None:
    """Give this process's PDFium an empty list of system fonts (only its built-in Latin fonts remain)."""
    import pypdfium2.raw as raw

    info = raw.FPDF_SYSFONTINFO()
    info.version = 1
    info.Release = type(info.Release)(lambda this: None)
    info.EnumFonts = type(info.EnumFonts)(lambda this, mapper: None)
    info.MapFont = type(info.MapFont)(lambda *args: None)
    info.GetFont = type(info.GetFont)(lambda *args: None)
    info.GetFontData = type(info.GetFontData)(lambda *args: 0)
    info.GetFaceName = type(info.GetFaceName)(lambda *args: 0)
    info.GetFontCharset = type(info.GetFontCharset)(lambda *args: 0)
    info.DeleteFont = type(info.DeleteFont)(lambda *args: None)
    _KEPT.append(info)  # PDFium keeps the pointer: the structure and its callbacks must outlive it
    raw.FPDF_SetSystemFontInfo(ctypes.byref(info))


def one_glyph_pdf() -> bytes:
    """A page holding one text object with one glyph, 华, in STSong-Light (a CID font never embedded)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 700, "华")
    c.showPage()
    c.save()
    return buf.getvalue()


def pdfium_draws_chinese() -> bool:
    """Whether this process's PDFium finds a Chinese font for a font the file does not embed: with none,
    it drops the one-glyph text object of :func:`one_glyph_pdf` from the text page."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(one_glyph_pdf())
    try:
        page = doc[0]
        textpage = page.get_textpage()
        try:
            return bool(textpage.count_chars())
        finally:
            textpage.close()
            page.close()
    finally:
        doc.close()


def without_system_fonts(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a fresh child process whose PDFium has no system fonts; ``fn`` must be importable
    and its arguments and result picklable. Raises AssertionError if PDFium still draws Chinese there."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=install_no_system_fonts) as pool:
        if pool.submit(pdfium_draws_chinese).result():
            raise AssertionError("PDFium still finds a Chinese font with no system fonts")
        return pool.submit(fn, *args).result()
