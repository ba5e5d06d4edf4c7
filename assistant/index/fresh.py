"""Freshness: whether the live build still matches the settings and the documents.

Checked cheaply first (the spec, and each document's size and modification time), and only when those
differ by reading the documents and comparing their hashes, so that an unchanged collection is opened
without reading a single document.
"""

from __future__ import annotations

from pathlib import Path

from ..embed import crosslingual_id, embedder_id
from ..ingest import Corpus, find_files
from ..ingest.extracted import EXTRACTOR_VERSION
from ..ingest.tokens import ENCODING
from ..lexicon import glossary
from ..settings import Settings
from .manifest import IndexSpec, Manifest

ANALYZER_VERSION = 13
"""Bump when tokenization or the indexed passage text changes: stored indexes then rebuild."""
UNREAD = "?"
"""What :func:`staleness` says when only reading the documents can tell."""


def spec(settings: Settings, model: str | None = None, crosslingual: str | None = None) -> IndexSpec:
    """Everything besides the documents that decides what the index holds; ``model`` is the embedder's id
    and ``crosslingual`` the cross-lingual encoder's (by default, those the settings name)."""
    cross = crosslingual or crosslingual_id(settings.crosslingual)
    main = model or embedder_id(settings.embedder)
    return IndexSpec(
        embedder=main,
        crosslingual=cross,
        sentences=cross,
        primary_sentences=main,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        encoding=ENCODING,
        analyzer=ANALYZER_VERSION,
        chinese_bigrams=settings.chinese_bigrams,
        glossary=glossary.bundled_digest(settings.domain_pack),
        index_type=settings.index_type,
        extractor=EXTRACTOR_VERSION,
    )


def stat_sources(seeds: Path) -> dict[str, list[int]]:
    """Document path → ``[size, mtime_ns]`` for every candidate file under ``seeds``."""
    out: dict[str, list[int]] = {}
    for path, rel in find_files(seeds):
        try:
            st = path.stat()
        except OSError:
            continue
        out[rel] = [st.st_size, st.st_mtime_ns]
    return out


def staleness(manifest: Manifest, settings: Settings, corpus: Corpus | None, model: str | None = None,
              crosslingual: str | None = None) -> str:
    """Why a build no longer matches the settings and documents: ``""`` if it still does, :data:`UNREAD`
    if the documents must be read to tell (pass the corpus then). ``model`` and ``crosslingual`` as for
    :func:`spec`."""
    if manifest.spec != spec(settings, model, crosslingual).to_json():
        return "the settings or the embedding model changed"
    if corpus is None:
        return "" if manifest.stat == stat_sources(settings.seeds) else UNREAD
    if manifest.sources != {d.path: d.sha256 for d in corpus.documents}:
        return "the documents changed"
    return ""
