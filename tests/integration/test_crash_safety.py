"""Crash safety: a real ``python -m assistant index`` is SIGKILLed at several points of a rebuild.

After every kill the previous build must still be the live one, load completely and give its old
answers; no half-written build may be live; and the next ``assistant index`` must complete, clean the
stale ``builds/tmp-…`` folder (and any orphaned build or half-written temporary file) and serve the
new documents.

The exact points are reached through the test hook in :func:`assistant.index.store.checkpoint`: with
``ASSISTANT_TEST_PAUSE_AT=<stage>`` the build writes a marker file and waits; the test then sends
SIGKILL from outside. The slow variant also kills at plain timing-based delays, without the hook.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.index import load as index_mod
from assistant.index import store
from assistant.settings import Settings

QUESTION = "What is the dose code for letrozole?"
DRUGS = ["fulvestrant", "tamoxifen", "letrozole", "anastrozole", "exemestane", "palbociclib"]

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


def write_seeds(seeds: Path, version: int) -> None:
    """Version 1: two documents. Version 2: one section of the notes changed, and a new document (two
    passages to embed: the rebuilds stay cheap)."""
    seeds.mkdir(parents=True, exist_ok=True)
    # English only: no Chinese segmenter to load, so every (re)build is cheap
    (seeds / "a.txt").write_text("Fulvestrant is a selective estrogen receptor degrader for advanced breast "
                                 "cancer.\n", encoding="utf-8")
    lines = ["# Drug notes", ""]
    for i, drug in enumerate(DRUGS, 1):
        v = version if drug == "letrozole" else 1
        lines += [f"## {i}. {drug.capitalize()}", "", f"The dose code for {drug} is V{v}-{i:02d}.", ""]
    (seeds / "notes.md").write_text("\n".join(lines), encoding="utf-8")
    if version == 2:
        (seeds / "new.md").write_text(
            "# Bone health\n\nDenosumab and zoledronic acid reduce skeletal-related events (SREs) in bone "
            "metastases.\n", encoding="utf-8")


def settings_for(root: Path) -> Settings:
    return Settings.load(seeds=root / "seeds", index=root / "index")


def answer_key(settings: Settings, build: store.Build) -> list[tuple[str, str]]:
    """The (doc, text) of the passages a build answers QUESTION with (hybrid, without expansion)."""
    a = Assistant(settings.with_(expand=False))
    a._index = index_mod.load(build, settings)  # this very build, with no freshness check
    return [(c.passage.doc, c.passage.text) for c in a.ask(QUESTION).citations]


@pytest.fixture(scope="module")
def v1_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[tuple[str, str]]]:
    """An index of version 1, built once: (root, live build name, its answer to QUESTION)."""
    root = tmp_path_factory.mktemp("crash-v1")
    write_seeds(root / "seeds", 1)
    settings = settings_for(root)
    Assistant(settings).open()
    build = store.current(settings.index)
    answers = answer_key(settings, build)
    assert answers and "V1-03" in answers[0][1], answers
    return root, build.path.name, answers


@pytest.fixture
def crash_root(tmp_path: Path, v1_index: tuple[Path, str, list[tuple[str, str]]]) -> Path:
    """A private copy of the version-1 index, with the seeds already changed to version 2."""
    src, _, _ = v1_index
    root = tmp_path / "crash"
    shutil.copytree(src, root, symlinks=True)
    write_seeds(root / "seeds", 2)
    return root


def index_command(root: Path) -> list[str]:
    return [sys.executable, "-m", "assistant", "index", "--seeds", str(root / "seeds"),
            "--index", str(root / "index")]


def kill_at(root: Path, stage: str, delay: float = 0.0) -> None:
    """Start a rebuild, wait until it pauses at ``stage``, then SIGKILL it (``delay`` s after resuming
    it, when given: the kill then lands somewhere after the stage)."""
    marker = root / f"paused-{os.getpid()}"
    env = {**os.environ, store.PAUSE_AT: stage, store.PAUSE_FILE: str(marker)}
    proc = subprocess.Popen(index_command(root), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while not marker.exists():
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(f"the build ended (exit {proc.returncode}) before reaching {stage!r}:\n"
                            f"{out.decode()}\n{err.decode()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"the build never reached {stage!r}")
            time.sleep(0.01)
        if delay:
            marker.unlink()
            time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        marker.unlink(missing_ok=True)
    assert proc.returncode == -signal.SIGKILL, f"the build finished before the kill at {stage!r}"


def assert_previous_live(root: Path, name: str, answers: list[tuple[str, str]]) -> None:
    settings = settings_for(root)
    build = store.current(settings.index)  # verifies every checksum
    assert build.path.name == name, "a killed build became live"
    assert build.path.name.startswith("b-") and build.path.parent == settings.index / "builds"
    loaded = index_mod.load(build, settings)
    assert len(loaded.passages) == build.manifest["counts"]["passages"]
    assert "new.md" not in build.manifest["sources"]
    assert answer_key(settings, build) == answers


def assert_next_run_completes(root: Path, previous: str, cached: bool) -> None:
    done = subprocess.run(index_command(root), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith("indexed 3 documents"), done.stdout
    if cached:  # the embeddings of the killed runs were kept
        assert " embedded 0 passages" in done.stdout, done.stdout
    index_dir = root / "index"
    builds = sorted(p.name for p in (index_dir / "builds").iterdir())
    assert not [b for b in builds if b.startswith("tmp-")], builds
    live = store.current(index_dir)
    assert live.path.name != previous
    assert set(builds) == {live.path.name, previous}, builds  # orphans removed, the previous kept
    leftovers = [p.name for d in (index_dir, index_dir / "cache") for p in d.iterdir()
                 if p.name.endswith(".tmp")]
    assert leftovers == []
    assert set(live.manifest["sources"]) == {"a.txt", "new.md", "notes.md"}
    answers = answer_key(settings_for(root), live)
    assert "V2-03" in answers[0][1], answers


@pytest.mark.slow
def test_kill_at_several_points_then_recover(crash_root: Path, v1_index: tuple[Path, str, list]) -> None:
    """SIGKILL while embedding, while writing the new build, and once it is complete but not yet live."""
    _, name, answers = v1_index
    builds = crash_root / "index" / "builds"

    kill_at(crash_root, "embed-start", delay=0.05)  # while embedding the changed passages
    assert_previous_live(crash_root, name, answers)

    kill_at(crash_root, "before-manifest")  # every file of the new build written, no manifest yet
    tmp = [p for p in builds.iterdir() if p.name.startswith("tmp-")]
    assert tmp and (tmp[0] / "passages.jsonl").exists() and not (tmp[0] / "manifest.json").exists()
    assert_previous_live(crash_root, name, answers)

    kill_at(crash_root, "before-current")  # complete and renamed, but CURRENT not replaced yet
    orphans = [p for p in builds.iterdir() if p.name.startswith("b-") and p.name != name]
    assert orphans and (orphans[0] / "manifest.json").exists()
    assert_previous_live(crash_root, name, answers)

    assert_next_run_completes(crash_root, name, cached=True)


@pytest.mark.slow
def test_kill_at_every_hook_point(crash_root: Path, v1_index: tuple[Path, str, list]) -> None:
    """The remaining points: the embedding cache half-written, an empty tmp build, and after CURRENT."""
    _, name, answers = v1_index
    index_dir = crash_root / "index"

    kill_at(crash_root, "write:embeddings-*.npz")
    half = [p for p in (index_dir / "cache").iterdir() if p.name.endswith(".tmp")]
    assert half, "the kill should have left a half-written cache file"
    assert_previous_live(crash_root, name, answers)

    kill_at(crash_root, "tmp-created")
    assert_previous_live(crash_root, name, answers)

    kill_at(crash_root, "write:CURRENT")  # the new pointer half-written beside the old one
    assert_previous_live(crash_root, name, answers)

    assert_next_run_completes(crash_root, name, cached=True)

    # killed once the new build is live: it stays live and complete; the next change builds cleanly
    live = store.current(index_dir).path.name
    (crash_root / "seeds" / "new.md").write_text("# Bone health\n\nDenosumab, changed again.\n",
                                                 encoding="utf-8")
    kill_at(crash_root, "after-current")
    now = store.current(index_dir)
    assert now.path.name != live and "Denosumab, changed again." in (now.path / "passages.jsonl").read_text()
    index_mod.load(now, settings_for(crash_root))
    again = subprocess.run(index_command(crash_root), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and again.stdout.startswith("index is up to date"), again


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 1.0, 2.0, 3.5, 5.0])
def test_kill_after_timing_delays(crash_root: Path, v1_index: tuple[Path, str, list], delay: float) -> None:
    """No hook: SIGKILL a plain rebuild ``delay`` seconds after it starts. Whatever it was doing, the
    live build is the old or the new one, complete, and the next run completes and cleans up."""
    _, name, answers = v1_index
    proc = subprocess.Popen(index_command(crash_root), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    live = store.current(crash_root / "index")
    if live.path.name == name:
        assert_previous_live(crash_root, name, answers)
    else:  # the build finished before the kill
        assert set(live.manifest["sources"]) == {"a.txt", "new.md", "notes.md"}
        index_mod.load(live, settings_for(crash_root))
    done = subprocess.run(index_command(crash_root), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not [p for p in (crash_root / "index" / "builds").iterdir() if p.name.startswith("tmp-")]
    assert set(store.current(crash_root / "index").manifest["sources"]) == {"a.txt", "new.md", "notes.md"}


def test_sweep_removes_only_what_killed_builds_left(tmp_path: Path) -> None:
    """``store.sweep`` (for a locked re-check that finds the index fresh): stale ``tmp-…`` builds and
    half-written temporary files go; finished builds and anything not ours stay."""
    index_dir = tmp_path / "index"
    builds = index_dir / "builds"
    for name in ("b-20250101T000000-0123abcd", "b-20250102T000000-0123abcd", "tmp-20250103T000000-0123abcd",
                 "tmp-mine", "my-folder"):
        (builds / name).mkdir(parents=True)
        (builds / name / "f").write_text("x", encoding="utf-8")
    (index_dir / "cache").mkdir()
    stale = [index_dir / ".CURRENT.0123abcd.tmp",
             index_dir / "cache" / ".embeddings-0123456789abcdef.npz.0123abcd.tmp"]
    foreign = [index_dir / ".CURRENT.tmp", index_dir / "cache" / "notes.tmp"]
    for path in stale + foreign:
        path.write_text("x", encoding="utf-8")
    with store.build_lock(index_dir):
        store.sweep(index_dir)
    assert sorted(p.name for p in builds.iterdir()) == [
        "b-20250101T000000-0123abcd", "b-20250102T000000-0123abcd", "my-folder", "tmp-mine"]
    assert not any(p.exists() for p in stale) and all(p.exists() for p in foreign)
