"""Build: documents → passages → glossary → BM25 → embeddings → FAISS, committed atomically.

The build runs normalize → chunk → glossary mining → sparse index → embeddings (cached by passage
hash, so an unchanged passage is never embedded twice) → dense index, and commits the result
atomically (see :mod:`.store`). Errors of the machine while writing (a full disk, a quota, a read-only
folder, a lost mount) become one :class:`~assistant.errors.StorageError` naming the folder and the
space the build needed; the previous build stays live.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from ..embed import Embedder
from ..errors import STORAGE_ERRNOS, storage_error
from ..ingest import Corpus
from ..ingest.chunk import passages_of
from ..ingest.extract import ExtractCache
from ..ingest.extracted import Extracted
from ..ingest.files import EXTRACTED_FORMATS
from ..ingest.normalize import normalize
from ..ingest.sections import find_title
from ..lexicon import glossary
from ..lexicon.analyze import Analyzer
from ..records import Passage
from ..settings import Settings
from ..text import is_chinese
from . import store
from .bm25 import BIGRAMS, SparseIndex
from .cache import EmbeddingCache
from .dense import VectorIndex
from .fresh import spec, stat_sources
from .manifest import Manifest
from .moments import (
    CROSS,
    CROSS_DENSE,
    CROSS_EMBEDDINGS,
    MOMENTS,
    PRIMARY,
    reference_vectors,
    save_moments,
    signal_stats,
)
from .represent import embedding_text, gloss_terms, glosser_for
from .sentences import PRIMARY_SENTENCE_EMBEDDINGS, SENTENCE_EMBEDDINGS, sentence_texts

BULK_SEGMENTING_FROM = 200_000
"""Corpora of at least this many characters are segmented with jieba's whole dictionary in memory
(~0.3 s to build, then the fastest lookups); smaller ones read it lazily from its table, which is
cheaper up to about this size. Both give the same words."""

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages are ``ocr`` (scanned pages recognised, while the documents are
read), ``read``, ``embed`` and ``write``."""
EXTRACTED = "extracted"
"""Folder of a build (and of the index's cache) holding the extracted text of every PDF, Word and HTML
document, as ``<sha256 of the file>.json``: the original their citations index."""


@dataclass(frozen=True)
class BuildReport:
    """What opening the index did."""

    documents: int
    passages: int
    embedded: int
    """Passages that had to be embedded (the rest came from the cache)."""
    seconds: float
    rebuilt: bool
    reason: str = ""
    """Why it was built (empty when the live build was reused)."""
    warnings: tuple[str, ...] = ()
    """One line per skipped file."""
    stale: str = ""
    """Why the documents or settings changed but the index could not be refreshed (the previous build is
    in use); empty when the index is up to date."""
    unsupported: dict[str, int] = field(default_factory=dict)
    """Files of types that cannot be read, by suffix (``{".xlsx": 2, ".caj": 1}``), most first."""


def passage_key(embedder: str, text: str) -> str:
    """The embedding cache key of a passage text."""
    return hashlib.sha256(f"{embedder}\x00{text}".encode()).hexdigest()


@contextmanager
def _storage(folder: Path, needed: Callable[[], int]) -> Iterator[None]:
    """Turn an OSError of the machine into a StorageError naming ``folder`` and the space needed."""
    try:
        yield
    except OSError as exc:
        if exc.errno in STORAGE_ERRNOS:
            raise storage_error(exc, folder, needed()) from exc
        raise


def build(settings: Settings, corpus: Corpus, embedder: Embedder, progress: Progress | None = None,
          reason: str = "", crosslingual: Embedder | None = None) -> BuildReport:
    """Build a complete new index and make it live. The caller holds :func:`store.build_lock`.

    ``crosslingual`` is the second, cross-lingual encoder (None: the index holds only ``embedder``'s
    vectors). Raises StorageError when the machine refuses to store it (the previous build stays live).
    """
    started = time.perf_counter()
    documents = corpus.documents
    normalized = [normalize(d.text, d.pages) for d in documents]
    full_text = "\n".join(n.text for n in normalized)

    mined: list[glossary.Entry] = []
    bulk = len(full_text) >= BULK_SEGMENTING_FROM
    cache_dir = settings.index / "cache"
    plain = Analyzer(cache_dir=cache_dir, bulk=bulk)
    for norm in normalized:
        mined.extend(glossary.mine_definitions(norm.text, plain, full_text))
        notes = [norm.text[b.start : b.end] for b in norm.blocks if b.kind == "caption"]
        mined.extend(glossary.mine_notes(notes))
    lexicon = glossary.Lexicon(entries=glossary.merge(mined))
    analyzer = Analyzer(words=lexicon.words, cache_dir=cache_dir, bulk=bulk)

    passages: list[Passage] = []
    for doc, norm in zip(documents, normalized, strict=True):
        passages.extend(passages_of(doc, norm, settings.chunk_size, settings.chunk_overlap, len(passages)))
        if progress:
            progress("read", len(passages), 0)
    glosser = glosser_for(lexicon, settings.domain_pack)
    texts = [embedding_text(p, glosser) for p in passages]
    sparse = SparseIndex.build([analyzer.terms(t) + gloss_terms(p.text, glosser)
                                for t, p in zip(texts, passages, strict=True)])
    phrases = SparseIndex.build([analyzer.phrase_terms(t) for t in texts]) if settings.chinese_bigrams else None
    chinese = np.array([is_chinese(p.text) for p in passages], dtype=bool)

    sentences = sentence_texts(passages)

    def needed() -> int:
        sentence_dims = embedder.dim + (crosslingual.dim if crosslingual else 0)
        return (_estimate_bytes(passages, embedder.dim + (crosslingual.dim if crosslingual else 0), sparse)
                + len(sentences) * sentence_dims * 6)

    with _storage(settings.index, needed):
        encoders = [embedder] + ([crosslingual] if crosslingual is not None else [])
        embed_progress = _joint_progress(progress, 2 * len(encoders))
        vectors, embedded = _embed_with_cache(settings, embedder, texts, embed_progress(0))
        dense = VectorIndex.build(vectors, settings.index_type)
        stats = {PRIMARY: signal_stats(vectors, chinese, _references(embedder))}
        primary_sentences, _ = _embed_with_cache(settings, embedder, sentences, embed_progress(1))
        cross_vectors = sentence_vectors = None
        if crosslingual is not None:
            cross_vectors, _ = _embed_with_cache(settings, crosslingual, texts, embed_progress(2))
            cross_dense = VectorIndex.build(cross_vectors, settings.index_type)
            stats[CROSS] = signal_stats(cross_vectors, chinese, _references(crosslingual))
            sentence_vectors, _ = _embed_with_cache(settings, crosslingual, sentences, embed_progress(3))
        tmp = store.new_build_dir(settings.index)
        try:
            if progress:
                progress("write", 0, 1)
            with (tmp / "passages.jsonl").open("w", encoding="utf-8") as fh:
                for p in passages:
                    fh.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")
            store.save_array(tmp / "embeddings.npy", vectors)
            store.save_array(tmp / PRIMARY_SENTENCE_EMBEDDINGS, primary_sentences.astype(np.float16))
            dense.save(tmp / "dense.faiss")
            if cross_vectors is not None:
                store.save_array(tmp / CROSS_EMBEDDINGS, cross_vectors)
                cross_dense.save(tmp / CROSS_DENSE)
            if sentence_vectors is not None:
                store.save_array(tmp / SENTENCE_EMBEDDINGS, sentence_vectors.astype(np.float16))
            save_moments(tmp / MOMENTS, stats)
            sparse.save(tmp / "sparse")
            if phrases is not None:
                phrases.save(tmp / BIGRAMS)
            (tmp / "lexicon.json").write_text(json.dumps(lexicon.to_json(), ensure_ascii=False), encoding="utf-8")
            extracted_formats = set(EXTRACTED_FORMATS.values())
            for d in documents:
                if d.format in extracted_formats:
                    (tmp / EXTRACTED).mkdir(exist_ok=True)
                    kept = Extracted(d.text, d.format, d.encoding, d.pages, d.ocr_pages)
                    (tmp / EXTRACTED / f"{d.sha256}.json").write_text(
                        json.dumps(kept.to_json(), ensure_ascii=False), encoding="utf-8")
            manifest = Manifest(
                spec=spec(settings, embedder.id, crosslingual.id if crosslingual is not None else None).to_json(),
                embedder_id=embedder.id,
                dim=embedder.dim,
                dense_kind=dense.kind,
                crosslingual_id=crosslingual.id if crosslingual is not None else None,
                crosslingual_dim=crosslingual.dim if crosslingual is not None else 0,
                sentences=len(sentence_vectors) if sentence_vectors is not None else 0,
                primary_sentences=len(primary_sentences),
                documents=len(documents),
                passages=len(passages),
                glossary_entries=len(lexicon.entries),
                sources={d.path: d.sha256 for d in documents},
                encodings={d.path: d.encoding for d in documents},
                titles={d.path: find_title(n, PurePosixPath(d.path).stem)
                        for d, n in zip(documents, normalized, strict=True)},
                stat=stat_sources(settings.seeds),
                warnings=tuple(corpus.warnings),
                formats={d.path: d.format for d in documents},
                unsupported=dict(corpus.unsupported),
                created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            )
            store.commit(settings.index, tmp, manifest.to_json())
        except BaseException:
            store.discard(tmp)
            raise
    ExtractCache(cache_dir / EXTRACTED).keep_only({d.sha256 for d in documents})
    if progress:
        progress("write", 1, 1)
    return BuildReport(len(documents), len(passages), embedded, time.perf_counter() - started, True, reason,
                       tuple(corpus.warnings), unsupported=dict(corpus.unsupported))


def _estimate_bytes(passages: list[Passage], dim: int, sparse: SparseIndex) -> int:
    """About how many bytes a build of these passages writes (files, plus the embedding cache)."""
    text = sum(len(p.text.encode("utf-8")) + 200 for p in passages)
    vectors = len(passages) * dim * 4
    postings = sparse.data.nbytes + sparse.indices.nbytes + sparse.indptr.nbytes + 40 * len(sparse.vocab)
    return text + 3 * vectors + postings


def _joint_progress(progress: Progress | None, encoders: int) -> Callable[[int], Callable[[int, int], None] | None]:
    """Per-encoder progress callbacks that report one ``embed`` stage over all encoders: encoder ``i`` of
    ``encoders`` fills its share of the bar."""
    if progress is None:
        return lambda i: None

    def for_encoder(i: int) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            progress("embed", i * total + done, encoders * total)

        return report

    return for_encoder


def _embed_with_cache(settings: Settings, embedder: Embedder, texts: list[str],
                      progress: Callable[[int, int], None] | None) -> tuple[np.ndarray, int]:
    """Vectors of ``texts``, from the cache where possible; returns them and how many were embedded."""
    cache = EmbeddingCache(settings.index / "cache", embedder.id, embedder.dim)
    keys = [passage_key(embedder.id, t) for t in texts]
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    known = cache.lookup(keys)
    missing = [i for i, k in enumerate(keys) if k not in known]
    for i, k in enumerate(keys):
        if k in known:
            vectors[i] = known[k]
    if missing:
        if progress:
            progress(0, len(missing))  # loading the model and the first batch take a while: say so at once
        vectors[missing] = embedder.encode_passages([texts[i] for i in missing], progress=progress)
    cache.store(keys, vectors)
    return vectors, len(missing)


def _references(embedder: Embedder) -> np.ndarray:
    """The reference questions' vectors for this encoder (kept once per machine)."""
    return reference_vectors(embedder.id, embedder.dim, lambda texts: embedder.encode_queries(texts))
