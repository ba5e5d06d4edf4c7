"""The one search seam: ``Searcher.search(query, k, mode) -> Ranking``.

Shaped like pyserini's ``HybridSearcher``, per passage language: for every language the collection
holds, each signal — the main encoder, the cross-lingual encoder, BM25 over the question and its
translations — proposes its top :data:`DEPTH` passages *of that language*, so that a language with few
passages is never crowded out. Every candidate is then scored by every signal (exact cosines from the
stored vectors, and BM25), the scores are put on a language-neutral footing and fused
(:mod:`.fusion`), back matter moves down (:mod:`.prior`), a passage in the question's language moves
above its translation (:mod:`.twins`), passages that overlap a better one are collapsed into it, and
:mod:`.abstain` decides whether the result answers the question at all. That decision looks at a fixed
depth of the ranking (:data:`abstain.DEPTH`, :data:`abstain.CLOSE_DEPTH`), never at ``k``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import numpy as np

from ..embed import Embedder
from ..errors import IndexProblem, SettingsError
from ..index import Index
from ..index.bm25 import SparseIndex, top_k
from ..index.load import DenseSignal
from ..index.moments import CROSS, PRIMARY
from ..records import Hit, Passage, Query, Ranking
from ..settings import MODES, FusionMethod, Mode, Settings
from ..text import chinese_share
from . import abstain, prior, twins
from .expand import Expander
from .fusion import Spread, centred, rrf, sparse_normalised, weighted, with_best_sentence

DEPTH = 50
"""How many candidates each signal contributes per passage language."""
SPREAD_SAMPLE = 512
"""Passages a query's spread of cosines is measured on."""
SPARSE = "sparse"


class Searcher:
    """Dense, sparse or hybrid search over one loaded index.

    ``encoders`` is called the first time a query must be embedded (never in sparse mode), so that a
    sparse-only session never loads a model; it returns the encoders by signal name
    (:data:`~assistant.index.moments.PRIMARY`, :data:`~assistant.index.moments.CROSS`). Thread-safe: it
    holds no per-query state.
    """

    def __init__(self, index: Index, expander: Expander, encoders: Callable[[], Mapping[str, Embedder]],
                 settings: Settings) -> None:
        self.index = index
        self.expander = expander
        self.encoders = encoders
        self.settings = settings

    def search(self, query: Query, k: int, mode: Mode) -> Ranking:
        """The best ``k`` passages for an analysed query, best first, with the abstention decision.

        Raises SettingsError for ``k < 1`` or an unknown mode, and IndexProblem when an encoder's
        dimension differs from the index's.
        """
        if k < 1:
            raise SettingsError("k must be at least 1")
        if mode not in MODES:
            raise SettingsError(f"mode must be one of {', '.join(MODES)}")
        t0 = time.perf_counter()
        vectors = self.encode(query) if mode in ("hybrid", "dense") else {}
        t1 = time.perf_counter()
        sparse_all, ceiling = self._bm25(query) if mode in ("hybrid", "sparse") else (None, 0.0)
        ranked = self.rank(query, vectors, sparse_all, ceiling)
        demoted = prior.apply(query, ranked, self.settings.back_matter_penalty)
        candidates = twins.apply(self.index, query, demoted)
        hits = collapse(candidates, max(k, abstain.DEPTH, abstain.CLOSE_DEPTH))
        decision = abstain.decide(self.index, self.settings, query, mode, hits, vectors)
        timings = {"encode": t1 - t0, "search": time.perf_counter() - t1}
        return Ranking(query, tuple(hits[:k]), mode, decision.confidence, decision.abstained, decision.unknown,
                       timings, uncovered=decision.uncovered, vectors=vectors)

    # ------------------------------------------------------------------ the signals

    def encode(self, query: Query) -> dict[str, np.ndarray]:
        """The query's vector for each dense signal of the index: ``float32`` of shape ``(dim,)``, unit norm.
        The main encoder reads the question with its glossary translations (``dense_text``); the
        cross-lingual one reads the question alone."""
        out: dict[str, np.ndarray] = {}
        for name, encoder in self.encoders().items():
            signal = self.index.signals.get(name)
            if signal is None:
                continue
            text = (query.dense_text or query.text) if name == PRIMARY else query.text
            vector = encoder.encode_queries([text])[0]
            if vector.shape[0] != signal.dim:
                raise IndexProblem("the embedding model's dimension differs from the index; rebuild it")
            out[name] = vector
        return out

    def _bm25(self, query: Query) -> tuple[np.ndarray, float]:
        """BM25 of every passage (``float32``, shape ``(n,)``; the expansions that count only in passages
        of the other language are added only there; a Chinese question's own character bigrams are scored in
        the index's bigram field and added) and the question's BM25 ceiling over its terms, translations
        and bigrams (:meth:`~assistant.index.bm25.SparseIndex.ceiling`)."""
        index = self.index
        weights, foreign = self.expander.weights(query), self.expander.weights(query, foreign_only=True)
        other_language = ~index.chinese if query.language == "zh" else index.chinese
        ceiling = index.sparse.ceiling(weights) + index.sparse.ceiling(foreign)
        scores = bm25_scores(index.sparse, weights, foreign, other_language)
        phrases = self.expander.phrase_weights(query)
        if index.phrases is not None and phrases:
            scores += index.phrases.scores(phrases)
            ceiling += index.phrases.ceiling(phrases)
        return scores, ceiling

    def spreads(self, signal: DenseSignal, vector: np.ndarray, chinese: float) -> dict[str, Spread]:
        """Mean of a query's cosines over each passage language and over all passages (exact, from the
        centroids), their spread over all passages (from a fixed sample of at most :data:`SPREAD_SAMPLE`
        passages), and each language's offset for a query text that is ``chinese`` (0..1) Chinese: the
        Chinese and the English reference questions' offsets, mixed in that proportion (an English
        question that carries Chinese translations favours English passages less than one without)."""
        stats = signal.stats
        if stats is None:  # a build without them: the candidates' own spread decides
            return {}
        std = float(np.std(np.asarray(signal.embeddings[spread_sample(len(self.index.passages))],
                                      dtype=np.float32) @ vector))
        q = vector.astype(np.float64)

        def offset(group: str) -> float:
            return (chinese * stats.offsets.get(("zh", group), 0.0)
                    + (1.0 - chinese) * stats.offsets.get(("en", group), 0.0))

        return {group: Spread(float(q @ mean), std, stats.counts[group], offset(group))
                for group, mean in stats.means.items()}

    def rank(self, query: Query, vectors: Mapping[str, np.ndarray], sparse_all: np.ndarray | None,
             ceiling: float = 0.0, ids: np.ndarray | None = None) -> list[Hit]:
        """Candidates from every signal and language (or exactly ``ids``), fused and sorted best first
        (ties by passage id). ``ceiling`` is the question's BM25 ceiling (0: no floor under BM25's
        normaliser)."""
        index, settings = self.index, self.settings
        if ids is None:
            ids = self._candidates(vectors, sparse_all)
        if ids.size == 0:
            return []
        chinese = index.chinese[ids]
        shares = index.chinese_shares[ids]
        mostly_same = chinese if query.language == "zh" else ~chinese
        same = shares if query.language == "zh" else 1.0 - shares
        raw: dict[str, np.ndarray] = {}
        normalised: dict[str, np.ndarray] = {}
        for name, vector in vectors.items():
            signal = index.signals[name]
            scores = np.asarray(signal.embeddings[ids], dtype=np.float32) @ vector
            if signal.sentences is not None and settings.sentence_weight > 0:
                scores = with_best_sentence(scores, signal.sentences.best(ids, vector), settings.sentence_weight)
            raw[name] = scores
            spreads = self.spreads(signal, vector, encoded_share(query, name))
            if spreads:
                normalised[name] = centred(scores, shares, spreads, settings.language_shrink)
            else:
                normalised[name] = (scores - scores.mean()) / (scores.std() + 1e-9)
        if sparse_all is not None:
            raw[SPARSE] = sparse_all[ids].astype(np.float64)
            floor = settings.sparse_floor * ceiling
            normalised[SPARSE] = sparse_normalised(raw[SPARSE], chinese, settings.sparse_language_max, floor)
        weights = {
            PRIMARY: (settings.weight_primary_same, settings.weight_primary_cross),
            CROSS: (settings.weight_crosslingual_same, settings.weight_crosslingual_cross),
            SPARSE: (settings.weight_sparse_same, settings.weight_sparse_cross),
        }
        if len(normalised) == 1:  # one signal: its own order
            fused = next(iter(normalised.values()))
        elif FusionMethod(settings.fusion) is FusionMethod.RRF:
            fused = rrf(ids, raw, settings.rrf_k, mostly_same, weights)
        else:
            fused = weighted(normalised, same, weights)
        order = np.lexsort((ids, -fused))
        passages = index.passages
        primary = raw.get(PRIMARY)
        sparse = raw.get(SPARSE)
        return [
            Hit(passages[int(ids[i])], float(fused[i]),
                float(primary[i]) if primary is not None else None,
                float(sparse[i]) if sparse is not None else None)
            for i in order
        ]

    def _candidates(self, vectors: Mapping[str, np.ndarray], sparse_all: np.ndarray | None) -> np.ndarray:
        """The union of every signal's top :data:`DEPTH` passages in every language (``int64``, sorted)."""
        index = self.index
        found: list[np.ndarray] = []
        for language, members in index.language_ids.items():
            if members.size == 0:
                continue
            if members.size <= DEPTH:
                found.append(members)
                continue
            subset = index.subset(language)
            for name, vector in vectors.items():
                ids, _ = index.signals[name].dense.search(vector, DEPTH, subset)
                found.append(ids)
            if sparse_all is not None:
                local, _ = top_k(sparse_all[members], DEPTH)
                found.append(members[local])
        if not found:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(found).astype(np.int64))


def encoded_share(query: Query, signal: str) -> float:
    """How much of the text a signal's encoder read for ``query`` is Chinese (0..1)."""
    return chinese_share((query.dense_text or query.text) if signal == PRIMARY else query.text)


def spread_sample(n: int) -> np.ndarray:
    """The passages a query's spread of cosines is measured on: all of them up to :data:`SPREAD_SAMPLE`,
    else that many evenly spaced (``int64``, ascending)."""
    if n <= SPREAD_SAMPLE:
        return np.arange(n, dtype=np.int64)
    return np.linspace(0, n - 1, SPREAD_SAMPLE).astype(np.int64)


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
