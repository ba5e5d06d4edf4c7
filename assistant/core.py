"""The assistant's one entry point: ``Assistant(settings).ask(question) -> Answer``.

The CLI, the chat, the browser page, the eval and the bench are thin faces over this class. It opens
(and if needed builds or refreshes) the index, and answers a question in three steps down the
pipeline: analyse it (:class:`~assistant.search.Expander`), search
(:class:`~assistant.search.Searcher`), cite (:mod:`assistant.answer`). Plain Python: nothing here
imports textual.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import answer
from .embed import Embedder, crosslingual_id, load_embedder
from .index import BuildReport, Index, Progress, indexed_source, live_source, open_index
from .index.moments import CROSS, PRIMARY
from .index.represent import searchable
from .ingest import read_original
from .lexicon import cedict, glossary, transliterate
from .records import Answer, Passage, Query, Source
from .search import Expander, Searcher, twins
from .settings import Mode, Settings

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Assistant"]


class Assistant:
    """Answers questions about the documents in ``settings.seeds`` from the index in ``settings.index``.

    ``embedder`` replaces the model named in the settings (the eval and the bench pass a
    :class:`~assistant.embed.CachingEmbedder`); by default it is loaded on first use, so that opening an
    up-to-date index or a sparse-only question never loads it. Thread-safe.
    """

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None,
                 crosslingual: Embedder | None = None) -> None:
        self.settings = settings or Settings.load()
        self._embedder = embedder
        self._crosslingual = crosslingual
        self._index: Index | None = None
        self._expander: Expander | None = None
        self._glossary_stamp: tuple[float, int] | None = None
        self._lock = threading.RLock()
        self.report: BuildReport | None = None

    # ------------------------------------------------------------------ setup

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use. Raises EmbedderError."""
        with self._lock:
            if self._embedder is None:
                self._embedder = load_embedder(self.settings.embedder, self.settings.threads)
            return self._embedder

    @property
    def crosslingual(self) -> Embedder | None:
        """The cross-lingual encoder, loaded on first use; None when ``settings.crosslingual`` is off.
        Raises EmbedderError."""
        with self._lock:
            if self._crosslingual is None and crosslingual_id(self.settings.crosslingual) is not None:
                self._crosslingual = load_embedder(self.settings.crosslingual, self.settings.threads)
            return self._crosslingual

    def encoders(self) -> dict[str, Embedder]:
        """Every encoder a dense search over the loaded index uses, by signal name."""
        out = {PRIMARY: self.embedder}
        if CROSS in self.index.signals and self.crosslingual is not None:
            out[CROSS] = self.crosslingual
        return out

    def open(self, progress: Progress | None = None, rebuild: bool = False, fallback: bool = False) -> BuildReport:
        """Load the index, building or refreshing it first when the documents or settings changed.

        A build that only loading shows to be damaged is rebuilt from the documents. With ``fallback``,
        when the machine refuses to store a refreshed build (a full disk, a read-only folder), the
        previous build is used as it is, and the report's warnings say so. Raises SeedsError,
        StorageError, LockTimeout, EmbedderError, or IndexProblem when even a rebuild cannot be read.
        """
        from .errors import IndexProblem, StorageError
        from .index import open_live

        with self._lock:
            self.prepare_dictionaries(progress)
            model = self._embedder.id if self._embedder is not None else None
            cross = self._crosslingual.id if self._crosslingual is not None else None

            def attempt(again: bool) -> tuple[Index, BuildReport]:
                return open_index(self.settings, lambda: self.embedder, progress, again, model,
                                  lambda: self.crosslingual, cross)

            try:
                try:
                    index, report = attempt(rebuild)
                except IndexProblem:
                    index, report = attempt(True)
            except StorageError as exc:
                live = open_live(self.settings, exc.title) if fallback and not rebuild else None
                if live is None:
                    raise
                index, report = live
            self._index, self._expander, self.report = index, None, report
            return report

    def prepare_dictionaries(self, progress: Progress | None = None) -> None:
        """Convert jieba's dictionary and CC-CEDICT (both ways) into fast tables if this machine has not yet
        (:mod:`assistant.lexicon.dictcache`), reporting the stage ``dictionaries`` (done, total) so that a
        first run is not silent. Nothing is reported when they are ready."""
        from .lexicon import dictcache

        cache_dir = self.settings.index / "cache"
        try:
            waiting = dictcache.pending(cache_dir, cedict.PHRASE_KEY_VERSION)
        except (ImportError, OSError):
            return
        for done, name in enumerate(waiting):
            if progress is not None:
                progress("dictionaries", done, len(waiting))
            try:
                if name == "jieba":
                    dictcache.jieba_table(cache_dir)
                elif name == "cedict-en":
                    cedict.cedict_english()
                else:
                    cedict.cedict()
            except OSError:
                pass  # nowhere to keep the table: it is read the slow way when needed
        if waiting and progress is not None:
            progress("dictionaries", len(waiting), len(waiting))

    @property
    def index(self) -> Index:
        """The loaded index (opened on first use)."""
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
                entries = list(index.lexicon.entries) + glossary.read_tsv(path) + glossary.bundled_entries(
                    self.settings.domain_pack)
                self._expander = Expander(index.analyzer, index.sparse.vocab, entries, self.settings,
                                          index.sparse.document_frequency,
                                          lambda: (searchable(p.text) for p in index.passages))
                self._glossary_stamp = stamp
            return self._expander

    def searcher(self) -> Searcher:
        """The search seam over the loaded index, with this assistant's settings and model."""
        return Searcher(self.index, self.expander(), self.encoders, self.settings)

    def variant(self, embedder: Embedder | None = None, crosslingual: Embedder | None = None,
                **changes: object) -> Assistant:
        """Another assistant with some query-time settings changed, sharing the loaded index and (unless
        ``embedder`` or ``crosslingual`` is given) the models."""
        other = Assistant(self.settings.with_(**changes), embedder or self._embedder,
                          crosslingual or self._crosslingual)
        other._index, other.report = self.index, self.report
        return other

    def warm(self) -> None:
        """Load everything a first question needs (model, segmenter, the documents' drug names and the
        pinyin table they are compared with), so that it is answered at once."""
        self.expander().analyse("warm up 预热")
        self.expander().document_drugs()
        transliterate.pinyin_of("预热")
        self.index.analyzer.warm()
        if self.settings.mode != "sparse":
            for encoder in self.encoders().values():
                encoder.encode_queries(["warm up"])

    # ------------------------------------------------------------------ asking

    def analyse(self, question: str, history: Sequence[str] = ()) -> Query:
        """The question cleaned, its language detected and expanded (what :meth:`ask` searches).

        Raises QuestionError for an empty question.
        """
        return self.expander().analyse(question, history, self.index.shares)

    def ask(self, question: str, k: int | None = None, mode: Mode | None = None,
            history: Sequence[str] = ()) -> Answer:
        """Answer one question with cited passages.

        ``history`` holds the earlier questions of the conversation, oldest first. Raises QuestionError
        for an empty question, SettingsError for a bad ``k`` or ``mode``.
        """
        t0 = time.perf_counter()
        query = self.analyse(question, history)
        t1 = time.perf_counter()
        ranking = self.searcher().search(query, self.settings.k if k is None else k, mode or self.settings.mode)
        t2 = time.perf_counter()
        closeness = (self.closeness(query, ranking.mode, ranking.vectors.get(CROSS))
                     if ranking.hits and not ranking.abstained else None)
        cited, said = answer.compose(list(ranking.hits), query, self.expander(), self.index.sparse, ranking.abstained,
                                     closeness, self._translation)
        timings = {"analyse": t1 - t0, **ranking.timings, "answer": time.perf_counter() - t2}
        timings["total"] = time.perf_counter() - t0
        notices = query.notices
        if ranking.unknown:
            notices += (f"the documents never mention {', '.join(ranking.unknown)}",)
        return Answer(
            question=query.question,
            language=query.language,
            expanded_query=query.describe(),
            abstained=ranking.abstained,
            citations=cited,
            mode=ranking.mode,
            searched=query.text,
            notices=notices,
            timings=timings,
            confidence=ranking.confidence,
            statements=said,
            also_searched=query.translations,
            uncovered=ranking.unknown,  # abstaining on them, or answering the rest (Decision.uncovered)
        )

    def _translation(self, passage: Passage, sentence: int) -> tuple[int, int] | None:
        """The sentence of a twin passage that translates sentence ``sentence`` of ``passage``
        (:func:`assistant.search.twins.translation_of`)."""
        return twins.translation_of(self.index, passage.id, sentence)

    def closeness(self, query: Query, mode: str, vector: np.ndarray | None = None) -> answer.Closeness | None:
        """The cosines of a passage's sentences with the question, from the sentence vectors the build
        keeps and the cross-lingual encoder's vector of the question (``vector``, the one the search used,
        or encoded here: ~2-4 ms); None in sparse mode, or when the index keeps no sentence vectors.
        Raises EmbedderError."""
        sentences = self.index.sentences
        if mode == "sparse" or sentences is None:
            return None
        encoder = self.crosslingual
        if encoder is None or encoder.id != sentences.encoder:
            return None
        if vector is None:
            vector = encoder.encode_queries([query.text])[0]
        if vector.shape[0] != sentences.vectors.shape[1]:
            return None

        def cosines(passage: Passage) -> np.ndarray | None:
            if not 0 <= passage.id < len(sentences.starts) - 1 or (
                    self.index.passages[passage.id].sentences != passage.sentences):
                return None
            return sentences.cosines(passage.id, vector)

        return cosines

    # ------------------------------------------------------------------ sources

    def source(self, doc: str) -> str:
        """The original text of a document, as citation offsets index it: the decoded file, or for a
        PDF, Word or HTML document the extracted text the index keeps. Raises SeedsError."""
        return self.source_of(doc).text

    def source_of(self, doc: str) -> Source:
        """The original of a document with its format and page offsets (see :meth:`source`).

        An extracted document is taken from the loaded index (or else the live one) without parsing
        the file; a document the index does not hold is read from the seeds folder. Raises SeedsError
        when it is neither indexed nor readable.
        """
        with self._lock:
            index = self._index
        found = (indexed_source(index.path, index.manifest, doc) if index is not None
                 else live_source(self.settings.index, doc))
        if found is not None:
            return found
        return read_original(self.settings.seeds, doc, self.settings.index / "cache" / "extracted")

    @property
    def seeds(self) -> Path:
        return self.settings.seeds
