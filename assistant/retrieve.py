"""Retrieve: dense and sparse search, fused by weighted reciprocal rank, with duplicates collapsed.

Fusion is weighted RRF: ``score(p) = Σ w_side / (rrf_k + rank_side(p))`` — robust to the very
different score scales of cosine similarity and BM25, and tuned on the eval suite. Passages that
overlap an already-ranked passage of the same document by more than half (chunk overlap), or repeat
its text, are collapsed into it.

The confidence used for abstention combines how close the best passage is in embedding space with
how much of the question the top passages actually cover (see :func:`confidence`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .records import Hit, Passage, Query
from .settings import Settings
from .sparse import SparseIndex

DEPTH = 50
"""How many candidates each side contributes to fusion."""


@dataclass(frozen=True)
class Ranking:
    """The fused ranking plus the raw evidence abstention is decided on."""

    hits: tuple[Hit, ...]
    dense_top: float
    """Cosine similarity of the nearest passage (0 when dense search was not run)."""
    coverage: float
    """Share of the question's term weight found in the top passages (0..1)."""


def fuse(dense: tuple[np.ndarray, np.ndarray] | None, sparse: tuple[np.ndarray, np.ndarray] | None,
         settings: Settings) -> list[tuple[int, float, float | None, float | None]]:
    """Weighted RRF of the two rankings: ``(id, score, dense score, sparse score)``, best first."""
    sides = []
    if dense is not None:
        sides.append((0, dense, settings.dense_weight))
    if sparse is not None:
        sides.append((1, sparse, settings.sparse_weight))
    table: dict[int, list[float | None]] = {}
    for side, (ids, scores), weight in sides:
        for rank, (pid, raw) in enumerate(zip(ids.tolist(), scores.tolist(), strict=True)):
            row = table.setdefault(int(pid), [0.0, None, None])
            row[0] = float(row[0] or 0.0) + weight / (settings.rrf_k + rank + 1)
            row[1 + side] = float(raw)
    fused = [(pid, float(r[0] or 0.0), r[1], r[2]) for pid, r in table.items()]
    fused.sort(key=lambda x: (-x[1], x[0]))
    return fused


def overlaps(a: Passage, b: Passage) -> bool:
    """Same document and more than half of the shorter span shared, or the same text."""
    if a.text == b.text:
        return True
    if a.doc != b.doc:
        return False
    shared = min(a.end, b.end) - max(a.start, b.start)
    return shared > 0.5 * min(a.end - a.start, b.end - b.start)


def collapse(candidates: list[tuple[int, float, float | None, float | None]], passages: list[Passage],
             k: int) -> list[Hit]:
    hits: list[Hit] = []
    for pid, score, dense, sparse in candidates:
        passage = passages[pid]
        if any(overlaps(passage, h.passage) for h in hits):
            continue
        hits.append(Hit(passage, score, dense, sparse))
        if len(hits) == k:
            break
    return hits


def coverage(query: Query, sparse: SparseIndex, ids: list[int]) -> float:
    """Share of the question's own words that the passages contain, directly or translated.

    A word counts as found when it, or any expansion that came from it, occurs in one of the passages.
    """
    own = [t for t in query.terms if t.source == "query" and t.text in sparse.vocab]
    missing = [t for t in query.terms if t.source == "query" and t.text not in sparse.vocab]
    if not own and not missing:
        return 0.0
    found_origins = {t.origin for t in query.terms if t.source not in ("query", "context") and sparse.contains(t.text, ids)}
    hit = sum(1 for t in own if sparse.contains(t.text, ids) or _origin_matches(t.text, found_origins))
    hit += sum(1 for t in missing if _origin_matches(t.text, found_origins))
    return hit / (len(own) + len(missing))


def _origin_matches(term: str, origins: set[str]) -> bool:
    return any(term == o or term in o.split() for o in origins)


def confidence(ranking: Ranking, mode: str) -> float:
    """One number for abstention: embedding closeness, corrected by how much of the question is covered."""
    if mode == "sparse":
        return ranking.coverage
    return ranking.dense_top + 0.1 * ranking.coverage
