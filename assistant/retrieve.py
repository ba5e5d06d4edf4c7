"""Retrieve: dense and sparse search, fused, with duplicates collapsed.

Both sides propose their top ``DEPTH`` passages; every candidate is then scored on both sides (exact
cosine from the stored embeddings, and BM25), and the two scores are fused as a weighted sum of
z-scores over the candidate set (``fusion_alpha`` for the dense share). Reciprocal-rank fusion is
available too (``fusion="rrf"``); the eval suite chose z-scores, which keep the size of a lead.

Language balance: in a mostly Chinese corpus with a few English passages (an abstract, figure notes,
references), an English question scores English passages higher on both sides merely for sharing its
language. For a question that is not in the corpus's main language, each score is therefore also
standardised within its passage language, and the two forms are mixed (``language_balance`` = weight
of the per-language form).

Passages that overlap an already-ranked passage of the same document by more than half (chunk
overlap), or repeat its text, are collapsed into it.

Abstention: the assistant says nothing relevant was found when the question names something the
documents never mention (an acronym or a trial or drug code such as SONIA or BOLERO-2), or when its
confidence (how close the best passage is in embedding space, plus a share of how much of the
question the top passages cover) falls below a threshold calibrated on the eval suite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .analyze import english_terms
from .glossary import GLOSS_MARK
from .records import Hit, Passage, Query
from .settings import Settings
from .sparse import SparseIndex, top_k

DEPTH = 50
"""How many candidates each side contributes to fusion."""

Candidate = tuple[int, float, float | None, float | None]
"""``(passage id, fused score, dense score, sparse score)``."""


@dataclass(frozen=True)
class Ranking:
    """The fused ranking plus the raw evidence abstention is decided on."""

    hits: tuple[Hit, ...]
    dense_top: float
    """Cosine similarity of the nearest passage (0 when dense search was not run)."""
    coverage: float
    """Share of the question's term weight found in the top passages (0..1)."""


def _standardise(x: np.ndarray, groups: np.ndarray | None, balance: float) -> np.ndarray:
    """z-scores over all candidates, mixed with z-scores within each language group."""
    out = (x - x.mean()) / (x.std() + 1e-9)
    if groups is None or balance <= 0:
        return out
    within = np.zeros_like(out)
    for g in np.unique(groups):
        m = groups == g
        if m.sum() > 1:
            within[m] = (x[m] - x[m].mean()) / (x[m].std() + 1e-9)
    return (1 - balance) * out + balance * within


def sparse_scores(sparse: SparseIndex, weights: dict[str, float], foreign: dict[str, float],
                  foreign_mask: np.ndarray) -> np.ndarray:
    """BM25 of every passage; ``foreign`` terms count only where ``foreign_mask`` is True."""
    scores = sparse.scores(weights)
    if foreign and foreign_mask.any():
        scores += sparse.scores(foreign) * foreign_mask
    return scores


def search(vector: np.ndarray | None, sparse_all: np.ndarray | None, embeddings: np.ndarray,
           dense_search, chinese: np.ndarray, settings: Settings,  # type: ignore[no-untyped-def]
           balance: float = 0.0) -> list[Candidate]:
    """Candidates from both sides, fused and sorted best first (ties by passage id).

    ``balance`` is the language balance to apply: the caller passes ``settings.language_balance`` when
    the question is not in the corpus's main language, and 0 otherwise.
    """
    dense_ids = np.zeros(0, dtype=np.int64)
    if vector is not None:
        dense_ids, _ = dense_search(vector, DEPTH)
    sparse_ids = np.zeros(0, dtype=np.int64)
    if sparse_all is not None:
        sparse_ids, _ = top_k(sparse_all, DEPTH)
    ids = np.unique(np.concatenate([dense_ids, sparse_ids]).astype(np.int64))
    if ids.size == 0:
        return []
    dense_c = np.asarray(embeddings[ids], dtype=np.float32) @ vector if vector is not None else None
    sparse_c = sparse_all[ids].astype(np.float64) if sparse_all is not None else None
    if dense_c is not None and sparse_c is not None:
        if settings.fusion == "rrf":
            fused = _rrf(ids, dense_c, sparse_c, settings)
        else:
            groups = chinese[ids]
            a = settings.fusion_alpha
            fused = a * _standardise(dense_c.astype(np.float64), groups, balance) + (1 - a) * _standardise(
                sparse_c, groups, balance
            )
    else:
        fused = (dense_c if dense_c is not None else sparse_c).astype(np.float64)  # type: ignore[union-attr]
    order = np.lexsort((ids, -fused))
    return [
        (int(ids[i]), float(fused[i]),
         float(dense_c[i]) if dense_c is not None else None,
         float(sparse_c[i]) if sparse_c is not None else None)
        for i in order
    ]


def _rrf(ids: np.ndarray, dense: np.ndarray, sparse: np.ndarray, settings: Settings) -> np.ndarray:
    """Weighted reciprocal-rank fusion: Σ w_side / (rrf_k + rank_side)."""
    fused = np.zeros(len(ids))
    for scores, weight, positive in ((dense, settings.dense_weight, False), (sparse, settings.sparse_weight, True)):
        order = np.lexsort((ids, -scores))
        for rank, i in enumerate(order):
            if positive and scores[i] <= 0:
                continue
            fused[i] += weight / (settings.rrf_k + rank + 1)
    return fused


def overlaps(a: Passage, b: Passage) -> bool:
    """Same document and more than half of the shorter span shared, or the same text."""
    if a.text == b.text:
        return True
    if a.doc != b.doc:
        return False
    shared = min(a.end, b.end) - max(a.start, b.start)
    return shared > 0.5 * min(a.end - a.start, b.end - b.start)


def collapse(candidates: list[Candidate], passages: list[Passage], k: int) -> list[Hit]:
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
    found_origins = {t.origin for t in query.terms
                     if t.source not in ("query", "context") and sparse.contains(t.text, ids)}
    hit = sum(1 for t in own if sparse.contains(t.text, ids) or _origin_matches(t.text, found_origins))
    hit += sum(1 for t in missing if _origin_matches(t.text, found_origins))
    return hit / (len(own) + len(missing))


def _origin_matches(term: str, origins: set[str]) -> bool:
    return any(term == o or term in o.split() for o in origins)


COVERAGE_SHARE = 0.3
"""Weight of question coverage next to embedding closeness in the confidence (chosen on the eval suite)."""

_NAME = re.compile(
    r"(?<![A-Za-z0-9-])"
    r"(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*[A-Z0-9]"  # SONIA, CDK4, HER2
    r"|[A-Za-z]+-[0-9]+[A-Za-z0-9]*)"  # BOLERO-2, SOLAR-1
    r"(?![A-Za-z0-9-])"
)


def unknown_names(query: Query, vocab: dict[str, int]) -> list[str]:
    """Names in the question (acronyms, trial and drug codes: SONIA, BOLERO-2) that no passage contains,
    either directly or through a translation the question was expanded to."""
    found = {w for t in query.terms if t.source not in ("query", "context") and t.text in vocab
             for w in t.origin.split()}
    out: list[str] = []
    for m in _NAME.finditer(query.question):
        name = m.group()
        if sum(c.isalpha() for c in name) < 3:
            continue  # ER, OS, T2: too short to tell a name from an abbreviation
        stems = english_terms(name)
        if stems and not all(s in vocab or GLOSS_MARK + s in vocab or s in found for s in stems):
            out.append(name)
    return list(dict.fromkeys(out))


def confidence(ranking: Ranking, mode: str) -> float:
    """One number for abstention: embedding closeness plus a share of question coverage (sparse mode,
    which has no embeddings: coverage alone)."""
    if mode == "sparse":
        return ranking.coverage
    return ranking.dense_top + COVERAGE_SHARE * ranking.coverage
