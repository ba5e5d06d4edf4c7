"""Failures you can read: every miss of a mode on a collection (questions and conversation turns), with
the expected quote and what was retrieved instead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text

from ..text import printable
from .figures import TOP
from .metrics import Outcome

SHOWN = 3
"""Retrieved passages shown per failure."""

KINDS = {
    "miss": f"no relevant passage in the top {TOP}",
    "abstained": "answerable, but the assistant abstained",
    "answered": "unanswerable, but the assistant answered",
}


@dataclass(frozen=True)
class Shown:
    rank: int
    doc: str
    section: str
    snippet: str
    score: float
    relevant: bool


@dataclass(frozen=True)
class Failure:
    kind: str
    """``miss``, ``abstained`` or ``answered`` (see :data:`KINDS`)."""
    qid: str
    question_kind: str
    """The gold kind (``factual``…), or ``opening`` / ``follow-up`` for a conversation turn."""
    direction: str
    question: str
    expected: tuple[str, ...]
    retrieved: tuple[Shown, ...]
    confidence: float
    first_hit: int | None
    history: tuple[str, ...] = ()
    """For a conversation turn: the questions asked before it."""


def shorten(text: str, limit: int = 90) -> str:
    text = " ".join(printable(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def collect(outcomes: Sequence[Outcome]) -> list[Failure]:
    out: list[Failure] = []
    for o in outcomes:
        q = o.question
        kinds = []
        if q.answerable and (o.first_hit is None or o.first_hit > TOP):
            kinds.append("miss")
        if q.answerable and o.abstained:
            kinds.append("abstained")
        if not q.answerable and not o.abstained:
            kinds.append("answered")
        shown = tuple(
            Shown(i, r.doc, r.section, shorten(r.text, 120), r.score, bool(o.matches[i - 1]))
            for i, r in enumerate(o.retrieved[: (1 if not q.answerable else SHOWN)], 1)
        )
        for kind in kinds:
            out.append(Failure(kind, q.id, q.kind, q.direction, q.question,
                               tuple(shorten(e.quote) for e in q.evidence), shown, o.confidence, o.first_hit,
                               q.history))
    return out


def counts(failures: Sequence[Failure]) -> dict[str, int]:
    return {kind: sum(1 for f in failures if f.kind == kind) for kind in KINDS}


def print_failures(failures: Sequence[Failure], mode: str, console: Console, where: str = "") -> None:
    c = counts(failures)
    on = f" on {where}" if where else ""
    console.print(Text(f"\nFailures of {mode}{on}: " + "; ".join(f"{KINDS[k]}: {n}" for k, n in c.items()),
                       style="bold"))
    for f in failures:
        head = Text()
        head.append(f"\n{f.qid}", style="bold cyan")
        head.append(f"  {f.kind}  {f.question_kind}  {f.direction}  confidence {f.confidence:.3f}", style="dim")
        if f.kind == "miss":
            head.append(f"  first relevant at rank {f.first_hit}" if f.first_hit else "  nothing relevant in top 10",
                        style="dim")
        for earlier in f.history:
            head.append("\n  earlier: ", style="dim")
            head.append(printable(earlier), style="dim")
        head.append("\n  ")
        head.append(printable(f.question), style="bold")
        for quote in f.expected:
            head.append("\n  expected: ", style="green")
            head.append(quote)
        for s in f.retrieved:
            head.append(f"\n  [{s.rank}] ", style="cyan")
            head.append("relevant " if s.relevant else "", style="green")
            head.append(shorten(s.section, 50), style="italic")
            head.append(f"  {s.score:.3f}\n      ", style="dim")
            head.append(s.snippet)
        console.print(head, markup=False, highlight=False, emoji=False)


def _md(text: str) -> str:
    return printable(text).replace("|", "\\|").replace("\n", " ")


def markdown(groups: Sequence[tuple[str, Sequence[Failure]]], mode: str) -> str:
    """The failure lists as Markdown (``failures.md``): one section per collection, ``groups`` being
    (collection title, its failures)."""
    lines = [f"# Failures of `{mode}`", "",
             "Written by `assistant eval`: for each collection, every answerable question or conversation turn "
             f"with no relevant passage in the top {TOP}, every one the assistant wrongly abstained on, and every "
             "unanswerable one it answered, with the expected quotes and what was retrieved instead.", ""]
    lines += [f"- [{title}](#{_anchor(title)}): " + "; ".join(f"{KINDS[k]}: {n}" for k, n in counts(found).items())
              for title, found in groups]
    lines.append("")
    for title, found in groups:
        lines += [f"## {title}", ""]
        lines += _section(found)
    return "\n".join(lines).rstrip() + "\n"


def _anchor(title: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    kept = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


def _section(failures: Sequence[Failure]) -> list[str]:
    lines: list[str] = []
    for kind, title in KINDS.items():
        group = [f for f in failures if f.kind == kind]
        lines += [f"### {title[0].upper() + title[1:]} ({len(group)})", ""]
        if not group:
            lines += ["None.", ""]
        for f in group:
            where = ""
            if kind == "miss":
                where = f", first relevant at rank {f.first_hit}" if f.first_hit else ", nothing relevant in the top 10"
            lines.append(f"#### {f.qid} · {f.question_kind} · {f.direction} · confidence {f.confidence:.3f}{where}")
            lines.append("")
            if f.history:
                lines += [f"*earlier:* {' → '.join(_md(h) for h in f.history)}", ""]
            lines += [f"**Q:** {_md(f.question)}", ""]
            lines += [f"- expected: «{_md(q)}»" for q in f.expected]
            for s in f.retrieved:
                mark = " ✅ relevant" if s.relevant else ""
                lines.append(f"- [{s.rank}] `{_md(s.doc)}` — {_md(shorten(s.section, 60))} ({s.score:.3f}){mark}: "
                             f"{_md(s.snippet)}")
            lines.append("")
    return lines
