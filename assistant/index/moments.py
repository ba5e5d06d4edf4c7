"""Moments: how each encoder's scores are spread over each passage language, and reference questions.

Cosine similarities from one encoder are not comparable across passage languages: multilingual-e5
scores a Chinese question 0.05-0.1 higher against any Chinese passage than against any English one,
so an English answer loses to unrelated Chinese text. Search therefore standardises a passage's score
against the scores of the other passages *of its own language* (see :mod:`assistant.search.fusion`).
Those need no pass over the passages at query time: for unit vectors, the mean of ``q·e`` over a group
is ``q·c`` (``c`` the group's centroid) and its variance ``qᵀΣq`` (``Σ`` the group's covariance), so the
build stores ``c`` and ``Σ`` per encoder and language (the covariance from at most
:data:`COVARIANCE_SAMPLE` passages) and a question costs one matrix-vector product per group.

The build also stores the vectors of the reference questions (``data/reference_questions.txt``,
questions about nothing a document collection is likely to hold), from which search learns how close
an unrelated question comes to *this* collection: abstention compares a question against that, not
against a raw cosine that differs between collections and models.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

PRIMARY = "primary"
"""The main encoder's signal (``Settings.embedder``)."""
CROSS = "crosslingual"
"""The cross-lingual encoder's signal (``Settings.crosslingual``)."""
CROSS_EMBEDDINGS = "embeddings-crosslingual.npy"
CROSS_DENSE = "dense-crosslingual.faiss"
MOMENTS = "moments.npz"
LANGUAGES = ("zh", "en")
COVARIANCE_SAMPLE = 20_000
"""Passages a group's covariance is estimated from (a fixed random sample beyond that)."""
DATA = Path(__file__).parent / "data" / "reference_questions.txt"


@lru_cache(maxsize=1)
def _reference_questions() -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, question = line.split("\t", 1)
            out.append((question.strip(), language.strip()))
    return tuple(out)


REFERENCE_QUESTIONS: list[tuple[str, str]] = list(_reference_questions())
"""``(question, language)`` pairs of the reference questions."""


@dataclass(frozen=True)
class Moments:
    """Mean and covariance of one encoder's passage vectors in one language."""

    count: int
    mean: np.ndarray
    """``float64`` of shape ``(dim,)``: the centroid (not normalised)."""
    cov: np.ndarray
    """``float64`` of shape ``(dim, dim)``: the covariance (population form)."""

    def spread(self, query: np.ndarray) -> tuple[float, float]:
        """Mean and standard deviation of ``query · e`` over the group's passages ``e``."""
        q = query.astype(np.float64)
        return float(q @ self.mean), float(np.sqrt(max(float(q @ self.cov @ q), 1e-12)))


def moments_of(vectors: np.ndarray, rng_seed: int = 0) -> Moments:
    """The moments of a group of vectors (``float32`` of shape ``(n, dim)``); zeros for an empty group."""
    n, dim = vectors.shape
    if n == 0:
        return Moments(0, np.zeros(dim), np.zeros((dim, dim)))
    mean = vectors.astype(np.float64).mean(axis=0)
    sample = vectors
    if n > COVARIANCE_SAMPLE:
        sample = vectors[np.sort(np.random.default_rng(rng_seed).choice(n, COVARIANCE_SAMPLE, replace=False))]
    centred = sample.astype(np.float64) - mean
    return Moments(n, mean, centred.T @ centred / len(sample))


def language_moments(vectors: np.ndarray, chinese: np.ndarray) -> dict[str, Moments]:
    """Moments per passage language (``zh``, ``en``) and over all passages (``all``)."""
    return {"zh": moments_of(vectors[chinese]), "en": moments_of(vectors[~chinese]), "all": moments_of(vectors)}


def best_scores(vectors: np.ndarray, queries: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """Each query's best cosine over all passage vectors: ``float32`` of shape ``(m,)`` (``-1`` when there
    are no passages). Computed in chunks of passages, so memory stays small on any collection."""
    best = np.full(len(queries), -1.0, dtype=np.float32)
    for i in range(0, len(vectors), chunk):
        block = np.asarray(vectors[i : i + chunk], dtype=np.float32) @ queries.T
        best = np.maximum(best, block.max(axis=0))
    return best


def save_moments(path: Path, stats: dict[str, dict[str, Moments]], references: dict[str, np.ndarray],
                 reference_best: dict[str, np.ndarray]) -> None:
    """Write every signal's moments, reference-question vectors and the reference questions' best cosine
    over the collection into one ``.npz`` (no pickle)."""
    arrays: dict[str, np.ndarray] = {}
    for signal, best in reference_best.items():
        arrays[f"{signal}.reference_best"] = best.astype(np.float32)
    for signal, groups in stats.items():
        for group, m in groups.items():
            arrays[f"{signal}.{group}.count"] = np.array(m.count, dtype=np.int64)
            arrays[f"{signal}.{group}.mean"] = m.mean
            arrays[f"{signal}.{group}.cov"] = m.cov.astype(np.float32)
    for signal, vectors in references.items():
        arrays[f"{signal}.references"] = vectors.astype(np.float32)
    arrays["references.chinese"] = np.array([lang == "zh" for _, lang in REFERENCE_QUESTIONS], dtype=bool)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    with path.open("wb") as fh:  # a Python write: a full disk is an OSError with its errno
        fh.write(buffer.getbuffer())


@dataclass(frozen=True)
class SignalStats:
    """What one dense signal knows about the collection: moments per language, and the reference
    questions' vectors."""

    groups: dict[str, Moments]
    references: np.ndarray
    """``float32`` of shape ``(m, dim)``: the reference questions, as this encoder encodes questions."""
    reference_best: np.ndarray
    """``float32`` of shape ``(m,)``: each reference question's best cosine over the collection."""


def load_moments(path: Path) -> tuple[dict[str, SignalStats], np.ndarray]:
    """The stats of every signal in a build, and which reference questions are Chinese (``bool``, ``(m,)``).
    Raises OSError or ValueError when the file is missing or damaged."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    signals: dict[str, SignalStats] = {}
    for name in {k.split(".", 1)[0] for k in arrays if k.endswith(".references")}:
        groups = {}
        for group in (*LANGUAGES, "all"):
            groups[group] = Moments(int(arrays[f"{name}.{group}.count"]),
                                    arrays[f"{name}.{group}.mean"].astype(np.float64),
                                    arrays[f"{name}.{group}.cov"].astype(np.float64))
        signals[name] = SignalStats(groups, arrays[f"{name}.references"], arrays[f"{name}.reference_best"])
    return signals, arrays["references.chinese"]
