"""Fusion: one ranking from every signal, whatever language a passage is in.

Three signals score each candidate: the main encoder (multilingual-e5), the cross-lingual encoder (USE
multilingual) and BM25 over the question and its translations. Each is first put on a footing where
the passage's language does not decide its score, then the three are summed with weights that depend
on whether the passage is in the question's language (``same``) or not (``cross``):

* the main encoder scores a passage both as a whole and by its **best sentence** (:func:`with_best_sentence`):
  the sentence that answers a question is not diluted by the rest of its passage.
* **dense** scores are *centred per passage language*: a passage's cosine minus the mean cosine of the
  question with all passages of its language, over the spread of the cosines with all passages
  (:func:`centred`). The means and spreads come from moments the build stored
  (:mod:`assistant.index.moments`); for a language with few passages the mean is shrunk (:data:`SHRINK`
  pseudo-passages) toward the mean over all passages plus the language's offset, which the reference
  questions (questions about nothing in the collection) measure. An encoder's preference for its
  question's own language (e5 scores every Chinese passage higher for a Chinese question) is thereby
  removed, while the size of a lead within a language is kept.
* **BM25** is divided by the best BM25 score among the passages of the same language, mixed
  (``gamma``) with the best over all passages (:func:`sparse_normalised`): translated terms weigh less
  than the words typed, so raw BM25 would favour the question's own language. The divisor is at least
  ``Settings.sparse_floor`` of the question's BM25 ceiling (the score of a passage holding every one of
  its terms as strongly as any passage does, :meth:`~assistant.index.bm25.SparseIndex.ceiling`): when
  the documents hold only a few of a question's words (a paraphrase), its best BM25 match is a weak one
  and is not scaled up to the score of a full match, so the encoders decide.

A passage in two languages (a bilingual table caption, an English note in a Chinese paper) belongs to
both in proportion to how much of it each holds (:func:`assistant.text.chinese_share`): its dense score
is centred on the mix of the two languages' means, and its weights mix the same- and cross-language ones.

The weights were chosen on the four gold collections (the seeds and evals/collections/*); every figure
reported for a collection was measured with the weights chosen on the other three.
``rrf`` (:func:`rrf`) is the alternative: weighted reciprocal-rank fusion of the three rankings
(Cormack, Clarke & Büttcher 2009).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

SHRINK = 10.0
"""Pseudo-passages of the whole collection a language's moments are shrunk toward."""
SPARSE_SCALE = 3.0
"""Scale of normalised BM25 (the best passage scores this), comparable to a centred dense lead."""


@dataclass(frozen=True)
class Spread:
    """Mean and standard deviation of a question's score over a group of passages, and how much higher
    than over all passages the group scores for questions about nothing in the collection."""

    mean: float
    std: float
    count: int
    offset: float = 0.0
    """The language offset: the reference questions' mean score over the group minus their mean over all
    passages (questions of the same language as this one)."""


def with_best_sentence(passage: np.ndarray, best_sentence: np.ndarray, weight: float) -> np.ndarray:
    """A passage's cosine mixed with its best sentence's: ``(1 − weight) · passage + weight ·
    max(passage, best_sentence)``: MaxP (Dai & Callan, SIGIR 2019) over sentences, mixed with the whole
    passage's score; the mix is ``Settings.sentence_weight``, chosen on the gold collections. A passage
    without sentence vectors (``-inf``) keeps its own score. Float arrays of shape ``(n,)``; returns
    ``float32``."""
    passage = np.asarray(passage, dtype=np.float32)
    return ((1.0 - weight) * passage + weight * np.maximum(passage, best_sentence)).astype(np.float32)


def shrunk(group: Spread, pooled: Spread, shrink: float = SHRINK) -> float:
    """A group's mean, shrunk toward the pooled mean plus the group's language offset: a group of a few
    passages says little about its language by itself, but questions about nothing in the collection
    show how much an encoder favours it (multilingual-e5 favours the question's own language)."""
    prior = pooled.mean + group.offset
    return (group.count * group.mean + shrink * prior) / (group.count + shrink)


def centred(scores: np.ndarray, chinese: np.ndarray, spreads: Mapping[str, Spread],
            shrink: float = SHRINK) -> np.ndarray:
    """Dense scores centred per passage language: ``(s − mean_p) / std_all``, where ``mean_p`` mixes the
    languages' means by how much of the passage is in each: ``share_p · mean_zh + (1 − share_p) ·
    mean_en``. A table caption in both languages is centred between the two, not as English alone.

    ``scores``: float of shape ``(n,)`` for ``n`` candidates; ``chinese``: how much of each candidate is
    Chinese, float (0..1) or bool, shape ``(n,)`` (:attr:`~assistant.index.Index.chinese_shares`);
    ``spreads``: ``zh``, ``en`` and ``all`` :class:`Spread`. Returns float64 ``(n,)``.
    """
    pooled = spreads["all"]
    share = np.asarray(chinese, dtype=np.float64)
    means = share * shrunk(spreads["zh"], pooled, shrink) + (1.0 - share) * shrunk(spreads["en"], pooled, shrink)
    return (scores.astype(np.float64) - means) / max(pooled.std, 1e-9)


def sparse_normalised(scores: np.ndarray, chinese: np.ndarray, gamma: float, floor: float = 0.0) -> np.ndarray:
    """BM25 over ``max(max_ℓ^gamma · max_all^(1−gamma), floor)`` (``max_ℓ``: the best score in the
    passage's language, taken over the candidates, which include every language's best), times
    :data:`SPARSE_SCALE`. ``floor`` (BM25 units) keeps a weak best match from being scaled up to a
    full one."""
    x = scores.astype(np.float64)
    top = float(x.max()) if x.size else 0.0
    if top <= 0:
        return np.zeros_like(x)
    out = np.zeros_like(x)
    for group in (chinese, ~chinese):
        if group.any():
            best = float(x[group].max())
            if best > 0:
                out[group] = x[group] / max(best**gamma * top ** (1 - gamma), floor)
    return SPARSE_SCALE * out


def weighted(signals: Mapping[str, np.ndarray], same: np.ndarray,
             weights: Mapping[str, tuple[float, float]]) -> np.ndarray:
    """Σ_signal w · x, with ``w = same · weights[signal][0] + (1 − same) · weights[signal][1]``: ``same``
    is how much of each passage is in the question's language (float 0..1, or bool), so a passage in
    two languages gets a weight between the same-language and the cross-language one."""
    share = np.asarray(same, dtype=np.float64)
    out = np.zeros(share.shape, dtype=np.float64)
    for name, x in signals.items():
        w_same, w_cross = weights[name]
        out += (share * w_same + (1.0 - share) * w_cross) * x
    return out


def rrf(ids: np.ndarray, signals: Mapping[str, np.ndarray], k: float, same: np.ndarray,
        weights: Mapping[str, tuple[float, float]]) -> np.ndarray:
    """Weighted reciprocal-rank fusion: Σ w / (k + rank), ranks from 1 (ties by passage id); a passage
    with no positive BM25 score gets nothing from the sparse side."""
    fused = np.zeros(len(ids))
    for name, scores in signals.items():
        order = np.lexsort((ids, -scores))
        w_same, w_cross = weights[name]
        for rank, i in enumerate(order):
            if name == "sparse" and scores[i] <= 0:
                continue
            fused[i] += (w_same if same[i] else w_cross) / (k + rank + 1)
    return fused
