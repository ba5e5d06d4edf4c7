"""PDF, Word and HTML with the real model: scanned pages recognised by OCR, the seed review as a
two-column journal PDF answering as the .txt does, and a mixed folder through ``assistant index``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import documents as D
from support.cli import run_main

from assistant.core import Assistant
from assistant.ingest import load_corpus
from assistant.ingest.chunk import chunk_document
from assistant.records import Source
from assistant.settings import Settings

SCAN_WORDS = ["华法林", "地舒单抗", "二甲双胍", "阿司匹林", "氟维司群", "来曲唑", "他莫昔芬", "帕博西尼", "依西美坦",
              "唑来膦酸", "阿那曲唑", "奥希替尼"]
QUESTIONS = ["What is the PIK3CA mutation rate in HR+/HER2- breast cancer?", "地舒单抗与唑来膦酸相比效果如何？"]
REVIEW = "000_5cc127c3c086e338"
OCR_LINES = ["地舒单抗用于骨转移患者", "推荐剂量为每四周一百二十毫克"]


def squash(text: str) -> str:
    return "".join(text.split())


def test_a_scanned_page_is_recognised_and_marked(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    D.image_page_pdf(seeds / "mixed.pdf", [["第一页有文字层：华法林治疗期间应定期监测 INR。"],
                                           D.text_image(OCR_LINES, size=44, width=900)])
    D.image_page_pdf(seeds / "blank_scan.pdf", [D.text_image([" "], size=44, width=900)])
    seen: list[tuple[str, int, int]] = []
    corpus = load_corpus(seeds, tmp_path / "cache", lambda *a: seen.append(a))
    [doc] = corpus.documents
    assert corpus.warnings == ["skipped blank_scan.pdf: its 1 page(s) are images and OCR recognised no text in them"]
    assert doc.ocr_pages == (2,)
    assert ("ocr", 1, 1) in seen
    page2 = squash(doc.text[doc.pages[1] :])
    truth = squash("".join(OCR_LINES))
    assert sum(ch in page2 for ch in truth) >= 0.9 * len(truth), page2
    passages = chunk_document(doc, 32, 4)
    assert {(p.page_start, p.ocr) for p in passages} == {(1, False), (2, True)}


@pytest.fixture(scope="session")
def review_index(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    """The seeds, with the review as a two-column journal PDF (running header, page numbers) instead of
    its .txt."""
    root = tmp_path_factory.mktemp("review")
    seeds = root / "seeds"
    seeds.mkdir()
    D.review_pdf(seeds_dir / f"{REVIEW}.txt", seeds / f"{REVIEW}.pdf")
    for other in seeds_dir.glob("*.txt"):
        if other.stem != REVIEW:
            shutil.copy(other, seeds / other.name)
    Assistant(Settings.load(seeds=seeds, index=root / "index")).open()
    return root


@pytest.mark.slow
def test_the_review_as_a_pdf_gives_the_same_top_passages(review_index: Path, assistant: Assistant) -> None:
    pdf = Assistant(Settings.load(seeds=review_index / "seeds", index=review_index / "index"))
    for question in QUESTIONS:
        want = [squash(c.passage.text) for c in assistant.ask(question).citations[:3]]
        answer = pdf.ask(question)
        got = [squash(c.passage.text) for c in answer.citations[:3]]
        assert got == want, question
        for c in answer.citations:
            p = c.passage
            if p.doc.endswith(".pdf"):
                source = pdf.source_of(p.doc)
                assert p.format == "pdf" and source.format == "pdf"
                # the passage lies on the pages it names, at exact offsets into the extracted text
                assert source.page_span(p.page_start)[0] <= p.start
                assert p.end <= source.page_span(p.page_end)[1]
                assert "".join(p.text.split()) in squash(source.text[p.start : p.end])
    top = pdf.ask(QUESTIONS[0]).citations[0].passage
    assert top.doc == f"{REVIEW}.pdf" and "PIK3CA突变率高达" in squash(top.text)
    source = pdf.source_of(top.doc)
    at = squash(source.text).find("PIK3CA突变率高达")
    # the page the answer is printed on, counted independently of the passage
    page = next(n for n in range(len(source.pages), 0, -1)
                if len(squash(source.text[: source.pages[n - 1]])) <= at)
    assert top.page_start <= page <= top.page_end


def test_index_a_mixed_folder_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds, index = tmp_path / "seeds", tmp_path / "index"
    seeds.mkdir()
    pages = [["华法林的临床应用"], ["华法林治疗期间应定期监测 INR，目标范围通常为 2.0-3.0。"]]
    D.text_pdf(seeds / "warfarin.pdf", pages, header="Book")
    D.guide_docx(seeds / "guide.docx")
    (seeds / "article.html").write_text(D.ARTICLE_HTML, encoding="utf-8")
    (seeds / "notes.md").write_text("# 二甲双胍\n\n二甲双胍是 2 型糖尿病的一线治疗药物。\n", encoding="utf-8")
    (seeds / "plain.txt").write_text("阿司匹林二级预防的推荐剂量为每日 75-100 mg。\n", encoding="utf-8")
    for name in ("a.xlsx", "b.xlsx", "c.caj"):
        (seeds / name).write_bytes(b"data")
    common = ["--seeds", seeds, "--index", index]
    code, out, err = run_main(["index", *common], capsys)
    assert code == 0, err
    assert "indexed 5 documents" in out
    assert out.rstrip("\n").split("\n")[-1] == "skipped 3 files of types it cannot read: .xlsx (2), .caj (1)"
    assert "warning" not in err
    code, out, _ = run_main(["ask", "华法林治疗期间 INR 目标范围是多少？", "--json", *common], capsys)
    top = json.loads(out)["passages"][0]
    # the short title page and page 2 make one passage: it names both pages
    assert (top["doc"], top["format"], top["page_end"], top["ocr"]) == ("warfarin.pdf", "pdf", 2, False)
    pages = "p.\u00a02" if top["page_start"] == 2 else f"p.\u00a0{top['page_start']}–2"
    code, shown, _ = run_main(["source", "warfarin.pdf", *common], capsys)
    # what `source` prints is the text the offsets index: the passage is its normalized span
    span = shown[top["start"] : top["end"]]
    assert span[0] == top["text"][0] and span[-1] == top["text"][-1]
    assert "华法林治疗期间应定期监测INR" in "".join(span.split())
    code, out, _ = run_main(["ask", "华法林治疗期间 INR 目标范围是多少？", *common], capsys)
    lines = f"lines\u00a0{top['line_start']}–{top['line_end']}"
    assert f"warfarin.pdf · {lines} · {pages}" in out
    # nothing changed: up to date, and still names what it skipped
    code, out, _ = run_main(["index", *common], capsys)
    assert "up to date" in out and out.rstrip("\n").endswith(".xlsx (2), .caj (1)")


def scan_pdf(path: Path) -> None:
    """A 12-page image-only PDF, one short line a page (small pages: OCR takes a fraction of a second each)."""
    from reportlab.lib.pagesizes import A7

    D.image_page_pdf(path, [D.text_image([f"第{i}页 {w}"], size=44, width=500) for i, w in enumerate(SCAN_WORDS, 1)],
                     A7)


def ocr_counts(seen: list[tuple[str, int, int]]) -> set[int]:
    """The totals the ``ocr`` stage reported: how many pages each extraction set out to recognise."""
    return {total for stage, _, total in seen if stage == "ocr"}


@pytest.mark.slow
def test_ocr_stops_at_the_limit_and_goes_on_from_the_cache(tmp_path: Path) -> None:
    seeds, cache = tmp_path / "seeds", tmp_path / "cache"
    seeds.mkdir()
    scan_pdf(seeds / "scan.pdf")
    seen: list[tuple[str, int, int]] = []
    corpus = load_corpus(seeds, cache, lambda *a: seen.append(a), ocr_pages=3)
    [doc] = corpus.documents
    assert corpus.warnings == ["scan.pdf: OCR recognised 3 of its 12 scanned pages (the limit is "
                               "ASSISTANT_OCR_PAGES=3); pages 4-12 are not searchable until the limit is raised "
                               "and the index rebuilt (assistant index --rebuild)"]
    assert len(doc.pages) == 12 and doc.ocr_pages == (1, 2, 3) and ocr_counts(seen) == {3}
    source = Source.of(doc)
    first = [source.text[slice(*source.page_span(n))] for n in range(1, 13)]
    for n in (1, 2, 3):
        assert SCAN_WORDS[n - 1] in squash(first[n - 1]), first[n - 1]
    assert not any(t.strip() for t in first[3:])
    # raised: only the next two pages are recognised, the first three are taken from the cache
    seen.clear()
    [doc] = load_corpus(seeds, cache, lambda *a: seen.append(a), ocr_pages=5).documents
    assert doc.ocr_pages == (1, 2, 3, 4, 5) and ocr_counts(seen) == {2}
    source = Source.of(doc)
    again = [source.text[slice(*source.page_span(n))] for n in range(1, 13)]
    assert again[:3] == first[:3] and SCAN_WORDS[4] in squash(again[4])
    # the same limit: nothing is recognised; a lower one keeps what was recognised
    seen.clear()
    corpus = load_corpus(seeds, cache, lambda *a: seen.append(a), ocr_pages=1)
    assert corpus.documents[0].text == doc.text and ocr_counts(seen) == set()
    assert corpus.warnings[0].startswith("scan.pdf: OCR recognised 5 of its 12 scanned pages (the limit is "
                                         "ASSISTANT_OCR_PAGES=1); pages 6-12 are not searchable")
    # OCR off: skipped, and remembered as such only while the limit stays at 0
    (seeds / "other.md").write_text("# 二甲双胍\n\n二甲双胍是一线药物。\n", encoding="utf-8")
    corpus = load_corpus(seeds, tmp_path / "fresh", ocr_pages=0)
    assert [d.path for d in corpus.documents] == ["other.md"]
    assert corpus.warnings == ["skipped scan.pdf: its 12 page(s) are images, and OCR is off (ASSISTANT_OCR_PAGES=0)"]
    seen.clear()
    corpus = load_corpus(seeds, tmp_path / "fresh", lambda *a: seen.append(a), ocr_pages=1)
    assert [d.path for d in corpus.documents] == ["other.md", "scan.pdf"] and ocr_counts(seen) == {1}


@pytest.mark.slow
def test_a_scan_whose_first_pages_are_blank_is_tried_again_with_a_higher_limit(tmp_path: Path) -> None:
    seeds, cache = tmp_path / "seeds", tmp_path / "cache"
    seeds.mkdir()
    from reportlab.lib.pagesizes import A7

    blank = D.text_image([" "], size=44, width=500)
    D.image_page_pdf(seeds / "scan.pdf", [blank, blank, D.text_image(["第3页 华法林"], size=44, width=500)], A7)
    (seeds / "other.md").write_text("# 二甲双胍\n\n二甲双胍是一线药物。\n", encoding="utf-8")
    seen: list[tuple[str, int, int]] = []
    corpus = load_corpus(seeds, cache, lambda *a: seen.append(a), ocr_pages=2)
    assert [d.path for d in corpus.documents] == ["other.md"]
    assert corpus.warnings == ["skipped scan.pdf: its 3 page(s) are images; OCR recognised no text in the first 2 and "
                               "the others are over the limit (ASSISTANT_OCR_PAGES=2)"] and ocr_counts(seen) == {2}
    seen.clear()
    assert load_corpus(seeds, cache, lambda *a: seen.append(a), ocr_pages=2).warnings == corpus.warnings
    assert ocr_counts(seen) == set()  # remembered: not recognised again
    _, doc = load_corpus(seeds, cache, lambda *a: seen.append(a), ocr_pages=3).documents
    assert ocr_counts(seen) == {1} and doc.ocr_pages == (3,) and "华法林" in squash(doc.text)


@pytest.mark.slow
def test_the_ocr_limit_from_the_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    seeds, index = tmp_path / "seeds", tmp_path / "index"
    seeds.mkdir()
    scan_pdf(seeds / "scan.pdf")
    common = ["--seeds", seeds, "--index", index]
    monkeypatch.setenv("ASSISTANT_OCR_PAGES", "2")
    code, out, err = run_main(["index", *common], capsys)
    assert code == 0 and "indexed 1 document " in out
    assert ("assistant: warning: scan.pdf: OCR recognised 2 of its 12 scanned pages (the limit is "
            "ASSISTANT_OCR_PAGES=2); pages 3-12 are not searchable") in err
    # said again while the index stays as it is
    code, out, err = run_main(["index", *common], capsys)
    assert "up to date" in out and "OCR recognised 2 of its 12" in err
    monkeypatch.setenv("ASSISTANT_OCR_PAGES", "3")
    code, out, err = run_main(["index", "--rebuild", *common], capsys)
    assert code == 0 and "OCR recognised 3 of its 12" in err and "pages 4-12 are not searchable" in err
    code, out, _ = run_main(["source", "scan.pdf", "--page", "3", *common], capsys)
    assert SCAN_WORDS[2] in squash(out)
    monkeypatch.setenv("ASSISTANT_OCR_PAGES", "-1")
    code, _, err = run_main(["index", *common], capsys)
    assert code == 2 and "ocr_pages" in err
