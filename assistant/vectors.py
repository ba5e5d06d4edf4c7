"""Dense side: a FAISS inner-product index over normalized embeddings.

Exact search (``IndexFlatIP``) by default; for large collections an approximate index is chosen by
size (HNSW), and the user can force any kind. faiss is imported only when an index is built or loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

APPROXIMATE_FROM = 100_000
"""With ``index_type=auto``, collections at least this large use HNSW instead of exact search."""
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96
IVF_NPROBE = 32


def choose_kind(requested: str, n: int) -> str:
    if requested != "auto":
        return requested
    return "hnsw" if n >= APPROXIMATE_FROM else "flat"


def _faiss() -> Any:
    import faiss

    return faiss


def set_threads(n: int) -> None:
    _faiss().omp_set_num_threads(max(1, n))


class VectorIndex:
    def __init__(self, index: Any, kind: str) -> None:
        self.index = index
        self.kind = kind

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        return int(self.index.d)

    @classmethod
    def build(cls, vectors: np.ndarray, kind: str = "auto") -> VectorIndex:
        faiss = _faiss()
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        kind = choose_kind(kind, n)
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
        elif kind == "ivf":
            nlist = max(1, min(4096, int(4 * np.sqrt(max(n, 1)))))
            quantizer = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
            train = vectors if n <= 64 * nlist else vectors[np.random.default_rng(0).choice(n, 64 * nlist, False)]
            index.train(train)
            index.nprobe = min(IVF_NPROBE, nlist)
        else:
            raise ValueError(f"unknown index type {kind!r}")
        if n:
            index.add(vectors)
        return cls(index, kind)

    def save(self, path: Path) -> None:
        _faiss().write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, kind: str) -> VectorIndex:
        faiss = _faiss()
        index = faiss.read_index(str(path))
        if kind == "hnsw":
            index.hnsw.efSearch = HNSW_EF_SEARCH
        elif kind == "ivf":
            index.nprobe = min(IVF_NPROBE, index.nlist)
        return cls(index, kind)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k ``(ids, scores)`` for one query vector, best first."""
        k = min(k, self.size)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, ids = self.index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep]
