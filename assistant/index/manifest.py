"""The index manifest, typed: what a build holds and what it was built from.

It is written as ``manifest.json`` in every build (see :mod:`.store`, which adds the format number and
the checksum of every file) and read back with :meth:`Manifest.from_json`, which refuses anything
malformed with an :class:`~assistant.errors.IndexProblem`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import IndexProblem


@dataclass(frozen=True)
class IndexSpec:
    """Everything besides the documents that decides what the index holds. Any change means a rebuild."""

    embedder: str
    """The embedder's id (see :func:`assistant.embed.embedder_id`)."""
    chunk_size: int
    """Passage size, in cl100k tokens."""
    chunk_overlap: int
    """Tokens shared by consecutive passages of a section."""
    encoding: str
    """The tiktoken encoding sizes are counted in."""
    analyzer: int
    """Version of the term analysis and of the indexed passage text."""
    glossary: str
    """Digest of the bundled glossary."""
    index_type: str
    """The dense index kind asked for: ``auto``, ``flat``, ``hnsw`` or ``ivf``."""
    extractor: int = 1
    """Version of the PDF, Word and HTML extraction."""
    crosslingual: str | None = None
    """The cross-lingual encoder's id, or None when the index has none."""
    sentences: str | None = None
    """The id of the encoder of the sentence vectors (the cross-lingual one), or None when the index
    keeps none."""
    primary_sentences: str | None = None
    """The id of the encoder of the main encoder's sentence vectors (the embedder), or None when the index
    keeps none."""
    chinese_bigrams: bool = False
    """Whether the build has the bigram field (the pairs of adjacent Chinese characters that are not words,
    in a BM25 index of their own)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "extractor": self.extractor,
            "embedder": self.embedder,
            "crosslingual": self.crosslingual,
            "sentences": self.sentences,
            "primary_sentences": self.primary_sentences,
            "chunker": {"chunk_size": self.chunk_size, "chunk_overlap": self.chunk_overlap,
                        "encoding": self.encoding},
            "analyzer": self.analyzer,
            "chinese_bigrams": self.chinese_bigrams,
            "glossary": self.glossary,
            "index_type": self.index_type,
        }


@dataclass(frozen=True)
class Manifest:
    """What one build holds: its spec, model, passages and sources."""

    spec: dict[str, Any]
    """:meth:`IndexSpec.to_json` of the settings it was built with (compared as JSON on load)."""
    embedder_id: str
    dim: int
    """Dimension of the passage vectors."""
    dense_kind: str
    """The FAISS index kind that was built: ``flat``, ``hnsw`` or ``ivf``."""
    documents: int
    passages: int
    glossary_entries: int
    sources: dict[str, str]
    """Document path (relative to the seeds folder) → SHA-256 of its bytes."""
    encodings: dict[str, str]
    """Document path → the encoding it was decoded with."""
    titles: dict[str, str]
    """Document path → its title."""
    stat: dict[str, list[int]]
    """Document path → ``[size, mtime_ns]`` when it was read (a quick freshness check)."""
    warnings: tuple[str, ...] = ()
    """One line for every file that was skipped."""
    formats: dict[str, str] = field(default_factory=dict)
    """Document path → its format (``text``, ``markdown``, ``pdf``, ``docx``, ``html``)."""
    unsupported: dict[str, int] = field(default_factory=dict)
    """Suffix → number of files of types that cannot be read (``{".xlsx": 2}``), most first."""
    created: str = ""
    """UTC time of the build, ISO 8601."""
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Build file → ``{"sha256", "size"}``, filled in when the build is sealed."""
    crosslingual_id: str | None = None
    """The cross-lingual encoder's id (its vectors are ``embeddings-crosslingual.npy``), or None."""
    crosslingual_dim: int = 0
    """Dimension of the cross-lingual vectors (0 when there are none)."""
    sentences: int = 0
    """Rows of ``sentences.npy``, the cross-lingual encoder's vector of every passage sentence (0 when
    the build keeps none; see :mod:`.sentences`)."""
    primary_sentences: int = 0
    """Rows of ``sentences-primary.npy``, the main encoder's vector of every passage sentence (0 when the
    build keeps none)."""

    def to_json(self) -> dict[str, Any]:
        out = {
            "spec": self.spec,
            "embedder": {"id": self.embedder_id, "dim": self.dim},
            "crosslingual": ({"id": self.crosslingual_id, "dim": self.crosslingual_dim}
                             if self.crosslingual_id else None),
            "dense": {"kind": self.dense_kind, "size": self.passages},
            "sentences": {"count": self.sentences, "primary": self.primary_sentences},
            "sources": self.sources,
            "encodings": self.encodings,
            "titles": self.titles,
            "stat": self.stat,
            "counts": {"documents": self.documents, "passages": self.passages, "glossary": self.glossary_entries},
            "warnings": list(self.warnings),
            "formats": self.formats,
            "unsupported": self.unsupported,
            "created": self.created,
        }
        if self.files:
            out["files"] = self.files
        return out

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """Read a manifest. Raises IndexProblem when it is not a manifest this version wrote."""
        try:
            counts = data["counts"]
            manifest = cls(
                spec=dict(data["spec"]),
                embedder_id=str(data["embedder"]["id"]),
                dim=int(data["embedder"]["dim"]),
                dense_kind=str(data["dense"]["kind"]),
                documents=int(counts["documents"]),
                passages=int(counts["passages"]),
                glossary_entries=int(counts.get("glossary", 0)),
                sources={str(k): str(v) for k, v in data["sources"].items()},
                encodings={str(k): str(v) for k, v in data.get("encodings", {}).items()},
                titles={str(k): str(v) for k, v in data.get("titles", {}).items()},
                stat={str(k): [int(x) for x in v] for k, v in data.get("stat", {}).items()},
                warnings=tuple(str(w) for w in data.get("warnings", ())),
                formats={str(k): str(v) for k, v in data.get("formats", {}).items()},
                unsupported={str(k): int(v) for k, v in data.get("unsupported", {}).items()},
                created=str(data.get("created", "")),
                files=dict(data.get("files", {})),
                crosslingual_id=str(data["crosslingual"]["id"]) if data.get("crosslingual") else None,
                crosslingual_dim=int(data["crosslingual"]["dim"]) if data.get("crosslingual") else 0,
                sentences=int((data.get("sentences") or {}).get("count", 0)),
                primary_sentences=int((data.get("sentences") or {}).get("primary", 0)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise IndexProblem("the index manifest is damaged") from exc
        if int(data["dense"].get("size", manifest.passages)) != manifest.passages:
            raise IndexProblem("the index parts disagree on the number of passages")
        return manifest
