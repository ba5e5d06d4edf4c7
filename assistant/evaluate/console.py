"""What ``assistant eval`` prints: the report's tables, the gate's verdict, the tuning folds."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from ..text import printable
from .gate import Comparison
from .tables import Table
from .tune import Tuning, changes_label


def print_table(table: Table, console: Console) -> None:
    out = RichTable(title=table.title, title_justify="left", header_style="bold", caption=table.note or None,
                    caption_justify="left")
    for i, name in enumerate(table.columns):
        right = table.numeric[i] if i < len(table.numeric) else False
        out.add_column(name, justify="right" if right else "left", overflow="fold")
    for i, row in enumerate(table.rows):
        if i in table.sections:
            out.add_section()
        out.add_row(*(printable(c) for c in row))
    console.print(out)


def print_check(comparisons: Sequence[Comparison], path: str, console: Console) -> None:
    table = RichTable(title=f"Regression gate against {path}", title_justify="left", header_style="bold")
    table.add_column("figure")
    table.add_column("expected", justify="right")
    table.add_column("measured", justify="right")
    table.add_column("change", justify="right")
    table.add_column("")
    styles = {"drop": "bold red", "missing": "bold red", "better": "green", "ok": ""}
    for c in comparisons:
        measured = "—" if c.measured is None else f"{c.measured:.3f}"
        change = "" if c.measured is None else f"{c.measured - c.expected:+.3f}"
        table.add_row(c.name, f"{c.expected:.3f}" if c.figure else "—", measured, change,
                      Text(c.status, style=styles[c.status]))
    tol = comparisons[0].tolerance if comparisons else 0.0
    table.caption = f"a figure fails when it falls more than {tol:.3f} below the expected value"
    console.print(table)
    drops = [c for c in comparisons if c.failed]
    better = [c for c in comparisons if c.status == "better"]
    for c in drops:
        what = c.note or ("is missing" if c.measured is None else f"fell from {c.expected:.3f} to {c.measured:.3f}")
        console.print(Text(f"DROP: {c.name} {what}", style="bold red"))
    if better:
        console.print(Text(f"{len(better)} figure(s) improved beyond the tolerance; if intended, record them with "
                           "`assistant eval --update-expected` and commit evals/expected.json.", style="green"))
    if not drops:
        console.print(Text("gate passed: no figure fell below expected − tolerance.", style="green"))


def print_tuning(tuning: Tuning, console: Console) -> None:
    """The leave-one-collection-out folds: the choice made on the other collections, and what it scores on
    the held-out one against the current settings."""
    table = RichTable(title=f"Leave-one-collection-out tuning ({tuning.mode}; objective: {tuning.objective_name})",
                      title_justify="left", header_style="bold")
    for name, right in (("held out", False), ("chosen on the others", False), ("train obj.", True),
                        ("held-out obj.", True), ("current", True), ("Δ", True)):
        table.add_column(name, justify="right" if right else "left", overflow="fold")
    for fold in tuning.folds:
        delta = fold.held_out.objective - fold.current.objective
        table.add_row(fold.held_out_name, printable(changes_label(fold.chosen.changes)), f"{fold.train_objective:.3f}",
                      f"{fold.held_out.objective:.3f}", f"{fold.current.objective:.3f}",
                      Text(f"{delta:+.3f}", style="green" if delta > 0.0005 else "red" if delta < -0.0005 else "dim"))
    table.caption = ("held-out obj.: the chosen setting on the held-out collection (a held-out figure); current: "
                     "the current settings there. Full table: tuning.md")
    console.print(table)
    console.print(Text(f"Tuned on all collections (not a held-out figure): "
                       f"{changes_label(tuning.overall.changes)}, mean objective {tuning.overall_objective:.3f}",
                       style="bold"), markup=False, highlight=False)
