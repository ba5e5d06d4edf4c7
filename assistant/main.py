"""The ``assistant`` command: parse the arguments and hand over to the face that serves the command.

The faces (:mod:`.cli` for ``ask``/``index``/``source``, :mod:`.tui` for the chat and ``web``, :mod:`.evaluate`,
:mod:`.bench`) never import each other; this launcher sits above them all. Only argparse is imported
up front, so ``assistant --help`` answers at once; everything heavy is imported by the command that
needs it. An :class:`~assistant.errors.AssistantError` is printed as its one-line ``title`` and the
command exits with its ``exit_code``; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .cli.parser import build_parser
from .errors import EXIT_FAILURE, AssistantError, UsageError

if TYPE_CHECKING:
    from .settings import Settings

__all__ = ["main"]


def settings_from(args: argparse.Namespace, **extra: Any) -> Settings:
    from .settings import Settings

    return Settings.load(seeds=args.seeds, index=args.index, embedder=args.embedder, **extra)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
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
    except AssistantError as exc:
        _error(exc.title)
        return exc.exit_code
    except OSError as exc:
        if exc.filename is None:
            raise
        _error(f"{exc.strerror or exc} ({exc.filename})")
        return EXIT_FAILURE


def _error(message: str) -> None:
    from .text import one_line

    print(f"assistant: error: {one_line(message)}", file=sys.stderr)


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command or "chat"
    if command == "ask":
        from .cli.commands import run_ask

        return run_ask(args, settings_from(args, expand=not args.no_expand))
    if command == "index":
        from .cli.commands import run_index

        return run_index(args, settings_from(args))
    if command == "source":
        from .cli.source import run_source

        return run_source(args, settings_from(args))
    if command == "chat":
        from .tui import run_chat

        return run_chat(settings_from(args))
    if command == "web":
        from .tui import run_web

        return run_web(settings_from(args), args.host, args.port)
    if command == "eval":
        from .evaluate.run import run_eval

        return run_eval(args, settings_from(args))
    if command == "bench":
        from .bench import run_bench

        return run_bench(args, settings_from(args))
    raise UsageError(f"unknown command {command!r}")
