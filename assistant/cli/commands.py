"""The ``ask`` and ``index`` commands."""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ..core import Assistant
from ..errors import EXIT_FAILURE, QuestionError, UsageError
from ..index import BuildReport, Progress
from ..present import plural
from ..search import clean
from ..settings import Settings
from ..text import as_text, printable
from .output import json_line, json_text

STAGES = {"ocr": "Recognising scanned pages (OCR)", "read": "Reading documents", "embed": "Embedding passages",
          "write": "Writing the index", "dictionaries": "Converting dictionaries"}
LOG_EVERY = 10.0
"""Seconds between progress lines when stderr is a log or a pipe, where no bar is drawn."""
DICTIONARIES = ("first run on this machine: converting the Chinese dictionaries (jieba's word list and CC-CEDICT) "
                "into tables that later runs open in milliseconds (5-15 s, once)")


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A progress bar on stderr for index builds, quiet when nothing needs building. When stderr is a log or
    a pipe, a line when each stage starts, every :data:`LOG_EVERY` seconds and when it ends instead."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=console, transient=True)
    tasks: dict[str, TaskID] = {}
    logged: dict[str, float] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage == "dictionaries" and done == 0 and stage not in tasks:
            console.print(f"assistant: {DICTIONARIES}", markup=False, highlight=False, soft_wrap=True)
        if not console.is_terminal:  # a bar in a log or a pipe is noise: a line now and then instead
            _log_line(stage, done, total)
            return
        if not bar.live.is_started:
            bar.start()
        if stage not in tasks:
            tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total or None)
        bar.update(tasks[stage], completed=done, total=total or None)

    def _log_line(stage: str, done: int, total: int) -> None:
        """``assistant: embedding passages 25%`` when a stage starts, every LOG_EVERY s and when it ends."""
        if stage == "dictionaries":  # announced above, and done in seconds
            return
        now, last = time.monotonic(), logged.get(stage)
        finished = total > 1 and done >= total
        if last is not None and (last < 0 or total <= 1 or (now - last < LOG_EVERY and not finished)):
            return
        logged[stage] = -1.0 if finished else now
        count = f" {min(100, 100 * done // total)}%" if total > 1 else ""
        name = STAGES.get(stage, stage)
        print(f"assistant: {name[:1].lower()}{name[1:]}{count}", file=sys.stderr, flush=True)

    try:
        yield update
    finally:
        if bar.live.is_started:
            bar.stop()


def describe_build(report: BuildReport) -> str:
    if not report.rebuilt:
        return (f"index is up to date: {plural(report.documents, 'document')}, {plural(report.passages, 'passage')}, "
                f"embedded {plural(report.embedded, 'passage')} ({report.seconds:.1f} s to check)")
    why = f" because {report.reason}" if report.reason else ""
    return (f"indexed {plural(report.documents, 'document')} into {plural(report.passages, 'passage')}{why}; "
            f"embedded {plural(report.embedded, 'passage')} ({report.passages - report.embedded} from cache) "
            f"in {report.seconds:.1f} s")


def describe_unsupported(report: BuildReport) -> str:
    """``skipped 3 files of types it cannot read: .xlsx (2), .caj (1)``, or ``""`` when there were none."""
    total = sum(report.unsupported.values())
    if not total:
        return ""
    kinds = ", ".join(f"{suffix} ({n})" for suffix, n in report.unsupported.items())
    return f"skipped {plural(total, 'file')} of types it cannot read: {kinds}"


def _warn(report: BuildReport) -> None:
    for warning in report.warnings:
        print(f"assistant: warning: {printable(warning)}", file=sys.stderr)


def open_assistant(settings: Settings, rebuild: bool = False, announce: bool = False) -> Assistant:
    """An assistant with its index open (built or refreshed first, with a progress bar on stderr). When
    the index cannot be refreshed for lack of space or write access, the previous build answers, with a
    warning."""
    assistant = Assistant(settings)
    with progress_bar() as progress:
        report = assistant.open(progress=progress, rebuild=rebuild, fallback=True)
    if report.stale:
        print(f"assistant: warning: {printable(report.stale)}; answering from the previous index", file=sys.stderr)
    if report.rebuilt:
        _warn(report)
    if announce or report.rebuilt:
        print(f"assistant: {printable(describe_build(report))}", file=sys.stderr)
    return assistant


def run_index(args: argparse.Namespace, settings: Settings) -> int:
    assistant = Assistant(settings)
    with progress_bar() as progress:
        report = assistant.open(progress=progress, rebuild=args.rebuild)
    _warn(report)
    print(printable(describe_build(report)))
    skipped = describe_unsupported(report)
    if skipped:
        print(printable(skipped))
    return 0


def read_question(args: argparse.Namespace) -> str:
    """The question: the argument, or standard input when it is ``-`` or missing and input is piped.
    Raises UsageError when there is none."""
    if args.question is not None and args.question != "-":
        return as_text(args.question)
    stdin = sys.stdin
    piped = stdin is not None and not _isatty(stdin)
    if args.question is None and not piped:
        raise UsageError('no question given; try: assistant ask "What is the PIK3CA mutation rate?" '
                         "(or pipe it in: echo QUESTION | assistant ask)")
    try:
        raw = stdin.buffer.read() if stdin is not None else b""
    except (OSError, ValueError, AttributeError) as exc:
        raise UsageError(f"no question given, and standard input cannot be read ({exc})") from exc
    text = raw.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise UsageError("no question given: standard input was empty")
    return as_text(text)


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        return False


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.batch is not None:
        if args.question is not None:
            raise UsageError("give either a question or --batch FILE, not both")
        return _run_batch(args, settings)
    question = read_question(args)
    clean(question, settings.max_question_chars)  # reject blank questions before any loading
    assistant = open_assistant(settings)
    answer = assistant.ask(question, k=args.k, mode=args.mode)
    if args.json:
        print(json_text(answer.to_json(), indent=2))
    else:
        from .render import print_answer

        print_answer(answer)
    return 0


def _run_batch(args: argparse.Namespace, settings: Settings) -> int:
    if args.batch == "-":
        # not sys.stdin itself: its error handler may be strict, and one undecodable line must not
        # end the batch (it is searched with U+FFFD in place of the bad bytes)
        # (one question per "\n"-ended line: a stray CR inside a line is a control character, not a break)
        source = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace", newline="\n")
    else:
        try:
            source = open(args.batch, encoding="utf-8-sig", errors="replace", newline="\n")  # noqa: SIM115
        except OSError as exc:
            raise UsageError(f"cannot read {args.batch}: {exc.strerror or exc}") from exc
    assistant = open_assistant(settings)
    console = None
    if not args.json:
        from .render import make_console, print_answer

        console = make_console()
    failed = broken = 0
    first = True
    with source:
        for line in source:
            question = as_text(line.rstrip("\r\n"))
            answer = None
            try:
                answer = assistant.ask(question, k=args.k, mode=args.mode)
                out = answer.to_json()
            except QuestionError as exc:
                failed += 1
                out = {"question": question, "error": str(exc)}
            except Exception as exc:  # noqa: BLE001 - one bad line must not lose the rest of the batch
                broken += 1
                out = {"question": question, "error": f"internal error: {exc.__class__.__name__}: {exc}"}
            if console is None:
                sys.stdout.write(json_line(out) + "\n")
            else:
                if not first:
                    console.print()
                if answer is not None:
                    print_answer(answer, console)
                else:
                    console.print(printable(f"{question}\n  error: {out['error']}"), markup=False, highlight=False,
                                  emoji=False, soft_wrap=True)
            first = False
            sys.stdout.flush()
    if failed:
        where = 'their objects carry an "error"' if args.json else "their blocks say why"
        print(f"assistant: {failed} line(s) could not be searched; {where}", file=sys.stderr)
    if broken:
        where = 'see their "error"' if args.json else "see their blocks"
        print(f"assistant: error: {broken} line(s) failed with an internal error; {where}", file=sys.stderr)
        return EXIT_FAILURE
    return 0
