"""Normalize text extracted from PDFs, keeping a map back to the original.

What it repairs:

* lines broken mid-sentence are rejoined, with no space ever inserted between two CJK characters;
* spaces the layout put between CJK characters are removed (主 要 代 表 药 物 → 主要代表药物);
* words split by a hyphenation mark (⁃, ‐, soft hyphen) at a line end are rejoined;
* running headers, footers and page-number lines are dropped;
* control characters and terminal escape sequences are dropped.

Every character of the normalized text is either copied from the original or is a single space or
newline standing for whitespace there. ``origin[i]`` is the offset in the original of normalized
character ``i``; it is strictly increasing, so any normalized span maps back to one original span.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..text import display_width, is_wide
from . import structure
from .lines import Line, iter_lines, split_lines

HYPHENS = "\u2043\u2010\u00ad"
"""Hyphenation marks that PDF extraction leaves at line ends (⁃ ‐ and the soft hyphen)."""
TERMINALS = "。！？!?；;…"

_NOISE_PATTERNS = [
    re.compile(p)
    for p in (
        r"^[\s−\-–—_]*\d{1,4}[\s−\-–—_]*$",  # page numbers: "−− 45", "12", "- 3 -"
        r"^[\s−\-–—]*(第\s*\d+\s*页|Page\s+\d+(\s+of\s+\d+)?)[\s−\-–—]*$",
        r"\d{4}\s*年\s*\d{1,2}\s*月\s*第\s*\d+\s*卷\s*第\s*\d+\s*期",  # journal running header
        r"\bVol\.?\s*\d+\s*,\s*No\.?\s*\d+",
        r"^\s*DOI\s*[:：]",
        r"^\s*文章编号\s*[:：]",
        r"^\s*[★☆*]?\s*(基金项目|作者简介|通信作者|通讯作者|收稿日期|修回日期)\s*[:：]",
        r"(公网安备|ICP\s*备|ICP证)",
        r"^\s*(排版编辑|责任编辑|本文编辑|编辑)\s*[:：]",
        r"^\s*(版权所有|Copyright\s*©)",
        r"^\s*[\u4e00-\u9fff](\s+[\u4e00-\u9fff]){1,3}\s*$",  # spaced column label: "综 述"
    )
]


@dataclass(frozen=True)
class Block:
    """A heading or paragraph in the normalized text."""

    kind: str
    """``heading``, ``label`` (e.g. 摘要/Abstract), ``caption`` or ``para``."""
    start: int
    end: int
    level: int = 0
    number: str = ""
    """Section number of a numbered heading, e.g. ``"2.4"``."""
    name: str = ""
    """Heading text without its number."""


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


def is_noise(text: str, repeats: Counter[str]) -> bool:
    """Running headers, footers, page numbers and footnote boilerplate."""
    if any(p.search(text) for p in _NOISE_PATTERNS):
        return True
    # a sentence that recurs is content (running headers and footers never end with a full stop)
    return (len(text) < 80 and repeats[text] >= 3 and not structure.numbered_heading(text)
            and not text.endswith(("。", "！", "？")))


def has_text(src: str) -> bool:
    """Whether :func:`normalize` keeps any of ``src``: False when it holds nothing but control
    characters, escape sequences and page furniture (page numbers, running headers). Usually decided by
    the first lines: a line that is kept however often it recurs settles it."""
    seen: Counter[str] = Counter()
    for line in iter_lines(src):
        if not line.chars or any(p.search(line.raw) for p in _NOISE_PATTERNS):
            continue
        if not is_noise(line.raw, Counter({line.raw: 3})):
            return True
        seen[line.raw] += 1
    return any(not is_noise(raw, seen) for raw in seen)


def wrap_width(lines: list[Line]) -> int | None:
    """The width the text was wrapped at, or None when each line is a paragraph."""
    widths = sorted(display_width(ln.text) for ln in lines if len(ln.chars) >= 8)
    if len(widths) < 8:
        return None
    top = widths[int(len(widths) * 0.8)]
    near = sum(1 for w in widths if abs(w - top) <= 0.15 * top)
    return top if near >= 0.4 * len(widths) else None


def _joiner(a: Line, b: Line, width: int | None) -> str | None:
    """How to join line ``b`` after ``a``: a separator, or None for a paragraph break."""
    last, first = a.chars[-1], b.chars[0]
    if last in HYPHENS and first.isalpha():
        return ""
    if b.indented or width is None:
        return None
    ends_sentence = last in TERMINALS or (
        last == "." and not a.text.endswith((" vs.", "et al.", " vs", "Fig.", "Tab.")))
    if ends_sentence and display_width(a.text) < 0.8 * width:
        return None
    if is_wide(last) and is_wide(first):
        return ""
    if last in "-/" and not a.trailing_space:
        return ""
    if (last.isalnum() or last in ",.;:)%") and (first.isalnum() or first in "(") or a.trailing_space:
        return " "
    return ""


def normalize(src: str, page_starts: Sequence[int] = ()) -> Normalized:
    """Normalize a decoded document. The result maps every character back to ``src``.

    ``page_starts`` are the offsets in ``src`` where the pages of a paged format begin (page 1 first;
    empty for plain text).
    """
    del page_starts  # the page-aware repair of page furniture uses them
    lines = [ln for ln in split_lines(src) if ln.chars]
    repeats = Counter(ln.raw for ln in lines)
    lines = [ln for ln in lines if not is_noise(ln.raw, repeats)]
    width = wrap_width(lines)
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
            blocks.append(Block(info.kind, block_start, len(out), info.level, info.number, name))

    for line, kind in zip(lines, kinds, strict=True):
        chars, orig = line.chars, line.origin
        sep: str | None = None
        if prev is not None and info is not None and not kind.starts_block:
            sep = _joiner(prev, line, width if info.kind == "para" else 0)
            if info.kind != "para" and sep is None:
                sep = " " if not (is_wide(prev.chars[-1]) and is_wide(chars[0])) else ""
        if sep is None:
            close()
            if prev is not None:
                out.append("\n")
                origin.append(prev.end)
            block_start = len(out)
            info = kind
        else:
            if sep == "" and prev is not None and prev.chars[-1] in HYPHENS and chars[0].isalpha():
                out.pop()
                origin.pop()
            elif sep:
                out.append(sep)
                origin.append(prev.end if prev is not None else orig[0])
        out.extend(chars)
        origin.extend(orig)
        prev = line
    close()
    blocks = [b for b in blocks if b.end > b.start]
    return Normalized(src, "".join(out), tuple(origin), tuple(blocks))
