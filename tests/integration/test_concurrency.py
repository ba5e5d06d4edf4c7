"""Concurrency: builds are serialised by the file lock, and readers never see a mixed index.

* Two ``assistant index`` processes at once: the second waits for the lock, then finds the index
  fresh; only one build embeds, and only one new build is made.
* A reader that loaded before a rebuild keeps answering from memory, even once its build folder is gone.
* A reader that loads while a build is in progress (paused at every stage through the test hook of
  :func:`assistant.index.store.checkpoint`) gets the old build or the new one, complete.
* A reader loading in a loop while builds of two different versions follow one another only ever sees
  one version or the other, complete.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from assistant.core import Assistant
from assistant.errors import IndexProblem
from assistant.index import load as index_mod
from assistant.index import store
from assistant.settings import Settings

NOTES = {
    1: "# Dose notes\n\n## Letrozole\n\nThe dose code for letrozole is ALPHA-1.\n",
    2: "# Dose notes\n\n## Letrozole\n\nThe dose code for letrozole is BRAVO-2.\n\n## Exemestane\n\n"
       "Exemestane is a steroidal aromatase inactivator; its code is BRAVO-3.\n",
}
QUESTION = "What is the dose code for letrozole?"


def write_seeds(seeds: Path, version: int) -> None:
    seeds.mkdir(parents=True, exist_ok=True)
    # English only: no Chinese segmenter to load, so every (re)build is cheap
    (seeds / "a.txt").write_text("Fulvestrant is a selective estrogen receptor degrader.\n", encoding="utf-8")
    (seeds / "notes.md").write_text(NOTES[version], encoding="utf-8")


def settings_for(root: Path) -> Settings:
    return Settings.load(seeds=root / "seeds", index=root / "index", expand=False)


@pytest.fixture(scope="module")
def v1_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds and index of version 1, built once for the module."""
    root = tmp_path_factory.mktemp("concurrency-v1")
    write_seeds(root / "seeds", 1)
    Assistant(settings_for(root)).open()
    return root


@pytest.fixture
def root(tmp_path: Path, v1_root: Path) -> Path:
    """A private copy of the version-1 seeds and index."""
    shutil.copytree(v1_root, tmp_path / "r", symlinks=True)
    return tmp_path / "r"


def version_of(build: store.Build, settings: Settings) -> int:
    """Load a build completely and tell which version of the notes it holds (checking it is whole)."""
    loaded = index_mod.load(build, settings)
    assert len(loaded.passages) == build.manifest["counts"]["passages"] == loaded.dense.size
    assert loaded.sparse.num_docs == len(loaded.passages)
    texts = "\n".join(p.text for p in loaded.passages)
    versions = {v for v, tag in ((1, "ALPHA-1"), (2, "BRAVO-2")) if tag in texts}
    assert len(versions) == 1, f"a mixed index: {versions}"
    (version,) = versions
    assert ("BRAVO-3" in texts) == (version == 2), "a mixed index"
    return version


class Paused:
    """The marker protocol of :func:`store.checkpoint`: wait for a pause, then resume."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def wait(self, done: threading.Thread | subprocess.Popen | None = None,
             timeout: float = 300) -> str | None:
        """The stage the builder paused at, or None if it finished without pausing again."""
        deadline = time.monotonic() + timeout
        while not self.marker.exists():
            finished = (isinstance(done, threading.Thread) and not done.is_alive()) or (
                isinstance(done, subprocess.Popen) and done.poll() is not None)
            if finished:
                return None
            assert time.monotonic() < deadline, "the builder never paused"
            time.sleep(0.005)
        for _ in range(100):  # the builder writes the marker in one small write; read it whole
            text = self.marker.read_text(encoding="utf-8")
            if text.endswith("\n"):
                return text.split()[1]
            time.sleep(0.005)
        raise AssertionError("unreadable pause marker")

    def resume(self) -> None:
        self.marker.unlink()


def index_cmd(root: Path) -> list[str]:
    return [sys.executable, "-m", "assistant", "index", "--seeds", str(root / "seeds"),
            "--index", str(root / "index")]


@pytest.mark.slow
def test_two_index_runs_at_once_build_once(root: Path) -> None:
    """The second run waits on the lock while the first builds, then finds the index fresh."""
    write_seeds(root / "seeds", 2)
    index_dir = root / "index"
    before = {p.name for p in (index_dir / "builds").iterdir()}
    first, second = Paused(root / "first.pause"), Paused(root / "second.pause")
    env1 = {**os.environ, store.PAUSE_AT: "tmp-created", store.PAUSE_FILE: str(first.marker)}
    env2 = {**os.environ, store.PAUSE_AT: "lock-wait", store.PAUSE_FILE: str(second.marker)}
    a = subprocess.Popen(index_cmd(root), env=env1, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert first.wait(a) == "tmp-created"  # the first run holds the lock, mid-build
        with pytest.raises(Timeout):
            FileLock(str(index_dir / ".lock")).acquire(timeout=0)
        b = subprocess.Popen(index_cmd(root), env=env2, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        try:
            # the second run has seen a stale index and is about to wait for the lock
            assert second.wait(b) == "lock-wait"
            second.resume()
            first.resume()
            out_a, err_a = a.communicate(timeout=600)
            out_b, err_b = b.communicate(timeout=600)
        finally:
            if b.poll() is None:
                b.kill()
    finally:
        if a.poll() is None:
            a.kill()
    assert a.returncode == 0 and b.returncode == 0, (err_a[-2000:], err_b[-2000:])
    assert out_a.startswith("indexed 2 documents") and " embedded " in out_a, out_a
    assert out_b.startswith("index is up to date"), out_b  # found fresh: it did not embed
    after = {p.name for p in (index_dir / "builds").iterdir()}
    assert len(after - before) == 1, (before, after)  # exactly one new build
    assert version_of(store.current(index_dir), settings_for(root)) == 2


@pytest.mark.slow
def test_reader_loaded_before_rebuild_keeps_working(root: Path) -> None:
    settings = settings_for(root)
    reader = Assistant(settings)
    reader.open()
    old_dir = reader.index.path
    before = [(c.passage.doc, c.passage.text) for c in reader.ask(QUESTION).citations]
    assert "ALPHA-1" in before[0][1]
    for version in (2, 1):  # two rebuilds: the previous build is kept, the one before is deleted
        write_seeds(root / "seeds", version)
        assert Assistant(settings).open().rebuilt
    assert not old_dir.exists(), "the test needs the reader's build to be gone"
    after = [(c.passage.doc, c.passage.text) for c in reader.ask(QUESTION).citations]
    assert after == before


def test_reader_during_build_sees_old_or_new_complete(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pause a build at every checkpoint; each time, a new reader loads the live build."""
    settings = settings_for(root)
    index_dir = settings.index
    old = store.current(index_dir).path.name
    write_seeds(root / "seeds", 2)
    pause = Paused(root / "build.pause")
    monkeypatch.setenv(store.PAUSE_AT, "*")
    monkeypatch.setenv(store.PAUSE_FILE, str(pause.marker))
    errors: list[BaseException] = []

    def build() -> None:
        try:
            Assistant(settings).open()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    builder = threading.Thread(target=build, daemon=True)
    builder.start()
    seen: dict[str, int] = {}
    try:
        while (stage := pause.wait(builder)) is not None:
            live = store.current(index_dir)  # verifies every checksum
            seen[stage] = version_of(live, settings)
            assert (live.path.name == old) == (seen[stage] == 1)
            pause.resume()
    finally:
        monkeypatch.delenv(store.PAUSE_AT)
        pause.marker.unlink(missing_ok=True)
        builder.join(timeout=300)
    assert not errors, errors
    expected = {"lock-wait", "embed-start", "write:embeddings-*.npz", "tmp-created", "before-manifest",
                "write:manifest.json", "before-current", "write:CURRENT", "after-current"}
    stages = {("write:embeddings-*.npz" if s.startswith("write:embeddings-") else s) for s in seen}
    assert stages == expected, seen
    assert all(v == 1 for s, v in seen.items() if s != "after-current"), seen
    assert seen["after-current"] == 2
    assert version_of(store.current(index_dir), settings) == 2


def test_reader_loop_during_successive_builds(root: Path) -> None:
    """Loads racing real builds of alternating versions: every load is one version, complete."""
    settings = settings_for(root)
    stop = threading.Event()
    errors: list[BaseException] = []
    builds = 3

    def builder() -> None:
        try:
            for i in range(builds):
                write_seeds(root / "seeds", 2 if i % 2 == 0 else 1)
                assert Assistant(settings).open().rebuilt
                time.sleep(0.05)  # pacing only: let the reader load the build just made
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            stop.set()

    thread = threading.Thread(target=builder, daemon=True)
    thread.start()
    versions: list[int] = []
    moved_on = 0
    pointer = settings.index / store.CURRENT
    while not stop.is_set():
        started_on = pointer.read_text(encoding="utf-8")
        try:
            versions.append(version_of(store.current(settings.index), settings))
        except IndexProblem:
            # acceptable only when builds completed while this reader was loading, so that the build
            # it started on was removed: the pointer must have moved on
            assert pointer.read_text(encoding="utf-8") != started_on, "a load failed on a stable index"
            moved_on += 1
        time.sleep(0.005)  # pacing only: leave the builder some of the interpreter
    thread.join(timeout=600)
    assert not errors, errors
    assert versions and set(versions) <= {1, 2}
    assert version_of(store.current(settings.index), settings) == 2  # the last build wins
