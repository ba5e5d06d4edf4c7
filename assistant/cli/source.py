"""The ``source`` command: print the original a document's citations index, whole, one page, or the
lines a citation gives (each after its number).

For a PDF, Word or HTML document that is the extracted text the index keeps (so ``start``/``end`` of a
citation are offsets into exactly what is printed); pages are separated by a line holding a form feed.
"""

from __future__ import annotations

import argparse
import sys

from ..core import Assistant
from ..errors import SeedsError, UsageError
from ..ingest import format_of
from ..ingest.lines import TERMINATOR
from ..ingest.sections import LineIndex
from ..records import Source
from ..settings import Settings
from ..text import printable


def run_source(args: argparse.Namespace, settings: Settings) -> int:
    doc = str(args.doc).replace("\\", "/")
    seeds = settings.seeds.resolve()
    if doc.startswith(str(seeds) + "/"):  # a path given with the seeds folder in front
        doc = doc[len(str(seeds)) + 1 :]
    if doc.startswith("/") or ".." in doc.split("/"):
        raise UsageError(f"{doc}: give the document's path inside the seeds folder, e.g. paper.pdf")
    if format_of(doc) is None:
        raise UsageError(f"{doc} is not a document it reads (.pdf, .docx, .html, .htm, .txt, .text, .rst, .md, "
                         ".markdown)")
    if not (seeds / doc).is_file():
        raise UsageError(f"there is no document {doc} in {settings.seeds}")
    try:
        source = Assistant(settings).source_of(doc)
    except SeedsError as exc:
        raise UsageError(f"cannot show {doc}: {exc.title}") from exc
    if args.lines is not None:
        text = numbered(source.text, *args.lines)
        if not text:
            raise UsageError(f"{doc} has {line_count(source.text)} line(s); there is no line {args.lines[0]}")
    elif args.page is None:
        text = "\n\f\n".join(printable(source.text[a:b]) for a, b in _page_spans(source))
    else:
        if not source.pages:
            raise UsageError(f"{doc} has no pages (it is {source.format}); leave out --page")
        try:
            a, b = source.page_span(args.page)
        except IndexError:
            raise UsageError(f"{doc} has {len(source.pages)} page(s); there is no page {args.page}") from None
        text = printable(source.text[a:b])
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def numbered(text: str, first: int, last: int) -> str:
    """Lines ``first`` to ``last`` (1-based, inclusive; counted as citations count them,
    :class:`~assistant.ingest.sections.LineIndex`) of ``text``, each after its number; empty when the
    text has fewer than ``first`` lines. The line holding only a form feed between two pages reads
    ``(page break)``."""
    starts = line_starts(text)
    if first > len(starts):
        return ""
    last = min(last, len(starts))
    width = len(str(last))
    out = []
    for n in range(first, last + 1):
        a = starts[n - 1]
        b = starts[n] if n < len(starts) else len(text)
        line = TERMINATOR.split(text[a:b], maxsplit=1)[0]
        out.append(f"{n:>{width}}  {'(page break)' if line == chr(12) else printable(line)}")
    return "\n".join(out)


def line_starts(text: str) -> list[int]:
    """Where each line of ``text`` begins; a text that ends with a line break has no empty line after it."""
    starts = LineIndex(text).starts
    return starts[:-1] if len(starts) > 1 and starts[-1] == len(text) else starts


def line_count(text: str) -> int:
    return len(line_starts(text))


def _page_spans(source: Source) -> list[tuple[int, int]]:
    if not source.pages:
        return [(0, len(source.text))]
    return [source.page_span(n) for n in range(1, len(source.pages) + 1)]
