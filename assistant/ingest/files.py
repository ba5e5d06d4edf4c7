"""Ingest: find the documents under the seeds directory and decode them.

Every ``.txt`` and ``.md`` file is read, recursively. Encodings are detected (UTF-8 with or without BOM,
UTF-16/32 with BOM, UTF-16 without BOM, GB18030/GBK and others through charset-normalizer). A file that
is empty (or holds nothing but control characters, escapes, page numbers and running headers), binary,
undecodable, unreadable, too large, not a regular file (a FIFO or a device: reading one would block or
never end), a second name for a file already read (a symlink or hard link), or whose name is not valid
UTF-8 is skipped with one warning naming it; the rest is still indexed.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SeedsError
from ..records import Document
from .decode import UNDECIDED, decode_or_reason
from .normalize import has_text

SUFFIXES = (".txt", ".md")
_BAD_NAME = "its file name is not valid UTF-8; rename it"
MAX_FILE_BYTES = 20 * 1024 * 1024
"""Files larger than this are skipped: embedding them would take hours on a laptop CPU."""

@dataclass
class Corpus:
    """The decoded documents and a warning for every file that was skipped."""

    documents: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def find_files(root: Path, problems: list[str] | None = None) -> Iterator[tuple[Path, str]]:
    """Yield ``(path, relative name)`` for every candidate file, following symlinks without looping.

    A file whose name is not valid UTF-8 (e.g. a GBK name unpacked on a UTF-8 system) cannot be recorded
    or cited; it is left out, with a warning appended to ``problems`` when given.
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


def read_document(path: Path, rel: str) -> Document | str:
    """Read one file: a Document, or the warning that explains why it was skipped."""
    if not _valid_name(rel):
        return f"skipped {printable_name(rel)}: {_BAD_NAME}"
    try:
        st = path.stat()
    except OSError as exc:
        return f"skipped {rel}: cannot read it ({exc.strerror or exc})"
    if not stat.S_ISREG(st.st_mode):
        # a FIFO would block the build forever, a device like /dev/zero would never end
        return f"skipped {rel}: it is not a regular file"
    if st.st_size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // 2**20
        return f"skipped {rel}: {st.st_size / 1e6:.0f} MB is larger than the {limit} MB limit"
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return f"skipped {rel}: cannot read it ({exc.strerror or exc})"
    if len(raw) > MAX_FILE_BYTES:  # it grew since it was measured
        return f"skipped {rel}: it is larger than the {MAX_FILE_BYTES // 2**20} MB limit"
    if not raw.strip():
        return f"skipped {rel}: the file is empty"
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
    return Document(path=rel, text=text, sha256=hashlib.sha256(raw).hexdigest(), encoding=encoding)


def load_corpus(seeds: Path) -> Corpus:
    """Read every document under ``seeds``. Raises SeedsError when there is nothing to index."""
    if not seeds.exists():
        raise SeedsError(f"seeds directory {seeds} does not exist; create it and put .txt or .md files in it")
    if not seeds.is_dir():
        raise SeedsError(f"seeds path {seeds} is not a directory")
    corpus = Corpus()
    seen: dict[tuple[int, int], str] = {}
    for path, rel in find_files(seeds, corpus.warnings):
        try:
            st = path.stat()
            identity: tuple[int, int] | None = (st.st_dev, st.st_ino)
        except OSError:
            identity = None  # read_document explains
        if identity is not None and identity in seen:
            corpus.warnings.append(f"skipped {rel}: it is the same file as {seen[identity]}")
            continue
        result = read_document(path, rel)
        if isinstance(result, str):
            corpus.warnings.append(result)
        else:
            if identity is not None:
                seen[identity] = rel
            corpus.documents.append(result)
    if not corpus.documents:
        detail = f" ({len(corpus.warnings)} skipped)" if corpus.warnings else ""
        raise SeedsError(f"no readable .txt or .md documents in {seeds}{detail}; add some and try again")
    return corpus


def read_source(seeds: Path, rel: str) -> str:
    """The decoded original text of one document, as passage offsets see it."""
    result = read_document(seeds / rel, rel)
    if isinstance(result, str):
        raise SeedsError(result)
    return result.text
