"""Normalize extracted text (PDF, OCR, plain text, Markdown), keeping a map back to the original.

What it repairs:

* lines broken mid-sentence are rejoined, with no space ever inserted between two CJK characters;
* spaces the layout put between CJK characters are removed (主 要 代 表 药 物 → 主要代表药物);
* words split by a hyphenation mark (⁃, ‐, soft hyphen) at a line end are rejoined, and so are words
  split by an ASCII hyphen (``resis-`` / ``tance``), while compounds that carry a hyphen
  (``progression-`` / ``free``) keep it (:func:`hyphen_joins`);
* page furniture — running headers and footers, page numbers, page-bottom footnotes — is dropped, found
  by how it behaves (:mod:`.furniture`), never because a line is short or numeric;
* a blank line ends a paragraph, except in extractions that put a blank line after nearly every
  wrapped line (:func:`double_spaced`);
* table rows and list items stay lines of their own; a table row's block knows its table's header row
  and caption (:attr:`Block.context`);
* control characters, zero-width characters and terminal escape sequences are dropped.

Every character of the normalized text is either copied from the original or is a single space or
newline standing for whitespace there. ``origin[i]`` is the offset in the original of normalized
character ``i``; it is strictly increasing, so any normalized span maps back to one original span.
Ligatures (ﬁ) and full-width forms are kept as they are here; the analyzer folds them (NFKC).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from ..text import display_width, tight
from . import furniture, structure
from .lines import Line, split_lines

HYPHENS = "\u2043\u2010\u00ad"
"""Hyphenation marks that PDF extraction leaves at line ends (⁃ ‐ and the soft hyphen)."""
TERMINALS = "。！？!?；;…"
_DROP_HYPHEN = "\x00"
"""What :func:`_joiner` returns to join two lines over an ASCII hyphen that only split a word."""
_WORD_BEFORE = re.compile(r"([A-Za-z]+)-$")
_WORD_AFTER = re.compile(r"^([a-z]+)")


@dataclass(frozen=True)
class Block:
    """A heading or paragraph in the normalized text."""

    kind: str
    """``heading``, ``label`` (e.g. 摘要/Abstract, 参考文献, 【适应症】), ``caption``, ``row``, ``item`` or
    ``para``."""
    start: int
    end: int
    level: int = 0
    number: str = ""
    """Section number of a numbered heading, e.g. ``"2.4"``."""
    name: str = ""
    """Heading text without its number."""
    role: str = ""
    """For back-matter labels and headings: the role of the section they open (see
    :data:`.structure.BACK_MATTER`)."""
    context: str = ""
    """For table rows: the table's caption and header row, which a passage that continues the table
    carries (not in its text)."""


@dataclass(frozen=True)
class Normalized:
    source: str
    text: str
    origin: tuple[int, ...]
    blocks: tuple[Block, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the normalized span ``text[start:end]`` (end exclusive)."""
        if end <= start:
            raise ValueError("empty span")
        return self.origin[start], self.origin[end - 1] + 1


def has_text(src: str) -> bool:
    """Whether :func:`normalize` keeps any of ``src``: False when it holds nothing but control
    characters, escape sequences and page furniture (page numbers, running headers). Usually decided by
    the first lines: a long line or a sentence that is no page marker is always kept."""
    for line in split_lines(src):
        text = line.raw
        if line.chars and not furniture.is_marker(text) and not furniture.FOOTNOTE.search(text) and (
                len(text) > 80 or text.endswith(("。", "！", "？"))):
            return True
    return bool(normalize(src).text.strip())


def double_spaced(lines: Sequence[Line]) -> bool:
    """Whether blank lines separate wrapped lines rather than paragraphs: most blank lines follow a line
    that ends mid-sentence (as in extractions that put a blank line after nearly every line)."""
    gaps = mid = 0
    for prev, line in zip(lines, lines[1:], strict=False):
        if line.gap:
            gaps += 1
            if prev.text[-1] not in TERMINALS + ":：.)）" and len(prev.chars) >= 15:
                mid += 1
    return gaps >= 4 and mid >= 0.5 * gaps


@lru_cache(maxsize=4096)
def hyphen_joins(before: str, after: str) -> bool:
    """Whether ``before-`` at a line end and ``after`` at the start of the next are one word split by
    the line break (``resis-``/``tance`` → resistance), rather than a hyphenated compound
    (``progression-``/``free``). Decided by the cl100k vocabulary (tiktoken, as for chunk sizes): the
    joined word is a common word of its own, or the two halves are not both words."""
    from .tokens import token_counter

    count = token_counter()
    if count(" " + before + after) == 1 or count(" " + (before + after).lower()) == 1:
        return True
    return not (len(before) >= 2 and len(after) >= 3 and count(" " + before.lower()) == 1
                and count(" " + after) == 1)


def wrap_width(lines: list[Line]) -> int | None:
    """The width the text was wrapped at, or None when each line is a paragraph."""
    widths = sorted(display_width(ln.text) for ln in lines if len(ln.chars) >= 8)
    if len(widths) < 8:
        return None
    top = widths[int(len(widths) * 0.8)]
    near = sum(1 for w in widths if abs(w - top) <= 0.15 * top)
    return top if near >= 0.4 * len(widths) else None


def _joiner(a: Line, b: Line, width: int | None, blank_paragraphs: bool = False) -> str | None:
    """How to join line ``b`` after ``a``: a separator (:data:`_DROP_HYPHEN` to join over a hyphen that
    only split a word), or None for a paragraph break."""
    last, first = a.chars[-1], b.chars[0]
    if last in HYPHENS and first.isalpha():
        return ""
    if last == "-" and not a.trailing_space and first.islower():
        before, after = _WORD_BEFORE.search(a.text), _WORD_AFTER.match(b.text)
        if before and after:
            return _DROP_HYPHEN if hyphen_joins(before.group(1), after.group(1)) else ""
    if b.indented:
        return None
    if width is None:
        # no wrap width to go by: a line goes on into the next only when it plainly does — an English
        # line into a lower-case word, or a line that ends no sentence, inside a paragraph that blank
        # lines delimit or across removed page furniture
        english = ((last.isalnum() or last in ",;") and first.islower() and first.isascii()
                   and display_width(a.text) >= 30)
        flowing = (blank_paragraphs or b.continued) and last not in TERMINALS + "：:." and (
            b.continued or display_width(a.text) >= 20)
        if not (english or flowing):
            return None
        return "" if tight(last, first) else " "
    ends_sentence = last in TERMINALS or (
        last == "." and not a.text.endswith((" vs.", "et al.", " vs", "Fig.", "Tab.")))
    if ends_sentence and display_width(a.text) < 0.8 * width:
        return None
    if tight(last, first):
        return ""
    if last in "-/" and not a.trailing_space:
        return ""
    if (last.isalnum() or last in ",.;:)%") and (first.isalnum() or first in "(") or a.trailing_space:
        return " "
    return ""


def content_lines(src: str, page_starts: Sequence[int] = ()) -> list[Line]:
    """The lines of ``src`` that hold text, page furniture removed, each knowing whether a blank line
    came before it (``gap``; never inside an extraction that double-spaces its lines)."""
    lines: list[Line] = []
    gap = False
    for line in split_lines(src):
        if not line.chars:
            gap = bool(lines)
            continue
        line.gap, gap = gap, False
        lines.append(line)
    dropped = furniture.find(lines, page_starts)
    kept: list[Line] = []
    after_furniture = False
    for i, line in enumerate(lines):
        if i in dropped:
            after_furniture = True
            continue
        if after_furniture:
            line.gap = False  # a page break is no paragraph break: the joiner decides
            line.continued = True
        after_furniture = False
        kept.append(line)
    if double_spaced(kept):
        for line in kept:
            line.gap = False
    return kept


def normalize(src: str, page_starts: Sequence[int] = ()) -> Normalized:
    """Normalize a decoded document. The result maps every character back to ``src``.

    ``page_starts`` are the offsets in ``src`` where the pages of a paged format begin (page 1 first;
    empty for plain text, whose page breaks are inferred from form feeds and page-number sequences).
    """
    lines = content_lines(src, page_starts)
    width = wrap_width(lines)
    blank_paragraphs = sum(ln.gap for ln in lines) >= 2
    kinds = structure.classify(lines, width)

    out: list[str] = []
    origin: list[int] = []
    blocks: list[Block] = []
    block_start = 0
    info: structure.LineKind | None = None
    prev: Line | None = None

    def close() -> None:
        if info is not None and len(out) > block_start:
            name = info.name
            if info.kind == "heading" and info.number:
                # a numbered heading may go on over several lines: name it by all of them
                name = structure.heading_text("".join(out[block_start:]))[len(info.number) :].strip() or name
            blocks.append(Block(info.kind, block_start, len(out), info.level, info.number, name, info.role))

    for line, kind in zip(lines, kinds, strict=True):
        chars, orig = line.chars, line.origin
        sep: str | None = None
        if prev is not None and info is not None and not kind.starts_block:
            flowing = info.kind in ("para", "item")
            sep = _joiner(prev, line, width if flowing else 0, blank_paragraphs)
            if not flowing and sep is None:
                sep = "" if tight(prev.chars[-1], chars[0]) else " "
        if sep is None:
            close()
            if prev is not None:
                out.append("\n")
                origin.append(prev.end)
            block_start = len(out)
            info = kind
        else:
            if prev is not None and (sep == _DROP_HYPHEN or sep == "" and prev.chars[-1] in HYPHENS
                                     and chars[0].isalpha()):
                out.pop()
                origin.pop()
            elif sep:
                out.append(sep)
                origin.append(prev.end if prev is not None else orig[0])
        out.extend(chars)
        origin.extend(orig)
        prev = line
    close()
    text = "".join(out)
    return Normalized(src, text, tuple(origin), tuple(_with_context(text, [b for b in blocks if b.end > b.start])))


def _with_context(text: str, blocks: list[Block]) -> list[Block]:
    """Give each table row the header row of its table, and the caption just before the table."""
    out: list[Block] = []
    header = caption = ""
    for i, block in enumerate(blocks):
        if block.kind == "row":
            if i == 0 or blocks[i - 1].kind != "row":
                header = text[block.start : block.end]
                before = blocks[i - 1] if i else None
                caption = text[before.start : before.end] if before is not None and before.kind == "caption" else ""
                out.append(replace(block, context=caption))
                continue
            out.append(replace(block, context="\n".join(p for p in (caption, header) if p)))
            continue
        out.append(block)
    return out
