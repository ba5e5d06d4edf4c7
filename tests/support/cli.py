"""Helpers shared by the CLI tests."""

from __future__ import annotations

import re

import pytest

from assistant.main import main


def run_main(argv: list[object], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; argparse's own exits count as return codes."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


STAGE = re.compile(r"assistant: (reading documents|embedding passages \d+%|writing the index"
                   r"|first run on this machine: .*)")
"""A line an index build prints on stderr outside a terminal, one per stage (``commands.progress_bar``)."""


def without_stages(err: str) -> list[str]:
    """The non-empty lines of ``err`` that are not stage lines of an index build."""
    return [line for line in err.splitlines() if line.strip() and not STAGE.fullmatch(line)]
