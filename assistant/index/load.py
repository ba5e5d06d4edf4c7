"""Load: a live build, checked, into memory (vectors memory-mapped)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ..errors import IndexProblem
from ..ingest.extract import Extracted
from ..lexicon.analyze import Analyzer
from ..lexicon.glossary import Lexicon
from ..records import Passage, Source
from ..settings import Settings
from ..text import is_chinese
from . import store
from .bm25 import SparseIndex
from .build import EXTRACTED
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
