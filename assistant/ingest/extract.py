"""Extract: the text of a PDF, Word or HTML file, which then stands as the document's original.

Citations of such a document are offsets into the extracted text (:attr:`Extracted.text`), which is
kept by file hash in the index folder (:class:`ExtractCache`), so that an unchanged file is never parsed
again and a citation can be checked without parsing the file.

PDFs are read in a child process (:class:`PdfWorker`): a crash of the PDF library, a file that takes
too long, or one that needs too much memory costs that file only, and the build goes on.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import re
import uuid
from pathlib import Path
from typing import Any

from ..settings import OCR_PAGES
from .extracted import EXTRACTOR_VERSION, Extracted, ExtractError, Report, ScansLeft

PAGE_SECONDS = 180.0
"""A PDF page (read, or recognised by OCR) that takes longer than this ends the file's extraction."""
WORKER_MEMORY = 4 << 30
"""Address-space limit of the PDF child process, in bytes (a decompression bomb then fails, alone)."""

# ------------------------------------------------------------------------------------------- cache

_CACHE_NAME = re.compile(r"^[0-9a-f]{64}\.json$")
"""A cached extraction; the reason a file could not be read is kept as ``<sha256>.failed.json`` (a few
bytes, never pruned: a damaged file that stays in the folder is then never parsed again)."""


class ExtractCache:
    """Extractions by SHA-256 of the file's bytes, one JSON file each, in ``folder`` (the index's
    ``cache/extracted``). Writes are atomic; unreadable entries count as missing. Files that could not
    be read are remembered too (``{"error": reason}``), so that a damaged file is not parsed again
    while it is unchanged (a time-out is not remembered: it may pass on a quieter machine)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, sha256: str, failed: bool = False) -> Path:
        return self.folder / f"{sha256}{'.failed' if failed else ''}.json"

    def get(self, sha256: str, fmt: str | None = None) -> Extracted | str | ScansLeft | None:
        """The cached extraction, the reason the file could not be read (a :class:`ScansLeft` when more
        OCR may give it text), or None. With ``fmt``, only what reading the file as that format gave: the
        same bytes named ``a.pdf`` and ``b.docx`` are two readings (the first fails, the second need not)."""
        for failed in (False, True):
            try:
                data = json.loads(self._path(sha256, failed).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if fmt is not None and isinstance(data, dict) and data.get("format", fmt) != fmt:
                continue
            return self._value(data)
        return None

    @staticmethod
    def _value(data: Any) -> Extracted | str | ScansLeft | None:
        if isinstance(data, dict) and data.get("version") == EXTRACTOR_VERSION and isinstance(data.get("error"), str):
            try:
                scanned = tuple(int(p) for p in data.get("scanned", ()))
                skipped = tuple(int(p) for p in data.get("ocr_skipped", ()))
            except (TypeError, ValueError):
                return None
            return ScansLeft(data["error"], scanned, skipped) if skipped else data["error"]
        return Extracted.from_json(data)

    def recognised(self, sha256: str) -> dict[int, str]:
        """The pages of this file already recognised by OCR (0-based page → text), from its cached
        extraction even of an older :data:`EXTRACTOR_VERSION` (see :meth:`Extracted.recognised`)."""
        try:
            data = json.loads(self._path(sha256).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        old = Extracted.from_json({**data, "version": EXTRACTOR_VERSION})
        return old.recognised() if old is not None else {}

    def put(self, sha256: str, value: Extracted | str | ScansLeft, fmt: str | None = None) -> None:
        """Remember an extraction (or the reason a file read as ``fmt`` could not be read); a cache that
        cannot be written is only slower."""
        data: dict[str, Any] = (value.to_json() if isinstance(value, Extracted)
                                else {"version": EXTRACTOR_VERSION, "error": str(value)})
        if fmt is not None and not isinstance(value, Extracted):
            data["format"] = fmt
        if isinstance(value, ScansLeft):
            data.update(scanned=list(value.scanned), ocr_skipped=list(value.ocr_skipped))
        path = self._path(sha256, failed=not isinstance(value, Extracted))
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()

    def keep_only(self, hashes: set[str]) -> None:
        """Delete cached extractions of files no longer in the collection (only our own entries)."""
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return
        for path in entries:
            if _CACHE_NAME.match(path.name) and path.name[:64] not in hashes and path.is_file():
                with contextlib.suppress(OSError):
                    path.unlink()


# ------------------------------------------------------------------------------------------- PDF worker

def _worker(conn: Any, memory: int | None) -> None:
    """The child's loop: extract each PDF it is sent, reporting every page, until it is sent None."""
    if memory:
        import resource

        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    from .pdf import extract_pdf

    while True:
        msg = conn.recv()
        if msg is None:
            return
        path, ocr_pages, known = msg

        def report(stage: str, done: int, total: int) -> None:
            conn.send(("progress", stage, done, total))

        try:
            conn.send(("ok", extract_pdf(Path(path), report, ocr_pages=ocr_pages, known=known).to_json()))
        except ScansLeft as exc:
            conn.send(("scans", str(exc), exc.scanned, exc.ocr_skipped))
        except ExtractError as exc:
            conn.send(("error", str(exc)))
        except MemoryError:
            conn.send(("error", f"reading it needs more than {WORKER_MEMORY >> 30} GiB of memory"))
        except Exception as exc:  # noqa: BLE001 - a library failure on one file is that file's warning
            conn.send(("error", f"the PDF library failed on it ({exc.__class__.__name__})"))


class Timeout(ExtractError):
    """A page took longer than :data:`PAGE_SECONDS`."""


class PdfWorker:
    """Extracts PDFs in one long-lived child process (started with ``spawn`` on first use).

    A crash of PDFium or ONNX Runtime, a page that takes longer than ``page_seconds``, or a file that
    needs more than ``memory`` bytes ends the child, never the build: that file gets an ExtractError and
    the next one a fresh child. The child is reused for every file, so isolation costs one start (about
    0.3 s) and a round trip per file (see README for the measured figures).
    """

    def __init__(self, page_seconds: float = PAGE_SECONDS, memory: int | None = WORKER_MEMORY) -> None:
        self.page_seconds = page_seconds
        self.memory = memory
        self._proc: Any = None
        self._conn: Any = None

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_worker, args=(child, self.memory), daemon=True,
                                 name="assistant-pdf")
        self._proc.start()
        child.close()
        self._conn = parent

    def _kill(self) -> None:
        if self._proc is not None:
            with contextlib.suppress(AttributeError, OSError):  # AttributeError: it never started
                self._proc.kill()
                self._proc.join()
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def extract(self, path: Path, report: Report | None = None, *, ocr_pages: int = OCR_PAGES,
                known: dict[int, str] | None = None) -> Extracted:
        """Extract one PDF (``ocr_pages`` and ``known`` as for :func:`.pdf.extract_pdf`). Raises
        ExtractError (Timeout when a page took too long).

        Where no child process can be started (a program that is not import-safe under ``spawn``, a
        sandbox without ``fork``), the file is read in this process instead."""
        if self._proc is None or not self._proc.is_alive():
            self._kill()
            try:
                self._start()
            except (RuntimeError, OSError):
                self._kill()
                from .pdf import extract_pdf

                return extract_pdf(path, report, ocr_pages=ocr_pages, known=known)
        self._conn.send((str(path), ocr_pages, known or {}))
        while True:
            if not self._conn.poll(self.page_seconds):
                self._kill()
                raise Timeout(f"a page took longer than {self.page_seconds:.0f} s to read")
            try:
                msg = self._conn.recv()
            except (EOFError, OSError):
                code = None
                if self._proc is not None:
                    self._proc.join(5)
                    code = self._proc.exitcode
                self._kill()
                raise ExtractError("the PDF library crashed on it" + (f" (exit code {code})" if code else "")) from None
            if msg[0] == "progress":
                if report:
                    report(msg[1], msg[2], msg[3])
                continue
            if msg[0] == "error":
                raise ExtractError(msg[1])
            if msg[0] == "scans":
                raise ScansLeft(msg[1], tuple(msg[2]), tuple(msg[3]))
            extracted = Extracted.from_json(msg[1])
            if extracted is None:
                raise ExtractError("the PDF library returned something unreadable")
            return extracted

    def close(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            with contextlib.suppress(OSError, ValueError):
                self._conn.send(None)
            self._proc.join(5)
        self._kill()

    def __enter__(self) -> PdfWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------------------------------- dispatch

def extract(path: Path, fmt: str, worker: PdfWorker | None = None, report: Report | None = None, *,
            ocr_pages: int = OCR_PAGES, known: dict[int, str] | None = None) -> Extracted:
    """Extract a file of format ``fmt`` (``pdf``, ``docx`` or ``html``). Raises ExtractError.

    PDFs go through ``worker`` (a child process) when given, else are read in this process; at most
    ``ocr_pages`` of their scanned pages are recognised, ``known`` ones not again (see
    :func:`.pdf.extract_pdf`).
    """
    if fmt == "pdf":
        if worker is not None:
            return worker.extract(path, report, ocr_pages=ocr_pages, known=known)
        from .pdf import extract_pdf

        return extract_pdf(path, report, ocr_pages=ocr_pages, known=known)
    if fmt == "docx":
        from .word import extract_docx

        return extract_docx(path)
    if fmt == "html":
        from .web import extract_html

        return extract_html(path)
    raise ExtractError(f"no extractor for {fmt}")
