"""Sentence vectors: every sentence of every passage, embedded by the cross-lingual encoder at build time.

The answer sentence is chosen among the sentences of the first few passages (:mod:`assistant.answer`),
partly by how close each comes to the question in the cross-lingual encoder's space (USE multilingual:
a Chinese sentence is as close to an English question as its English translation would be). Encoding
those sentences when a question is asked would cost ~2-6 ms each, 20-40 of them per question, so the
build encodes every sentence once (cached by text hash beside the passage vectors, so an unchanged
sentence is never encoded twice) and keeps the vectors in the build as ``sentences.npy``:
``float16`` (half the space; cosines differ from ``float32`` by < 1e-3), one row per sentence span of
:attr:`Passage.sentences`, passage by passage in id order. Row ``starts[i] + j`` is sentence ``j`` of
passage ``i``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..records import Passage
from .represent import searchable

SENTENCE_EMBEDDINGS = "sentences.npy"


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
    """The id of the encoder that made them (the cross-lingual encoder)."""
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
