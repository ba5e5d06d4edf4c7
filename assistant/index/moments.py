"""Moments: where each encoder's passage vectors lie per passage language, and how close the collection
comes to questions about nothing it holds.

Cosine similarities from one encoder are not comparable across passage languages: multilingual-e5
scores a Chinese question 0.05-0.1 higher against any Chinese passage than against any English one,
so an English answer loses to unrelated Chinese text. Search therefore centres a passage's score on the
mean score of the passages *of its own language* (see :mod:`assistant.search.fusion`). That needs no
pass over the passages at query time: for unit vectors, the mean of ``q·e`` over a group is ``q·c``,
``c`` the group's centroid, which the build stores per encoder and language.

The build also asks the reference questions (``data/reference_questions.txt``: questions about nothing
a document collection is likely to hold, in Chinese and English) and stores, per encoder, two things
derived from them: each reference question's best cosine over the collection (abstention compares a
question against how close *this* collection comes to unrelated questions, not against a raw cosine
that differs between collections and models), and each passage language's offset for questions of
each language (how much higher the encoder scores that language's passages than all passages), which
search uses for a language too small to centre on its own mean. The reference questions' vectors are
kept in the user's cache (they do not depend on the documents), not in the index.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..settings import cache_home

PRIMARY = "primary"
"""The main encoder's signal (``Settings.embedder``)."""
CROSS = "crosslingual"
"""The cross-lingual encoder's signal (``Settings.crosslingual``)."""
CROSS_EMBEDDINGS = "embeddings-crosslingual.npy"
CROSS_DENSE = "dense-crosslingual.faiss"
MOMENTS = "moments.npz"
LANGUAGES = ("zh", "en")
FORMAT = 2
"""Layout of :data:`MOMENTS`; a build with another layout is rebuilt."""
DATA = Path(__file__).parent / "data" / "reference_questions.txt"
log = logging.getLogger(__name__)


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
class SignalStats:
    """What one dense signal knows about the collection."""

    counts: dict[str, int]
    """Passages per group: ``zh``, ``en`` and ``all``."""
    means: dict[str, np.ndarray]
    """Group → centroid of its passage vectors (``float64`` of shape ``(dim,)``, not normalised)."""
    offsets: dict[tuple[str, str], float]
    """(question language, passage language) → the reference questions' mean cosine over that language's
    passages minus their mean over all passages."""
    reference_best: np.ndarray
    """``float32`` of shape ``(m,)``: each reference question's best cosine over the collection."""


def centroids(vectors: np.ndarray, chinese: np.ndarray) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Passage count and centroid per language (``zh``, ``en``) and over all passages (``all``)."""
    counts: dict[str, int] = {}
    means: dict[str, np.ndarray] = {}
    dim = vectors.shape[1]
    for group, mask in (("zh", chinese), ("en", ~chinese), ("all", np.ones(len(chinese), dtype=bool))):
        part = vectors[mask]
        counts[group] = int(len(part))
        means[group] = part.astype(np.float64).mean(axis=0) if len(part) else np.zeros(dim)
    return counts, means


def best_scores(vectors: np.ndarray, queries: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """Each query's best cosine over all passage vectors: ``float32`` of shape ``(m,)`` (``-1`` when there
    are no passages). Computed in chunks of passages, so memory stays small on any collection."""
    best = np.full(len(queries), -1.0, dtype=np.float32)
    for i in range(0, len(vectors), chunk):
        block = np.asarray(vectors[i : i + chunk], dtype=np.float32) @ queries.T
        best = np.maximum(best, block.max(axis=0))
    return best


def signal_stats(vectors: np.ndarray, chinese: np.ndarray, references: np.ndarray) -> SignalStats:
    """Everything search needs about one signal, from its passage vectors and the reference questions'
    vectors (in :data:`REFERENCE_QUESTIONS` order)."""
    counts, means = centroids(vectors, chinese)
    asked = np.array([lang == "zh" for _, lang in REFERENCE_QUESTIONS], dtype=bool)
    offsets: dict[tuple[str, str], float] = {}
    refs = references.astype(np.float64)
    for language, mask in (("zh", asked), ("en", ~asked)):
        if not mask.any():
            continue
        pooled = refs[mask] @ means["all"]
        for group in LANGUAGES:
            if counts[group]:
                offsets[(language, group)] = float((refs[mask] @ means[group] - pooled).mean())
    return SignalStats(counts, means, offsets, best_scores(vectors, references))


def save_moments(path: Path, stats: dict[str, SignalStats]) -> None:
    """Write every signal's stats into one ``.npz`` (no pickle; a few kilobytes)."""
    arrays: dict[str, np.ndarray] = {"format": np.array(FORMAT, dtype=np.int64)}
    for signal, s in stats.items():
        for group in (*LANGUAGES, "all"):
            arrays[f"{signal}.{group}.count"] = np.array(s.counts[group], dtype=np.int64)
            arrays[f"{signal}.{group}.mean"] = s.means[group].astype(np.float32)
        for (asked, group), value in s.offsets.items():
            arrays[f"{signal}.offset.{asked}.{group}"] = np.array(value, dtype=np.float64)
        arrays[f"{signal}.reference_best"] = s.reference_best.astype(np.float32)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    with path.open("wb") as fh:  # a Python write: a full disk is an OSError with its errno
        fh.write(buffer.getbuffer())


def load_moments(path: Path) -> dict[str, SignalStats]:
    """The stats of every signal in a build. Raises OSError, ValueError or KeyError when the file is
    missing, damaged or of another layout."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    if "format" not in arrays or int(arrays["format"]) != FORMAT:
        raise ValueError(f"{path} was written in another layout")
    out: dict[str, SignalStats] = {}
    for name in {k.split(".", 1)[0] for k in arrays if k.endswith(".reference_best")}:
        counts = {g: int(arrays[f"{name}.{g}.count"]) for g in (*LANGUAGES, "all")}
        means = {g: arrays[f"{name}.{g}.mean"].astype(np.float64) for g in (*LANGUAGES, "all")}
        offsets = {(a, g): float(arrays[f"{name}.offset.{a}.{g}"]) for a in LANGUAGES for g in LANGUAGES
                   if f"{name}.offset.{a}.{g}" in arrays}
        out[name] = SignalStats(counts, means, offsets, arrays[f"{name}.reference_best"])
    return out


def reference_vectors(embedder_id: str, dim: int, encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """The reference questions as one encoder encodes questions: ``float32`` of shape ``(m, dim)``.

    Kept once per machine and model in the user's cache (``$XDG_CACHE_HOME/assistant``), since they do
    not depend on the documents; encoded again when that cannot be read or written.
    """
    texts = [q for q, _ in REFERENCE_QUESTIONS]
    digest = hashlib.sha256(repr((embedder_id, texts)).encode()).hexdigest()[:16]
    path = cache_home() / f"references-{digest}.npy"
    try:
        cached = np.load(path, allow_pickle=False)
        if cached.shape == (len(texts), dim) and cached.dtype == np.float32 and np.isfinite(cached).all():
            return cached
    except (OSError, ValueError):
        pass
    vectors = np.asarray(encode(texts), dtype=np.float32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            np.save(fh, vectors, allow_pickle=False)
        os.replace(tmp, path)
    except OSError as exc:  # nowhere to keep them: they are encoded again next time
        log.debug("cannot keep the reference question vectors (%s)", exc)
    return vectors
