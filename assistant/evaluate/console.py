"""What ``assistant eval`` prints: the side-by-side table, the targets, the gate's verdict."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..text import printable
from .figures import FigureRef, ModeResult, TargetResult
from .gate import Comparison
from .metrics import RANKING_METRICS

DIRECTION_ROWS = ("Hit@1", "Hit@5", "MRR@10")
KIND_ROWS = ("Hit@5", "MRR@10")
SHORT = {"chunk_size": "chunk", "chunk_overlap": "overlap"}
ABSTENTION_ROWS = (("precision", "precision"), ("recall", "recall"), ("F1", "f1"))


def table_rows(results: Sequence[ModeResult]) -> list[tuple[str, str, str, list[float | None]]]:
    """(section, label, n, values per mode) for every row of the side-by-side table."""
    first = results[0].summary
    rows: list[tuple[str, str, str, list[float | None]]] = []

    def add(section: str, label: str, n: str, ref: FigureRef) -> None:
        rows.append((section, label, n, [ref.of(r.summary) for r in results]))

    n_all = str(first.overall.n)
    for i, m in enumerate(RANKING_METRICS):
        add("overall", m, n_all if i == 0 else "", FigureRef("overall", m))
    unanswerable = sum(1 for o in results[0].outcomes if not o.question.answerable)
    for i, (label, key) in enumerate(ABSTENTION_ROWS):
        add("abstention", f"abstention {label}", f"{unanswerable} unans." if i == 0 else "",
            FigureRef("abstention", key))
    for direction, values in first.direction.items():
        for i, m in enumerate(DIRECTION_ROWS):
            add("direction", f"{direction} {m}", str(values.n) if i == 0 else "", FigureRef("direction", m, direction))
    for kind, values in first.kind.items():
        for i, m in enumerate(KIND_ROWS):
            add("kind", f"{kind} {m}", str(values.n) if i == 0 else "", FigureRef("kind", m, kind))
    return rows


def print_table(results: Sequence[ModeResult], default: str, console: Console) -> None:
    table = Table(title="Retrieval quality on the gold set (answerable questions; abstention over all)",
                  title_justify="left", header_style="bold")
    table.add_column("figure")
    table.add_column("n", justify="right", style="dim")
    for r in results:
        table.add_column(f"{r.name} ★" if r.name == default else r.name, justify="right",
                         style="bold" if r.name == default else None)
    section = ""
    for sec, label, n, values in table_rows(results):
        if section and sec != section:
            table.add_section()
        section = sec
        best = max((v for v in values if v is not None), default=None)
        cells = []
        for v in values:
            if v is None:
                cells.append(Text("—", style="dim"))
            else:
                cells.append(Text(f"{v:.3f}", style="green" if len(values) > 1 and v == best else ""))
        table.add_row(label, n, *cells)
    seconds = ", ".join(f"{r.name} {r.seconds:.0f}" for r in results)
    table.caption = f"★ default mode · green: best of the row · seconds: {seconds}"
    console.print(table)


def print_targets(targets: Sequence[TargetResult], mode: str, console: Console) -> None:
    table = Table(title=f"Quality targets ({mode})", title_justify="left", header_style="bold")
    table.add_column("target")
    table.add_column("goal", justify="right")
    table.add_column("measured", justify="right")
    table.add_column("")
    for t in targets:
        measured = "—" if t.measured is None else f"{t.measured:.3f}"
        verdict = Text("met", style="green") if t.met else Text("NOT MET", style="bold red")
        table.add_row(t.target.label, f"≥ {t.target.minimum:.2f}", measured, verdict)
    console.print(table)
    for t in targets:
        if not t.met:
            console.print(Text(f"  not met: {t.target.label}: {printable(t.why)}", style="red"),
                          markup=False, highlight=False)


def print_check(comparisons: Sequence[Comparison], path: str, console: Console) -> None:
    table = Table(title=f"Regression gate against {path}", title_justify="left", header_style="bold")
    table.add_column("figure")
    table.add_column("expected", justify="right")
    table.add_column("measured", justify="right")
    table.add_column("change", justify="right")
    table.add_column("")
    styles = {"drop": "bold red", "missing": "bold red", "better": "green", "ok": ""}
    for c in comparisons:
        measured = "—" if c.measured is None else f"{c.measured:.3f}"
        change = "" if c.measured is None else f"{c.measured - c.expected:+.3f}"
        table.add_row(c.name, f"{c.expected:.3f}", measured, change, Text(c.status, style=styles[c.status]))
    tol = comparisons[0].tolerance if comparisons else 0.0
    table.caption = f"a figure fails when it falls more than {tol:.3f} below the expected value"
    console.print(table)
    drops = [c for c in comparisons if c.failed]
    better = [c for c in comparisons if c.status == "better"]
    for c in drops:
        what = "is missing" if c.measured is None else f"fell from {c.expected:.3f} to {c.measured:.3f}"
        console.print(Text(f"DROP: {c.name} {what}", style="bold red"))
    if better:
        console.print(Text(f"{len(better)} figure(s) improved beyond the tolerance; if intended, record them with "
                           "`assistant eval --update-expected` and commit evals/expected.json.", style="green"))
    if not drops:
        console.print(Text("gate passed: no figure fell below expected − tolerance.", style="green"))


def print_tuning(tuning: dict[str, Any], console: Console) -> None:
    """The tuning rows, compact enough for an 80-column terminal (full table in tuning.md)."""
    zh5, en5 = FigureRef("direction", "Hit@5", "zh→zh"), FigureRef("direction", "Hit@5", "en→zh")
    hit5, mrr, f1 = FigureRef("overall", "Hit@5"), FigureRef("overall", "MRR@10"), FigureRef("abstention", "f1")
    columns = (("zh H5", "figures", zh5), ("en H5", "figures", en5), ("MRR", "figures", mrr), ("F1", "figures", f1),
               ("ΔH5", "delta", hit5), ("ΔMRR", "delta", mrr), ("ΔF1", "delta", f1))
    table = Table(title=f"What each choice is worth ({tuning['mode']}; Δ vs current settings)",
                  title_justify="left", header_style="bold", box=None, pad_edge=False)
    table.add_column("choice", no_wrap=True, overflow="ellipsis", max_width=24)
    for name, part, _ in columns:
        table.add_column(name, justify="right", no_wrap=True, min_width=6 if part == "delta" else 5)
    table.caption = ("zh H5 / en H5: Hit@5 of zh→zh / en→zh questions; MRR: MRR@10; F1: abstention F1; "
                     "Δ: against the current settings (full table in tuning.md)")
    for row in tuning["rows"]:
        label = "current settings" if row["group"] == "current" else \
            " ".join(f"{SHORT.get(k, k)}={v}" for k, v in row["changes"].items()
                     if (k, v) != ("fusion", "zscore") or len(row["changes"]) == 1)
        cells = []
        for _, part, ref in columns:
            value = row[part].get(ref.label)
            if value is None:
                cells.append(Text("—", style="dim"))
            elif part == "delta":
                style = "green" if value > 0.0005 else "red" if value < -0.0005 else "dim"
                cells.append(Text(f"{value:+.3f}", style=style))
            else:
                cells.append(Text(f"{value:.3f}"))
        table.add_row(printable(label), *cells)
    console.print(table)
