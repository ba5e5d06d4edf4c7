"""The one search seam: ``Searcher.search(query, k, mode) -> Ranking``.

Shaped like pyserini's ``HybridSearcher``: both sides propose their top :data:`DEPTH` passages; every
candidate is then scored on both sides (exact cosine from the stored embeddings, and BM25), the two
scores are fused (:mod:`.fusion`), passages that overlap a better one are collapsed into it, and
:mod:`.abstain` decides whether the result answers the question at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ..embed import Embedder
from ..errors import IndexProblem, SettingsError
from ..index import Index
from ..index.bm25 import SparseIndex, top_k
from ..records import Hit, Passage, Query, Ranking
from ..settings import MODES, FusionMethod, Mode, Settings
from . import abstain
from .expand import Expander
from .fusion import fuse

DEPTH = 50
"""How many candidates each side contributes to fusion."""


class Searcher:
    """Dense, sparse or hybrid search over one loaded index.

    ``embedder`` is called the first time a query must be embedded (never in sparse mode), so that a
    sparse-only session never loads the model. Thread-safe: it holds no per-query state.
    """

    def __init__(self, index: Index, expander: Expander, embedder: Callable[[], dict[str, Embedder]],
                 settings: Settings) -> None:
        self.index = index
        self.expander = expander
        self.embedder = embedder
        self.settings = settings

    def search(self, query: Query, k: int, mode: Mode) -> Ranking:
        """The best ``k`` passages for an analysed query, best first, with the abstention decision.

        Raises SettingsError for ``k < 1`` or an unknown mode, and IndexProblem when the embedder's
        dimension differs from the index's.
        """
        if k < 1:
            raise SettingsError("k must be at least 1")
        if mode not in MODES:
            raise SettingsError(f"mode must be one of {', '.join(MODES)}")
        index, settings = self.index, self.settings
        t0 = time.perf_counter()
        vector = self._encode(query) if mode in ("hybrid", "dense") else None
        t1 = time.perf_counter()
        sparse_all = self._bm25(query) if mode in ("hybrid", "sparse") else None
        balance = settings.language_balance if query.language != index.main_language else 0.0
        candidates = self._candidates(vector, sparse_all, balance)
        hits = collapse(candidates, k)
        dense_top = max((h.dense for h in candidates if h.dense is not None), default=0.0)
        covered = abstain.coverage(query, index.sparse, [h.passage.id for h in hits[:3]])
        confidence = abstain.confidence(mode, dense_top, covered)
        threshold = settings.abstain_coverage if mode == "sparse" else settings.confidence_threshold
        unknown = tuple(abstain.unknown_names(query, index.sparse.vocab))
        abstained = not hits or bool(unknown) or confidence < threshold
        timings = {"encode": t1 - t0, "search": time.perf_counter() - t1}
        return Ranking(query, tuple(hits), mode, confidence, abstained, unknown, timings)

    # ------------------------------------------------------------------ the two sides

    def _encode(self, query: Query) -> np.ndarray:
        """The query vector: ``float32`` of shape ``(dim,)``, unit norm."""
        vector = self.embedder()["primary"].encode_queries([query.dense_text or query.text])[0]
        if vector.shape[0] != self.index.dense.dim:
            raise IndexProblem("the embedding model's dimension differs from the index; rebuild it")
        return vector

    def _bm25(self, query: Query) -> np.ndarray:
        """BM25 of every passage (``float32``, shape ``(n,)``); the expansions that count only in passages
        of the other language are added only there."""
        index = self.index
        other_language = ~index.chinese if query.language == "zh" else index.chinese
        return bm25_scores(index.sparse, self.expander.weights(query),
                           self.expander.weights(query, foreign_only=True), other_language)

    def _candidates(self, vector: np.ndarray | None, sparse_all: np.ndarray | None, balance: float) -> list[Hit]:
        """Candidates from both sides, fused and sorted best first (ties by passage id)."""
        index, settings = self.index, self.settings
        dense_ids = np.zeros(0, dtype=np.int64)
        if vector is not None:
            dense_ids, _ = index.dense.search(vector, DEPTH)
        sparse_ids = np.zeros(0, dtype=np.int64)
        if sparse_all is not None:
            sparse_ids, _ = top_k(sparse_all, DEPTH)
        ids = np.unique(np.concatenate([dense_ids, sparse_ids]).astype(np.int64))
        if ids.size == 0:
            return []
        dense_c = np.asarray(index.embeddings[ids], dtype=np.float32) @ vector if vector is not None else None
        sparse_c = sparse_all[ids].astype(np.float64) if sparse_all is not None else None
        if dense_c is not None and sparse_c is not None:
            fused = fuse(FusionMethod(settings.fusion), ids, dense_c, sparse_c, alpha=settings.fusion_alpha,
                         rrf_k=settings.rrf_k, dense_weight=settings.dense_weight,
                         sparse_weight=settings.sparse_weight, groups=index.chinese[ids], balance=balance)
        else:
            single = dense_c if dense_c is not None else sparse_c
            assert single is not None
            fused = single.astype(np.float64)
        order = np.lexsort((ids, -fused))
        passages = index.passages
        return [
            Hit(passages[int(ids[i])], float(fused[i]),
                float(dense_c[i]) if dense_c is not None else None,
                float(sparse_c[i]) if sparse_c is not None else None)
            for i in order
        ]


def bm25_scores(sparse: SparseIndex, weights: dict[str, float], foreign: dict[str, float],
                foreign_mask: np.ndarray) -> np.ndarray:
    """BM25 of every passage for weighted terms; ``foreign`` terms count only where ``foreign_mask`` is True.

    Returns ``float32`` of shape ``(num_docs,)``.
    """
    scores = sparse.scores(weights)
    if foreign and foreign_mask.any():
        scores += sparse.scores(foreign) * foreign_mask
    return scores


def overlaps(a: Passage, b: Passage) -> bool:
    """Same document and more than half of the shorter span shared, or the same text."""
    if a.text == b.text:
        return True
    if a.doc != b.doc:
        return False
    shared = min(a.end, b.end) - max(a.start, b.start)
    return shared > 0.5 * min(a.end - a.start, b.end - b.start)


def collapse(candidates: list[Hit], k: int) -> list[Hit]:
    """The first ``k`` candidates that do not overlap a better one (chunk overlap, repeated text)."""
    hits: list[Hit] = []
    for hit in candidates:
        if any(overlaps(hit.passage, h.passage) for h in hits):
            continue
        hits.append(hit)
        if len(hits) == k:
            break
    return hits
