"""Extracted: the text of a PDF, Word or HTML file as citations index it, with where each page begins,
which pages were scanned, recognised by OCR or read again, and the reason a file could not be read.

The records here are shared by the extractors (:mod:`.pdf`, :mod:`.word`, :mod:`.web`) and by the
process that runs them and caches their output (:mod:`.extract`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EXTRACTOR_VERSION = 2
"""Bump when any extractor's output changes: cached extractions of older versions are made again (the
pages they recognised by OCR are kept, unless :data:`OCR_VERSION` changed too)."""
OCR_VERSION = 1
"""Bump when the text OCR gives a page changes (engine, models, rendering, the layout of recognised
lines): pages recognised by an older version are then recognised again. Extractions that do not record
it are version 1."""
PAGE_SEP = "\n\f\n"
"""Between two pages: a line holding only a form feed. Every page begins on a line of its own."""

Report = Callable[[str, int, int], None]
"""``report(stage, done, total)``; stages ``pages`` and ``ocr`` (see :func:`.pdf.extract_pdf`)."""


class ExtractError(Exception):
    """A file that cannot be read as its format says; ``str()`` is the reason, for a warning."""


class ScansLeft(ExtractError):
    """A PDF with no text but on scanned pages, not all of them recognised because of the OCR limit: it
    may yield text when the limit is raised. ``scanned`` and ``ocr_skipped`` as in :class:`Extracted`."""

    def __init__(self, reason: str, scanned: tuple[int, ...], ocr_skipped: tuple[int, ...]) -> None:
        super().__init__(reason)
        self.scanned = scanned
        self.ocr_skipped = ocr_skipped

    @property
    def ocr_done(self) -> int:
        return len(self.scanned) - len(self.ocr_skipped)

    def recognised(self) -> dict[int, str]:
        """The pages OCR found nothing on (0-based page → ``""``), not to be recognised again."""
        skipped = set(self.ocr_skipped)
        return {p - 1: "" for p in self.scanned if p not in skipped}


@dataclass(frozen=True)
class Extracted:
    """The text of a non-text document, as citations index it."""

    text: str
    format: str
    """``pdf``, ``docx`` or ``html``."""
    extractor: str
    """What extracted it: ``pdfium``, ``python-docx``, ``selectolax``."""
    pages: tuple[int, ...] = ()
    """Offset in :attr:`text` where each page begins (page 1 first); empty for unpaged formats."""
    ocr_pages: tuple[int, ...] = ()
    """1-based numbers of the pages whose text was recognised by OCR."""
    scanned: tuple[int, ...] = ()
    """1-based numbers of the pages without a usable text layer (recognised by OCR, or skipped)."""
    ocr_skipped: tuple[int, ...] = ()
    """Pages of :attr:`scanned` left unrecognised, and empty, because of the per-document OCR limit."""
    recovered: tuple[int, ...] = ()
    """Pages whose glyphs PDFium lost (a font neither embedded nor installed), read again with pdfminer."""
    incomplete: tuple[int, ...] = ()
    """Pages whose lost glyphs could not be read again: some of their text is missing."""
    ocr_version: int = OCR_VERSION
    """The :data:`OCR_VERSION` that recognised :attr:`ocr_pages`."""

    def to_json(self) -> dict[str, Any]:
        return {"version": EXTRACTOR_VERSION, "text": self.text, "format": self.format,
                "extractor": self.extractor, "pages": list(self.pages), "ocr_pages": list(self.ocr_pages),
                "scanned": list(self.scanned), "ocr_skipped": list(self.ocr_skipped),
                "recovered": list(self.recovered), "incomplete": list(self.incomplete),
                "ocr_version": self.ocr_version}

    @classmethod
    def from_json(cls, data: Any) -> Extracted | None:
        """The extraction stored as ``data``, or None when it is malformed or from another version."""
        try:
            if data["version"] != EXTRACTOR_VERSION:
                return None
            numbers = {name: tuple(int(p) for p in data.get(name, ()))
                       for name in ("ocr_pages", "scanned", "ocr_skipped", "recovered", "incomplete")}
            out = cls(text=str(data["text"]), format=str(data["format"]), extractor=str(data["extractor"]),
                      pages=tuple(int(p) for p in data["pages"]), ocr_version=int(data.get("ocr_version", 1)),
                      **numbers)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        if any(not 0 <= p <= len(out.text) for p in out.pages) or list(out.pages) != sorted(out.pages):
            return None
        return out

    @property
    def ocr_done(self) -> int:
        """Scanned pages that were recognised by OCR (with or without text found)."""
        return len(self.scanned) - len(self.ocr_skipped)

    def page_text(self, number: int) -> str:
        """The text of page ``number`` (1-based), without the separator that follows it."""
        start = self.pages[number - 1]
        end = self.pages[number] - len(PAGE_SEP) if number < len(self.pages) else len(self.text)
        return self.text[start:end]

    def recognised(self) -> dict[int, str]:
        """0-based page → text of the pages recognised by OCR (empty ones too, when the extraction
        records which pages were scanned), for an extraction of the same file to reuse; nothing when
        they were recognised by another :data:`OCR_VERSION`."""
        if self.ocr_version != OCR_VERSION or not self.pages:
            return {}
        skipped = set(self.ocr_skipped)
        done = [p for p in self.scanned if p not in skipped] if self.scanned else list(self.ocr_pages)
        return {p - 1: self.page_text(p) for p in done if 1 <= p <= len(self.pages)}


def join_pages(texts: list[str]) -> tuple[str, tuple[int, ...]]:
    """One text of all pages, joined by :data:`PAGE_SEP`, and the offset where each page begins."""
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    for i, t in enumerate(texts):
        if i:
            parts.append(PAGE_SEP)
            pos += len(PAGE_SEP)
        starts.append(pos)
        parts.append(t)
        pos += len(t)
    return "".join(parts), tuple(starts)
