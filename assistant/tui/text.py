"""Pure helpers that turn answers into rich ``Text`` for the chat: no widgets, no markup parsing.

Document text is only ever appended to :class:`rich.text.Text` as plain text, after :func:`literal`
replaced control characters (terminal escape sequences among them) with visible symbols, one
character for one, so offsets into the original text still index the shown text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from .. import present
from ..records import Answer, Citation, Hint

ABSTAIN = "No passage in the documents answers this."
LANGUAGES = {"zh": "Chinese", "en": "English"}
BAR_WIDTH = 10
QUESTION_LINES = 3
"""A longer question is folded to this many lines in its card."""

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
    return present.line_label(first, last)


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def score_bar(score: float, top: float, width: int = BAR_WIDTH) -> tuple[str, str]:
    """The filled and empty parts of a bar for how well a passage matches relative to the best passage
    of its answer (:func:`assistant.present.match`).

    Both are spaces, drawn by their background colour: block characters are double width in some CJK
    terminal fonts.
    """
    filled = max(1, min(width, round(width * present.match(score, top))))
    return " " * filled, " " * (width - filled)


def question_text(question: str, styles: Styles, width: int | None = None) -> Text:
    """The question, folded to :data:`QUESTION_LINES` lines at ``width`` cells (a long paste shows its
    beginning and how long it is)."""
    prompt = "❯ "
    shown, total = literal(question), 0
    if width is not None:
        note = present.folded_note(len(question))
        folded, total = present.fold(prompt + shown, width, QUESTION_LINES, cell_len, cell_len(note) + 1)
        shown = folded[len(prompt):] if total else shown
    out = Text()
    out.append(prompt, style=styles.get("prompt", ""))
    out.append(shown, style=styles.get("question", ""))
    if total:
        out.append(" " + present.folded_note(len(question)), style=styles.get("label", ""))
    return out


def _hints(out: Text, hints: Sequence[Hint], styles: Styles) -> None:
    for i, h in enumerate(hints):
        if i:
            out.append(" · ", style=styles.get("label", ""))
        out.append(literal(h.term), style=styles.get("term", ""))
        out.append(f" = {literal(h.gloss)}", style=styles.get("gloss", ""))


def answer_text(answer: Answer, styles: Styles) -> Text:
    """The answer at the top of a card: its sentences, each with its citation mark [n] (and, for an
    English question, the glosses of the sentence's Chinese terms), then what the documents never
    mention and what else was searched, in plain words."""
    out = Text()
    label = styles.get("label", "")
    for st in answer.statements:
        if out:
            out.append("\n")
        out.append(literal(st.text), style=styles.get("statement", ""))
        out.append(f" [{st.citation}]", style=styles.get("rank", ""))
        if answer.language == "en" and st.hints:
            out.append("\n")
            _hints(out, st.hints, styles)
    uncovered = present.uncovered_line(answer)
    if uncovered:
        if out:
            out.append("\n")
        out.append(literal(uncovered[0].upper() + uncovered[1:]), style=styles.get("notice", ""))
    also = present.also_searched_line(answer)
    if also:
        if out:
            out.append("\n")
        out.append("Also searched: ", style=label)
        out.append(literal(also.removeprefix("also searched: ")), style=styles.get("expanded", ""))
    return out


def answer_meta(answer: Answer, k: int, styles: Styles, debug: bool = False) -> Text:
    """Language, mode and passages; what was searched for a follow-up; notices. With ``debug``, the
    query as the search engine got it (weighted terms), the confidence and the timings."""
    label = styles.get("label", "")
    out = Text()
    n = len(answer.citations)
    meta = f"{language_name(answer.language)} question · {answer.mode} · {present.plural(n, 'passage')}"
    out.append(meta, style=label)
    if answer.searched and answer.searched != answer.question:
        out.append("\nSearched with the earlier question: ", style=label)
        out.append(literal(answer.searched))
    for notice in present.notices(answer):
        out.append("\nNote: ", style=label)
        out.append(literal(notice), style=styles.get("notice", ""))
    if debug:
        out.append("\nQuery ", style=label)
        out.append(literal(answer.expanded_query), style=styles.get("expanded", ""))
        out.append("\nConfidence ", style=label)
        out.append(f"{answer.confidence:.4f}", style=styles.get("expanded", ""))
        if answer.timings:
            out.append("  Time ", style=label)
            out.append(" ".join(f"{k} {v * 1000:.0f} ms" for k, v in answer.timings.items()),
                       style=styles.get("expanded", ""))
    return out


def citation_text(c: Citation, top: float, hints: bool, styles: Styles, debug: bool = False) -> Text:
    """One cited passage: heading, place (section, file, lines, pages, OCR), a bar for how well it
    matches relative to the best passage, its text with the best sentence marked, term glosses."""
    p = c.passage
    out = Text()
    out.append(f"[{c.rank}] ", style=styles.get("rank", ""))
    out.append(literal(p.title), style=styles.get("title", ""))
    out.append("\n")
    section = present.section_of(p)
    if section:
        out.append(literal(section), style=styles.get("section", ""))
        out.append("  ")
    out.append(literal(present.place(p)), style=styles.get("place", ""))
    out.append("\n")
    filled, empty = score_bar(c.score, top)
    out.append(filled, style=styles.get("bar", ""))
    out.append(empty, style=styles.get("bar-empty", ""))
    if debug:
        scores = f" score {c.score:.4f}"
        out.append(scores, style=styles.get("place", ""))
    out.append("\n")
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
        _hints(out, c.hints, styles)
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
