"""Index: build, store, check and load everything retrieval needs.

``build`` turns documents into an index, ``store`` is its layout on disk (atomic builds, checksums, a
file lock), ``manifest`` describes a build, ``fresh`` says whether it still matches the documents and
settings, ``load`` reads it, ``refresh`` ties them together; ``bm25`` and ``dense`` are the two
retrieval structures, ``cache`` keeps passage embeddings across builds.
"""

from __future__ import annotations

from .build import BuildReport, Progress
from .load import Index, indexed_source, live_source
from .refresh import open_index, open_live

__all__ = ["BuildReport", "Index", "Progress", "indexed_source", "live_source", "open_index", "open_live"]
