"""Run the gold collections: open each one's index, ask its questions and conversations in every mode.

One model is loaded and shared by every collection, wrapped in a
:class:`~assistant.embed.CachingEmbedder` whose query vectors are kept under ``<index>/eval/`` between
runs. Each collection has its own index, ``<index>/eval/<name>-<settings hash>`` (built on first use,
refreshed as usual when its documents or settings change); the domain pack on and off are different
settings, so different folders.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import Assistant
from ..embed import CachingEmbedder
from ..index import Progress
from ..settings import Settings
from .collection import Loaded, Pack, pack_of, settings_for
from .figures import ModeResult
from .harness import DEFAULT_MODE, Mode, Tick, caching, load_vectors, run_mode, save_vectors
from .metrics import summarize


@dataclass(frozen=True)
class CollectionRun:
    """Every mode's results on one collection, with the domain pack on or off."""

    loaded: Loaded
    pack: Pack
    documents: int
    passages: int
    results: tuple[ModeResult, ...]
    settings: Settings
    """The settings the collection was evaluated with (its documents and index folder)."""

    @property
    def name(self) -> str:
        return self.loaded.name

    @property
    def title(self) -> str:
        """``drugs (held out)``, ``seeds (tuned on)``; with the pack off, ``… · pack off``."""
        pack = "" if self.pack == "on" else " · pack off"
        return f"{self.name} ({self.loaded.collection.label}){pack}"

    def result(self, mode: str = DEFAULT_MODE) -> ModeResult:
        """The results of ``mode`` (the first mode run when it was not)."""
        return next((r for r in self.results if r.name == mode), self.results[0])


class Shared:
    """What every collection shares: the model (remembering query vectors) and where they are kept."""

    def __init__(self, settings: Settings, embedder: CachingEmbedder | None = None) -> None:
        self.settings = settings
        self.folder = settings.index / "eval"
        self._cache = embedder

    @property
    def cache(self) -> CachingEmbedder:
        """The caching model, loaded on first use with the query vectors kept from earlier runs."""
        if self._cache is None:
            self._cache = caching(Assistant(self.settings).embedder)
            load_vectors(self._cache, self.folder)
        return self._cache

    def save(self) -> Path | None:
        return save_vectors(self._cache, self.folder) if self._cache is not None else None


def open_collection(loaded: Loaded, base: Settings, pack: Pack, shared: Shared,
                    progress: Progress | None = None, **index_changes: Any) -> Assistant:
    """The assistant over one collection's own index (built or refreshed first when needed). A new index
    folder starts with the passage vectors its siblings (the same collection's other settings) cached, so
    a setting that changes only the sparse side costs no re-embedding."""
    settings = settings_for(loaded.collection, base, pack, **index_changes)
    _reuse_vectors(settings.index, loaded.collection.name)
    assistant = Assistant(settings, embedder=shared.cache)
    assistant.open(progress=progress)
    return assistant


def _reuse_vectors(folder: Path, name: str) -> None:
    """Copy the passage-vector caches (``cache/embeddings-*.npz``, keyed by model and passage hash) of the
    other index folders of collection ``name`` into a ``folder`` that does not exist yet."""
    if folder.exists() or folder.parent.name != "eval":
        return
    cache = folder / "cache"
    for sibling in sorted(folder.parent.glob(f"{name}-*/cache/embeddings-*.npz")):
        target = cache / sibling.name
        if not target.exists():
            cache.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sibling, target)


def evaluate(assistant: Assistant, loaded: Loaded, modes: Sequence[Mode], pack: Pack | None = None,
             tick: Callable[[str], Tick] | None = None, status: Callable[[str], None] | None = None
             ) -> CollectionRun:
    """Ask the collection's questions and conversation turns in every mode."""
    results = []
    turns = loaded.turns
    for mode in modes:
        t0 = time.perf_counter()
        label = f"{loaded.name}: {mode.name}"
        outcomes = run_mode(assistant, [*loaded.questions, *turns], mode, tick(label) if tick else None)
        asked, answered_turns = outcomes[: len(loaded.questions)], outcomes[len(loaded.questions) :]
        seconds = time.perf_counter() - t0
        summary = summarize(asked, answered_turns, len(loaded.conversations))
        results.append(ModeResult(mode.name, asked, summary, seconds, answered_turns))
        if status:
            status(f"{label}: {len(loaded.questions)} questions and {len(turns)} turns in {seconds:.1f} s "
                   f"({1000 * seconds / max(len(outcomes), 1):.0f} ms each)")
    report = assistant.report
    return CollectionRun(loaded, pack or pack_of(assistant.settings), report.documents if report else 0,
                         report.passages if report else len(assistant.index.passages), tuple(results),
                         assistant.settings)
