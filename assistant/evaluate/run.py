"""``assistant eval``: retrieval quality on every gold collection, every mode side by side.

Each collection of ``--collections`` (default ``evals/collections``; ``--collection NAME[,NAME]`` picks
some) is evaluated on its own index; ``--gold FILE`` evaluates one gold file over ``--seeds`` instead.
Prints the tables and writes report.json, report.md (with quality.png), run.trec and failures.md into
``--out``. ``--failures`` also prints every miss; ``--check`` / ``--update-expected`` run the default
mode against ``evals/expected.json``; ``--pack on|off|both`` evaluates with the domain pack on, off or
both; ``--tune`` (and ``--tune-chunks``) run leave-one-collection-out tuning.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

from ..errors import UsageError
from ..settings import Settings
from .collection import PACKS, Collection, Loaded, Pack, adhoc, discover, load, pack_of, select
from .harness import DEFAULT_MODE, MODES, Mode, Tick
from .suite import CollectionRun, Shared

ROOT = Path(__file__).resolve().parents[2]


def _log(message: str) -> None:
    print(f"eval: {message}", file=sys.stderr, flush=True)


def select_modes(text: str | None) -> list[Mode]:
    if not text:
        return list(MODES)
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = {m.name: m for m in MODES}
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise UsageError(f"unknown mode {', '.join(unknown) or repr(text)}; choose from {', '.join(known)}")
    return [known[n] for n in dict.fromkeys(names)]


def select_packs(text: str | None, settings: Settings) -> list[Pack]:
    if not text:
        return [pack_of(settings)]
    if text == "both":
        return list(PACKS)
    if text in PACKS:
        return ["on" if text == "on" else "off"]
    raise UsageError(f"--pack must be on, off or both, not {text!r}")


def _default(path: Path) -> Path:
    """``path`` relative to the working folder, else to the source tree."""
    return path if path.exists() or path.is_absolute() else ROOT / path if (ROOT / path).exists() else path


def collections_of(args: argparse.Namespace, settings: Settings) -> tuple[list[Collection], Path]:
    """The collections to run, and the expected-figures file that goes with them."""
    gold = getattr(args, "gold", None)
    expected = getattr(args, "expected", None)
    if gold is not None:
        if getattr(args, "collection", None):
            raise UsageError("--gold and --collection cannot be combined")
        return [adhoc(gold, settings.seeds)], expected or gold.parent / "expected.json"
    root = _default(getattr(args, "collections", None) or Path("evals/collections"))
    chosen = select(discover(root), getattr(args, "collection", None))
    return chosen, expected or root.parent / "expected.json"


@contextmanager
def progress_bars() -> Iterator[Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    with bar:
        yield bar


def ticker(bar: Any, label: str) -> Tick:
    if bar.tasks:  # one line at a time: reuse the bar
        task = bar.tasks[0].id
        bar.reset(task, total=None, description=label)
    else:
        task = bar.add_task(label, total=None)

    def tick(phase: str, done: int, total: int) -> None:
        what = "encoding queries" if phase == "encode" else "asking"
        bar.update(task, description=f"{label}: {what}", completed=done, total=total)

    return tick


def missing_packages() -> list[str]:
    """The eval extras that are not installed."""
    import importlib.util

    return [name for name, module in (("ir-measures", "ir_measures"), ("matplotlib", "matplotlib"),
                                      ("scikit-learn", "sklearn"))
            if importlib.util.find_spec(module) is None]


def _index_progress(bar: Any, tasks: dict[str, Any], name: str) -> Any:
    def progress(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(f"{name}: index: {stage}", total=total or None)
        bar.update(tasks[stage], completed=done, total=total or None)

    return progress


def open_all(loaded: Sequence[Loaded], settings: Settings, pack: Pack, shared: Shared,
             **index_changes: Any) -> list[Any]:
    """The assistants over each collection's index, built or refreshed first (with progress bars)."""
    from .suite import open_collection

    out = []
    with progress_bars() as bar:
        for item in loaded:
            tasks: dict[str, Any] = {}
            progress = _index_progress(bar, tasks, item.name)
            assistant = open_collection(item, settings, pack, shared, progress, **index_changes)
            report = assistant.report
            if report is not None and report.rebuilt:
                bar.console.print(f"eval: {item.name}: indexed {report.documents} documents into "
                                  f"{report.passages} passages in {report.seconds:.1f} s", highlight=False,
                                  markup=False)
            for task in tasks.values():
                bar.remove_task(task)
            out.append(assistant)
    return out


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from . import gate

    missing = missing_packages()
    if missing:
        print(f"assistant: error: assistant eval needs {' and '.join(missing)}; install them with "
              "pip install -e '.[eval]'", file=sys.stderr)
        return 1

    update = bool(getattr(args, "update_expected", False))
    check = bool(getattr(args, "check", False))
    tune = bool(getattr(args, "tune", False) or getattr(args, "tune_chunks", False))
    gate_only = check or update
    modes = select_modes(getattr(args, "modes", None))
    if (gate_only or tune) and getattr(args, "modes", None) and DEFAULT_MODE not in [m.name for m in modes]:
        raise UsageError(f"--check, --update-expected and --tune measure the default mode ({DEFAULT_MODE})")
    if gate_only or tune:
        modes = [m for m in MODES if m.name == DEFAULT_MODE]
    packs = select_packs(getattr(args, "pack", None), settings)
    if tune and len(packs) > 1:
        raise UsageError("--tune runs with one domain pack setting: --pack on or --pack off")
    collections, expected_path = collections_of(args, settings)
    if tune and len(collections) < 2:
        raise UsageError("leave-one-collection-out tuning needs at least two collections")
    loaded = [load(c) for c in collections]
    expected = None
    if check:
        try:
            expected = gate.load_expected(expected_path)
        except gate.ExpectedError as exc:
            raise UsageError(str(exc)) from None
    started = time.perf_counter()
    shared = Shared(settings)
    console = Console(highlight=False, emoji=False)
    try:
        if tune:
            return _tune(loaded, settings, packs[0], shared, args, modes[0], console)
        runs = _evaluate(loaded, settings, packs, shared, modes)
    finally:
        shared.save()
    if gate_only:
        code = _gate(runs, expected, expected_path, update, console)
        if getattr(args, "failures", False):
            _print_failures(runs, console)
        return code
    return _report(runs, settings, args, started, console)


def _evaluate(loaded: Sequence[Loaded], settings: Settings, packs: Sequence[Pack], shared: Shared,
              modes: Sequence[Mode]) -> list[CollectionRun]:
    from .suite import evaluate

    runs = []
    for pack in packs:
        assistants = open_all(loaded, settings, pack, shared)
        with progress_bars() as bar:
            def status(text: str) -> None:
                bar.console.print(f"eval: {text}", highlight=False, markup=False)

            for item, assistant in zip(loaded, assistants, strict=True):
                runs.append(evaluate(assistant, item, modes, pack, lambda label: ticker(bar, label), status))
    return runs


def _gate(runs: Sequence[CollectionRun], expected: Any, path: Path, update: bool, console: Console) -> int:
    from . import gate
    from .console import print_check

    measured = [(r.name, r.pack, r.result(DEFAULT_MODE).summary) for r in runs]
    if update:
        old = None
        try:
            old = gate.load_expected(path)
        except gate.ExpectedError:
            old = None
        entries = [gate.entry_for(r.name, r.pack, r.result(DEFAULT_MODE).summary, len(r.loaded.questions),
                                  len(r.loaded.turns)) for r in runs]
        document = gate.updated(old, DEFAULT_MODE, entries)
        gate.write_expected(path, document)
        print_check(gate.compare(document, measured), str(path), console)
        _log(f"wrote the expected figures of {', '.join(r.title for r in runs)} to {path}")
        return 0
    assert expected is not None
    comparisons = gate.compare(expected, measured)
    print_check(comparisons, str(path), console)
    return 1 if gate.failed(comparisons) else 0


def _targets(runs: Sequence[CollectionRun]) -> list[Any]:
    from .figures import check_targets, threshold_in_effect
    from .harness import mode_named

    out = []
    for run in runs:
        main = run.result(DEFAULT_MODE)
        out.append(check_targets(main, threshold_in_effect(run.settings, mode_named(main.name).mode)))
    return out


def _failures(runs: Sequence[CollectionRun]) -> list[Any]:
    from .failures import collect

    return [collect([*r.result(DEFAULT_MODE).outcomes, *r.result(DEFAULT_MODE).turns]) for r in runs]


def _print_failures(runs: Sequence[CollectionRun], console: Console) -> None:
    from .failures import print_failures

    for run, found in zip(runs, _failures(runs), strict=True):
        print_failures(found, run.result(DEFAULT_MODE).name, console, run.title)


def _report(runs: list[CollectionRun], settings: Settings, args: argparse.Namespace, started: float,
            console: Console) -> int:
    from . import files, tables
    from .console import print_table
    from .failures import counts

    targets = _targets(runs)
    failures = _failures(runs)
    on = [r for r in runs if r.pack == "on"]
    off = [r for r in runs if r.pack == "off"]
    for group in (on, off):
        if not group:
            continue
        print_table(tables.by_direction(group), console)
        print_table(tables.abstention(group), console)
        print_table(tables.conversations(group), console)
        if len(group[0].results) > 1:
            print_table(tables.modes_side_by_side(group), console)
    if on and off:
        print_table(tables.packs(on, off), console)
    print_table(tables.targets(list(zip(runs, targets, strict=True))), console)
    out = Path(getattr(args, "out", None) or "evals/results")
    written = files.write_all(out, runs, settings, targets, failures, time.perf_counter() - started)
    if getattr(args, "failures", False):
        _print_failures(runs, console)
    else:
        total = sum(sum(counts(f).values()) for f in failures)
        console.print(f"{total} failures of {DEFAULT_MODE} (see {out / files.FAILURES}, or run with --failures)",
                      highlight=False, markup=False)
    _log(f"wrote {', '.join(str(p) for p in written)} in {time.perf_counter() - started:.0f} s")
    return 0


def _tune(loaded: Sequence[Loaded], settings: Settings, pack: Pack, shared: Shared, args: argparse.Namespace,
          mode: Mode, console: Console) -> int:
    from . import files, tune
    from .console import print_tuning
    from .suite import open_collection

    grid_file = getattr(args, "grid", None)
    grid = tune.read_grid(grid_file) if grid_file else None
    candidates, skipped = tune.query_grid(settings, grid)
    if grid is None:
        lexical, why = tune.index_grid(settings, tune.LEXICAL_GRID)
        candidates += lexical
        skipped += why
    if getattr(args, "tune_chunks", False):
        more, why = tune.index_grid(settings)
        candidates += more
        skipped += why
    assistants = open_all(loaded, settings, pack, shared)

    def open_for(item: Loaded, candidate: tune.Candidate) -> Any:
        return open_collection(item, settings, pack, shared, None, **candidate.changes)

    with progress_bars() as bar:
        def status(label: str) -> None:
            bar.console.print(f"eval: tune: {label}", highlight=False, markup=False)

        result = tune.run(list(zip(loaded, assistants, strict=True)), mode, candidates, skipped, pack, status,
                          lambda label: ticker(bar, label), open_for)
    out = Path(getattr(args, "out", None) or "evals/results")
    written = files.write_tuning(out, result)
    print_tuning(result, console)
    _log(f"wrote {', '.join(str(p) for p in written)} in {result.seconds:.0f} s")
    return 0
