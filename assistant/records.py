"""The data that flows through the pipeline: documents, passages, hits and answers.

Every record is a frozen dataclass so that it can be shared freely between threads (the TUI runs
searches in workers) and compared in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Document:
    """A decoded source file under the seeds directory."""

    path: str
    """File path relative to the seeds directory, with forward slashes."""
    text: str
    """The decoded original text. Passage offsets index into this string."""
    sha256: str
    """Hash of the raw bytes, used to detect changes."""
    encoding: str
    """The encoding the file was decoded with (for an extracted format, the extractor, e.g. ``pdfium``)."""
    format: str = "text"
    """``text``, ``markdown``, ``pdf``, ``docx`` or ``html``."""
    pages: tuple[int, ...] = ()
    """For paged formats: the offset in :attr:`text` where each page begins (page 1 first); empty for
    plain text."""
    ocr_pages: tuple[int, ...] = ()
    """1-based numbers of the pages whose text was recognised by OCR."""


@dataclass(frozen=True)
class Source:
    """The original of a document as citations index it: the decoded file, or for PDF, Word and HTML
    the extracted text (kept in the index by file hash)."""

    text: str
    format: str = "text"
    pages: tuple[int, ...] = ()
    """Offset in :attr:`text` where each page begins (page 1 first); empty for unpaged formats."""
    ocr_pages: tuple[int, ...] = ()
    """1-based numbers of the pages recognised by OCR."""

    @classmethod
    def of(cls, doc: Document) -> Source:
        return cls(doc.text, doc.format, doc.pages, doc.ocr_pages)

    def page_span(self, number: int) -> tuple[int, int]:
        """``(start, end)`` of page ``number`` (1-based) in :attr:`text`, without the page separator (the
        line holding a form feed). Raises IndexError when there is no such page."""
        if not 1 <= number <= len(self.pages):
            raise IndexError(number)
        start = self.pages[number - 1]
        end = len(self.text)
        if number < len(self.pages):
            end = self.pages[number]
            if self.text[max(start, end - 3) : end] == "\n\f\n":
                end -= 3
        return start, end

    def page_of(self, offset: int) -> int | None:
        """The 1-based page holding ``offset`` (None for unpaged formats)."""
        if not self.pages:
            return None
        import bisect

        return max(1, bisect.bisect_right(self.pages, offset))


@dataclass(frozen=True)
class Passage:
    """A retrievable chunk of a document, with its exact place in the original file."""

    id: int
    doc: str
    """File path relative to the seeds directory."""
    title: str
    section: str
    """Section path, e.g. ``"1 内分泌治疗的作用机制 › 1.1 雌激素受体抑制剂"``."""
    start: int
    """Offset of the first character in the decoded original file."""
    end: int
    """Offset one past the last character: ``source[start:end]`` is the original span."""
    line_start: int
    """1-based line of ``start`` in the original file."""
    line_end: int
    """1-based line of the last character in the original file."""
    text: str
    """The normalized passage text shown to users."""
    sentences: tuple[tuple[int, int], ...] = ()
    """Sentence spans as ``(begin, end)`` offsets into :attr:`text`."""
    page_start: int | None = None
    """1-based page of ``start`` (None for plain text)."""
    page_end: int | None = None
    """1-based page of the last character (None for plain text)."""
    format: str = "text"
    """The format of the document: ``text``, ``markdown``, ``pdf``, ``docx`` or ``html``."""
    ocr: bool = False
    """True when some of the passage's text was recognised by OCR."""
    role: str = "body"
    """What part of the document it is from: ``body``, back matter such as ``references``,
    ``acknowledgements``, ``funding`` or ``author-notes``, or ``abbreviations`` (a passage that is
    mostly an abbreviation key, :func:`assistant.ingest.structure.is_abbreviation_key`)."""
    context: str = ""
    """What a passage that continues a table carries from above it: the table's caption and header row
    (one per line), so that a row such as ``拉帕替尼 | 1250 mg`` can be read. Not part of :attr:`text`
    (which is exactly the normalized span); it is embedded and indexed with it and shown in citations."""

    @property
    def key(self) -> str:
        """A stable, human-readable citation key."""
        return f"{self.doc}:{self.line_start}-{self.line_end}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["sentences"] = [list(s) for s in self.sentences]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Passage:
        values = dict(data)
        values["sentences"] = tuple(tuple(s) for s in values.get("sentences", ()))
        return cls(**values)


@dataclass(frozen=True)
class Term:
    """One weighted term of an expanded query."""

    text: str
    weight: float
    source: str
    """Where the term came from: ``query``, ``bigram`` (two adjacent characters of the question's own
    Chinese), ``glossary``, ``user``, ``dictionary``, ``transliteration``, ``gloss`` or ``context``."""
    origin: str = ""
    """The query words it translates, for expansions."""
    foreign_only: bool = False
    """Counts only in passages not in the question's language (a Chinese question's English terms must
    not favour Chinese passages that merely define a term in English)."""


@dataclass(frozen=True)
class Query:
    """A question after analysis: language, simplified form and weighted expansion."""

    question: str
    """The question as asked (after cleaning and truncation)."""
    language: str
    """``"zh"`` or ``"en"``."""
    text: str
    """The text that is searched (Simplified Chinese, follow-up context added)."""
    terms: tuple[Term, ...]
    """Weighted sparse terms: the query's own terms and their expansions."""
    notices: tuple[str, ...] = ()
    dense_text: str = ""
    """What is embedded for the dense side (the searched text, plus glossary translations)."""
    translations: tuple[str, ...] = ()
    """The words and phrases the question was expanded to, readable (no weights, no sub-words)."""
    entities: tuple[str, ...] = ()
    """The names the question is about (drugs, trials, genes), its own or carried on from the conversation."""
    carried: tuple[str, ...] = ()
    """The names the question asks something about that one passage must hold together with what is asked:
    those a follow-up carried on from the question before it ("and what dose?"), or the question's own
    when all else it says is what it asks ("依维莫司的剂量是多少？")."""
    bridged: tuple[str, ...] = ()
    """The languages the question was bridged into (``zh``, ``en``)."""

    @property
    def expansions(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.source != "query")

    def describe(self) -> str:
        """What the query was expanded to, for people."""
        # "gloss" terms are the question's own words matched against the English glosses of Chinese
        # passages: nothing new to show
        # "bigram" terms are pairs of the question's own characters: nothing new to show either
        extra = [t for t in self.expansions if t.source not in ("context", "gloss", "bigram")]
        if not extra:
            return self.text
        shown = " ".join(f"{t.text}^{t.weight:.2g}" for t in extra[:24])
        return f"{self.text} ⇒ {shown}"


@dataclass(frozen=True)
class Hit:
    """A passage retrieved for a query, with its fused score."""

    passage: Passage
    score: float
    dense: float | None = None
    """The main encoder's score: the passage's cosine mixed with its best sentence's
    (:func:`assistant.search.fusion.with_best_sentence`); None in sparse mode."""
    sparse: float | None = None
    """BM25 of the question and its translations; None in dense mode."""


@dataclass(frozen=True)
class Ranking:
    """What a search found for one query: the fused, de-duplicated passages, best first, and whether they
    answer it."""

    query: Query
    hits: tuple[Hit, ...]
    """At most k hits, best first (ties broken by passage id)."""
    mode: str
    """The retrieval mode: ``hybrid``, ``dense`` or ``sparse``."""
    confidence: float
    """The evidence score abstention is decided on (see :mod:`assistant.search.abstain`)."""
    abstained: bool
    """True when nothing relevant was found (the hits are then only the nearest passages)."""
    unknown: tuple[str, ...] = ()
    """Names in the question that the documents never mention."""
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    """Seconds spent per stage: ``analyse``, ``encode``, ``search``."""
    uncovered: tuple[str, ...] = ()
    """Parts of the question the documents never mention, when the rest is answered."""
    vectors: Mapping[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)
    """The query's vector for each dense signal it was searched with (``float32`` of shape ``(dim,)``,
    unit norm; empty in sparse mode)."""


@dataclass(frozen=True)
class Hint:
    """A gloss of a Chinese term found in a cited passage, for English readers."""

    term: str
    gloss: str
    source: str


@dataclass(frozen=True)
class Citation:
    """A cited passage in an answer."""

    rank: int
    passage: Passage
    score: float
    best_sentence: tuple[int, int] | None
    """Span of the sentence that best answers the question, as offsets into the passage text."""
    hints: tuple[Hint, ...] = ()

    @property
    def marked_text(self) -> str:
        """Passage text with the best sentence wrapped in 【 】."""
        text = self.passage.text
        if not self.best_sentence:
            return text
        b, e = self.best_sentence
        return f"{text[:b]}【{text[b:e]}】{text[e:]}"


@dataclass(frozen=True)
class Statement:
    """One sentence of the answer: quoted from a cited passage, shown above the passages."""

    text: str
    """The sentence, exactly as it stands in the passage text."""
    citation: int
    """Rank of the citation it is quoted from (1-based)."""
    span: tuple[int, int]
    """``(begin, end)`` of the sentence in that passage's text."""
    hints: tuple[Hint, ...] = ()
    """Glosses of the Chinese terms of the sentence, for English questions."""


@dataclass(frozen=True)
class Answer:
    """What the assistant returns for one question."""

    question: str
    language: str
    expanded_query: str
    abstained: bool
    citations: tuple[Citation, ...]
    """The cited passages; when abstaining, the nearest passages (not endorsed as answers)."""
    mode: str
    searched: str = ""
    """The text actually searched (differs from the question for follow-ups)."""
    notices: tuple[str, ...] = field(default_factory=tuple)
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    confidence: float = 0.0
    """The evidence score abstention was decided on."""
    statements: tuple[Statement, ...] = ()
    """The sentences that answer the question, best first, each quoted from a citation."""
    also_searched: tuple[str, ...] = ()
    """What the question was expanded to, in plain words (translations, follow-up context)."""
    uncovered: tuple[str, ...] = ()
    """Parts of the question the documents never mention."""

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``assistant ask --json``."""
        return {
            "question": self.question,
            "language": self.language,
            "expanded_query": self.expanded_query,
            "abstained": self.abstained,
            "confidence": round(self.confidence, 4),
            "mode": self.mode,
            "searched": self.searched,
            "notices": list(self.notices),
            "answer": [{"text": s.text, "citation": s.citation} for s in self.statements],
            "also_searched": list(self.also_searched),
            "uncovered": list(self.uncovered),
            "passages": [
                {
                    "rank": c.rank,
                    "doc": c.passage.doc,
                    "title": c.passage.title,
                    "section": c.passage.section,
                    "start": c.passage.start,
                    "end": c.passage.end,
                    "line_start": c.passage.line_start,
                    "line_end": c.passage.line_end,
                    "page_start": c.passage.page_start,
                    "page_end": c.passage.page_end,
                    "format": c.passage.format,
                    "ocr": c.passage.ocr,
                    "role": c.passage.role,
                    "context": c.passage.context,
                    "score": round(c.score, 6),
                    "text": c.passage.text,
                    "best_sentence": c.passage.text[c.best_sentence[0] : c.best_sentence[1]]
                    if c.best_sentence
                    else "",
                    "hints": [{"term": h.term, "gloss": h.gloss} for h in c.hints],
                }
                for c in self.citations
            ],
        }
