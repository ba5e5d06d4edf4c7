"""Store: the on-disk layout of the index directory, written atomically and checked on load.

::

    index/
      CURRENT              which build is live (replaced atomically)
      .lock                serialises builds (filelock)
      builds/b-…/          one complete, immutable build
        manifest.json      format, embedder, chunker, sources, and a checksum of every file
        passages.jsonl, embeddings.npy, dense.faiss, sparse/…, lexicon.json
      cache/               embedding cache
        extracted/         the extracted text of PDF, Word and HTML files, by file hash

A build is written into ``builds/tmp-…`` and renamed into place only when complete; ``CURRENT`` is
then replaced in one step. A crash at any point leaves the previous build live, and readers never see
a mixed index. The assistant deletes only its own ``b-…``/``tmp-…`` folders inside ``builds/`` and the
temporary files of its own interrupted atomic writes, each by its exact name in its own folder
(:data:`_OWN_TEMP`): ``.CURRENT.<8 hex>.tmp``, ``cache/.embeddings-<16 hex>.npz.<8 hex>.tmp`` and
``cache/extracted/.<sha256>[.failed].json.<8 hex>.tmp``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import IndexProblem, LockTimeout, SettingsError

FORMAT_VERSION = 3
CURRENT = "CURRENT"
BUILDS = "builds"
MANIFEST = "manifest.json"
_OWN_BUILD = re.compile(r"^(b|tmp)-[0-9]{8}T[0-9]{6}-[0-9a-f]{8}$")
_OWN_TEMP = {
    (): (re.compile(r"^\.CURRENT\.[0-9a-f]{8}\.tmp$"), 0.0),
    ("cache",): (re.compile(r"^\.embeddings-[0-9a-f]{16}\.npz\.[0-9a-f]{8}\.tmp$"), 0.0),
    ("cache", "extracted"): (re.compile(r"^\.[0-9a-f]{64}(\.failed)?\.json\.[0-9a-f]{8}\.tmp$"), 600.0),
}
"""Folder inside the index (as path parts) → the temporary files our atomic writes leave there when a
process is killed mid-write, and the age in seconds from which such a file is a leftover: those of
:func:`write_atomic` (``CURRENT``) and of the embedding cache (:mod:`.cache`) are written under the build
lock, so any found by the lock holder is one; the extraction cache
(:class:`~assistant.ingest.extract.ExtractCache`) is also written by processes that do not hold it (a
freshness check, a citation shown from a file not yet indexed), for a few milliseconds per file, so only
one older than ten minutes is taken for a leftover."""
PAUSE_AT = "ASSISTANT_TEST_PAUSE_AT"
PAUSE_FILE = "ASSISTANT_TEST_PAUSE_FILE"


@dataclass(frozen=True)
class Build:
    path: Path
    manifest: dict[str, Any]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def checkpoint(stage: str) -> None:
    """A test hook (inert unless ``ASSISTANT_TEST_PAUSE_AT`` is set): pause at a named stage of a build.

    When ``$ASSISTANT_TEST_PAUSE_AT`` matches ``stage`` (a glob), the process writes its pid to
    ``$ASSISTANT_TEST_PAUSE_FILE`` and waits until that file is removed (at most two minutes). The
    crash-safety tests use it to SIGKILL a real build at exact points; nothing else ever sets it.
    """
    pattern = os.environ.get(PAUSE_AT)
    if not pattern or not fnmatch.fnmatchcase(stage, pattern):
        return
    marker = os.environ.get(PAUSE_FILE)
    if not marker:
        return
    marker_path = Path(marker)
    marker_path.write_text(f"{os.getpid()} {stage}\n", encoding="utf-8")
    deadline = time.monotonic() + 120
    while marker_path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see either the old content or the new, never a mix."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with tmp.open("wb") as fh:
        half = len(data) // 2
        fh.write(data[:half])
        fh.flush()
        checkpoint(f"write:{path.name}")  # a crash here leaves a half-written temporary file
        fh.write(data[half:])
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def save_array(path: Path, array: Any) -> None:
    """``np.save`` through a Python file write, so that a full disk is an ``OSError`` with ``ENOSPC``
    (NumPy's own writer reports a short write without an errno). Never pickles."""
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    with path.open("wb") as fh:
        fh.write(buffer.getbuffer())


@contextmanager
def build_lock(index_dir: Path, timeout: float = 600.0) -> Iterator[None]:
    """Hold the build lock. A second builder waits (and then finds the index already fresh)."""
    from filelock import FileLock
    from filelock import Timeout as FileLockTimeout

    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        blocker = next((p for p in (index_dir, *index_dir.parents) if p.exists() and not p.is_dir()), index_dir)
        raise SettingsError(f"the index folder {index_dir} cannot be made: {blocker} is a file; choose another "
                            "folder with --index") from exc
    lock = FileLock(str(index_dir / ".lock"))
    checkpoint("lock-wait")
    try:
        lock.acquire(timeout=timeout)
    except FileLockTimeout as exc:
        raise LockTimeout(f"another process has been building the index in {index_dir} for too long") from exc
    try:
        yield
    finally:
        lock.release()


def new_build_dir(index_dir: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    tmp = index_dir / BUILDS / f"tmp-{stamp}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    checkpoint("tmp-created")
    return tmp


def commit(index_dir: Path, tmp: Path, manifest: dict[str, Any]) -> Build:
    """Seal a finished build: checksum its files, write the manifest, rename it live."""
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
        with path.open("rb") as fh:
            os.fsync(fh.fileno())
        rel = path.relative_to(tmp).as_posix()
        files[rel] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    manifest = {**manifest, "format": FORMAT_VERSION, "files": files}
    checkpoint("before-manifest")
    write_atomic(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    final = tmp.with_name("b-" + tmp.name[len("tmp-") :])
    os.replace(tmp, final)
    _fsync_dir(final.parent)
    checkpoint("before-current")  # a complete build that is not live yet
    previous = _live_name(index_dir)
    pointer = {"build": final.name, "manifest_sha256": sha256_file(final / MANIFEST)}
    write_atomic(index_dir / CURRENT, json.dumps(pointer).encode("utf-8"))
    checkpoint("after-current")
    keep = {final.name} | ({previous} if previous else set())
    _remove_old_builds(index_dir, keep=keep)
    return Build(final, manifest)


def _live_name(index_dir: Path) -> str | None:
    """The build ``CURRENT`` names, if it is readable and one of ours."""
    try:
        name = json.loads((index_dir / CURRENT).read_text(encoding="utf-8"))["build"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return name if isinstance(name, str) and _OWN_BUILD.match(name) else None


def _remove_old_builds(index_dir: Path, keep: set[str]) -> None:
    """Delete stale builds of our own, keeping the live one and the one before it (for open readers).

    Called under the build lock, so no ``tmp-…`` build is in progress: any left is from a killed build.
    Leftover temporary files of interrupted atomic writes are removed too. Nothing that does not match
    our own naming patterns is ever touched.
    """
    builds_dir = index_dir / BUILDS
    for path in sorted(builds_dir.iterdir(), key=lambda p: p.name):
        if _OWN_BUILD.match(path.name) and path.name not in keep and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
    now = time.time()
    for parts, (own, age) in _OWN_TEMP.items():
        try:
            entries = list(index_dir.joinpath(*parts).iterdir())
        except OSError:
            continue
        for path in entries:
            if not own.match(path.name) or path.is_symlink() or not path.is_file():
                continue
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime >= age:
                    path.unlink()


def sweep(index_dir: Path) -> None:
    """Remove what killed builds left behind (``tmp-…`` folders, half-written temporary files), keeping
    every finished build. Call it only while holding :func:`build_lock`, e.g. when a locked re-check
    finds the index fresh and no build follows (``commit`` already cleans up after every build)."""
    builds = index_dir / BUILDS
    if builds.is_dir():
        _remove_old_builds(index_dir, keep={p.name for p in builds.iterdir() if p.name.startswith("b-")})


def discard(tmp: Path) -> None:
    if _OWN_BUILD.match(tmp.name) and tmp.name.startswith("tmp-"):
        shutil.rmtree(tmp, ignore_errors=True)


def current(index_dir: Path, verify: bool = True) -> Build:
    """The live build, verified against its manifest. Raises IndexProblem with the reason.

    If the build ``CURRENT`` named disappears while it is being checked (two builds completed in the
    meantime and removed it), the pointer has moved on: it is read again rather than reported broken.
    """
    for _ in range(3):
        before = _read_pointer_bytes(index_dir)
        try:
            return _current(index_dir, verify)
        except IndexProblem:
            if before is None or _read_pointer_bytes(index_dir) == before:
                raise
    return _current(index_dir, verify)


def _read_pointer_bytes(index_dir: Path) -> bytes | None:
    try:
        return (index_dir / CURRENT).read_bytes()
    except OSError:
        return None


def _current(index_dir: Path, verify: bool) -> Build:
    pointer_path = index_dir / CURRENT
    if not pointer_path.exists():
        raise IndexProblem("no index has been built yet")
    try:
        pointer = json.loads(pointer_path.read_text(encoding="utf-8"))
        name = str(pointer["build"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexProblem("the index pointer is unreadable") from exc
    if not _OWN_BUILD.match(name) or not name.startswith("b-"):
        raise IndexProblem("the index pointer names an unknown build")
    path = index_dir / BUILDS / name
    manifest_path = path / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexProblem("the index manifest is missing or unreadable") from exc
    if not isinstance(manifest, dict):
        raise IndexProblem("the index manifest is damaged")
    if manifest.get("format") != FORMAT_VERSION:
        found = manifest.get("format")
        raise IndexProblem(f"the index was written in format {found!r}, not {FORMAT_VERSION}")
    if verify:
        if pointer.get("manifest_sha256") != sha256_file(manifest_path):
            raise IndexProblem("the index manifest does not match its checksum")
        verify_files(path, manifest)
    return Build(path, manifest)


def verify_files(path: Path, manifest: dict[str, Any]) -> None:
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise IndexProblem("the index manifest lists no files")
    for rel, meta in files.items():
        parts = Path(rel).parts
        if not isinstance(meta, dict) or not parts or Path(rel).is_absolute() or ".." in parts:
            raise IndexProblem("the index manifest is damaged")
        target = path / rel
        try:
            size = target.stat().st_size
        except OSError as exc:
            raise IndexProblem(f"index file {rel} is missing") from exc
        if size != meta.get("size") or sha256_file(target) != meta.get("sha256"):
            raise IndexProblem(f"index file {rel} is truncated or corrupted")
