"""Render answers for the terminal with rich.

Document text is always added as plain :class:`rich.text.Text`, never parsed as markup, so a passage
that contains "[bold]" or "[link=…]" is shown exactly as written. Every string is also passed through
:func:`printable` first: rich keeps ESC and most other control characters, so a file name, a title or a
user glossary entry carrying a terminal escape sequence would otherwise reach the terminal.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..records import Answer, Citation
from ..text import printable

ABSTAIN = "No passage in the documents answers this."

def location(c: Citation) -> str:
    """Where a cited passage is: ``file.md:12-18``, or for a paged document ``file.pdf p. 3–4:120-141``
    (pages, then lines of the extracted text), with ``(OCR)`` when its text was recognised by OCR."""
    p = c.passage
    if p.page_start is None:
        return f"{p.doc}:{p.line_start}-{p.line_end}"
    pages = f"p. {p.page_start}" if p.page_end in (None, p.page_start) else f"p. {p.page_start}–{p.page_end}"
    return f"{p.doc} {pages}:{p.line_start}-{p.line_end}" + (" (OCR)" if p.ocr else "")


def citation_text(c: Citation, width: int | None = None) -> Text:
    p = c.passage
    out = Text()
    out.append(f"[{c.rank}] ", style="bold cyan")
    out.append(printable(p.title), style="bold")
    if p.section:
        out.append(" — ")
        out.append(printable(p.section), style="italic")
    out.append("\n    ")
    out.append(printable(location(c)), style="green")
    out.append(f"  score {c.score:.3f}\n    ", style="dim")
    text = p.text
    if c.best_sentence:
        b, e = c.best_sentence
        out.append(printable(text[:b]))
        out.append(printable(text[b:e]), style="bold yellow")
        out.append(printable(text[e:]))
    else:
        out.append(printable(text))
    if c.hints:
        out.append("\n    Terms: ", style="dim")
        for i, h in enumerate(c.hints):
            if i:
                out.append("; ", style="dim")
            out.append(printable(h.term))
            out.append(printable(f" = {h.gloss}"), style="dim")
    return out


def answer_text(answer: Answer) -> Text:
    out = Text()
    out.append(printable(answer.question), style="bold")
    out.append(f"   ({answer.language}, {answer.mode})\n", style="dim")
    if answer.searched and answer.searched != answer.question:
        out.append("Searched: ", style="dim")
        out.append(printable(answer.searched) + "\n")
    out.append("Expanded: ", style="dim")
    out.append(printable(answer.expanded_query) + "\n")
    for notice in answer.notices:
        out.append(printable(f"Note: {notice}") + "\n", style="magenta")
    if answer.abstained:
        out.append(f"\n{ABSTAIN}\n", style="bold red")
        if answer.citations:
            out.append("Nearest passages (not answers):\n", style="dim")
    out.append("\n")
    for c in answer.citations:
        out.append_text(citation_text(c))
        out.append("\n\n")
    out.rstrip()
    return out


def print_answer(answer: Answer, console: Console | None = None) -> None:
    console = console or Console(highlight=False, emoji=False)
    console.print(answer_text(answer), markup=False, highlight=False, emoji=False)
