"""Fusion: one ranking from the dense and the sparse scores of the same candidates.

Two methods (:class:`~assistant.settings.FusionMethod`):

* ``zscore`` — a weighted sum of z-scores over the candidate set, ``alpha`` for the dense share: the
  convex combination of normalised scores of Bruch, Gai & Ingber 2023 ("An Analysis of Fusion Functions
  for Hybrid Retrieval"), with z-score normalisation. It keeps the size of a lead; the eval suite chose it.
* ``rrf`` — weighted reciprocal-rank fusion, Σ w / (k + rank) (Cormack, Clarke & Büttcher 2009,
  "Reciprocal rank fusion outperforms Condorcet and individual rank learning methods").

Language balance: for a question that is not in the collection's main language, each score is also
standardised within its passage language, and the two forms are mixed (``balance`` = weight of the
per-language form), so that passages do not win merely for sharing the question's language.
"""

from __future__ import annotations

import numpy as np

from ..settings import FusionMethod


def standardise(x: np.ndarray, groups: np.ndarray | None, balance: float) -> np.ndarray:
    """z-scores of ``x`` over all candidates, mixed with z-scores within each group.

    ``x``: float64 of shape ``(n,)``; ``groups``: shape ``(n,)`` (e.g. bool "is Chinese"), or None;
    ``balance``: 0..1, the weight of the per-group form. Returns float64 of shape ``(n,)``.
    """
    out = (x - x.mean()) / (x.std() + 1e-9)
    if groups is None or balance <= 0:
        return out
    within = np.zeros_like(out)
    for g in np.unique(groups):
        m = groups == g
        if m.sum() > 1:
            within[m] = (x[m] - x[m].mean()) / (x[m].std() + 1e-9)
    return (1 - balance) * out + balance * within


def zscore(dense: np.ndarray, sparse: np.ndarray, alpha: float, groups: np.ndarray | None = None,
           balance: float = 0.0) -> np.ndarray:
    """``alpha · z(dense) + (1 − alpha) · z(sparse)``, each standardised with :func:`standardise`."""
    return alpha * standardise(dense.astype(np.float64), groups, balance) + (1 - alpha) * standardise(
        sparse.astype(np.float64), groups, balance)


def rrf(ids: np.ndarray, dense: np.ndarray, sparse: np.ndarray, k: float, dense_weight: float = 1.0,
        sparse_weight: float = 1.0) -> np.ndarray:
    """Weighted reciprocal-rank fusion: Σ w_side / (k + rank_side), ranks from 1, ties by passage id.

    A passage with no positive BM25 score gets nothing from the sparse side.
    """
    fused = np.zeros(len(ids))
    for scores, weight, positive in ((dense, dense_weight, False), (sparse, sparse_weight, True)):
        order = np.lexsort((ids, -scores))
        for rank, i in enumerate(order):
            if positive and scores[i] <= 0:
                continue
            fused[i] += weight / (k + rank + 1)
    return fused


def fuse(method: FusionMethod, ids: np.ndarray, dense: np.ndarray, sparse: np.ndarray, *, alpha: float,
         rrf_k: float, dense_weight: float, sparse_weight: float, groups: np.ndarray | None = None,
         balance: float = 0.0) -> np.ndarray:
    """Fused scores of the candidates ``ids`` (higher is better), by ``method``."""
    if method is FusionMethod.RRF:
        return rrf(ids, dense, sparse, rrf_k, dense_weight, sparse_weight)
    return zscore(dense, sparse, alpha, groups, balance)
