"""The sparse side of the index: BM25 over the analyzer's terms, built by bm25s, searched with weights.

bm25s computes the BM25 weight of every (term, passage) pair at build time and keeps them as a sparse
matrix, one column per term. A query is a weighted sum of columns read from that matrix, so
expansions can weigh less than the words the user typed. The saved index is bm25s's own layout
(JSON + NumPy, no pickle); loading it needs only NumPy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from .store import save_array

BIGRAMS = "bigrams"
"""The folder of the bigram field in a build (the words' BM25 is in ``sparse``)."""
SMALL_POSTING = 64
"""Posting lists up to this long are checked as Python sets by :meth:`SparseIndex.contains`."""
TOP_K_STRIDE = 16
"""Sampling stride of :func:`top_k`'s threshold on large collections."""
K1 = 1.2
B = 0.75


class SparseIndex:
    """BM25 scores of every (term, passage) pair, as bm25s stores them: a CSC matrix with one column per
    term — ``data`` (``float32`` weights), ``indices`` (``int32`` passage ids, ascending within a column)
    and ``indptr`` (``int64``, length ``len(vocab) + 1``) — plus ``vocab`` (term → column) and ``num_docs``.

    Scores are in BM25 units (unbounded, not comparable across collections); a query's score is the
    weighted sum of its terms' columns (:meth:`scores`).
    """

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab: dict[str, int],
                 num_docs: int) -> None:
        self.data = data
        self.indices = indices
        self.indptr = indptr
        self.vocab = vocab
        self.num_docs = num_docs
        self._sorted: dict[int, bool] = {}

    @classmethod
    def build(cls, corpus_terms: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> SparseIndex:
        """The BM25 index of these passages (each a list of terms), built by bm25s.

        ``bm25s.BM25(method="lucene")`` (Lù 2024, "BM25S: Orders of magnitude faster lexical search via
        eager sparse scoring"; Lucene's BM25 variant of Robertson & Zaragoza 2009) computes the weight of
        every (term, passage) pair at build time, as a sparse matrix with one column per term; it is kept
        as bm25s made it. An empty passage is the single term ``""``, which bm25s always puts in the
        vocabulary.
        """
        import bm25s

        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        retriever.index([list(terms) or [""] for terms in corpus_terms], show_progress=False)
        scores = retriever.scores
        return cls(
            np.asarray(scores["data"], dtype=np.float32),
            np.asarray(scores["indices"], dtype=np.int32),
            np.asarray(scores["indptr"]),
            {str(term): int(i) for term, i in retriever.vocab_dict.items()},
            int(scores["num_docs"]),
        )

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        save_array(directory / "data.csc.index.npy", self.data)
        save_array(directory / "indices.csc.index.npy", self.indices)
        save_array(directory / "indptr.csc.index.npy", self.indptr)
        vocab = json.dumps(self.vocab, ensure_ascii=False)
        (directory / "vocab.index.json").write_text(vocab, encoding="utf-8")
        params = {"k1": K1, "b": B, "method": "lucene", "num_docs": self.num_docs}
        (directory / "params.index.json").write_text(json.dumps(params), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, mmap: bool = False) -> SparseIndex:
        mode: Literal["r"] | None = "r" if mmap else None
        params = json.loads((directory / "params.index.json").read_text(encoding="utf-8"))
        vocab = json.loads((directory / "vocab.index.json").read_text(encoding="utf-8"))
        return cls(
            np.load(directory / "data.csc.index.npy", allow_pickle=False, mmap_mode=mode),
            np.load(directory / "indices.csc.index.npy", allow_pickle=False, mmap_mode=mode),
            np.load(directory / "indptr.csc.index.npy", allow_pickle=False, mmap_mode=mode),
            {str(k): int(v) for k, v in vocab.items()},
            int(params["num_docs"]),
        )

    def document_frequency(self, term: str) -> int:
        tid = self.vocab.get(term)
        return 0 if tid is None else int(self.indptr[tid + 1] - self.indptr[tid])

    def contains(self, term: str, ids: list[int]) -> bool:
        """Whether any of the passages ``ids`` contains ``term`` (a binary search of its posting list)."""
        tid = self.vocab.get(term)
        if tid is None or not ids:
            return False
        lo, hi = int(self.indptr[tid]), int(self.indptr[tid + 1])
        if hi <= lo:
            return False
        posting = self.indices[lo:hi]
        if hi - lo <= SMALL_POSTING:
            return not set(ids).isdisjoint(posting.tolist())
        if not self._sorted_posting(tid, posting):
            return bool(np.isin(posting, ids).any())
        wanted = np.asarray(ids, dtype=np.int64)
        at = np.minimum(np.searchsorted(posting, wanted), hi - lo - 1)
        return bool((posting[at] == wanted).any())

    def _sorted_posting(self, tid: int, posting: np.ndarray) -> bool:
        """Whether a posting list ascends (as bm25s and this class build them); checked once per term."""
        known = self._sorted.get(tid)
        if known is None:
            known = self._sorted[tid] = bool((posting[1:] >= posting[:-1]).all())
        return known

    def scores(self, weighted_terms: dict[str, float]) -> np.ndarray:
        """BM25 score of every passage for a weighted bag of terms: ``float32``, shape ``(num_docs,)``.

        Summed in float32, term by term in the given order, so every score is bit-identical to adding
        each term's weighted column in turn. The first column is assigned (0 + x is x) and the rest
        added with ``np.add.at`` — unbuffered, about twice as fast as ``out[rows] += values`` (gather,
        add, scatter) on the long posting lists of a large collection.
        """
        out = np.zeros(self.num_docs, dtype=np.float32)
        empty = True
        for weight, lo, hi in self._columns(weighted_terms):
            values = weight * self.data[lo:hi]
            if empty:
                out[self.indices[lo:hi]] = values
                empty = False
            else:
                # each passage appears at most once per term, so this adds each value exactly once
                np.add.at(out, self.indices[lo:hi], values)
        return out

    def ceiling(self, weighted_terms: dict[str, float]) -> float:
        """The BM25 score of a passage that held every term as strongly as the passage holding it most:
        the sum over terms of weight × the term's best score (an upper bound of :meth:`scores`)."""
        return sum((weight * float(self.data[lo:hi].max()) for weight, lo, hi in self._columns(weighted_terms)), 0.0)

    def _columns(self, weighted_terms: dict[str, float]) -> Iterator[tuple[float, int, int]]:
        """``(weight, lo, hi)`` of each term the index holds with a non-zero weight and a non-empty
        column (``data[lo:hi]``), in the given order."""
        for term, weight in weighted_terms.items():
            tid = self.vocab.get(term)
            if tid is None or weight == 0:
                continue
            lo, hi = int(self.indptr[tid]), int(self.indptr[tid + 1])
            if hi > lo:
                yield weight, lo, hi

    def search(self, weighted_terms: dict[str, float], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k ``(ids, scores)`` with positive score, best first (ties broken by passage id)."""
        scores = self.scores(weighted_terms)
        return top_k(scores, k)


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best positive scores, best first, ties broken by lower passage id.

    On large collections a threshold comes first: the k-th largest of every ``TOP_K_STRIDE``-th
    score is at most the true k-th largest, so every passage at or above it is a candidate, and about
    k·stride of them remain. Only they are partitioned and sorted (0.3 ms at 1M passages where
    arg-partitioning every positive score took ~30 ms). All ties with the k-th score are candidates,
    so the cut is resolved by passage id, deterministically.
    """
    n = scores.size
    if k <= 0 or n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    floor = np.nextafter(np.float32(0), np.float32(1))
    if n >= 4 * k * TOP_K_STRIDE:
        sample = scores[::TOP_K_STRIDE]
        floor = max(floor, np.partition(sample, sample.size - k)[sample.size - k])
    candidates = np.flatnonzero(scores >= floor)
    if candidates.size > k:
        values = scores[candidates]
        candidates = candidates[values >= np.partition(values, values.size - k)[values.size - k]]
    order = np.lexsort((candidates, -scores[candidates]))[:k]
    ids = candidates[order]
    return ids, scores[ids]
