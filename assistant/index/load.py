"""Load: a live build, checked, into memory (vectors memory-mapped)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ..errors import IndexProblem
from ..lexicon.analyze import Analyzer
from ..lexicon.glossary import Lexicon
from ..records import Passage
from ..settings import Settings
from ..text import is_chinese
from . import store
from .bm25 import SparseIndex
from .dense import VectorIndex
from .manifest import Manifest


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

    @cached_property
    def zh_share(self) -> float:
        """The share of mostly-Chinese passages (0..1)."""
        return float(self.chinese.mean()) if len(self.chinese) else 0.0

    @property
    def main_language(self) -> str:
        """``zh`` when at least half the passages are Chinese, else ``en``."""
        return "zh" if self.zh_share >= 0.5 else "en"


def load(build: store.Build, settings: Settings) -> Index:
    """Read a verified build. Raises IndexProblem when its parts cannot be read or disagree."""
    path = build.path
    manifest = Manifest.from_json(build.manifest)
    try:
        with (path / "passages.jsonl").open(encoding="utf-8") as fh:
            passages = [Passage.from_json(json.loads(line)) for line in fh if line.strip()]
        sparse = SparseIndex.load(path / "sparse")
        dense = VectorIndex.load(path / "dense.faiss", manifest.dense_kind)
        lexicon = Lexicon.from_json(json.loads((path / "lexicon.json").read_text(encoding="utf-8")))
        embeddings = np.load(path / "embeddings.npy", mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexProblem(f"the index in {path} cannot be read ({exc.__class__.__name__})") from exc
    if len(passages) != dense.size or len(passages) != sparse.num_docs or len(passages) != manifest.passages:
        raise IndexProblem("the index parts disagree on the number of passages")
    if dense.dim != manifest.dim:
        raise IndexProblem("the dense index dimension does not match the manifest")
    if embeddings.shape != (len(passages), dense.dim):
        raise IndexProblem("the stored embeddings do not match the passages")
    analyzer = Analyzer(words=lexicon.words, cache_dir=settings.index / "cache")
    chinese = np.array([is_chinese(p.text) for p in passages], dtype=bool)
    return Index(path, manifest, passages, sparse, dense, lexicon, analyzer, embeddings, chinese)
