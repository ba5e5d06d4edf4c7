"""The conversation as data (one :class:`Turn` per question) and its Markdown export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..records import Answer, Citation
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


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines() or [""])


def citation_markdown(c: Citation, hints: bool) -> str:
    p = c.passage
    lines = f"{p.line_start}" if p.line_start == p.line_end else f"{p.line_start}-{p.line_end}"
    head = f"**[{c.rank}] {p.title}**"
    if p.section:
        head += f" — {p.section}"
    head += f"  \n`{p.doc}:{lines}` · score {c.score:.3f}"
    text = p.text
    if c.best_sentence:
        b, e = c.best_sentence
        text = f"{text[:b]}**{text[b:e]}**{text[e:]}"
    parts = [head, "", _quote(text)]
    if hints and c.hints:
        parts += ["", "Terms: " + "; ".join(f"{h.term} = {h.gloss}" for h in c.hints)]
    return "\n".join(parts)


def turn_markdown(number: int, turn: Turn) -> str:
    parts = [f"## {number}. {turn.question}", ""]
    answer = turn.answer
    if answer is None:
        parts.append(f"_{turn.error or 'Not answered (' + turn.state + ')'}_")
        return "\n".join(parts)
    language = f"{language_name(answer.language)} ({answer.language})"
    parts.append(f"- Language: {language} · mode {answer.mode} · k {turn.k}")
    if answer.searched and answer.searched != answer.question:
        parts.append(f"- Searched: {answer.searched}")
    parts.append(f"- Expanded: {answer.expanded_query}")
    parts.append("")
    if answer.abstained:
        parts += [f"**{ABSTAIN}**", "", "Nearest passages (not answers):", ""]
    for c in answer.citations:
        parts += [citation_markdown(c, answer.language == "en"), ""]
    return "\n".join(parts).rstrip()


def conversation_markdown(turns: list[Turn]) -> str:
    body = [turn_markdown(i, t) for i, t in enumerate(turns, 1)]
    return "\n\n".join(["# Conversation", *body]) + "\n"


def export(turns: list[Turn], directory: Path, now: datetime | None = None) -> Path:
    """Write the conversation to a new file in ``directory``; an existing file is never overwritten."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    text = conversation_markdown(turns)
    for n in range(1, 1000):
        path = directory / (f"conversation-{stamp}.md" if n == 1 else f"conversation-{stamp}-{n}.md")
        try:
            with path.open("x", encoding="utf-8") as fh:
                fh.write(text)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"too many exports named conversation-{stamp}*.md in {directory}")
