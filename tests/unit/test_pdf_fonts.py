"""PDF text set in a font the file does not embed, on a machine without that font.

PDFium leaves out of its text page every text object that holds one glyph of a Chinese font that is
neither embedded nor installed, without a warning; text set one glyph at a time then loses whole lines.
Whether this machine has a Chinese font decides whether PDFium loses anything here, so the checks run in
a child process whose PDFium has no system fonts at all (``support.pdfium_fonts``), and assert first that
PDFium does lose the text there. The same document read in this process (whatever fonts it has) must
give the same body text.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Any

import pytest
from support import documents as D
from support.pdfium_fonts import pdfium_draws_chinese, without_system_fonts
from test_chunk import check_passage_maps_back

from assistant.ingest import read_document
from assistant.ingest.chunk import chunk_document
from assistant.ingest.extracted import Extracted
from assistant.ingest.files import Readers
from assistant.ingest.pdf import extract_pdf, page_objects
from assistant.records import Document, Source

HEADER, PARAS, MORE, LAST = D.JOURNAL_GLYPHS
PAGES, BODIES = D.journal_glyph_pages()
"""Page 1 two columns, page 2 one column, both one glyph per text object; page 3 a line per text object
(:func:`support.documents.journal_glyph_pdf`); BODIES: the lines of each page below its header."""


def body_lines(page_text: str) -> list[str]:
    """The lines of a page without its running header (the first line) and blank lines."""
    return [ln.strip() for ln in page_text.split("\n")[1:] if ln.strip()]


def _unnamed(path: str) -> list[tuple[int, int, int]]:
    """Per page: text objects PDFium's text page names, those :func:`page_objects` counts as lost, and
    the lost ones no character of the text page names (the premise: each of them is really gone)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    out = []
    doc = pdfium.PdfDocument(path)
    for i in range(len(doc)):
        page = doc[i]
        textpage = page.get_textpage()
        named = {ctypes.cast(raw.FPDFText_GetTextObject(textpage.raw, k), ctypes.c_void_p).value
                 for k in range(textpage.count_chars())}
        box = [ctypes.c_float() for _ in range(4)]
        narrow = set()
        for k in range(raw.FPDFPage_CountObjects(page.raw)):
            obj = raw.FPDFPage_GetObject(page.raw, k)
            if raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_TEXT and raw.FPDFPageObj_GetBounds(obj, *box) \
                    and box[2].value - box[0].value < 0.01:
                narrow.add(ctypes.cast(obj, ctypes.c_void_p).value)
        out.append((len(named - {None}), page_objects(page).lost, len(narrow - named)))
        textpage.close()
        page.close()
    doc.close()
    return out


def _without_fonts(glyphs: str, spaces: str, whole: str) -> dict[str, Any]:
    """Everything the tests check, read where PDFium has no system fonts."""
    import pypdfium2 as pdfium

    from assistant.ingest import miner

    out: dict[str, Any] = {}
    doc = pdfium.PdfDocument(glyphs)
    out["pdfium"] = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    doc.close()
    out["objects"] = {name: _unnamed(path) for name, path in (("glyphs", glyphs), ("spaces", spaces),
                                                              ("whole", whole))}
    out["glyphs"] = extract_pdf(Path(glyphs)).to_json()
    out["spaces"] = extract_pdf(Path(spaces)).to_json()
    out["whole"] = extract_pdf(Path(whole)).to_json()
    readers = Readers()
    real = miner.MinerPages.chars
    miner.MinerPages.chars = lambda self, index: None  # type: ignore[method-assign]  # pdfminer fails
    try:
        doc_or_reason = read_document(Path(glyphs), "journal.pdf", readers)
    finally:
        miner.MinerPages.chars = real  # type: ignore[method-assign]
    out["unread"] = doc_or_reason.text if isinstance(doc_or_reason, Document) else doc_or_reason
    out["notes"] = readers.notes
    return out


def spaces_pdf(path: Path) -> None:
    """Chinese lines, with a space set as a text object of its own between two parts of each."""
    from reportlab.pdfgen import canvas

    D.glyph_lines("", 1)  # registers the font
    c = canvas.Canvas(str(path))
    c.setFont(D.CJK_FONT, 11)
    for k, text in enumerate(PARAS[:2]):
        y = 700 - 20 * k
        c.drawString(72, y, text[:10])
        c.drawString(72 + 11 * 10, y, " ")
        c.drawString(72 + 11 * 10 + 3, y, text[10:30])
    c.showPage()
    c.save()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fonts")
    out = {"glyphs": root / "journal.pdf", "spaces": root / "spaces.pdf", "whole": root / "whole.pdf"}
    D.journal_glyph_pdf(out["glyphs"])
    spaces_pdf(out["spaces"])
    D.text_pdf(out["whole"], [[ln for col in PAGES[0] for ln in col]], header=HEADER)
    return out


@pytest.fixture(scope="module")
def nofonts(files: dict[str, Path]) -> dict[str, Any]:
    return without_system_fonts(_without_fonts, str(files["glyphs"]), str(files["spaces"]), str(files["whole"]))


def test_without_a_chinese_font_pdfium_drops_one_glyph_text_objects(nofonts: dict[str, Any]) -> None:
    # the premise: PDFium itself keeps none of the glyph-by-glyph lines, only the page-3 whole lines
    page1, page2, page3 = nofonts["pdfium"]
    assert "华" not in page1 + page2 and "· 1 ·" in page1
    assert all(ln in page3.replace("\r\n", "\n") for ln in BODIES[2])
    assert "帕博西尼" in page3
    # every text object counted as lost is one no character of the text page comes from
    for named, lost, unnamed in nofonts["objects"]["glyphs"][:2]:
        assert lost == unnamed > 80 > named  # it keeps the page number and some Latin letters and digits
    assert nofonts["objects"]["glyphs"][2][1:] == (0, 0)


def test_lost_glyphs_are_read_again_in_reading_order(nofonts: dict[str, Any]) -> None:
    ex = Extracted.from_json(nofonts["glyphs"])
    assert ex is not None
    assert (ex.extractor, ex.recovered, ex.incomplete) == ("pdfium+pdfminer", (1, 2), ())
    for number, want in enumerate(BODIES, 1):
        text = ex.page_text(number)
        # the running header first, then the left column whole, then the right one
        assert "".join(text.split("\n")[0].split()).startswith("".join(HEADER.split())), text
        assert body_lines(text) == want, number


def test_every_recovered_passage_maps_back_to_its_page(nofonts: dict[str, Any]) -> None:
    ex = Extracted.from_json(nofonts["glyphs"])
    assert ex is not None
    doc = Document("journal.pdf", ex.text, "0" * 64, ex.extractor, "pdf", ex.pages, ex.ocr_pages)
    source = Source.of(doc)
    passages = chunk_document(doc, 48, 8)
    assert {p.page_start for p in passages} == {1, 2, 3}
    for p in passages:
        check_passage_maps_back(p, doc.text)
        assert source.page_span(p.page_start)[0] <= p.start and p.end <= source.page_span(p.page_end)[1]
        assert source.page_of(p.end - 1) == p.page_end
    for number, paras in ((1, PARAS), (2, MORE), (3, LAST)):
        found = "".join("".join(p.text.split()) for p in passages if p.page_start <= number <= p.page_end)
        assert all("".join(para.split()) in found for para in paras), number


def test_the_same_body_text_whatever_fonts_the_machine_has(files: dict[str, Path],
                                                          nofonts: dict[str, Any]) -> None:
    here = extract_pdf(files["glyphs"])
    there = Extracted.from_json(nofonts["glyphs"])
    assert there is not None
    assert [body_lines(here.page_text(n)) for n in (1, 2, 3)] == BODIES
    if pdfium_draws_chinese():  # PDFium found a Chinese font here: nothing was lost, nothing read again
        assert (here.extractor, here.recovered) == ("pdfium", ())
    else:
        assert here.recovered == (1, 2)


def test_a_lost_space_is_not_a_reason_to_read_the_page_again(nofonts: dict[str, Any]) -> None:
    # the page with spaces set on their own: they are dropped, and counted, but pdfminer finds nothing more
    [(_, lost, unnamed)] = nofonts["objects"]["spaces"]
    assert lost == unnamed == 2
    [(_, lost, _)] = nofonts["objects"]["whole"]
    assert lost == 0
    for name in ("spaces", "whole"):
        ex = Extracted.from_json(nofonts[name])
        assert ex is not None and (ex.extractor, ex.recovered, ex.incomplete) == ("pdfium", (), ()), name
        assert "华法林是维生素K拮抗剂" in ex.text


def test_text_no_reader_can_decode_is_named_in_a_warning(nofonts: dict[str, Any]) -> None:
    # pdfminer failing too: the document is still indexed with what PDFium read, and said to be incomplete
    assert isinstance(nofonts["unread"], str) and "帕博西尼" in nofonts["unread"]
    assert "地舒单抗" not in nofonts["unread"]
    assert nofonts["notes"] == ["journal.pdf: some characters of pages 1-2 could not be read (a font that is "
                                "neither embedded in the file nor installed, which no reader could decode)"]
