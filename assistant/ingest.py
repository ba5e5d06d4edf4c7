"""Ingest: find the documents under the seeds directory and decode them.

Every ``.txt`` and ``.md`` file is read, recursively. Encodings are detected (UTF-8 with or without BOM,
UTF-16/32 with BOM, GB18030/GBK and others through charset-normalizer). A file that is empty, binary,
undecodable, unreadable or too large is skipped with one warning naming it; the rest is still indexed.
"""

from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .records import Document

SUFFIXES = (".txt", ".md")
MAX_FILE_BYTES = 20 * 1024 * 1024
"""Files larger than this are skipped: embedding them would take hours on a laptop CPU."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class SeedsError(Exception):
    """The seeds directory is missing or holds no documents."""


@dataclass
class Corpus:
    """The decoded documents and a warning for every file that was skipped."""

    documents: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def find_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Yield ``(path, relative name)`` for every candidate file, following symlinks without looping."""
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
        except OSError:
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
                yield path, path.relative_to(root).as_posix()

    yield from walk(root)


def decode(raw: bytes) -> tuple[str, str] | None:
    """Decode a file's bytes; returns ``(text, encoding)`` or None when it is not text."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError:
                return None
    try:
        text = raw.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is None:
            return None
        text, encoding = str(best), best.encoding
        if encoding.startswith(("gb2312", "gbk")):
            # GB18030 is a superset; decoding with it never loses characters the narrower name would.
            text, encoding = raw.decode("gb18030", errors="strict"), "gb18030"
    if _looks_binary(text):
        return None
    return text, encoding


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls / len(sample) > 0.05


def read_document(path: Path, rel: str) -> Document | str:
    """Read one file: a Document, or the warning that explains why it was skipped."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"skipped {rel}: cannot read it ({exc.strerror or exc})"
    if size > MAX_FILE_BYTES:
        return f"skipped {rel}: {size / 1e6:.0f} MB is larger than the {MAX_FILE_BYTES // 2**20} MB limit"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return f"skipped {rel}: cannot read it ({exc.strerror or exc})"
    if not raw.strip():
        return f"skipped {rel}: the file is empty"
    decoded = decode(raw)
    if decoded is None:
        return f"skipped {rel}: it is binary or in an encoding that cannot be detected"
    text, encoding = decoded
    if not text.strip("\x00 \t\r\n\ufeff"):
        return f"skipped {rel}: the file is empty"
    return Document(path=rel, text=text, sha256=hashlib.sha256(raw).hexdigest(), encoding=encoding)


def load_corpus(seeds: Path) -> Corpus:
    """Read every document under ``seeds``. Raises SeedsError when there is nothing to index."""
    if not seeds.exists():
        raise SeedsError(f"seeds directory {seeds} does not exist; create it and put .txt or .md files in it")
    if not seeds.is_dir():
        raise SeedsError(f"seeds path {seeds} is not a directory")
    corpus = Corpus()
    for path, rel in find_files(seeds):
        result = read_document(path, rel)
        if isinstance(result, str):
            corpus.warnings.append(result)
        else:
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
