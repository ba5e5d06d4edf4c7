"""The tables of the eval report, as plain data: the console prints them with rich, report.md as Markdown.

Every row names its collection with its label, ``(tuned on)`` when the current default settings were
chosen on that collection's questions and ``(held out)`` otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .figures import FigureRef, TargetResult
from .gold import DIRECTIONS
from .harness import DEFAULT_MODE
from .suite import CollectionRun

DIRECTION_METRICS = ("Hit@1", "Hit@5", "MRR@10", "nDCG@10", "Recall@5", "Sentence")
"""The columns of the per-direction table (``Sentence``: answer-sentence accuracy)."""
MODE_ROWS = (
    FigureRef("overall", "Hit@5"), FigureRef("overall", "MRR@10"), FigureRef("overall", "nDCG@10"),
    FigureRef("overall", "Sentence"), FigureRef("abstention", "f1"), FigureRef("abstention", "auc"),
    FigureRef("conversation", "Hit@5"),
)
PACK_ROWS = (FigureRef("overall", "Hit@5"), FigureRef("overall", "MRR@10"), FigureRef("overall", "Sentence"),
             FigureRef("abstention", "f1"), FigureRef("abstention", "auc"), FigureRef("conversation", "Hit@5"))


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    note: str = ""
    numeric: tuple[bool, ...] = field(default=())
    """Per column: right-align it."""
    sections: tuple[int, ...] = ()
    """Row numbers before which a rule is drawn."""


def _name(run: CollectionRun, row: int) -> str:
    """The collection column: its name on the first row of its block, its label on the second."""
    if row == 0:
        return run.name
    if row == 1:
        pack = "" if run.pack == "on" else ", pack off"
        return f"({run.loaded.collection.label}{pack})"
    return ""


def num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def by_direction(runs: Sequence[CollectionRun], mode: str = DEFAULT_MODE) -> Table:
    """Per collection and language direction: the ranking figures and answer-sentence accuracy."""
    rows: list[tuple[str, ...]] = []
    sections = []
    for run in runs:
        summary = run.result(mode).summary
        sections.append(len(rows))
        groups = [("all", summary.overall)] + [(d, summary.direction[d]) for d in DIRECTIONS
                                               if d in summary.direction]
        for i, (name, figures) in enumerate(groups):
            rows.append((_name(run, i), name, str(figures.n),
                         *(num(figures.value(m)) for m in DIRECTION_METRICS)))
    return Table(f"Retrieval per collection and language direction ({mode}; answerable questions)",
                 ("collection", "direction", "n", *DIRECTION_METRICS), rows,
                 "Sentence: answer-sentence accuracy (the highlighted sentence overlaps a gold quote). "
                 "tuned on: the default settings were chosen on this collection; held out: they were not.",
                 (False, False, True, *(True,) * len(DIRECTION_METRICS)), tuple(sections[1:]))


def abstention(runs: Sequence[CollectionRun], mode: str = DEFAULT_MODE) -> Table:
    """Per collection: abstention and the confidence AUC."""
    rows: list[tuple[str, ...]] = []
    for run in runs:
        a = run.result(mode).summary.abstention
        unanswerable = sum(1 for q in run.loaded.questions if not q.answerable)
        rows.append((run.title, str(len(run.loaded.questions)), str(unanswerable), num(a.precision), num(a.recall),
                     num(a.f1), num(a.auc)))
    return Table(f"Abstention ({mode}; all questions, unanswerable = positive)",
                 ("collection", "questions", "unanswerable", "precision", "recall", "F1", "confidence AUC"), rows,
                 "confidence AUC: ROC AUC of the answer's confidence as a score for answerable against "
                 "unanswerable questions (scikit-learn's roc_auc_score; 0.5 is chance).",
                 (False,) + (True,) * 6)


def conversations(runs: Sequence[CollectionRun], mode: str = DEFAULT_MODE) -> Table:
    """Per collection: the conversation figures."""
    rows: list[tuple[str, ...]] = []
    for run in runs:
        c = run.result(mode).summary.conversation
        if c is None:
            rows.append((run.title, "0", *("—",) * 6))
            continue
        rows.append((run.title, str(c.conversations), f"{c.turns}", str(c.unanswerable), num(c.answered.hit5),
                     num(c.follow_up.hit5 if c.follow_up.n else None), num(c.answered.sentence),
                     num(c.abstention.recall if c.unanswerable else None)))
    return Table(f"Conversations ({mode}; each turn asked with the earlier questions as history)",
                 ("collection", "conversations", "turns", "no evidence", "Hit@5", "follow-up Hit@5", "Sentence",
                  "abstained (no evidence)"), rows,
                 "Hit@5 and Sentence over the turns with evidence; the last column is the share of the turns "
                 "without evidence on which the assistant abstained.",
                 (False,) + (True,) * 7)


def modes_side_by_side(runs: Sequence[CollectionRun]) -> Table:
    """Per collection, the key figures of every mode that was run."""
    modes = [r.name for r in runs[0].results] if runs else []
    rows: list[tuple[str, ...]] = []
    sections = []
    for run in runs:
        sections.append(len(rows))
        for i, ref in enumerate(MODE_ROWS):
            rows.append((_name(run, i), ref.label,
                         *(num(ref.of(r.summary)) for r in run.results)))
        rows.append(("", "ms per question", *(f"{1000 * r.seconds / max(len(r.outcomes) + len(r.turns), 1):.0f}"
                                             for r in run.results)))
    columns = tuple(f"{m} ★" if m == DEFAULT_MODE else m for m in modes)
    return Table("Every mode side by side", ("collection", "figure", *columns), rows,
                 "★ the default mode. ms per question: wall time per question or turn, query vectors included "
                 "unless a previous run had encoded the same text.",
                 (False, False, *(True,) * len(modes)), tuple(sections[1:]))


def packs(on: Sequence[CollectionRun], off: Sequence[CollectionRun], mode: str = DEFAULT_MODE) -> Table:
    """The domain pack on against off, per collection: direction Hit@5 and MRR@10 and the other figures."""
    rows: list[tuple[str, ...]] = []
    sections = []
    by_name = {r.name: r for r in off}
    for run in on:
        other = by_name.get(run.name)
        if other is None:
            continue
        a, b = run.result(mode).summary, other.result(mode).summary
        refs = [*PACK_ROWS] + [FigureRef("direction", m, d) for d in DIRECTIONS if d in a.direction
                               for m in ("Hit@5", "MRR@10")]
        sections.append(len(rows))
        for i, ref in enumerate(refs):
            x, y = ref.of(a), ref.of(b)
            rows.append((_name(run, i), ref.label, num(x), num(y),
                         num(None if x is None or y is None else x - y, signed=True)))
    return Table(f"Domain pack (bundled breast-oncology glossary) on and off ({mode})",
                 ("collection", "figure", "pack on", "pack off", "on − off"), rows,
                 "Each setting has its own index (the pack changes what passages are indexed with).",
                 (False, False, True, True, True), tuple(sections[1:]))


def targets(results: Sequence[tuple[CollectionRun, Sequence[TargetResult]]]) -> Table:
    """The quality targets, measured on every collection."""
    first = results[0][1] if results else []
    rows: list[tuple[str, ...]] = []
    for i, t in enumerate(first):
        cells = []
        for _, found in results:
            r = found[i]
            cells.append(f"{num(r.measured)} {'✓' if r.met else '✗'}")
        rows.append((t.target.label, f"≥ {t.target.minimum:.2f}", *cells))
    return Table("Quality targets (default mode)", ("target", "goal", *(run.title for run, _ in results)), rows,
                 "✓ met, ✗ not met.", (False, True, *(True,) * len(results)))
