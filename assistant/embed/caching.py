"""One caching wrapper for any embedder: query vectors remembered by text.

The eval asks the same question text in several modes and tuning variants, and the benchmark separates
the encoder's time from the rest of a query by asking each question twice; both pass a
:class:`CachingEmbedder` to :class:`assistant.core.Assistant` instead of touching its internals.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from .base import Embedder, Progress


class CachingEmbedder:
    """An :class:`Embedder` whose query vectors are computed once per distinct text, in batches.

    ``recorded`` lists every query text asked for, in order. Passages are passed through uncached (the
    index keeps its own cache of passage vectors on disk), and recorded too: ``passages`` lists every
    passage text embedded and ``passage_seconds`` the time the model took for them, which the benchmark
    compares with the whole build. Thread-safe for readers once :meth:`prime` has filled the cache.
    """

    def __init__(self, inner: Embedder, batch: int = 32) -> None:
        self.inner = inner
        self.id = inner.id
        self.dim = inner.dim
        self.batch = batch
        self.vectors: dict[str, np.ndarray] = {}
        self.recorded: list[str] = []
        self.passages: list[str] = []
        self.passage_seconds = 0.0

    def prime(self, texts: Sequence[str]) -> int:
        """Encode, in batches, the texts not yet cached; returns how many were encoded."""
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        for i in range(0, len(missing), self.batch):
            chunk = missing[i : i + self.batch]
            for text, vector in zip(chunk, self.inner.encode_queries(chunk), strict=True):
                self.vectors[text] = vector
        return len(missing)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.recorded.extend(texts)
        self.prime(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        self.passages.extend(texts)
        started = time.perf_counter()
        try:
            return self.inner.encode_passages(texts, progress)
        finally:
            self.passage_seconds += time.perf_counter() - started
