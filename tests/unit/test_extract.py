"""PDF (text layer), Word and HTML documents: extracted text, pages, exact offsets, unsupported types,
the extraction cache, and bad files (one warning each, the rest indexed). Every file is made by a real
library (reportlab, python-docx) or written byte by byte; OCR is in tests/integration/test_formats.py."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from support import documents as D
from support.cli import run_main
from test_chunk import check_passage_maps_back

from assistant.ingest import load_corpus, read_original
from assistant.ingest.chunk import chunk_document
from assistant.ingest.extracted import PAGE_SEP
from assistant.ingest.pdf import MAX_PAGES, extract_pdf
from assistant.ingest.web import html_text
from assistant.ingest.word import extract_docx

PARAS = [f"第{i}段：" + "华法林（warfarin）治疗期间应定期监测 INR，目标范围通常为 2.0-3.0。" * 3
         + f"Paragraph {i} ends here." for i in range(1, 31)]


def squash(text: str) -> str:
    return "".join(text.split())


def body_of(text: str) -> str:
    """The text without running-header lines and page separators, squashed."""
    return squash("\n".join(ln for ln in text.split("\n") if D.JOURNAL_HEADER not in ln))


@pytest.fixture(scope="module")
def twocol(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "twocol.pdf"
    D.two_column_pdf(path, [("heading", "1 抗凝治疗")] + [("para", p) for p in PARAS], title="华法林的临床应用")
    return path


def test_two_columns_read_column_by_column(twocol: Path) -> None:
    ex = extract_pdf(twocol)
    assert len(ex.pages) >= 2 and ex.pages[0] == 0
    body = body_of(ex.text)
    # every paragraph comes out whole, in order: never read across the gutter
    at = [body.find(squash(p)) for p in PARAS]
    assert all(i >= 0 for i in at), [p[:4] for p, i in zip(PARAS, at, strict=True) if i < 0]
    assert at == sorted(at)
    assert body.startswith(squash("华法林的临床应用1抗凝治疗"))


def test_pages_begin_on_their_own_line_after_a_form_feed(twocol: Path) -> None:
    ex = extract_pdf(twocol)
    for n, start in enumerate(ex.pages[1:], 2):
        assert ex.text[start - len(PAGE_SEP) : start] == PAGE_SEP
        # each page starts with its running header and its own page number
        assert ex.text[start:].startswith(D.JOURNAL_HEADER), n
        assert f"· {n} ·" in ex.text[start : start + 60]
    assert ex.text.count("\f") == len(ex.pages) - 1


def test_passages_map_back_into_the_extracted_text_with_their_pages(twocol: Path) -> None:
    corpus = load_corpus(twocol.parent)
    [doc] = corpus.documents
    assert (doc.format, doc.encoding, doc.ocr_pages) == ("pdf", "pdfium", ())
    passages = chunk_document(doc, 64, 8)
    assert len({p.page_start for p in passages}) == len(doc.pages)
    source = read_original(twocol.parent, doc.path)
    assert source.text == doc.text and source.pages == doc.pages
    for p in passages:
        check_passage_maps_back(p, doc.text)
        assert p.format == "pdf" and not p.ocr
        a, _ = source.page_span(p.page_start)
        _, z = source.page_span(p.page_end)
        assert a <= p.start and p.end <= z, (p.page_start, p.page_end, p.start, p.end)
        assert p.page_start <= p.page_end
        # the page of the last character is the page whose span holds it
        assert source.page_of(p.end - 1) == p.page_end
    # running headers and page numbers are not passage text
    assert not any(D.JOURNAL_HEADER in p.text or "· 2 ·" in p.text for p in passages)


def test_docx_headings_tables_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "guide.docx"
    D.guide_docx(path)
    text = extract_docx(path).text
    lines = text.split("\n")
    assert "# 社区获得性肺炎诊疗指南" in lines
    assert "# 1 诊断" in lines and "## 1.1 严重程度评估" in lines
    assert "- 社区发病；" in lines
    assert "人群 | 首选方案 | 备选方案" in lines
    assert "ICU | β-内酰胺类联合阿奇霉素 | β-内酰胺类联合呼吸喹诺酮类" in lines
    corpus = load_corpus(tmp_path)
    passages = chunk_document(corpus.documents[0], 64, 8)
    sections = {p.section for p in passages}
    assert any(s.endswith("1.1 严重程度评估") for s in sections), sections
    assert any("2 治疗" in s for s in sections), sections
    for p in passages:
        check_passage_maps_back(p, corpus.documents[0].text)
        assert (p.format, p.page_start, p.page_end) == ("docx", None, None)


def test_html_main_text_only(tmp_path: Path) -> None:
    text = html_text(D.ARTICLE_HTML)
    lines = text.split("\n")
    assert "# 地舒单抗用于骨转移患者的临床要点" in lines
    assert "## 一、与唑来膦酸的比较" in lines and "## 三、不良反应" in lines
    assert "- 推荐剂量为 120 mg，每 4 周皮下注射一次。" in lines
    assert "低钙血症 | 9.6%" in lines
    assert "check serum calcium before each dose" in text
    leaked = [b for b in D.ARTICLE_BOILERPLATE if b in text]
    assert not leaked
    (tmp_path / "article.htm").write_text(D.ARTICLE_HTML, encoding="utf-8")
    [doc] = load_corpus(tmp_path).documents
    assert (doc.format, doc.encoding) == ("html", "selectolax")
    for p in chunk_document(doc, 64, 8):
        check_passage_maps_back(p, doc.text)


def test_a_mixed_folder_names_what_it_cannot_read(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    D.text_pdf(seeds / "a.pdf", [["华法林治疗期间应定期监测 INR。", "Warfarin needs INR checks."]])
    D.guide_docx(seeds / "b.docx")
    (seeds / "c.html").write_text(D.ARTICLE_HTML, encoding="utf-8")
    for name in ("d.md", "e.markdown", "f.txt", "g.text", "h.rst"):
        (seeds / name).write_text(f"# {name}\n\n二甲双胍是 2 型糖尿病的一线治疗药物。\n", encoding="utf-8")
    for name in ("x.xlsx", "y.XLSX", "z.caj", "README"):
        (seeds / name).write_bytes(b"data")
    (seeds / ".hidden.xlsx").write_bytes(b"data")
    corpus = load_corpus(seeds)
    formats = {d.path: d.format for d in corpus.documents}
    assert formats == {"a.pdf": "pdf", "b.docx": "docx", "c.html": "html", "d.md": "markdown",
                       "e.markdown": "markdown", "f.txt": "text", "g.text": "text", "h.rst": "text"}
    assert corpus.warnings == []
    assert corpus.unsupported == {".xlsx": 2, "(no extension)": 1, ".caj": 1}


def test_unchanged_files_are_not_parsed_again(tmp_path: Path) -> None:
    seeds, cache = tmp_path / "seeds", tmp_path / "index" / "cache" / "extracted"
    seeds.mkdir()
    D.text_pdf(seeds / "a.pdf", [["华法林治疗期间应定期监测 INR。"]])
    [doc] = load_corpus(seeds, cache).documents
    entry = cache / f"{doc.sha256}.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    assert data["text"] == doc.text
    # a mark only the cache holds: seen again means the file was not parsed
    data["text"] = doc.text + "\n缓存标记"
    entry.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    [again] = load_corpus(seeds, cache).documents
    assert again.text.endswith("缓存标记")
    # a changed file is extracted again
    D.text_pdf(seeds / "a.pdf", [["阿司匹林是一种常用的抗血小板药物。"]])
    [changed] = load_corpus(seeds, cache).documents
    assert "阿司匹林" in changed.text and "缓存标记" not in changed.text
    assert not any(p.is_relative_to(seeds) for p in cache.rglob("*"))
    assert sorted(p.name for p in seeds.iterdir()) == ["a.pdf"]


def bad_files(seeds: Path) -> dict[str, str]:
    """Write every kind of bad file; returns {file: what its warning must say}."""
    good = seeds / "_good.pdf"
    D.text_pdf(good, [["好文件的内容。"] * 5] * 3)
    data = good.read_bytes()
    good.unlink()
    D.encrypted_pdf(seeds / "encrypted.pdf")
    (seeds / "truncated.pdf").write_bytes(data[: len(data) // 2])
    (seeds / "zero_pages.pdf").write_bytes(D.zero_page_pdf())
    (seeds / "not_a_pdf.pdf").write_bytes("<html>这不是 PDF</html>".encode())
    (seeds / "bomb_pages.pdf").write_bytes(D.many_pages_pdf(MAX_PAGES + 1))
    docx = seeds / "_good.docx"
    D.guide_docx(docx)
    (seeds / "truncated.docx").write_bytes(docx.read_bytes()[:3000])
    with zipfile.ZipFile(seeds / "not_word.docx", "w") as zf:
        zf.writestr("hello.txt", "a zip that is not a Word document")
    docx.unlink()
    return {
        "encrypted.pdf": "encrypted and needs a password",
        "truncated.pdf": "damaged",
        "zero_pages.pdf": "no pages",
        "not_a_pdf.pdf": "not a PDF",
        "bomb_pages.pdf": f"more than the {MAX_PAGES:,}-page limit",
        "truncated.docx": "damaged or not a Word",
        "not_word.docx": "damaged or not a Word",
    }


def test_bad_files_one_warning_each_and_the_rest_indexed(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    expected = bad_files(seeds)
    D.text_pdf(seeds / "good.pdf", [["华法林治疗期间应定期监测 INR。"]])
    (seeds / "good.md").write_text("# 好\n\n二甲双胍是一线药物。\n", encoding="utf-8")
    corpus = load_corpus(seeds, tmp_path / "cache")
    assert sorted(d.path for d in corpus.documents) == ["good.md", "good.pdf"]
    assert len(corpus.warnings) == len(expected), corpus.warnings
    for name, why in expected.items():
        [warning] = [w for w in corpus.warnings if w.startswith(f"skipped {name}:")]
        assert why in warning, warning
        assert "\n" not in warning and "Traceback" not in warning
    # the reasons are remembered: reading again gives the same warnings, from the cache
    assert sorted(load_corpus(seeds, tmp_path / "cache").warnings) == sorted(corpus.warnings)


def test_source_command_prints_a_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    D.text_pdf(seeds / "book.pdf", [["第一页的内容。"], ["第二页：华法林治疗期间应定期监测 INR。"]], header="Book")
    (seeds / "notes.md").write_text("# Notes\n\nplain\n", encoding="utf-8")
    common = ["--seeds", seeds, "--index", tmp_path / "index"]
    code, out, _ = run_main(["source", "book.pdf", "--page", "2", *common], capsys)
    assert code == 0 and out == "Book · 2\n\n第二页：华法林治疗期间应定期监测 INR。\n"
    code, out, _ = run_main(["source", "book.pdf", *common], capsys)
    source = read_original(seeds, "book.pdf")
    assert code == 0 and out == source.text + "\n"
    code, out, _ = run_main(["source", "book.pdf", "--lines", "1-999", *common], capsys)
    numbered = out.splitlines()
    lines = source.text.split("\n")  # as citations count lines (str.splitlines would also cut at the form feed)
    assert code == 0 and len(numbered) == len(lines)
    assert numbered[lines.index("\f")] == f"{lines.index(chr(12)) + 1}  (page break)"
    code, out, _ = run_main(["source", "notes.md", *common], capsys)
    assert code == 0 and out == "# Notes\n\nplain\n"
    for argv, why in ((["book.pdf", "--page", "3"], "no page 3"), (["missing.pdf"], "no document missing.pdf"),
                      (["notes.md", "--page", "1"], "has no pages"), (["data.xlsx"], "not a document"),
                      (["../etc/passwd.txt"], "inside the seeds folder")):
        code, out, err = run_main(["source", *argv, *common], capsys)
        assert code == 2 and out == "" and why in err, (argv, err)
        assert len(err.strip().splitlines()) == 1


def test_source_command_prints_the_lines_a_citation_gives(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from support.embedder import TinyCrossEmbedder, TinyEmbedder

    from assistant.core import Assistant
    from assistant.settings import Settings

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    body = "".join(f"第{i}行：华法林治疗期间应定期监测 INR。\r\n" for i in range(1, 13))
    (seeds / "notes.txt").write_text(body, encoding="utf-8", newline="")
    common = ["--seeds", seeds, "--index", tmp_path / "index"]
    code, out, _ = run_main(["source", "notes.txt", "--lines", "9–11", *common], capsys)
    assert code == 0 and out.splitlines() == [f"{n:>2}  第{n}行：华法林治疗期间应定期监测 INR。" for n in (9, 10, 11)]
    # the numbers are the citations' own: a passage's line_start..line_end shows exactly its text
    assistant = Assistant(Settings(seeds=seeds, index=tmp_path / "index"), embedder=TinyEmbedder(),
                          crosslingual=TinyCrossEmbedder())
    passage = assistant.index.passages[0]
    code, out, _ = run_main(["source", "notes.txt", "--lines", f"{passage.line_start}-{passage.line_end}",
                             *common], capsys)
    shown = [line.split("  ", 1)[1] for line in out.splitlines()]
    original = read_original(seeds, "notes.txt").text
    assert code == 0 and shown == original[passage.start : passage.end].splitlines()
    for argv, why in ((["--lines", "13"], "12 line(s); there is no line 13"), (["--lines", "5-3"], "ends before"),
                      (["--lines", "2", "--page", "1"], "not allowed with")):
        code, out, err = run_main(["source", "notes.txt", *argv, *common], capsys)
        assert code == 2 and out == "" and why in err, (argv, err)


def test_a_crash_or_a_hang_of_the_pdf_library_costs_one_file(tmp_path: Path) -> None:
    from assistant.ingest.extract import PdfWorker, Timeout
    from assistant.ingest.extracted import ExtractError

    bomb, good = tmp_path / "bomb.pdf", tmp_path / "good.pdf"
    bomb.write_bytes(D.flate_bomb_pdf(150_000_000))  # inflates past the child's memory limit: PDFium aborts
    D.text_pdf(good, [["华法林治疗期间应定期监测 INR。"]])
    with PdfWorker(memory=1 << 30) as worker:
        with pytest.raises(ExtractError, match="crashed"):
            worker.extract(bomb)
        assert "华法林" in worker.extract(good).text  # a fresh child takes the next file
    with PdfWorker(page_seconds=0.001) as worker, pytest.raises(Timeout, match="took longer than"):
        worker.extract(good)


def test_pages_recognised_before_are_not_recognised_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportlab.lib.pagesizes import A7

    from assistant.ingest import pdf
    from assistant.ingest.extract import ExtractCache
    from assistant.ingest.extracted import join_pages
    from assistant.ingest.files import Readers

    scan = tmp_path / "scan.pdf"
    D.image_page_pdf(scan, [D.text_image([str(i)], size=44, width=300) for i in range(4)], A7)
    sha = hashlib.sha256(scan.read_bytes()).hexdigest()
    folder = tmp_path / "cache"
    folder.mkdir()
    # an extraction cached by the version before this one (no record of the scanned pages), three recognised
    text, pages = join_pages(["第一页", "第二页", "第三页", ""])
    old = {"version": 1, "text": text, "format": "pdf", "extractor": "pdfium", "pages": list(pages),
           "ocr_pages": [1, 2, 3]}
    (folder / f"{sha}.json").write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    recognised: list[int] = []

    def ocr_page(page: object) -> str:
        recognised.append(len(recognised))
        return "新识别的一页"

    monkeypatch.setattr(pdf, "ocr_page", ocr_page)
    readers = Readers(ExtractCache(folder), ocr_pages=3)
    ex = readers.extract(scan, "pdf", sha)
    assert not isinstance(ex, str)
    assert recognised == [] and (ex.scanned, ex.ocr_pages, ex.ocr_skipped) == ((1, 2, 3, 4), (1, 2, 3), (4,))
    assert [ex.page_text(n) for n in (1, 2, 3, 4)] == ["第一页", "第二页", "第三页", ""]
    # now in the cache in this version: the same limit reads nothing at all, a higher one only page 4
    monkeypatch.setattr(pdf, "open_pdf", lambda path: pytest.fail("the cached extraction was not used"))
    assert Readers(ExtractCache(folder), ocr_pages=3).extract(scan, "pdf", sha) == ex
    monkeypatch.undo()
    monkeypatch.setattr(pdf, "ocr_page", ocr_page)
    ex = Readers(ExtractCache(folder), ocr_pages=10).extract(scan, "pdf", sha)
    assert not isinstance(ex, str)
    assert recognised == [0] and ex.ocr_pages == (1, 2, 3, 4) and ex.ocr_skipped == ()
    assert ex.page_text(4) == "新识别的一页" and ex.page_text(1) == "第一页"


def test_the_ocr_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.errors import SettingsError
    from assistant.settings import OCR_PAGES, Settings

    assert Settings.load().ocr_pages == OCR_PAGES
    monkeypatch.setenv("ASSISTANT_OCR_PAGES", "7")
    assert Settings.load().ocr_pages == 7
    monkeypatch.setenv("ASSISTANT_OCR_PAGES", "-1")
    with pytest.raises(SettingsError, match="ocr_pages"):
        Settings.load()


def test_the_same_bytes_under_another_type_are_read_as_that_type(tmp_path: Path) -> None:
    """A Word file and its copy named ``.pdf``: the copy is not a PDF, the Word file is still read, whichever
    came first and after the copy is gone (the extraction cache knows which type each reading was)."""
    seeds, cache = tmp_path / "seeds", tmp_path / "cache"
    seeds.mkdir()
    D.guide_docx(seeds / "b.docx")
    (seeds / "a.pdf").write_bytes((seeds / "b.docx").read_bytes())
    for _ in range(2):  # the second time from the cache
        corpus = load_corpus(seeds, cache)
        assert [(d.path, d.format) for d in corpus.documents] == [("b.docx", "docx")]
        assert len(corpus.warnings) == 1 and "a.pdf" in corpus.warnings[0] and "not a PDF" in corpus.warnings[0]
    (seeds / "a.pdf").unlink()
    (seeds / "z.pdf").write_bytes((seeds / "b.docx").read_bytes())  # now read after the Word file
    corpus = load_corpus(seeds, cache)
    assert [(d.path, d.format) for d in corpus.documents] == [("b.docx", "docx")]
    assert len(corpus.warnings) == 1 and "z.pdf" in corpus.warnings[0]
    (seeds / "z.pdf").unlink()
    assert [d.path for d in load_corpus(seeds, cache).documents] == ["b.docx"]


def test_a_table_of_close_cells_and_the_paragraph_above_it(tmp_path: Path) -> None:
    """A reportlab table starting left of the text column, its cells 12 pt apart in 10 pt type: every cell
    is a cell (the columns line up from row to row), and the paragraph above it stays one paragraph
    (its lines, set in from the table's left edge, are not each a paragraph's first line)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    path = tmp_path / "hbv.pdf"
    styles = getSampleStyleSheet()
    body = ("All infants born to HBsAg-positive mothers should receive hepatitis B immune globulin (HBIG) 100 "
            "IU and the first dose of hepatitis B vaccine within 12 hours of birth, followed by vaccine doses "
            "at 1 and 6 months.")
    rows = [["Infant", "HBIG", "Vaccine schedule", "Post-vaccination test"],
            ["Term, mother HBsAg+", "100 IU within 12 h", "0, 1, 6 months", "HBsAg and anti-HBs at 7-12 months"],
            ["Preterm < 2000 g, mother HBsAg+", "100 IU within 12 h", "0, 1, 2, 7 months",
             "HBsAg and anti-HBs at 7-12 months"]]
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(body, styles["BodyText"]), Table(rows)])
    text = extract_pdf(path).text
    lines = [line for line in text.splitlines() if line.strip()]
    assert [line for line in lines if "|" in line] == [" | ".join(row) for row in rows], text
    prose = [line for line in lines if "|" not in line]
    assert " ".join(prose).split() == body.split(), text  # nothing lost or reordered
    assert sum(line.startswith("  ") for line in prose) <= 1, text  # at most the first line is set in


def test_a_title_over_two_centred_lines_is_one_title(tmp_path: Path) -> None:
    """reportlab's Title style wraps a long title over two centred lines, whose pitch (large type) is more
    than the body's: one title, not a title cut at "of" and a passage "Hepatitis B Virus" of its own."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    path, styles = tmp_path / "mtct.pdf", getSampleStyleSheet()
    title = "Preventing Mother-to-Child Transmission of Hepatitis B Virus"
    SimpleDocTemplate(str(path), pagesize=A4).build([
        Paragraph(title, styles["Title"]), Paragraph("1. Introduction", styles["Heading1"]),
        Paragraph("Mother-to-child transmission accounts for most chronic infections. " * 3, styles["BodyText"]),
        Paragraph("2. Prophylaxis", styles["Heading1"]),
        Paragraph("Tenofovir is started at 24 to 28 weeks of gestation. " * 3, styles["BodyText"])])
    extracted = extract_pdf(path)
    lines = [line.strip() for line in extracted.text.splitlines() if line.strip()]
    assert lines[:2] == [title, "1. Introduction"], extracted.text  # the heading is not joined to it
    (doc,) = load_corpus(tmp_path).documents
    passages = chunk_document(doc, 160, 32)
    assert {p.title for p in passages} == {title}
    assert [p.section for p in passages] == ["1 Introduction", "2 Prophylaxis"]
