"""A second reader of a PDF page's characters, with pdfminer.six, for the pages where PDFium loses glyphs.

PDFium drops every text object that holds a single glyph of a font that is neither embedded in the file
nor installed on the machine (a Chinese CID font such as STSong-Light or SimSun on a Linux machine
without Chinese fonts): it cannot measure the glyph, so the object has no width and its text is left out
of the text page, without a warning. Text set one glyph at a time, as many Chinese typesetting systems
do, then loses whole lines. pdfminer decodes the same characters through the PDF's own CMaps (the
Adobe-GB1, CNS1, Japan1 and Korea1 maps ship inside the package) and needs no font file, so the page is
read again with it (:class:`MinerPages`) and laid out by the same rules as PDFium's characters.

pdfminer's CMaps lack a few characters PDFium decodes, and it skips them: of 90 symbols set in
STSong-Light (``UniGB-UCS2-H``), ``· ® ™ ² ³ ¹ ⁻ £ ©`` (so ``· 25 ·`` around a page number reads ``25``).
A page read again may lack those; every other page keeps PDFium's reading.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .layout import Char, turn_box

MINER_MAX_OBJECTS = 20_000
"""A page with more text objects than this is not read again (pdfminer is pure Python: such a page
would take minutes); it keeps PDFium's text and is reported as incomplete."""
DUPLICATE_DISTANCE = 1.0
"""Two identical glyphs closer than this (points) are one glyph drawn twice (faked bold): PDFium keeps one,
and so does :meth:`MinerPages.chars`."""

logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings about odd files are not the user's


class MinerPages:
    """The pages of one PDF as pdfminer reads them, opened on first use and kept open.

    ``chars(i)`` returns page ``i``'s glyphs (0-based) turned so that the page's dominant text direction
    runs left to right, with the height of that frame, or None when pdfminer cannot read the page (any
    exception of the parser: the caller keeps PDFium's text).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None
        self._pages: list[Any] | None = None
        self._interp: Any = None
        self._device: Any = None

    def _open(self) -> list[Any]:
        if self._pages is None:
            from pdfminer.converter import PDFPageAggregator
            from pdfminer.pdfdocument import PDFDocument
            from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
            from pdfminer.pdfpage import PDFPage
            from pdfminer.pdfparser import PDFParser

            self._fh = self.path.open("rb")
            document = PDFDocument(PDFParser(self._fh))
            self._pages = list(PDFPage.create_pages(document))
            resources = PDFResourceManager(caching=True)
            self._device = PDFPageAggregator(resources, laparams=None)
            self._interp = PDFPageInterpreter(resources, self._device)
        return self._pages

    def chars(self, index: int) -> tuple[list[Char], float] | None:
        """Page ``index``'s glyphs in PDF points (y up, turned as :func:`.layout.page_chars` turns
        PDFium's) and the turned frame's height; None when pdfminer cannot read the page."""
        try:
            pages = self._open()
            if not 0 <= index < len(pages):
                return None
            self._interp.process_page(pages[index])
            layout = self._device.get_result()
        except Exception:  # noqa: BLE001 - pdfminer raises many kinds on a damaged file; PDFium's text stays
            return None
        width, height = float(layout.width), float(layout.height)
        glyphs = list(_glyphs(layout))
        votes: Counter[int] = Counter()
        for g in glyphs[:: max(1, len(glyphs) // 200)]:
            a, b = g.matrix[0], g.matrix[1]
            if a or b:
                votes[round(math.degrees(math.atan2(b, a)) / 90) % 4 * 90] += 1
        turn = votes.most_common(1)[0][0] if votes else 0
        out: list[Char] = []
        seen: dict[tuple[str, int, int], list[tuple[float, float]]] = {}
        for g in glyphs:
            text = g.get_text()
            ch = "\ufffd" if text.startswith("(cid:") or len(text) != 1 else text  # a glyph it cannot map
            x0, y0, x1, y1 = turn_box(float(g.x0), float(g.y0), float(g.x1), float(g.y1), turn, width, height)
            if _duplicate(seen, ch, x0, y0):
                continue
            out.append(Char(ch, x0, y0, x1, y1, False))
        return out, (width if turn in (90, 270) else height)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        self._fh = self._pages = self._interp = self._device = None


def _glyphs(item: Any) -> Iterator[Any]:
    """Every LTChar of a pdfminer layout, inside form XObjects (LTFigure) too, in drawing order."""
    from pdfminer.layout import LTChar, LTContainer

    stack = [iter(item)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, LTChar):
                yield child
            elif isinstance(child, LTContainer):
                stack.append(iter(child))
                break
        else:
            stack.pop()


def _duplicate(seen: dict[tuple[str, int, int], list[tuple[float, float]]], ch: str, x: float, y: float) -> bool:
    """Whether the same glyph was already seen within :data:`DUPLICATE_DISTANCE`; records it if not."""
    if ch.isspace():
        return False
    cx, cy = math.floor(x), math.floor(y)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for px, py in seen.get((ch, cx + dx, cy + dy), ()):
                if abs(px - x) <= DUPLICATE_DISTANCE and abs(py - y) <= DUPLICATE_DISTANCE:
                    return True
    seen.setdefault((ch, cx, cy), []).append((x, y))
    return False


def recovers(pdfium: list[Char], miner: list[Char]) -> bool:
    """Whether pdfminer's reading of a page brings back what PDFium lost without losing what it read:
    it holds visible characters PDFium lacks (glyphs it cannot map, U+FFFD, do not count), and lacks at
    most 2% (or 2) of PDFium's."""
    a = Counter(c.ch for c in pdfium if not c.generated and not c.ch.isspace())
    b = Counter(c.ch for c in miner if not c.ch.isspace())
    gained = sum(n for ch, n in (b - a).items() if ch != "\ufffd")
    dropped = sum((a - b).values())
    return gained > 0 and dropped <= max(2, 0.02 * sum(a.values()))


def only_spaces_lost(pdfium: list[Char], miner: list[Char]) -> bool:
    """Whether pdfminer's reading of a page holds no visible character PDFium's lacks: the text objects
    PDFium left out held only spaces (or nothing pdfminer can map either)."""
    a = Counter(c.ch for c in pdfium if not c.generated and not c.ch.isspace())
    b = Counter(c.ch for c in miner if not c.ch.isspace() and c.ch != "\ufffd")
    return not (b - a)
