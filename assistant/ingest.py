"""Ingest: find the documents under the seeds directory and decode them.

Every ``.txt`` and ``.md`` file is read, recursively. Encodings are detected (UTF-8 with or without BOM,
UTF-16/32 with BOM, UTF-16 without BOM, GB18030/GBK and others through charset-normalizer). A file that
is empty (or holds nothing but control characters, escapes, page numbers and running headers), binary,
undecodable, unreadable, too large, not a regular file (a FIFO or a device: reading one would block or
never end), a second name for a file already read (a symlink or hard link), or whose name is not valid
UTF-8 is skipped with one warning naming it; the rest is still indexed.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .normalize import has_text
from .records import Document

SUFFIXES = (".txt", ".md")
_BAD_NAME = "its file name is not valid UTF-8; rename it"
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


def _chinese_like(text: str) -> bool:
    """Whether every non-ASCII character is a CJK ideograph, CJK punctuation or a full-width form."""
    rest = [ch for ch in text if ord(ch) > 0x7F]
    return bool(rest) and all(
        0x4E00 <= ord(ch) <= 0x9FFF or 0x3000 <= ord(ch) <= 0x303F or 0xFF00 <= ord(ch) <= 0xFFEF
        or 0x2010 <= ord(ch) <= 0x2027 or 0x3400 <= ord(ch) <= 0x4DBF
        for ch in rest
    )


_LATIN_GUESSES = frozenset((
    "cp1250", "cp1254", "cp1257", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_9", "iso8859_10",
    "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "latin_1", "mac_latin2", "mac_roman",
    "mac_iceland", "mac_turkish", "cp437", "cp850", "cp852", "cp857", "cp858", "cp860", "cp861", "cp863",
    "cp865",
))
"""Single-byte Latin code pages charset-normalizer often confuses with each other on short texts."""


def _utf16_without_bom(raw: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a BOM: Latin text then has a NUL in every other byte."""
    n = len(raw) - len(raw) % 2
    if n < 4:
        return None
    half = n // 2
    even, odd = raw[0:n:2].count(0), raw[1:n:2].count(0)
    if odd >= 0.3 * half and even <= 0.02 * half:
        encoding = "utf-16-le"
    elif even >= 0.3 * half and odd <= 0.02 * half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return raw[:n].decode(encoding), encoding
    except UnicodeDecodeError:
        return None


def decode(raw: bytes) -> tuple[str, str] | None:
    """Decode a file's bytes; returns ``(text, encoding)`` or None when it is not text."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError:
                return None
    if b"\x00" in raw[:65536]:
        utf16 = _utf16_without_bom(raw)
        if utf16 is not None and not _looks_binary(utf16[0]):
            return utf16
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
        elif not encoding.startswith(("gb", "big5", "hz", "utf")):
            # Short Chinese texts in GBK are often taken for Korean (cp949) or a Latin code page; for a
            # Chinese/English corpus, GB18030 wins when the bytes are plain GB2312 (common simplified
            # characters, which Japanese kana bytes are not) and decode to nothing but Chinese text.
            chinese: str | None = None
            with contextlib.suppress(UnicodeDecodeError):
                raw.decode("gb2312", errors="strict")
                chinese = raw.decode("gb18030", errors="strict")
            if chinese is not None and _chinese_like(chinese):
                text, encoding = chinese, "gb18030"
            elif encoding in _LATIN_GUESSES:
                # Western European (English-language) documents are far likelier here than Central
                # European ones: prefer Windows-1252 when it decodes.
                with contextlib.suppress(UnicodeDecodeError):
                    text, encoding = raw.decode("cp1252", errors="strict"), "cp1252"
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
    decoded = decode(raw)
    if decoded is None:
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
