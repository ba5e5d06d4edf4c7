"""Run the gold questions through the assistant, mode by mode.

Query vectors are computed up front, in batches, and remembered by text (:class:`QueryCache`): asking
one question at a time would encode one query at a time, which is many times slower on a busy CPU, and
several modes and tuning variants embed the very same text. The vectors are identical either way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import Assistant
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
    mode: str
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


class QueryCache:
    """An embedder whose query vectors are remembered by text; everything else is passed through."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.vectors: dict[str, np.ndarray] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        for i in range(0, len(missing), BATCH):
            chunk = missing[i : i + BATCH]
            for text, vector in zip(chunk, self.inner.encode_queries(chunk), strict=True):
                self.vectors[text] = vector
        if not texts:
            return np.zeros((0, int(self.inner.dim)), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])


def with_query_cache(assistant: Assistant) -> Assistant:
    """A variant of ``assistant`` with a query-vector cache, shared by every variant made from it."""
    other = assistant.variant()
    if not isinstance(other._embedder, QueryCache):
        other._embedder = QueryCache(assistant.embedder)
    return other


class _Recorded(Exception):
    """Raised by :class:`_Recorder` to stop :meth:`Assistant.ask` once it has asked for its query vector."""


class _Recorder:
    """An embedder that notes the query texts it is asked for and encodes nothing."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        raise _Recorded


def prime(assistant: Assistant, questions: Sequence[Question], mode: str, tick: Tick | None = None) -> None:
    """Encode, in batches, the query text each question will embed.

    The texts are taken from :meth:`Assistant.ask` itself (stopped when it asks for the vector), so they
    are exactly what the real pass embeds, whatever the query analysis does.
    """
    cache = assistant._embedder
    if mode == "sparse" or not isinstance(cache, QueryCache):
        return
    recorder = _Recorder(cache)
    assistant._embedder = recorder
    try:
        for q in questions:
            with contextlib.suppress(_Recorded):
                assistant.ask(q.question, k=DEPTH, mode=mode)
    finally:
        assistant._embedder = cache
    missing = [t for t in dict.fromkeys(recorder.texts) if t not in cache.vectors]
    for i in range(0, len(missing), BATCH):
        cache.encode_queries(missing[i : i + BATCH])
        if tick:
            tick("encode", min(i + BATCH, len(missing)), len(missing))


def run_mode(assistant: Assistant, questions: Sequence[Question], mode: Mode,
             tick: Tick | None = None) -> list[Outcome]:
    variant = assistant.variant(expand=mode.expand)
    if not isinstance(variant._embedder, QueryCache):
        variant = with_query_cache(variant)
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
