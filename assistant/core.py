"""The assistant's one entry point: ``Assistant(settings).ask(question) -> Answer``.

The CLI and the TUI are thin faces over this class. It opens (and if needed builds or refreshes) the
index, analyses and expands the question, searches both sides, fuses, decides whether anything
relevant was found, and returns cited passages. Plain Python: nothing here imports textual.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from . import answer, glossary, retrieve
from .embed import Embedder, EmbedderError, load_embedder
from .expand import Expander
from .index import BuildReport, Index, Progress, open_index
from .ingest import read_source
from .records import Answer
from .settings import MODES, Settings, SettingsError
from .store import IndexProblem


class Assistant:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.load()
        self._index: Index | None = None
        self._embedder: Embedder | None = None
        self._expander: Expander | None = None
        self._glossary_stamp: tuple[float, int] | None = None
        self._lock = threading.RLock()
        self.report: BuildReport | None = None

    # ------------------------------------------------------------------ setup

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = load_embedder(self.settings.embedder, self.settings.threads)
            return self._embedder

    def open(self, progress: Progress | None = None, rebuild: bool = False) -> BuildReport:
        """Load the index, building or refreshing it first when the seeds or settings changed."""
        with self._lock:
            try:
                index, report = open_index(self.settings, lambda: self.embedder, progress, rebuild)
            except IndexProblem:
                # damaged in a way only loading revealed: rebuild from the documents
                index, report = open_index(self.settings, lambda: self.embedder, progress, rebuild=True)
            self._index, self._expander, self.report = index, None, report
            return report

    @property
    def index(self) -> Index:
        with self._lock:
            if self._index is None:
                self.open()
            assert self._index is not None
            return self._index

    def expander(self) -> Expander:
        """The query expander, rebuilt when the user glossary file changes."""
        with self._lock:
            index = self.index
            path = self.settings.glossary_path
            try:
                st = path.stat()
                stamp: tuple[float, int] | None = (st.st_mtime, st.st_size)
            except OSError:
                stamp = None
            if self._expander is None or stamp != self._glossary_stamp:
                entries = list(index.lexicon.entries) + glossary.read_tsv(path) + glossary.bundled_entries()
                self._expander = Expander(index.analyzer, index.sparse.vocab, entries, index.lexicon.dictionary,
                                          self.settings)
                self._glossary_stamp = stamp
            return self._expander

    def variant(self, **changes: object) -> Assistant:
        """Another assistant with some query-time settings changed, sharing the loaded index and model."""
        other = Assistant(self.settings.with_(**changes))
        other._index, other._embedder, other.report = self.index, self._embedder, self.report
        return other

    def warm(self) -> None:
        """Load everything a first question needs (model, segmenter), so that it is answered at once."""
        self.expander().analyse("warm up 预热")
        self.index.analyzer.warm()
        if self.settings.mode != "sparse":
            self.embedder.encode_queries(["warm up"])

    # ------------------------------------------------------------------ asking

    def ask(self, question: str, k: int | None = None, mode: str | None = None,
            history: Sequence[str] = ()) -> Answer:
        """Answer one question with cited passages. Raises QuestionError for an empty question."""
        k = self.settings.k if k is None else k
        mode = mode or self.settings.mode
        if k < 1:
            raise SettingsError("k must be at least 1")
        if mode not in MODES:
            raise SettingsError(f"mode must be one of {', '.join(MODES)}")
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        expander = self.expander()
        index = self.index
        query = expander.analyse(question, history, index.zh_share)
        t1 = time.perf_counter()
        timings["analyse"] = t1 - t0

        vector = None
        if mode in ("hybrid", "dense"):
            vector = self.embedder.encode_queries([query.dense_text or query.text])[0]
            if vector.shape[0] != index.dense.dim:
                raise IndexProblem("the embedding model's dimension differs from the index; rebuild it")
        t2 = time.perf_counter()
        timings["encode"] = t2 - t1
        scores = None
        if mode in ("hybrid", "sparse"):
            other_language = ~index.chinese if query.language == "zh" else index.chinese
            scores = retrieve.sparse_scores(index.sparse, expander.weights(query),
                                            expander.weights(query, foreign_only=True), other_language)
        balance = self.settings.language_balance if query.language != index.main_language else 0.0
        candidates = retrieve.search(vector, scores, index.embeddings, index.dense.search, index.chinese,
                                     self.settings, balance)
        hits = retrieve.collapse(candidates, index.passages, k)
        t3 = time.perf_counter()
        timings["search"] = t3 - t2
        dense_top = max((c[2] for c in candidates if c[2] is not None), default=0.0)
        ranking = retrieve.Ranking(tuple(hits), dense_top,
                                   retrieve.coverage(query, index.sparse, [h.passage.id for h in hits[:3]]))
        confidence = retrieve.confidence(ranking, mode)
        threshold = self.settings.abstain_coverage if mode == "sparse" else self.settings.confidence_threshold
        unknown = retrieve.unknown_names(query, index.sparse.vocab)
        abstained = not hits or bool(unknown) or confidence < threshold
        notices = query.notices
        if unknown:
            notices += (f"the documents never mention {', '.join(unknown)}",)
        cited = answer.citations(hits, query, expander)
        timings["answer"] = time.perf_counter() - t3
        timings["total"] = time.perf_counter() - t0
        return Answer(
            question=query.question,
            language=query.language,
            expanded_query=query.describe(),
            abstained=abstained,
            citations=cited,
            mode=mode,
            searched=query.text,
            notices=notices,
            timings=timings,
            confidence=confidence,
        )

    # ------------------------------------------------------------------ sources

    def source(self, doc: str) -> str:
        """The decoded original text of a document, as citation offsets index it."""
        return read_source(self.settings.seeds, doc)

    @property
    def seeds(self) -> Path:
        return self.settings.seeds


__all__ = ["Assistant", "EmbedderError", "IndexProblem"]
