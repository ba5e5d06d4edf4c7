"""Open the index for a set of settings: reuse the live build when it is fresh, else build it first.

Under the build lock, so that two processes never build at once; the second one to get the lock
finds the index fresh and reuses it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..embed import Embedder, crosslingual_id, load_embedder
from ..errors import IndexProblem
from ..ingest import Corpus, load_corpus
from ..settings import Settings
from . import store
from .build import EXTRACTED, BuildReport, Progress, _storage, build
from .fresh import UNREAD, staleness
from .load import Index, load
from .manifest import Manifest


def open_index(settings: Settings, embedder: Callable[[], Embedder], progress: Progress | None = None,
               rebuild: bool = False, model: str | None = None,
               crosslingual: Callable[[], Embedder | None] | None = None,
               crosslingual_model: str | None = None) -> tuple[Index, BuildReport]:
    """The index for these settings, built or refreshed first if needed (under the build lock).

    ``embedder`` is called only when passages must be embedded; ``model`` is its id, when it is not the
    embedder the settings name (a build by another model is stale). ``crosslingual`` and
    ``crosslingual_model`` are the same for the cross-lingual encoder (by default, the one
    ``settings.crosslingual`` names, loaded only for a build). Raises SeedsError (no documents),
    IndexProblem (a build that cannot be read), StorageError, LockTimeout or EmbedderError.
    """
    started = time.perf_counter()
    if not settings.seeds.is_dir():
        load_corpus(settings.seeds)  # raises the clear "missing seeds" error
    if not rebuild:
        fresh = _fresh_build(settings, model, crosslingual_model, progress)
        if isinstance(fresh, store.Build):
            return load(fresh, settings), _reused(fresh, started)
    with _storage(settings.index, lambda: 0), store.build_lock(settings.index):
        reason = "a rebuild was asked for"
        corpus = None
        if not rebuild:  # another process may have finished a build while we waited for the lock
            fresh = _fresh_build(settings, model, crosslingual_model, progress)
            if isinstance(fresh, store.Build):
                return load(fresh, settings), _reused(fresh, started)
            reason, corpus = fresh
        corpus = corpus or read_corpus(settings, progress)
        cross = crosslingual() if crosslingual is not None else default_crosslingual(settings)
        report = build(settings, corpus, embedder(), progress, reason, cross)
    return load(store.current(settings.index), settings), report


def open_live(settings: Settings, why: str) -> tuple[Index, BuildReport] | None:
    """The live build as it is, even if stale (None when there is none that loads); the report's ``stale``
    says why it was not refreshed."""
    started = time.perf_counter()
    try:
        live = store.current(settings.index)
        index = load(live, settings)
    except IndexProblem:
        return None
    report = _reused(live, started)
    return index, BuildReport(report.documents, report.passages, 0, report.seconds, False, stale=why,
                              unsupported=report.unsupported)


def read_corpus(settings: Settings, progress: Progress | None = None) -> Corpus:
    """The documents of ``settings.seeds``, with extractions cached in the index folder and at most
    ``settings.ocr_pages`` scanned pages of each PDF recognised. Raises SeedsError."""
    return load_corpus(settings.seeds, settings.index / "cache" / EXTRACTED, progress, settings.ocr_pages)


def default_crosslingual(settings: Settings) -> Embedder | None:
    """The cross-lingual encoder ``settings.crosslingual`` names, loaded (None when it is off)."""
    if crosslingual_id(settings.crosslingual) is None:
        return None
    return load_embedder(settings.crosslingual, settings.threads)


def _fresh_build(settings: Settings, model: str | None, crosslingual: str | None = None,
                 progress: Progress | None = None) -> store.Build | tuple[str, Corpus | None]:
    """The live build if it is up to date, else why not (and the corpus, if it was read)."""
    try:
        live = store.current(settings.index)
        manifest = Manifest.from_json(live.manifest)
    except IndexProblem as exc:
        return exc.title, None
    reason = staleness(manifest, settings, None, model, crosslingual)
    if reason != UNREAD:
        return live if not reason else (reason, None)
    corpus = read_corpus(settings, progress)
    reason = staleness(manifest, settings, corpus, model, crosslingual)
    return live if not reason else (reason, corpus)


def _reused(live: store.Build, started: float) -> BuildReport:
    manifest = Manifest.from_json(live.manifest)
    return BuildReport(manifest.documents, manifest.passages, 0, time.perf_counter() - started, False,
                       warnings=manifest.warnings, unsupported=manifest.unsupported)
