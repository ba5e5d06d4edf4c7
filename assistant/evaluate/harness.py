"""Run the gold questions through the assistant, mode by mode.

Query vectors are computed up front, in batches, and remembered by text (a
:class:`~assistant.embed.CachingEmbedder` passed to the assistant): asking one question at a time would
encode one query at a time, which is many times slower on a busy CPU, and several modes and tuning
variants embed the very same text. The vectors are identical either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..core import Assistant
from ..embed import CachingEmbedder
from ..settings import Mode as SearchMode
from .gold import Question
from .metrics import Outcome, Retrieved, judge

DEPTH = 10
BATCH = 32

Tick = Callable[[str, int, int], None]
"""Progress callback: (phase, done, total); phase is ``encode`` or ``ask``."""


@dataclass(frozen=True)
class Mode:
    """A retrieval configuration compared in the report."""

    name: str
    mode: SearchMode
    expand: bool


MODES = (
    Mode("sparse", "sparse", False),
    Mode("dense", "dense", False),
    Mode("hybrid", "hybrid", False),
    Mode("hybrid+xling", "hybrid", True),
)
DEFAULT_MODE = "hybrid+xling"


def mode_named(name: str) -> Mode:
    return next(m for m in MODES if m.name == name)


def with_query_cache(assistant: Assistant) -> Assistant:
    """A variant of ``assistant`` whose model remembers query vectors (shared by every variant made from it)."""
    if isinstance(assistant.embedder, CachingEmbedder):
        return assistant
    return assistant.variant(embedder=CachingEmbedder(assistant.embedder, BATCH))


def prime(assistant: Assistant, questions: Sequence[Question], mode: str, tick: Tick | None = None) -> None:
    """Encode, in batches, the query text each question will send the model (:attr:`Query.dense_text`)."""
    cache = assistant.embedder
    if mode == "sparse" or not isinstance(cache, CachingEmbedder):
        return
    texts = []
    for q in questions:
        query = assistant.analyse(q.question)
        texts.append(query.dense_text or query.text)
    missing = [t for t in dict.fromkeys(texts) if t not in cache.vectors]
    for i in range(0, len(missing), BATCH):
        cache.prime(missing[i : i + BATCH])
        if tick:
            tick("encode", min(i + BATCH, len(missing)), len(missing))


def run_mode(assistant: Assistant, questions: Sequence[Question], mode: Mode,
             tick: Tick | None = None) -> list[Outcome]:
    variant = with_query_cache(assistant.variant(expand=mode.expand))
    prime(variant, questions, mode.mode, tick)
    outcomes: list[Outcome] = []
    for n, q in enumerate(questions, 1):
        answer = variant.ask(q.question, k=DEPTH, mode=mode.mode)
        retrieved = [
            Retrieved(c.passage.doc, c.passage.start, c.passage.end, c.score, c.passage.text, c.passage.section)
            for c in answer.citations
        ]
        outcomes.append(judge(Outcome(q, retrieved, answer.abstained, answer.confidence)))
        if tick:
            tick("ask", n, len(questions))
    return outcomes
