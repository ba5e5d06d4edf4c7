"""Figures for the README's "Documents" section: PDF text extraction (PDFium with the layout step vs
pdfplumber), OCR time per page, the cost of reading PDFs in a child process, and a 500-page PDF.

Run from the repository root (needs the dev extra):  python tests/bench_formats.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.ingest.chunk import chunk_document  # noqa: E402
from assistant.ingest.extract import PdfWorker  # noqa: E402
from assistant.ingest.pdf import extract_pdf  # noqa: E402
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


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    seed = SEED.read_text(encoding="utf-8")
    review = D.review_pdf(SEED, tmp / "review.pdf")

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
        from assistant.ingest.extract import join_pages

        text, starts = join_pages(texts)
        ok, total = same_passages(text, starts, seed)
        print(f"pdfplumber {label:<19} {min(runs) / n * 1000:6.1f} ms/page  passages identical to the .txt: "
              f"{ok}/{total}")

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
    ex = extract_pdf(scanned, True, report)
    steps = [b - a for a, b in zip([t0, *per_page], per_page, strict=False)]
    truth = squash("".join(lines[:60]))
    got = squash(ex.text)
    cer = levenshtein(got, truth) / len(truth)
    print(f"engine load {load:.2f} s; per page {', '.join(f'{s:.1f}' for s in steps)} s "
          f"(mean {sum(steps) / len(steps):.1f} s); character error rate {cer:.1%}")

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


if __name__ == "__main__":
    main()
