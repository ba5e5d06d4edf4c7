"""Ingest: find the documents under the seeds directory, and decode or extract them.

Plain text (``.txt``, ``.text``, ``.rst``, ``.md``, ``.markdown``) is decoded; PDF, Word (``.docx``) and
HTML (``.html``, ``.htm``) are extracted (:mod:`.extract`), and the extracted text stands as their
original. Every other file is counted by type in :attr:`Corpus.unsupported` (hidden files are ignored).
Encodings are detected (UTF-8 with or without BOM,
UTF-16/32 with BOM, UTF-16 without BOM, GB18030/GBK and others through charset-normalizer). A file that
is empty (or holds nothing but control characters, escapes, page numbers and running headers), binary,
undecodable, unreadable, too large, not a regular file (a FIFO or a device: reading one would block or
never end), a second name for a file already read (a symlink or hard link), or whose name is not valid
UTF-8 is skipped with one warning naming it; the rest is still indexed. A PDF that is indexed without
some of its text (scanned pages over the OCR limit, glyphs no reader could decode) gets one warning
naming it and the pages.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import SeedsError
from ..records import Document, Source
from ..settings import OCR_PAGES
from .decode import UNDECIDED, decode_or_reason
from .extract import ExtractCache, PdfWorker, Timeout, extract
from .extracted import Extracted, ExtractError, ScansLeft
from .normalize import has_text

TEXT_FORMATS = {".txt": "text", ".text": "text", ".rst": "text", ".md": "markdown", ".markdown": "markdown"}
"""Plain-text suffixes and their format."""
EXTRACTED_FORMATS = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html"}
"""Suffixes whose text is extracted, and their format."""
FORMATS = {**TEXT_FORMATS, **EXTRACTED_FORMATS}
SUFFIXES = tuple(FORMATS)
_BAD_NAME = "its file name is not valid UTF-8; rename it"
SHOWN_WHY = 3
"""When no document can be read, the error names why for at most this many of the skipped files."""
MAX_FILE_BYTES = 20 * 1024 * 1024
"""Text and HTML files larger than this are skipped: embedding them would take hours on a laptop CPU."""
MAX_EXTRACTED_BYTES = {"pdf": 200 * 1024 * 1024, "docx": 100 * 1024 * 1024, "html": MAX_FILE_BYTES}
"""Size limits of the extracted formats (a PDF's pages are mostly images and fonts, not text)."""
NO_SUFFIX = "(no extension)"

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; reading reports the ``ocr`` stage (pages recognised so far)."""


def format_of(name: str) -> str | None:
    """The format of a file by its name (``text``, ``markdown``, ``pdf``, ``docx``, ``html``), or None."""
    return FORMATS.get(PurePosixPath(name).suffix.lower())


@dataclass
class Corpus:
    """The decoded documents, a warning for every file that was skipped, and the files of types that
    cannot be read, counted by suffix."""

    documents: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unsupported: dict[str, int] = field(default_factory=dict)
    """Suffix (lower case, e.g. ``.xlsx``, or ``(no extension)``) → number of files, most first."""


def find_files(root: Path, problems: list[str] | None = None,
               unsupported: Counter[str] | None = None) -> Iterator[tuple[Path, str]]:
    """Yield ``(path, relative name)`` for every candidate file, following symlinks without looping.

    A file whose name is not valid UTF-8 (e.g. a GBK name unpacked on a UTF-8 system) cannot be recorded
    or cited; it is left out, with a warning appended to ``problems`` when given. A visible file of a
    type that cannot be read is counted in ``unsupported`` by its suffix, when given.
    """
    seen_dirs: set[tuple[int, int]] = set()

    def walk(directory: Path) -> Iterator[tuple[Path, str]]:
        try:
            st = directory.stat()
        except OSError:
            return
        if (st.st_dev, st.st_ino) in seen_dirs:
            return
        seen_dirs.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            if problems is not None:
                rel = directory.relative_to(root).as_posix() if directory != root else "."
                why = exc.strerror or exc
                problems.append(f"skipped {printable_name(rel)}/: cannot read the folder ({why})")
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                yield from walk(path)
            elif entry.name.lower().endswith(SUFFIXES):
                rel = path.relative_to(root).as_posix()
                if _valid_name(rel):
                    yield path, rel
                elif problems is not None:
                    problems.append(f"skipped {printable_name(rel)}: {_BAD_NAME}")
            elif unsupported is not None:
                suffix = PurePosixPath(printable_name(entry.name)).suffix.lower()
                unsupported[suffix or NO_SUFFIX] += 1

    yield from walk(root)


def _valid_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept by the file system as lone surrogates
        return False
    return True


def printable_name(name: str) -> str:
    """A file name fit for a message: undecodable bytes become U+FFFD."""
    if _valid_name(name):
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass
class Readers:
    """How the extracted formats are read: the extraction cache (by file hash), the PDF child process,
    the build's progress callback (for the ``ocr`` stage) and the OCR limit per document. All optional:
    without a cache every file is parsed, without a worker PDFs are read in this process."""

    cache: ExtractCache | None = None
    worker: PdfWorker | None = None
    progress: Progress | None = None
    ocr_pages: int = OCR_PAGES
    """Scanned pages of one PDF recognised by OCR (see :func:`.pdf.extract_pdf`)."""
    ocr_done: int = 0
    """Scanned pages recognised in the files before the current one."""
    notes: list[str] = field(default_factory=list)
    """Warnings about documents that were read, but not completely (one line each, naming the file)."""
    _file_ocr: int = 0

    def report(self, stage: str, done: int, total: int) -> None:
        if stage == "ocr":
            self._file_ocr = total
            if self.progress is not None:
                self.progress("ocr", self.ocr_done + done, self.ocr_done + total)

    def extract(self, path: Path, fmt: str, sha256: str) -> Extracted | str:
        """The extraction of one file (cached by hash), or the reason it cannot be read.

        A cached extraction that left scanned pages unrecognised is made again when the OCR limit now
        allows more of them; the pages it recognised are reused, not recognised again."""
        known: dict[int, str] = {}
        if self.cache is not None:
            cached = self.cache.get(sha256, fmt)
            if isinstance(cached, str):
                return cached
            if cached is not None and not (cached.ocr_skipped and cached.ocr_done < self.ocr_pages):
                return cached if isinstance(cached, Extracted) else str(cached)
            if isinstance(cached, ScansLeft):
                known = cached.recognised()
            elif fmt == "pdf":
                known = self.cache.recognised(sha256)
        result: Extracted | str | ScansLeft
        self._file_ocr = 0
        try:
            result = extract(path, fmt, self.worker, self.report, ocr_pages=self.ocr_pages, known=known)
        except Timeout as exc:
            return str(exc)  # not remembered: it may pass on a quieter machine
        except ScansLeft as exc:
            result = exc  # remembered with its pages, so that a higher limit recognises only the others
        except ExtractError as exc:
            result = str(exc)
        finally:
            self.ocr_done += self._file_ocr
        if self.cache is not None:
            self.cache.put(sha256, result, fmt)
        return result if isinstance(result, Extracted) else str(result)


def read_document(path: Path, rel: str, readers: Readers | None = None) -> Document | str:
    """Read one file: a Document, or the warning that explains why it was skipped."""
    if not _valid_name(rel):
        return f"skipped {printable_name(rel)}: {_BAD_NAME}"
    fmt = format_of(rel) or "text"
    limit = MAX_EXTRACTED_BYTES.get(fmt, MAX_FILE_BYTES)
    try:
        st = path.stat()
    except OSError as exc:
        return f"skipped {rel}: cannot read it ({exc.strerror or exc})"
    if not stat.S_ISREG(st.st_mode):
        # a FIFO would block the build forever, a device like /dev/zero would never end
        return f"skipped {rel}: it is not a regular file"
    if st.st_size > limit:
        return f"skipped {rel}: {st.st_size / 1e6:.0f} MB is larger than the {limit // 2**20} MB limit"
    try:
        with path.open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        return f"skipped {rel}: cannot read it ({exc.strerror or exc})"
    if len(raw) > limit:  # it grew since it was measured
        return f"skipped {rel}: it is larger than the {limit // 2**20} MB limit"
    if not raw.strip():
        return f"skipped {rel}: the file is empty"
    sha256 = hashlib.sha256(raw).hexdigest()
    if fmt in TEXT_FORMATS.values():
        decoded = decode_or_reason(raw)
        if decoded == UNDECIDED:
            return (f"skipped {rel}: its encoding cannot be decided (GB18030, Big5 or another legacy encoding); "
                    "save it as UTF-8")
        if not isinstance(decoded, tuple):
            return f"skipped {rel}: it is binary or in an encoding that cannot be detected"
        text, encoding = decoded
        if not text.strip("\x00 \t\r\n\ufeff"):
            return f"skipped {rel}: the file is empty"
        if not has_text(text):
            return f"skipped {rel}: no text is left once control characters, escapes and page numbers are removed"
        return Document(path=rel, text=text, sha256=sha256, encoding=encoding, format=fmt)
    del raw  # the extractor reads the file itself (a PDF may be large)
    readers = readers or Readers()
    result = readers.extract(path, fmt, sha256)
    if isinstance(result, str):
        return f"skipped {rel}: {result}"
    if not has_text(result.text):
        return f"skipped {rel}: no text is left once page numbers and running headers are removed"
    readers.notes.extend(f"{rel}: {note}" for note in incomplete(result, readers.ocr_pages))
    return Document(path=rel, text=result.text, sha256=sha256, encoding=result.extractor, format=result.format,
                    pages=result.pages, ocr_pages=result.ocr_pages)


def incomplete(extracted: Extracted, ocr_pages: int) -> list[str]:
    """What is missing from an extraction, one line each (without the file's name); empty when nothing is."""
    out: list[str] = []
    skipped = extracted.ocr_skipped
    if skipped:
        total = len(extracted.scanned)
        if extracted.ocr_done:
            out.append(f"OCR recognised {extracted.ocr_done} of its {total} scanned pages (the limit is "
                       f"ASSISTANT_OCR_PAGES={ocr_pages}); {_pages(skipped)} are not searchable until the limit "
                       "is raised and the index rebuilt (assistant index --rebuild)")
        else:
            out.append(f"OCR is off (ASSISTANT_OCR_PAGES={ocr_pages}): its {total} scanned pages "
                       f"({_pages(skipped)}) are not searchable")
    if extracted.incomplete:
        out.append(f"some characters of {_pages(extracted.incomplete)} could not be read (a font that is "
                   "neither embedded in the file nor installed, which no reader could decode)")
    return out


def _pages(numbers: tuple[int, ...]) -> str:
    """``page 3``, ``pages 3-7``, ``pages 2, 5, 9`` or ``pages 2, 5, 9 … (12 pages)``: a few page numbers."""
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    if list(numbers) == list(range(numbers[0], numbers[-1] + 1)):
        return f"pages {numbers[0]}-{numbers[-1]}"
    shown = ", ".join(map(str, numbers[:5]))
    return f"pages {shown}" + (f" … ({len(numbers)} pages)" if len(numbers) > 5 else "")


def load_corpus(seeds: Path, cache_dir: Path | None = None, progress: Progress | None = None,
                ocr_pages: int = OCR_PAGES) -> Corpus:
    """Read every document under ``seeds``. Raises SeedsError when there is nothing to index.

    ``cache_dir`` keeps the extracted text of PDF, Word and HTML files by file hash (an unchanged file
    is not parsed again); ``progress`` hears of pages recognised by OCR (stage ``ocr``); at most
    ``ocr_pages`` scanned pages of each PDF are recognised (0: none), each PDF left incomplete getting
    one warning.
    """
    if not seeds.exists():
        raise SeedsError(f"seeds directory {seeds} does not exist; create it and put documents in it")
    if not seeds.is_dir():
        raise SeedsError(f"seeds path {seeds} is not a directory")
    corpus = Corpus()
    unsupported: Counter[str] = Counter()
    seen: dict[tuple[int, int], str] = {}
    with PdfWorker() as worker:
        readers = Readers(ExtractCache(cache_dir) if cache_dir is not None else None, worker, progress, ocr_pages)
        for path, rel in find_files(seeds, corpus.warnings, unsupported):
            try:
                st = path.stat()
                identity: tuple[int, int] | None = (st.st_dev, st.st_ino)
            except OSError:
                identity = None  # read_document explains
            if identity is not None and identity in seen:
                corpus.warnings.append(f"skipped {rel}: it is the same file as {seen[identity]}")
                continue
            result = read_document(path, rel, readers)
            corpus.warnings.extend(readers.notes)
            readers.notes.clear()
            if isinstance(result, str):
                corpus.warnings.append(result)
            else:
                if identity is not None:
                    seen[identity] = rel
                corpus.documents.append(result)
    corpus.unsupported = dict(sorted(unsupported.items(), key=lambda kv: (-kv[1], kv[0])))
    if not corpus.documents:
        shown = "; ".join(w.removeprefix("skipped ") for w in corpus.warnings[:SHOWN_WHY])
        more = f"; and {len(corpus.warnings) - SHOWN_WHY} more" if len(corpus.warnings) > SHOWN_WHY else ""
        detail = f" ({len(corpus.warnings)} skipped: {shown}{more})" if corpus.warnings else ""
        other = sum(unsupported.values())
        if other:
            detail += f"; {other} file(s) of types it cannot read ({describe_unsupported(corpus.unsupported)})"
        raise SeedsError(f"no readable documents in {seeds}{detail}; add .pdf, .docx, .html, .txt or .md files "
                         "and try again")
    return corpus


def describe_unsupported(counts: dict[str, int]) -> str:
    """``.xlsx (2), .caj (1)``: the unsupported types, most first."""
    return ", ".join(f"{suffix} ({n})" for suffix, n in counts.items())


def read_source(seeds: Path, rel: str, cache_dir: Path | None = None) -> str:
    """The original text of one document, as passage offsets see it (for an extracted format, the
    extracted text). Raises SeedsError."""
    return read_original(seeds, rel, cache_dir).text


def read_original(seeds: Path, rel: str, cache_dir: Path | None = None) -> Source:
    """The original of one document, with its page offsets. Raises SeedsError when it cannot be read."""
    readers = Readers(ExtractCache(cache_dir) if cache_dir is not None else None)
    result = read_document(seeds / rel, rel, readers)
    if isinstance(result, str):
        raise SeedsError(result)
    return Source.of(result)
