"""Render answers for people with rich: the answer's sentences with their citation marks, what the
documents never mention and what else was searched, then the cited passages.

Document text is always added as plain :class:`rich.text.Text`, never parsed as markup, so a passage
that contains "[bold]" or "[link=…]" is shown exactly as written. Every string is also passed through
:func:`printable` first: rich keeps ESC and most other control characters, so a file name, a title or a
user glossary entry carrying a terminal escape sequence would otherwise reach the terminal.

In a terminal, lines are wrapped to its width the way the chat wraps them
(:func:`assistant.present.line_ranges`: between Chinese characters, never before closing punctuation);
into a pipe or a file nothing is wrapped: one line per paragraph. rich leaves out colour when
``NO_COLOR`` is set or the output is not a terminal.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from .. import present
from ..records import Answer, Citation, Hint
from ..text import printable

ABSTAIN = "No passage in the documents answers this."
INDENT = "    "
QUESTION_LINES = 3

Block = tuple[str, Text]
"""One paragraph: the indent of each of its lines, and its text."""


def _hints(hints: tuple[Hint, ...]) -> Text:
    out = Text()
    for i, h in enumerate(hints):
        if i:
            out.append("; ", style="dim")
        out.append(printable(h.term))
        out.append(printable(f" = {h.gloss}"), style="dim")
    return out


def citation_blocks(c: Citation, top: float, hints: bool = True) -> list[Block]:
    p = c.passage
    head = Text()
    head.append(f"[{c.rank}] ", style="bold cyan")
    head.append(printable(p.title), style="bold")
    section = present.section_of(p)
    if section:
        head.append(" — ")
        head.append(printable(section), style="italic")
    where = Text()
    where.append(printable(present.place(p)), style="green")
    where.append(f" · {present.match_label(c.score, top)}", style="dim")
    body = Text()
    text = p.text
    if c.best_sentence:
        b, e = c.best_sentence
        body.append(printable(text[:b]))
        body.append(printable(text[b:e]), style="bold yellow")
        body.append(printable(text[e:]))
    else:
        body.append(printable(text))
    blocks: list[Block] = [("", head), (INDENT, where), (INDENT, body)]
    if hints and c.hints:
        terms = Text("Terms: ", style="dim")
        terms.append_text(_hints(c.hints))
        blocks.append((INDENT, terms))
    return blocks


def answer_blocks(answer: Answer, width: int | None = None) -> list[Block]:
    """The answer as paragraphs; with a terminal ``width``, a long question is folded to a few lines."""
    question = printable(answer.question)
    total = 0
    if width is not None:
        question, total = present.fold(question, width, QUESTION_LINES, cell_len)
    head = Text()
    head.append(question, style="bold")
    if total:
        head.append(" " + present.folded_note(total), style="dim")
    head.append(f"   ({answer.language}, {answer.mode})", style="dim")
    blocks: list[Block] = [("", head)]
    if answer.abstained:
        blocks.append(("", Text(ABSTAIN, style="bold red")))
    for st in answer.statements:
        line = Text("Answer: ", style="bold")
        line.append(printable(st.text))
        line.append(f" [{st.citation}]", style="bold cyan")
        blocks.append(("", line))
        if answer.language == "en" and st.hints:
            blocks.append((INDENT, _hints(st.hints)))
    uncovered = present.uncovered_line(answer)
    if uncovered:
        blocks.append(("", Text(printable(uncovered[0].upper() + uncovered[1:]), style="magenta")))
    also = present.also_searched_line(answer)
    if also:
        line = Text("Also searched: ", style="dim")
        line.append(printable(also.removeprefix("also searched: ")))
        blocks.append(("", line))
    if answer.searched and answer.searched != answer.question:
        line = Text("Searched: ", style="dim")
        line.append(printable(answer.searched))
        blocks.append(("", line))
    for notice in present.notices(answer):
        blocks.append(("", Text(printable(f"Note: {notice}"), style="magenta")))
    if answer.abstained and answer.citations:
        blocks.append(("", Text("Nearest passages (not answers):", style="dim")))
    top = max((c.score for c in answer.citations), default=0.0)
    for c in answer.citations:
        blocks.append(("", Text()))
        blocks.extend(citation_blocks(c, top, hints=answer.language == "en"))
    return blocks


def lines(blocks: list[Block], width: int | None) -> list[Text]:
    """The blocks as lines: wrapped to ``width`` cells (None: one line per paragraph)."""
    out: list[Text] = []
    for indent, text in blocks:
        if width is None:
            for part in text.split("\n", allow_blank=True):
                out.append(Text(indent) + part)
            continue
        room = max(width - cell_len(indent), 8)
        for s, e in present.line_ranges(text.plain, room, cell_len):
            out.append(Text(indent) + text[s:e])
    return out


def answer_text(answer: Answer, width: int | None = None) -> Text:
    """The whole answer as one :class:`~rich.text.Text`, its lines wrapped to ``width`` (None: one line
    per paragraph)."""
    return Text("\n").join(lines(answer_blocks(answer, width), width))


class _AnswerConsole(Console):
    def on_broken_pipe(self) -> None:
        """The reader went away (``| head``): the same quiet stop as a ``print`` to a closed pipe
        (:func:`assistant.main.main`), not rich's own ``SystemExit(1)``."""
        raise BrokenPipeError


def make_console() -> Console:
    """A console for answers: no highlighting or emoji codes, and no wrapping of its own."""
    return _AnswerConsole(highlight=False, emoji=False, soft_wrap=True)


def print_answer(answer: Answer, console: Console | None = None) -> None:
    console = console or make_console()
    width = console.width if console.is_terminal else None
    for line in lines(answer_blocks(answer, width), width):
        console.print(line, markup=False, highlight=False, emoji=False, soft_wrap=True)
