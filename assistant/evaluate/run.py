"""``assistant eval``: retrieval quality on the gold set, every mode side by side.

Prints the table and the targets, and writes report.json, report.md (with quality.png), run.trec and
failures.md into ``--out``. ``--failures`` also prints every miss; ``--check`` / ``--update-expected``
run the default mode against ``expected.json`` beside the gold set; ``--tune`` (and ``--tune-chunks``)
measure what each retrieval choice is worth.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

from ..core import Assistant
from ..errors import GoldError, UsageError
from ..settings import Settings
from .figures import ModeResult
from .gold import Question, load_gold
from .harness import DEFAULT_MODE, MODES, Mode, Tick, run_mode, with_query_cache
from .metrics import summarize


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


def load_questions(path: Path, seeds: Path) -> list[Question]:
    try:
        questions = load_gold(path, seeds)
    except GoldError as exc:
        raise UsageError(str(exc)) from None
    if not questions:
        raise UsageError(f"the gold set {path} has no questions")
    return questions


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


def evaluate(assistant: Assistant, questions: Sequence[Question], modes: Sequence[Mode]) -> list[ModeResult]:
    results = []
    with progress_bars() as bar:
        for mode in modes:
            t0 = time.perf_counter()
            outcomes = run_mode(assistant, questions, mode, ticker(bar, mode.name))
            seconds = time.perf_counter() - t0
            results.append(ModeResult(mode.name, outcomes, summarize(outcomes), seconds))
            bar.console.print(f"eval: {mode.name}: {len(questions)} questions in {seconds:.1f} s",
                              highlight=False, markup=False)
    return results


def missing_packages() -> list[str]:
    """The eval extras that are not installed."""
    import importlib.util

    return [name for name, module in (("ir-measures", "ir_measures"), ("matplotlib", "matplotlib"))
            if importlib.util.find_spec(module) is None]


def open_assistant(settings: Settings) -> Assistant:
    """The assistant over the gold set's documents, built first if needed (with a progress bar)."""
    assistant = Assistant(settings)
    with progress_bars() as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"index: {stage}", total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)

        report = assistant.open(progress=progress)
    if report.rebuilt:
        _log(f"indexed {report.documents} documents into {report.passages} passages in {report.seconds:.1f} s")
    return assistant


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from . import gate

    missing = missing_packages()
    if missing:
        print(f"assistant: error: assistant eval needs {' and '.join(missing)}; install them with "
              "pip install -e '.[eval]'", file=sys.stderr)
        return 1

    update = bool(getattr(args, "update_expected", False))
    tune = bool(getattr(args, "tune", False) or getattr(args, "tune_chunks", False))
    gate_only = bool(args.check or update)
    modes = select_modes(args.modes)
    if (gate_only or tune) and args.modes and DEFAULT_MODE not in [m.name for m in modes]:
        raise UsageError(f"--check, --update-expected and --tune measure the default mode ({DEFAULT_MODE})")
    if gate_only or tune:
        modes = [m for m in MODES if m.name == DEFAULT_MODE]
    questions = load_questions(args.gold, settings.seeds)
    expected_path = args.gold.parent / "expected.json"
    expected = None
    if args.check and not update:
        try:
            expected = gate.load_expected(expected_path)
        except gate.ExpectedError as exc:
            raise UsageError(str(exc)) from None
    started = time.perf_counter()
    assistant = with_query_cache(open_assistant(settings))
    console = Console(highlight=False, emoji=False)
    if tune:
        return _tune(assistant, questions, args, modes[0])
    results = evaluate(assistant, questions, modes)
    main = next((r for r in results if r.name == DEFAULT_MODE), results[0])
    if gate_only:
        code = _gate(main, expected, expected_path, update, len(questions), console)
        if args.failures:
            from .failures import collect, print_failures

            print_failures(collect(main.outcomes), main.name, console)
        return code
    return _report(results, main, settings, args, questions, started, console)


def _gate(main: ModeResult, expected: dict[str, Any] | None, path: Path, update: bool, questions: int,
          console: Console) -> int:
    from . import gate
    from .console import print_check

    if update:
        document = gate.expected_document(main.summary, main.name, questions)
        with contextlib.suppress(gate.ExpectedError):  # keep a tolerance someone chose
            document["tolerance"] = gate.load_expected(path).get("tolerance", gate.TOLERANCE)
        gate.write_expected(path, document)
        print_check(gate.compare(document, main.summary), str(path), console)
        _log(f"wrote {len(document['figures'])} expected figures to {path}")
        return 0
    assert expected is not None
    comparisons = gate.compare(expected, main.summary)
    print_check(comparisons, str(path), console)
    return 1 if gate.failed(comparisons) else 0


def _report(results: list[ModeResult], main: ModeResult, settings: Settings, args: argparse.Namespace,
            questions: list[Question], started: float, console: Console) -> int:
    from . import failures as fail
    from . import files, report
    from .console import print_table, print_targets
    from .figures import check_targets, threshold_in_effect
    from .harness import mode_named

    failures = fail.collect(main.outcomes)
    targets = check_targets(main, threshold_in_effect(settings, mode_named(main.name).mode))
    print_table(results, DEFAULT_MODE, console)
    print_targets(targets, main.name, console)
    counts = fail.counts(failures)
    data = report.build(results, DEFAULT_MODE, settings, report.gold_json(args.gold, questions), targets,
                        counts, time.perf_counter() - started)
    written = files.write_all(args.out, data, results, failures)
    if args.failures:
        fail.print_failures(failures, main.name, console)
    else:
        console.print(f"{sum(counts.values())} failures of {main.name} (see {args.out / files.FAILURES}, "
                      "or run with --failures)", highlight=False, markup=False)
    _log(f"wrote {', '.join(str(p) for p in written)} in {time.perf_counter() - started:.0f} s")
    return 0


def _tune(assistant: Assistant, questions: list[Question], args: argparse.Namespace, mode: Mode) -> int:
    from . import files, tune

    chunks = bool(getattr(args, "tune_chunks", False))
    with progress_bars() as bar:
        def status(label: str) -> None:
            bar.console.print(f"eval: tune: {label}", highlight=False, markup=False)

        data = tune.run(assistant, questions, mode, chunks, status, lambda label: ticker(bar, label))
    written = files.write_tuning(args.out, data)
    from .console import print_tuning

    print_tuning(data, Console(highlight=False, emoji=False))
    _log(f"wrote {', '.join(str(p) for p in written)} in {data['seconds']:.0f} s")
    return 0
