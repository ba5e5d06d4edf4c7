"""Sparse side: a BM25 index (bm25s) over the analyzer's terms, searched with weighted query terms.

bm25s computes the BM25 weight of every (term, passage) pair at build time and stores them as a
sparse matrix, one column per term. A query is then a weighted sum of columns, so expansions can
weigh less than the words the user typed. The saved index is bm25s's own layout (JSON + NumPy, no
pickle); loading it needs only NumPy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

K1 = 1.2
B = 0.75


class SparseIndex:
    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab: dict[str, int],
                 num_docs: int) -> None:
        self.data = data
        self.indices = indices
        self.indptr = indptr
        self.vocab = vocab
        self.num_docs = num_docs

    @classmethod
    def build(cls, corpus_terms: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> SparseIndex:
        import bm25s

        model = bm25s.BM25(k1=k1, b=b, method="lucene")
        docs = [list(terms) if terms else [""] for terms in corpus_terms]
        model.index(docs, show_progress=False)
        scores = model.scores
        return cls(
            np.asarray(scores["data"], dtype=np.float32),
            np.asarray(scores["indices"], dtype=np.int32),
            np.asarray(scores["indptr"], dtype=np.int64),
            {str(k): int(v) for k, v in model.vocab_dict.items()},
            int(scores["num_docs"]),
        )

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "data.csc.index.npy", self.data, allow_pickle=False)
        np.save(directory / "indices.csc.index.npy", self.indices, allow_pickle=False)
        np.save(directory / "indptr.csc.index.npy", self.indptr, allow_pickle=False)
        (directory / "vocab.index.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        params = {"k1": K1, "b": B, "method": "lucene", "num_docs": self.num_docs}
        (directory / "params.index.json").write_text(json.dumps(params), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, mmap: bool = False) -> SparseIndex:
        mode = "r" if mmap else None
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
        """Whether any of the passages ``ids`` contains ``term``."""
        tid = self.vocab.get(term)
        if tid is None or not ids:
            return False
        lo, hi = int(self.indptr[tid]), int(self.indptr[tid + 1])
        return bool(np.isin(self.indices[lo:hi], ids).any())

    def scores(self, weighted_terms: dict[str, float]) -> np.ndarray:
        """BM25 score of every passage for a weighted bag of terms."""
        out = np.zeros(self.num_docs, dtype=np.float32)
        for term, weight in weighted_terms.items():
            tid = self.vocab.get(term)
            if tid is None or weight == 0:
                continue
            lo, hi = int(self.indptr[tid]), int(self.indptr[tid + 1])
            if hi > lo:
                # each passage appears at most once per term, so fancy-index += is exact
                out[self.indices[lo:hi]] += weight * self.data[lo:hi]
        return out

    def search(self, weighted_terms: dict[str, float], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k ``(ids, scores)`` with positive score, best first (ties broken by passage id)."""
        scores = self.scores(weighted_terms)
        return top_k(scores, k)


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    positive = np.flatnonzero(scores > 0)
    if positive.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    if positive.size > k:
        part = np.argpartition(-scores[positive], k - 1)[:k]
        positive = positive[part]
    order = np.lexsort((positive, -scores[positive]))
    ids = positive[order]
    return ids, scores[ids]
