"""Synthetic corpora for the scale benchmark: no model time, deterministic, any size.

Vectors: unit vectors (float32, dim 384) with topic structure — ``topics`` centres, each vector a
centre plus anisotropic Gaussian noise whose per-dimension variance decays as a power law (text
embeddings have a decaying PCA spectrum too), then L2-normalised. Inner products are invariant under
rotation, so the spectrum is left axis-aligned. Queries come from the same process (new draws, not
copies of corpus vectors), so approximate search has real work to do.

Text: each passage is ~``terms`` tokens drawn from a Zipfian vocabulary (s = 1.07) that interleaves
Chinese-like words (2-4 CJK characters) and English-like stems, as the analyzer would produce them.
Queries are 16 terms with the weights query expansion gives (1.0 typed, 0.9 glossary, 0.29-0.5
dictionary), drawn from the same term distribution with the 20 most frequent (stopword-like) removed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

DIM = 384
TOPICS_PER = 1_000
"""One topic per this many passages (at least 16 topics)."""
VOCAB = 200_000
ZIPF_S = 1.07
TERMS = 80
"""Mean tokens per passage (the seeds index averages ~48 distinct terms per passage)."""
QUERY_TERMS = 16
_CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
_LATIN = "abcdefghijklmnopqrstuvwxyz"


def _spectrum(dim: int) -> np.ndarray:
    s = (np.arange(1, dim + 1, dtype=np.float64) ** -0.85).astype(np.float32)
    return s / np.linalg.norm(s)


class VectorSource:
    """Deterministic clustered unit vectors: ``corpus(n)`` in chunks, ``queries(q)``."""

    def __init__(self, n: int, dim: int = DIM, seed: int = 0, spread: float = 2.0) -> None:
        rng = np.random.default_rng(seed)
        self.n, self.dim, self.seed, self.spread = n, dim, seed, spread
        self.topics = max(16, n // TOPICS_PER)
        centres = rng.standard_normal((self.topics, dim), dtype=np.float32)
        self.centres = centres / np.linalg.norm(centres, axis=1, keepdims=True)
        self.scale = _spectrum(dim) * spread

    def _draw(self, rng: np.random.Generator, count: int) -> np.ndarray:
        topic = rng.integers(0, self.topics, count)
        x = rng.standard_normal((count, self.dim), dtype=np.float32)
        x *= self.scale
        x += self.centres[topic]
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x

    def chunks(self, step: int = 100_000) -> Iterator[np.ndarray]:
        for i, start in enumerate(range(0, self.n, step)):
            rng = np.random.default_rng((self.seed, 1, i))
            yield self._draw(rng, min(step, self.n - start))

    def corpus(self) -> np.ndarray:
        out = np.empty((self.n, self.dim), dtype=np.float32)
        pos = 0
        for chunk in self.chunks():
            out[pos : pos + len(chunk)] = chunk
            pos += len(chunk)
        return out

    def queries(self, count: int) -> np.ndarray:
        return self._draw(np.random.default_rng((self.seed, 2)), count)


def vocabulary(size: int = VOCAB, seed: int = 0) -> list[str]:
    """Terms by rank, alternately Chinese-like (2-4 characters) and English-like (3-9 letters)."""
    rng = np.random.default_rng((seed, 3))
    cjk = np.asarray(_CJK)
    latin = np.asarray(list(_LATIN))
    words: dict[str, None] = {}
    while len(words) < size:
        batch = 2 * (size - len(words)) + 64
        zh_len, en_len = rng.integers(2, 5, batch), rng.integers(3, 10, batch)
        zh = cjk[rng.integers(0, cjk.size, (batch, 4))]
        en = latin[rng.integers(0, 26, (batch, 9))]
        for i in range(batch):
            word = "".join(zh[i, : zh_len[i]]) if len(words) % 2 == 0 else "".join(en[i, : en_len[i]])
            words.setdefault(word)
            if len(words) == size:
                break
    return list(words)


def _zipf_cdf(size: int) -> np.ndarray:
    p = np.arange(1, size + 1, dtype=np.float64) ** -ZIPF_S
    return np.cumsum(p / p.sum())


def _rank_table(vocab: int, bits: int = 22) -> np.ndarray:
    """Inverse Zipf CDF on 2**bits equal-probability cells: sampling is then one integer lookup."""
    cells = (np.arange(2**bits, dtype=np.float64) + 0.5) / 2**bits
    return np.minimum(np.searchsorted(_zipf_cdf(vocab), cells), vocab - 1).astype(np.int32)


def token_ids(n: int, seed: int = 0, vocab: int = VOCAB) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, offsets)``: passage i's term ids (0 = most common) are ``ids[offsets[i]:offsets[i+1]]``."""
    rng = np.random.default_rng((seed, 4))
    lengths = rng.integers(TERMS // 2, TERMS * 3 // 2 + 1, n)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    table = _rank_table(vocab)
    ids = table[rng.integers(0, table.size, int(offsets[-1]), dtype=np.int32)]
    return ids, offsets


def passages_terms(ids: np.ndarray, offsets: np.ndarray, words: list[str]) -> list[list[str]]:
    """The passages as lists of term strings (what ``SparseIndex.build`` takes; the strings are shared)."""
    flat = np.asarray(words, dtype=object)[ids]
    return [flat[offsets[i] : offsets[i + 1]].tolist() for i in range(len(offsets) - 1)]


WEIGHTS = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 0.9, 0.5, 0.35, 0.35, 0.29, 0.29, 0.29)


def weighted_queries(count: int, words: list[str], seed: int = 0, skip: int = 20) -> list[dict[str, float]]:
    """Realistic sparse queries: ``QUERY_TERMS`` terms each, with expansion-like weights."""
    rng = np.random.default_rng((seed, 5))
    cdf = _zipf_cdf(len(words))
    out: list[dict[str, float]] = []
    for _ in range(count):
        query: dict[str, float] = {}
        while len(query) < QUERY_TERMS:
            rank = int(np.searchsorted(cdf, rng.random()))
            if skip <= rank < len(words) and words[rank] not in query:
                query[words[rank]] = WEIGHTS[len(query) % len(WEIGHTS)]
        out.append(query)
    return out
