"""The conversation as data (one :class:`Turn` per question) and its Markdown export.

The export is CommonMark: every character of a question, a title or a passage is written literally
(ASCII punctuation backslash-escaped, so ``# * _ [ ] < >`` in a question stay what they are), and the
best sentence of a passage is marked with ``<strong>``, not ``**``: CommonMark's flanking rules do not
let ``**`` close after Chinese punctuation followed by a Chinese character (``。**氟``), so the
asterisks would stay on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import present
from ..present import plural
from ..records import Answer, Citation, Hint
from .text import ABSTAIN, language_name

WAITING, SEARCHING, ANSWERED, CANCELLED, FAILED = "waiting", "searching", "answered", "cancelled", "failed"


@dataclass
class Turn:
    """One question of the conversation and what became of it."""

    ticket: int
    question: str
    history: tuple[str, ...]
    """The earlier questions of the conversation, passed to ``ask(history=...)`` for follow-ups."""
    k: int
    mode: str
    state: str = WAITING
    answer: Answer | None = None
    error: str = ""
    stored: int | None = None
    """The turn's id in the chat's history, once written there."""


_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def escape(text: str) -> str:
    """``text`` as literal CommonMark inline text: every ASCII punctuation character backslash-escaped
    (always allowed in CommonMark), line breaks kept as soft breaks, spaces at the ends of lines dropped
    (four at the start would begin a code block)."""
    return _trim_lines(_escaped(text))


def _escaped(text: str) -> str:
    return _PUNCT.sub(r"\\\1", text.replace("\r", ""))


def _trim_lines(markdown: str) -> str:
    return "\n".join(line.strip(" \t") for line in markdown.split("\n"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _quote(markdown: str) -> str:
    return "\n".join("> " + line if line else ">" for line in markdown.split("\n"))


def _marked(text: str, span: tuple[int, int] | None) -> str:
    """The passage text, escaped, with ``span`` in ``<strong>`` (tags on each line of it, so that a
    paragraph break inside the sentence cannot leave a tag open)."""
    if not span:
        return escape(text)
    b, e = span
    best = "\n".join(f"<strong>{escape(part)}</strong>" if part.strip() else part for part in text[b:e].split("\n"))
    # the pieces are trimmed only where lines end, so the space between two sentences stays
    return _trim_lines(_escaped(text[:b]) + best + _escaped(text[e:]))


def _hints(hints: tuple[Hint, ...]) -> str:
    return "; ".join(f"{escape(_one_line(h.term))} = {escape(_one_line(h.gloss))}" for h in hints)


def citation_markdown(c: Citation, hints: bool, top: float) -> str:
    p = c.passage
    head = f"### {escape(f'[{c.rank}] ' + _one_line(p.title))}"
    where = present.place(p, section=True).replace(present.NBSP, " ")
    parts = [head, "", escape(_one_line(where)) + " · " + present.match_label(c.score, top), "",
             _quote(_marked(p.text, c.best_sentence))]
    if hints and c.hints:
        parts += ["", "Terms: " + _hints(c.hints)]
    return "\n".join(parts)


def answer_markdown(answer: Answer, k: int) -> list[str]:
    parts: list[str] = []
    if answer.abstained:
        parts += [escape(ABSTAIN), ""]
    statements = []
    for st in answer.statements:
        line = f"{escape(_one_line(st.text))} \\[{st.citation}\\]"
        if answer.language == "en" and st.hints:
            line += f"  \n{_hints(st.hints)}"
        statements.append(line)
    if statements:
        parts += ["Answer:", "", _quote("\n\n".join(statements)), ""]
    for line in (present.uncovered_line(answer), present.also_searched_line(answer)):
        if line:
            parts += [escape(line[0].upper() + line[1:]), ""]
    meta = f"{language_name(answer.language)} question · {answer.mode} · {plural(len(answer.citations), 'passage')}"
    if answer.searched and answer.searched != answer.question:
        meta += f" · searched with the earlier question: {_one_line(answer.searched)}"
    parts += [escape(meta), ""]
    for notice in present.notices(answer):
        parts += [escape("Note: " + _one_line(notice)), ""]
    if answer.abstained and answer.citations:
        parts += ["Nearest passages (not answers):", ""]
    top = max((c.score for c in answer.citations), default=0.0)
    for c in answer.citations:
        parts += [citation_markdown(c, answer.language == "en", top), ""]
    return parts


HEADING_CHARS = 200
"""A longer question is folded in its heading and quoted whole below it."""


def turn_markdown(number: int, turn: Turn) -> str:
    question = _one_line(turn.question)
    if len(question) <= HEADING_CHARS:
        parts = [f"## {number}\\. {escape(question)}", ""]
    else:
        head = escape(question[:HEADING_CHARS].rstrip())
        parts = [f"## {number}\\. {head} {escape(present.folded_note(len(question)))}", "",
                 _quote(escape(turn.question)), ""]
    answer = turn.answer
    if answer is None:
        parts.append(escape(turn.error or f"Not answered ({turn.state})."))
        return "\n".join(parts)
    parts += answer_markdown(answer, turn.k)
    return "\n".join(parts).rstrip()


def conversation_markdown(turns: list[Turn], now: datetime | None = None) -> str:
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    body = [turn_markdown(i, t) for i, t in enumerate(turns, 1)]
    return "\n\n".join(["# Conversation", f"Exported {stamp}; {plural(len(turns), 'question')}.", *body]) + "\n"


def export(turns: list[Turn], directory: Path, now: datetime | None = None) -> Path:
    """Write the conversation to a new file in ``directory`` (created if missing); an existing file is
    never overwritten. Raises OSError."""
    now = now or datetime.now()
    stamp = now.strftime("%Y%m%d-%H%M%S")
    text = conversation_markdown(turns, now)
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = directory / (f"conversation-{stamp}.md" if n == 1 else f"conversation-{stamp}-{n}.md")
        try:
            with path.open("x", encoding="utf-8") as fh:
                fh.write(text)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"too many exports named conversation-{stamp}*.md in {directory}")
