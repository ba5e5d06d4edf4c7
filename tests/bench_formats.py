"""Figures for the README's "Documents" section: PDF text extraction (PDFium with the layout step vs
pdfplumber), OCR time per page, the cost of reading PDFs in a child process, a 500-page PDF, and glyphs of
a font neither embedded nor installed (what PDFium loses without a Chinese font, what the check costs
per page, what reading those pages again gives back).

Run from the repository root (needs the dev extra):  python tests/bench_formats.py [--no-ocr]
"""

from __future__ import annotations

import ctypes
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.ingest.chunk import chunk_document  # noqa: E402
from assistant.ingest.extract import PdfWorker  # noqa: E402
from assistant.ingest.pdf import extract_pdf, page_objects  # noqa: E402
from assistant.records import Document  # noqa: E402
from tests.support import documents as D  # noqa: E402

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_5cc127c3c086e338.txt"


def squash(s: str) -> str:
    return "".join(s.split())


def same_passages(text: str, pages: tuple[int, ...], seed: str) -> tuple[int, int]:
    """How many of the .txt seed's passages come out identical (whitespace aside) from ``text``."""
    a = chunk_document(Document("a.txt", seed, "0", "utf-8"), 256, 32)
    b = {squash(p.text) for p in chunk_document(Document("a.pdf", text, "0", "x", "pdf", pages), 256, 32)}
    return sum(squash(p.text) in b for p in a), len(a)


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def missing(truth: str, text: str) -> int:
    """Characters of ``truth`` (whitespace aside) that ``text`` lacks, order ignored."""
    return sum((Counter(squash(truth)) - Counter(squash(text))).values())


def pdfium_text(path: str) -> list[str]:
    """What PDFium's own text page holds, page by page."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def timed_extract(path: str) -> tuple[dict[str, object], float, list[float]]:
    """extract_pdf's result (as JSON), its time, and the time pdfminer took for each page it read again."""
    from assistant.ingest import miner

    times: list[float] = []
    real = miner.MinerPages.chars

    def chars(self: miner.MinerPages, index: int) -> object:
        t0 = time.perf_counter()
        try:
            return real(self, index)
        finally:
            times.append(time.perf_counter() - t0)

    miner.MinerPages.chars = chars  # type: ignore[method-assign]
    try:
        t0 = time.perf_counter()
        ex = extract_pdf(Path(path))
        return ex.to_json(), time.perf_counter() - t0, times
    finally:
        miner.MinerPages.chars = real  # type: ignore[method-assign]


def detection_cost(path: Path) -> tuple[int, float, float, int]:
    """Pages; ms per page of the old walk over image objects alone, and of :func:`page_objects` (images
    and lost glyphs in one walk); lost text objects found."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from assistant.ingest.pdf import _objects

    doc = pdfium.PdfDocument(str(path))
    images = walk = 0.0
    lost = 0
    box = [ctypes.c_float() for _ in range(4)]
    for i in range(len(doc)):
        page = doc[i]
        t0 = time.perf_counter()
        for _, obj in _objects(page, (raw.FPDF_PAGEOBJ_IMAGE,)):
            raw.FPDFPageObj_GetBounds(obj, *box)
        t1 = time.perf_counter()
        lost += page_objects(page).lost
        t2 = time.perf_counter()
        images += t1 - t0
        walk += t2 - t1
        page.close()
    n = len(doc)
    return n, images / n * 1000, walk / n * 1000, lost


def ocr_first_page(path: str) -> tuple[int, str]:
    """Page 1 rendered at 200 dpi: its dark pixels, and what OCR reads in it."""
    import pypdfium2 as pdfium

    from assistant.ingest.pdf import ocr_page

    doc = pdfium.PdfDocument(path)
    image = doc[0].render(scale=200 / 72, grayscale=True).to_numpy()
    return int((image < 128).sum()), ocr_page(doc[0])


def lost_glyphs(tmp: Path, big: Path, review: Path, ocr: bool) -> None:
    from tests.support.pdfium_fonts import pdfium_draws_chinese, without_system_fonts

    print("\n## Glyphs of a font neither embedded nor installed (STSong-Light, set one glyph at a time)")
    journal = tmp / "journal.pdf"
    D.journal_glyph_pdf(journal)
    truth = "".join("".join(body) for body in D.journal_glyph_pages()[1])
    print(f"this machine's PDFium finds a Chinese font: {pdfium_draws_chinese()}")
    for label, run in (("this machine", lambda f, *a: f(*a)), ("no system fonts", without_system_fonts)):
        raw_text = "".join(run(pdfium_text, str(journal)))
        ex, seconds, reread = run(timed_extract, str(journal))
        print(f"{label:>16}: PDFium's text page lacks {missing(truth, raw_text)} of the {len(squash(truth))} body "
              f"characters; extracted text lacks {missing(truth, str(ex['text']))} ({ex['extractor']}, pages "
              f"read again: {ex['recovered']}, {seconds * 1000:.0f} ms for {len(ex['pages'])} pages"
              + (f"; pdfminer {', '.join(f'{t * 1000:.0f}' for t in reread)} ms a page read again" if reread else "")
              + ")")
    for path in (review, big, journal):
        n, images, walk, lost = detection_cost(path)
        print(f"check per page, {path.name} ({n} pages): image walk alone {images:.2f} ms, images and lost "
              f"glyphs {walk:.2f} ms (+{walk - images:.2f} ms); lost objects here: {lost}")
    n, images, walk, lost = without_system_fonts(detection_cost, journal)
    print(f"the same, no system fonts, {journal.name}: {walk:.2f} ms a page, lost objects {lost}")
    here = extract_pdf(review)
    there, _, reread = without_system_fonts(timed_extract, str(review))
    print(f"{review.name} with no system fonts: pages read again {there['recovered']}; extracted text identical "
          f"to this machine's: {there['text'] == here.text}; lacks {missing(here.text, str(there['text']))} of its "
          "characters")
    if ocr:
        for label, run in (("this machine", lambda f, *a: f(*a)), ("no system fonts", without_system_fonts)):
            ink, text = run(ocr_first_page, str(journal))
            print(f"{journal.name} page 1 rendered, {label}: {ink:,} dark pixels; OCR reads {text!r}")


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    seed = SEED.read_text(encoding="utf-8")
    review = D.review_pdf(SEED, tmp / "review.pdf")
    skip_ocr = "--no-ocr" in sys.argv

    print("## Text layer: the seed review as a 5-page two-column PDF")
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        ex = extract_pdf(review)
        runs.append(time.perf_counter() - t0)
    n = len(ex.pages)
    ok, total = same_passages(ex.text, ex.pages, seed)
    print(f"pypdfium2 + layout   {min(runs) / n * 1000:6.1f} ms/page  passages identical to the .txt: {ok}/{total}")
    import pdfplumber

    for label, kw in (("extract_text()", {}), ("use_text_flow=True", {"use_text_flow": True})):
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            with pdfplumber.open(str(review)) as pdf:
                texts = [p.extract_text(**kw) or "" for p in pdf.pages]
            runs.append(time.perf_counter() - t0)
        from assistant.ingest.extracted import join_pages

        text, starts = join_pages(texts)
        ok, total = same_passages(text, starts, seed)
        print(f"pdfplumber {label:<19} {min(runs) / n * 1000:6.1f} ms/page  passages identical to the .txt: "
              f"{ok}/{total}")

    if skip_ocr:
        pass
    else:
        ocr_pages(tmp, seed)
    small_files_and_big(tmp, seed, review, not skip_ocr)


def ocr_pages(tmp: Path, seed: str) -> None:
    print("\n## OCR: image-only A4 pages, 20 lines of Chinese and English each, rendered at 200 dpi")
    lines = [s[:38] for s in seed.split("\n") if len(s.strip()) > 30][10:70]
    pages = [D.text_image(lines[i : i + 20], size=34, width=1500) for i in (0, 20, 40)]
    scanned = tmp / "scanned.pdf"
    D.image_page_pdf(scanned, pages)
    t0 = time.perf_counter()
    from assistant.ingest import ocr

    ocr.engine()
    load = time.perf_counter() - t0
    per_page = []

    def report(stage: str, done: int, total: int) -> None:
        if stage == "ocr":
            per_page.append(time.perf_counter())

    t0 = time.perf_counter()
    ex = extract_pdf(scanned, report)
    steps = [b - a for a, b in zip([t0, *per_page], per_page, strict=False)]
    truth = squash("".join(lines[:60]))
    got = squash(ex.text)
    cer = levenshtein(got, truth) / len(truth)
    print(f"engine load {load:.2f} s; per page {', '.join(f'{s:.1f}' for s in steps)} s "
          f"(mean {sum(steps) / len(steps):.1f} s); character error rate {cer:.1%}")



def small_files_and_big(tmp: Path, seed: str, review: Path, ocr: bool) -> None:
    print("\n## Reading PDFs in a child process: 20 one-page PDFs")
    small = []
    for i in range(20):
        path = tmp / f"small{i}.pdf"
        D.text_pdf(path, [[f"第 {i} 号文件：华法林治疗期间应定期监测 INR。", "Warfarin needs INR checks."]])
        small.append(path)
    t0 = time.perf_counter()
    for p in small:
        extract_pdf(p)
    inproc = time.perf_counter() - t0
    t0 = time.perf_counter()
    with PdfWorker() as w:
        w.extract(small[0])
        first = time.perf_counter() - t0
        t1 = time.perf_counter()
        for p in small[1:]:
            w.extract(p)
        rest = time.perf_counter() - t1
    print(f"in process {inproc / 20 * 1000:.1f} ms/file; child: start + first file {first:.2f} s, then "
          f"{rest / 19 * 1000:.1f} ms/file")

    print("\n## A 500-page PDF (40 lines of Chinese and English a page)")
    big = tmp / "big.pdf"
    body = [s[:40] for s in seed.split("\n") if len(s.strip()) > 30]
    D.text_pdf(big, [[body[(p * 40 + i) % len(body)] for i in range(40)] for p in range(500)], header="Book")
    t0 = time.perf_counter()
    ex = extract_pdf(big)
    print(f"{len(ex.pages)} pages in {time.perf_counter() - t0:.1f} s ({len(ex.text):,} characters)")
    lost_glyphs(tmp, big, review, ocr)


if __name__ == "__main__":
    main()
