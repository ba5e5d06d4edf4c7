"""Run gold questions (and conversation turns) through the assistant, mode by mode.

Query vectors are computed up front, in batches, and remembered by text (a
:class:`~assistant.embed.CachingEmbedder` passed to the assistant): several modes and tuning variants
embed the very same text, and encoding a query is most of what a question costs. The vectors can be
kept on disk between runs (:func:`load_vectors`, :func:`save_vectors`), keyed by the embedder's id, so
that a second run only encodes the texts it has not seen. The vectors are identical either way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core import Assistant
from ..embed import CachingEmbedder, Embedder
from ..records import Answer
from ..settings import Mode as SearchMode
from .gold import Question
from .metrics import Highlight, Outcome, Retrieved, judge
from .spans import original_span

DEPTH = 10
BATCH = 32

Tick = Callable[[str, int, int], None]
"""Progress callback: (phase, done, total); phase is ``encode`` or ``ask``."""


@dataclass(frozen=True)
class Mode:
    """A retrieval configuration compared in the report."""

    name: str
    mode: SearchMode
    expand: bool


MODES = (
    Mode("sparse", "sparse", False),
    Mode("dense", "dense", False),
    Mode("hybrid", "hybrid", False),
    Mode("hybrid+xling", "hybrid", True),
)
DEFAULT_MODE = "hybrid+xling"


def mode_named(name: str) -> Mode:
    return next(m for m in MODES if m.name == name)


def caching(embedder: Embedder) -> CachingEmbedder:
    """``embedder`` wrapped so that it remembers query vectors (itself if it already does)."""
    return embedder if isinstance(embedder, CachingEmbedder) else CachingEmbedder(embedder, BATCH)


def with_query_cache(assistant: Assistant) -> Assistant:
    """A variant of ``assistant`` whose model remembers query vectors (shared by every variant made from it)."""
    if isinstance(assistant.embedder, CachingEmbedder):
        return assistant
    return assistant.variant(embedder=caching(assistant.embedder))


def vectors_path(folder: Path, embedder_id: str) -> Path:
    """Where the query vectors of one embedder are kept: ``<folder>/queries-<digest of its id>.npz``."""
    return folder / f"queries-{hashlib.sha256(embedder_id.encode()).hexdigest()[:12]}.npz"


def load_vectors(cache: CachingEmbedder, folder: Path) -> int:
    """Fill ``cache`` with the query vectors kept in ``folder`` for its embedder; returns how many were
    loaded (0 when there are none, or the file is unreadable or of another dimension)."""
    import numpy as np

    path = vectors_path(folder, cache.id)
    try:
        with np.load(path, allow_pickle=False) as data:
            texts, vectors = [str(t) for t in data["texts"]], data["vectors"]
    except (OSError, ValueError, KeyError):
        return 0
    if vectors.ndim != 2 or vectors.shape != (len(texts), cache.dim):
        return 0
    for text, vector in zip(texts, vectors, strict=True):
        cache.vectors.setdefault(text, vector.astype(np.float32))
    return len(texts)


def save_vectors(cache: CachingEmbedder, folder: Path) -> Path | None:
    """Keep the query vectors of ``cache`` in ``folder`` (atomically); None when there are none or the
    folder cannot be written (the cache is only a speed-up)."""
    import os
    import tempfile

    import numpy as np

    if not cache.vectors:
        return None
    path = vectors_path(folder, cache.id)
    texts = list(cache.vectors)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, texts=np.array(texts, dtype=str), vectors=np.stack([cache.vectors[t] for t in texts]))
        os.replace(tmp, path)
    except OSError:
        return None
    return path


def prime(assistant: Assistant, questions: Sequence[Question], mode: str, tick: Tick | None = None) -> None:
    """Encode, in batches, the query text each question will send the model (:attr:`Query.dense_text`)."""
    cache = assistant.embedder
    if mode == "sparse" or not isinstance(cache, CachingEmbedder):
        return
    texts = []
    for q in questions:
        query = assistant.analyse(q.question, q.history)
        texts.append(query.dense_text or query.text)
    missing = [t for t in dict.fromkeys(texts) if t not in cache.vectors]
    for i in range(0, len(missing), BATCH):
        cache.prime(missing[i : i + BATCH])
        if tick:
            tick("encode", min(i + BATCH, len(missing)), len(missing))


class Sources:
    """The decoded original text of each document, read once (through :meth:`Assistant.source`)."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.texts: dict[str, str] = {}

    def __call__(self, doc: str) -> str:
        if doc not in self.texts:
            self.texts[doc] = self.assistant.source(doc)
        return self.texts[doc]


def highlight(answer: Answer, sources: Callable[[str], str]) -> Highlight | None:
    """The sentence the answer highlights, placed in the original file: the first statement (the best
    sentence of citation [1]), else the best sentence of the first citation; None when there is none."""
    if answer.statements:
        statement = answer.statements[0]
        citation = next((c for c in answer.citations if c.rank == statement.citation), None)
        span: tuple[int, int] | None = statement.span
    else:
        citation = answer.citations[0] if answer.citations else None
        span = citation.best_sentence if citation else None
    if citation is None or span is None:
        return None
    passage = citation.passage
    where = original_span(passage, span, sources(passage.doc))
    if where is None:
        return None
    return Highlight(passage.doc, where[0], where[1], passage.text[span[0] : span[1]])


def run_mode(assistant: Assistant, questions: Sequence[Question], mode: Mode,
             tick: Tick | None = None) -> list[Outcome]:
    """Ask every question (a conversation turn with its history) in ``mode``; judge what came back."""
    variant = with_query_cache(assistant.variant(expand=mode.expand))
    prime(variant, questions, mode.mode, tick)
    sources = Sources(variant)
    outcomes: list[Outcome] = []
    for n, q in enumerate(questions, 1):
        answer = variant.ask(q.question, k=DEPTH, mode=mode.mode, history=q.history)
        retrieved = [
            Retrieved(c.passage.doc, c.passage.start, c.passage.end, c.score, c.passage.text, c.passage.section)
            for c in answer.citations
        ]
        outcomes.append(judge(Outcome(q, retrieved, answer.abstained, answer.confidence,
                                      highlight(answer, sources))))
        if tick:
            tick("ask", n, len(questions))
    return outcomes
