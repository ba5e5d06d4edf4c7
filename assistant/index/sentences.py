"""Sentence vectors: every sentence of every passage, embedded at build time by each encoder.

The answer sentence is chosen among the sentences of the first few passages (:mod:`assistant.answer`),
partly by how close each comes to the question in the cross-lingual encoder's space (USE multilingual:
a Chinese sentence is as close to an English question as its English translation would be). Encoding
those sentences when a question is asked would cost ~2-6 ms each, 20-40 of them per question, so the
build encodes every sentence once (cached by text hash beside the passage vectors, so an unchanged
sentence is never encoded twice) and keeps the vectors in the build as ``sentences.npy``:
``float16`` (half the space; cosines differ from ``float32`` by < 1e-3), one row per sentence span of
:attr:`Passage.sentences`, passage by passage in id order. Row ``starts[i] + j`` is sentence ``j`` of
passage ``i``.

The main encoder's sentence vectors (``sentences-primary.npy``, same rows) serve retrieval: a passage
of several sentences is scored both as a whole and by its best sentence (:meth:`SentenceVectors.best`),
so the one sentence that answers a question is not diluted by the rest of its passage (the MaxP of Dai &
Callan, "Deeper Text Understanding for IR with Contextual Neural Language Modeling", SIGIR 2019, over
sentences rather than windows; mixed with the whole passage's score in :mod:`assistant.search.fusion`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..records import Passage
from .represent import searchable

SENTENCE_EMBEDDINGS = "sentences.npy"
PRIMARY_SENTENCE_EMBEDDINGS = "sentences-primary.npy"


def sentence_texts(passages: Sequence[Passage]) -> list[str]:
    """What is encoded for each sentence, passage by passage: the sentence as search sees it (Simplified
    characters, ligatures spelled out)."""
    return [searchable(p.text[b:e]) for p in passages for b, e in p.sentences]


def sentence_starts(passages: Sequence[Passage]) -> np.ndarray:
    """``int64`` of shape ``(len(passages) + 1,)``: the first row of each passage's sentences, and the
    total."""
    counts = np.array([len(p.sentences) for p in passages], dtype=np.int64)
    return np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(counts)])


@dataclass(frozen=True)
class SentenceVectors:
    """The sentence vectors of a build, by passage."""

    encoder: str
    """The id of the encoder that made them."""
    vectors: np.ndarray
    """``float16`` of shape ``(sentences, dim)``, unit norm, memory-mapped."""
    starts: np.ndarray
    """See :func:`sentence_starts`."""

    def of(self, passage_id: int) -> np.ndarray:
        """The vectors of one passage's sentences: ``float32`` of shape ``(len(sentences), dim)``."""
        lo, hi = int(self.starts[passage_id]), int(self.starts[passage_id + 1])
        return np.asarray(self.vectors[lo:hi], dtype=np.float32)

    def cosines(self, passage_id: int, query: np.ndarray) -> np.ndarray:
        """Cosine of each sentence of a passage with a unit query vector: ``float32`` of shape
        ``(len(sentences),)``."""
        return self.of(passage_id) @ np.asarray(query, dtype=np.float32)

    def best(self, passage_ids: np.ndarray, query: np.ndarray) -> np.ndarray:
        """The best cosine of each passage's sentences with a unit query vector: ``passage_ids`` int
        ``(m,)``; returns ``float32`` ``(m,)``, ``-inf`` for a passage without sentences."""
        ids = np.asarray(passage_ids, dtype=np.int64)
        lo, hi = self.starts[ids], self.starts[ids + 1]
        counts = hi - lo
        out = np.full(len(ids), -np.inf, dtype=np.float32)
        if not counts.any():
            return out
        first = np.cumsum(counts) - counts
        rows = np.repeat(lo - first, counts) + np.arange(int(counts.sum()))
        cosines = np.asarray(self.vectors[rows], dtype=np.float32) @ np.asarray(query, dtype=np.float32)
        held = counts > 0
        out[held] = np.maximum.reduceat(cosines, first[held])
        return out
