"""The ``ask`` and ``index`` commands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from .cli import UsageError
from .core import Assistant
from .index import BuildReport, Progress
from .settings import Settings

STAGES = {"read": "Reading documents", "embed": "Embedding passages", "write": "Writing the index"}


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A progress bar on stderr for index builds (quiet when nothing needs building)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=console, transient=True)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        if stage not in tasks:
            tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total or None)
        bar.update(tasks[stage], completed=done, total=total or None)

    try:
        yield update
    finally:
        if bar.live.is_started:
            bar.stop()


def describe_build(report: BuildReport) -> str:
    if not report.rebuilt:
        return (f"index is up to date: {report.documents} documents, {report.passages} passages "
                f"({report.seconds:.1f} s to check)")
    why = f" because {report.reason}" if report.reason else ""
    return (f"indexed {report.documents} documents into {report.passages} passages{why}; "
            f"embedded {report.embedded} passages ({report.passages - report.embedded} from cache) "
            f"in {report.seconds:.1f} s")


def _warn(report: BuildReport) -> None:
    for warning in report.warnings:
        print(f"assistant: warning: {warning}", file=sys.stderr)


def open_assistant(settings: Settings, rebuild: bool = False, announce: bool = False) -> Assistant:
    assistant = Assistant(settings)
    with progress_bar() as progress:
        report = assistant.open(progress=progress, rebuild=rebuild)
    if report.rebuilt:
        _warn(report)
    if announce or report.rebuilt:
        print(f"assistant: {describe_build(report)}", file=sys.stderr)
    return assistant


def run_index(args: argparse.Namespace, settings: Settings) -> int:
    assistant = Assistant(settings)
    with progress_bar() as progress:
        report = assistant.open(progress=progress, rebuild=args.rebuild)
    _warn(report)
    print(describe_build(report))
    return 0


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.batch is not None:
        if args.question is not None:
            raise UsageError("give either a question or --batch FILE, not both")
        if not args.json:
            raise UsageError("--batch writes JSON lines; add --json")
        return _run_batch(args, settings)
    if args.question is None:
        raise UsageError('no question given; try: assistant ask "What is the PIK3CA mutation rate?"')
    from .expand import clean

    clean(args.question, settings.max_question_chars)  # reject blank questions before any loading
    assistant = open_assistant(settings)
    answer = assistant.ask(args.question, k=args.k, mode=args.mode)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        from .render import print_answer

        print_answer(answer)
    return 0


def _run_batch(args: argparse.Namespace, settings: Settings) -> int:
    from .expand import QuestionError

    if args.batch == "-":
        source = sys.stdin
    else:
        try:
            source = open(args.batch, encoding="utf-8-sig", errors="replace")  # noqa: SIM115
        except OSError as exc:
            raise UsageError(f"cannot read {args.batch}: {exc.strerror or exc}") from exc
    assistant = open_assistant(settings)
    failed = 0
    with source:
        for line in source:
            question = line.rstrip("\r\n")
            try:
                answer = assistant.ask(question, k=args.k, mode=args.mode)
                out = answer.to_json()
            except QuestionError as exc:
                failed += 1
                out = {"question": question, "error": str(exc)}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    if failed:
        print(f"assistant: {failed} line(s) could not be searched; their objects carry an \"error\"", file=sys.stderr)
    return 0
