"""Load: a live build, checked, into memory (vectors memory-mapped)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexProblem
from ..ingest.extracted import Extracted
from ..lexicon.analyze import Analyzer
from ..lexicon.glossary import Lexicon
from ..records import Passage, Source
from ..settings import Settings
from ..text import chinese_share, is_chinese
from . import store
from .bm25 import BIGRAMS, SparseIndex
from .build import EXTRACTED
from .dense import Subset, VectorIndex
from .manifest import Manifest
from .moments import CROSS, CROSS_DENSE, CROSS_EMBEDDINGS, MOMENTS, PRIMARY, SignalStats, load_moments
from .sentences import PRIMARY_SENTENCE_EMBEDDINGS, SENTENCE_EMBEDDINGS, SentenceVectors, sentence_starts


@dataclass
class Index:
    """A loaded index: passages, both retrieval sides, and the glossary.

    ``passages[i]``, row ``i`` of ``embeddings``, vector ``i`` of ``dense`` and document ``i`` of ``sparse``
    are the same passage.
    """

    path: Path
    manifest: Manifest
    passages: list[Passage]
    sparse: SparseIndex
    dense: VectorIndex
    lexicon: Lexicon
    analyzer: Analyzer
    embeddings: np.ndarray
    """Passage vectors, ``float32`` of shape ``(len(passages), dim)``, unit norm, memory-mapped: exact
    cosines for every fusion candidate."""
    chinese: np.ndarray
    """``bool`` of shape ``(len(passages),)``: True where a passage is mostly Chinese (its language group)."""
    signals: dict[str, DenseSignal] = field(default_factory=dict)
    """The dense signals by name (:data:`~.moments.PRIMARY`, :data:`~.moments.CROSS`)."""
    memo: dict[str, Any] = field(default_factory=dict)
    """Figures search derives from the index once per process (e.g. the reference questions' scores)."""
    sentences: SentenceVectors | None = None
    """The cross-lingual encoder's vector of every passage sentence (None when the build keeps none)."""
    phrases: SparseIndex | None = None
    """The bigram field: BM25 over the pairs of adjacent Chinese characters that are not words
    (:meth:`~assistant.lexicon.analyze.Analyzer.phrase_terms`), document ``i`` the passage ``i``; None
    when the build has none (``Settings.chinese_bigrams`` off)."""

    @cached_property
    def zh_share(self) -> float:
        """The share of mostly-Chinese passages (0..1)."""
        return float(self.chinese.mean()) if len(self.chinese) else 0.0

    @cached_property
    def chinese_shares(self) -> np.ndarray:
        """``float64`` of shape ``(len(passages),)``: how much of each passage is Chinese
        (:func:`~assistant.text.chinese_share`)."""
        return np.array([chinese_share(p.text) for p in self.passages], dtype=np.float64)

    @property
    def shares(self) -> dict[str, float]:
        """The share of the passages in each language: ``{"zh": …, "en": …}``."""
        return {"zh": self.zh_share, "en": 1.0 - self.zh_share if len(self.chinese) else 0.0}

    @cached_property
    def language_ids(self) -> dict[str, np.ndarray]:
        """Passage ids (``int64``, ascending) of each language."""
        return {"zh": np.flatnonzero(self.chinese), "en": np.flatnonzero(~self.chinese)}

    def subset(self, language: str) -> Subset:
        """The passages of one language, as a selector for the dense indexes (made once)."""
        key = f"subset:{language}"
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = Subset(self.chinese if language == "zh" else ~self.chinese)
        return found

    @property
    def main_language(self) -> str:
        """``zh`` when at least half the passages are Chinese, else ``en``."""
        return "zh" if self.zh_share >= 0.5 else "en"


@dataclass
class DenseSignal:
    """One encoder's side of the index: its passage vectors, their FAISS index and their moments."""

    name: str
    embedder_id: str
    embeddings: np.ndarray
    """``float32`` of shape ``(n, dim)``, unit norm, memory-mapped."""
    dense: VectorIndex
    stats: SignalStats | None
    """Per-language centroids and the reference questions' figures (None for a build without them)."""
    sentences: SentenceVectors | None = None
    """The encoder's vector of every passage sentence, for scoring a passage by its best sentence (None
    when the build keeps none)."""

    @property
    def dim(self) -> int:
        return int(self.embeddings.shape[1])


def load(build: store.Build, settings: Settings) -> Index:
    """Read a verified build. Raises IndexProblem when its parts cannot be read or disagree."""
    path = build.path
    manifest = Manifest.from_json(build.manifest)
    try:
        with (path / "passages.jsonl").open(encoding="utf-8") as fh:
            passages = [Passage.from_json(json.loads(line)) for line in fh if line.strip()]
        sparse = SparseIndex.load(path / "sparse")
        phrases = SparseIndex.load(path / BIGRAMS) if manifest.spec.get("chinese_bigrams") else None
        dense = VectorIndex.load(path / "dense.faiss", manifest.dense_kind)
        lexicon = Lexicon.from_json(json.loads((path / "lexicon.json").read_text(encoding="utf-8")))
        embeddings = np.load(path / "embeddings.npy", mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexProblem(f"the index in {path} cannot be read ({exc.__class__.__name__})") from exc
    if len(passages) != dense.size or len(passages) != sparse.num_docs or len(passages) != manifest.passages or (
            phrases is not None and phrases.num_docs != len(passages)):
        raise IndexProblem("the index parts disagree on the number of passages")
    if dense.dim != manifest.dim:
        raise IndexProblem("the dense index dimension does not match the manifest")
    if embeddings.shape != (len(passages), dense.dim):
        raise IndexProblem("the stored embeddings do not match the passages")
    signals = {PRIMARY: DenseSignal(PRIMARY, manifest.embedder_id, embeddings, dense, None)}
    try:
        signals[PRIMARY].sentences = _primary_sentences(path, manifest, passages)
        if manifest.crosslingual_id:
            cross = np.load(path / CROSS_EMBEDDINGS, mmap_mode="r", allow_pickle=False)
            cross_dense = VectorIndex.load(path / CROSS_DENSE, manifest.dense_kind)
            if cross.shape != (len(passages), manifest.crosslingual_dim) or cross_dense.size != len(passages):
                raise IndexProblem("the cross-lingual vectors do not match the passages")
            signals[CROSS] = DenseSignal(CROSS, manifest.crosslingual_id, cross, cross_dense, None)
        sentences = _sentences(path, manifest, passages)
        if (path / MOMENTS).exists():
            stats = load_moments(path / MOMENTS)
            for name, signal in signals.items():
                signal.stats = stats.get(name)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexProblem(f"the index in {path} cannot be read ({exc.__class__.__name__})") from exc
    analyzer = Analyzer(words=lexicon.words, cache_dir=settings.index / "cache")
    chinese = np.array([is_chinese(p.text) for p in passages], dtype=bool)
    return Index(path, manifest, passages, sparse, dense, lexicon, analyzer, embeddings, chinese, signals,
                 sentences=sentences, phrases=phrases)


def _sentences(path: Path, manifest: Manifest, passages: list[Passage]) -> SentenceVectors | None:
    """The build's sentence vectors (None when it keeps none). Raises IndexProblem when they do not match
    the passages' sentences; OSError or ValueError when they cannot be read."""
    if not manifest.sentences or not manifest.crosslingual_id:
        return None
    vectors = np.load(path / SENTENCE_EMBEDDINGS, mmap_mode="r", allow_pickle=False)
    starts = sentence_starts(passages)
    if vectors.shape != (manifest.sentences, manifest.crosslingual_dim) or int(starts[-1]) != manifest.sentences:
        raise IndexProblem("the sentence vectors do not match the passages")
    return SentenceVectors(manifest.crosslingual_id, vectors, starts)


def _primary_sentences(path: Path, manifest: Manifest, passages: list[Passage]) -> SentenceVectors | None:
    """The main encoder's sentence vectors (None when the build keeps none). Raises IndexProblem when
    they do not match the passages' sentences; OSError or ValueError when they cannot be read."""
    if not manifest.primary_sentences:
        return None
    vectors = np.load(path / PRIMARY_SENTENCE_EMBEDDINGS, mmap_mode="r", allow_pickle=False)
    starts = sentence_starts(passages)
    if vectors.shape != (manifest.primary_sentences, manifest.dim) or int(starts[-1]) != manifest.primary_sentences:
        raise IndexProblem("the sentence vectors do not match the passages")
    return SentenceVectors(manifest.embedder_id, vectors, starts)


def indexed_source(build: Path, manifest: Manifest, doc: str) -> Source | None:
    """The extracted original of a PDF, Word or HTML document as the build at ``build`` keeps it (None
    when the build does not hold that document, or holds it as plain text)."""
    sha = manifest.sources.get(doc)
    if sha is None or manifest.formats.get(doc, "text") in ("text", "markdown"):
        return None
    try:
        data = json.loads((build / EXTRACTED / f"{sha}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    extracted = Extracted.from_json(data)
    if extracted is None:
        return None
    return Source(extracted.text, extracted.format, extracted.pages, extracted.ocr_pages)


def live_source(index_dir: Path, doc: str) -> Source | None:
    """:func:`indexed_source` from the live build of the index at ``index_dir`` (None without one)."""
    try:
        live = store.current(index_dir, verify=False)
        manifest = Manifest.from_json(live.manifest)
    except IndexProblem:
        return None
    return indexed_source(live.path, manifest, doc)
