"""Pure helpers that turn answers into rich ``Text`` for the chat: no widgets, no markup parsing.

Document text is only ever appended to :class:`rich.text.Text` as plain text, after :func:`literal`
replaced control characters (terminal escape sequences among them) with visible symbols, one
character for one, so offsets into the original text still index the shown text.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text

from ..records import Answer, Citation

ABSTAIN = "No passage in the documents answers this."
LANGUAGES = {"zh": "Chinese", "en": "English"}
BAR_WIDTH = 10

_TABLE: dict[int, str] = {c: chr(0x2400 + c) for c in range(32) if c != 10}
_TABLE[9] = " "  # tab
_TABLE[13] = " "  # CR of CRLF line ends: shown as nothing visible
_TABLE[0x7F] = "\u2421"
_TABLE.update({c: "\ufffd" for c in range(0x80, 0xA0)})
_TABLE.update({0x2028: " ", 0x2029: " "})
_TABLE.update({c: "\ufffd" for c in range(0xD800, 0xE000)})  # lone surrogates of undecodable names

Styles = Mapping[str, Style | str]


def literal(text: str) -> str:
    """``text`` with control characters made visible (ESC → ␛, tab → space); same length and offsets."""
    return text.translate(_TABLE)


def line_range(first: int, last: int) -> str:
    """``line 7`` or ``lines 7–9``, with a no-break space."""
    return f"line\u00a0{first}" if first == last else f"lines\u00a0{first}–{last}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def score_bar(score: float, top: float, width: int = BAR_WIDTH) -> tuple[str, str]:
    """The filled and empty parts of a bar for ``score`` relative to the best score ``top``.

    Both are spaces, drawn by their background colour: block characters are double width in some CJK
    terminal fonts.
    """
    filled = width if top <= 0 else max(1, min(width, round(width * score / top)))
    return " " * filled, " " * (width - filled)


def question_text(question: str, styles: Styles) -> Text:
    out = Text()
    out.append("❯ ", style=styles.get("prompt", ""))
    out.append(literal(question), style=styles.get("question", ""))
    return out


def answer_meta(answer: Answer, k: int, styles: Styles) -> Text:
    """Language, mode, how many passages; what was searched and what the query was expanded to."""
    label = styles.get("label", "")
    out = Text()
    out.append("Language ", style=label)
    out.append(f"{language_name(answer.language)} ({answer.language})")
    out.append("  Mode ", style=label)
    out.append(answer.mode)
    out.append("  k ", style=label)
    out.append(str(k))
    if answer.searched and answer.searched != answer.question:
        out.append("\nSearched ", style=label)
        out.append(literal(answer.searched))
    out.append("\nExpanded ", style=label)
    out.append(literal(answer.expanded_query), style=styles.get("expanded", ""))
    for notice in answer.notices:
        out.append("\nNote ", style=label)
        out.append(literal(notice), style=styles.get("notice", ""))
    return out


def citation_text(c: Citation, top: float, hints: bool, styles: Styles) -> Text:
    """One cited passage: heading, place, score bar, text with the best sentence marked, term hints."""
    p = c.passage
    out = Text()
    out.append(f"[{c.rank}] ", style=styles.get("rank", ""))
    out.append(literal(p.title), style=styles.get("title", ""))
    out.append("\n")
    if p.section:
        out.append(literal(p.section), style=styles.get("section", ""))
        out.append("  ")
    out.append(f"{literal(p.doc)} · {line_range(p.line_start, p.line_end)}", style=styles.get("place", ""))
    out.append("\n")
    filled, empty = score_bar(c.score, top)
    out.append(filled, style=styles.get("bar", ""))
    out.append(empty, style=styles.get("bar-empty", ""))
    out.append(f" {c.score:.3f}\n", style=styles.get("place", ""))
    text = literal(p.text)
    if c.best_sentence:
        b, e = c.best_sentence
        out.append(text[:b])
        out.append(text[b:e], style=styles.get("best", ""))
        out.append(text[e:])
    else:
        out.append(text)
    if hints and c.hints:
        out.append("\nTerms ", style=styles.get("label", ""))
        for i, h in enumerate(c.hints):
            if i:
                out.append(" · ", style=styles.get("label", ""))
            out.append(literal(h.term), style=styles.get("term", ""))
            out.append(f" = {literal(h.gloss)}", style=styles.get("gloss", ""))
    return out


def describe_error(exc: BaseException) -> tuple[str, str]:
    """A short heading and one clear line for an error, never a traceback."""
    from ..errors import AssistantError

    if isinstance(exc, AssistantError):
        return exc.heading, exc.title
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return "Cannot read a file", f"{exc.strerror or exc}{where}"
    return "Unexpected error", f"{type(exc).__name__}: {exc}"
