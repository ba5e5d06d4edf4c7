"""Store: the on-disk layout of the index directory, written atomically and checked on load.

::

    index/
      CURRENT              which build is live (replaced atomically)
      .lock                serialises builds (filelock)
      builds/b-…/          one complete, immutable build
        manifest.json      format, embedder, chunker, sources, and a checksum of every file
        passages.jsonl, embeddings.npy, dense.faiss, sparse/…, lexicon.json
      cache/               embedding cache and the segmenter's dictionary cache

A build is written into ``builds/tmp-…`` and renamed into place only when complete; ``CURRENT`` is
then replaced in one step. A crash at any point leaves the previous build live, and readers never see
a mixed index. The assistant deletes only its own ``b-…``/``tmp-…`` folders inside ``builds/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

FORMAT_VERSION = 3
CURRENT = "CURRENT"
BUILDS = "builds"
MANIFEST = "manifest.json"
_OWN_BUILD = re.compile(r"^(b|tmp)-[0-9]{8}T[0-9]{6}-[0-9a-f]{8}$")


class IndexProblem(Exception):
    """The index cannot be used as it is (missing, stale format, corrupted); a rebuild fixes it."""


class LockTimeout(Exception):
    """Another process holds the build lock for too long."""


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


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see either the old content or the new, never a mix."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@contextmanager
def build_lock(index_dir: Path, timeout: float = 600.0) -> Iterator[None]:
    """Hold the build lock. A second builder waits (and then finds the index already fresh)."""
    from filelock import FileLock
    from filelock import Timeout as FileLockTimeout

    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / ".lock"))
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
    write_atomic(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    final = tmp.with_name("b-" + tmp.name[len("tmp-") :])
    os.replace(tmp, final)
    _fsync_dir(final.parent)
    pointer = {"build": final.name, "manifest_sha256": sha256_file(final / MANIFEST)}
    write_atomic(index_dir / CURRENT, json.dumps(pointer).encode("utf-8"))
    _remove_old_builds(index_dir, keep={final.name})
    return Build(final, manifest)


def _remove_old_builds(index_dir: Path, keep: set[str]) -> None:
    """Delete stale builds of our own, keeping the live one and the one before it (for open readers)."""
    builds_dir = index_dir / BUILDS
    ours = sorted((p for p in builds_dir.iterdir() if _OWN_BUILD.match(p.name) and p.is_dir()), key=lambda p: p.name)
    finished = [p for p in ours if p.name.startswith("b-") and p.name not in keep]
    doomed = [p for p in ours if p.name.startswith("tmp-")] + finished[:-1]
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)


def discard(tmp: Path) -> None:
    if _OWN_BUILD.match(tmp.name) and tmp.name.startswith("tmp-"):
        shutil.rmtree(tmp, ignore_errors=True)


def current(index_dir: Path, verify: bool = True) -> Build:
    """The live build, verified against its manifest. Raises IndexProblem with the reason."""
    pointer_path = index_dir / CURRENT
    if not pointer_path.exists():
        raise IndexProblem("no index has been built yet")
    try:
        pointer = json.loads(pointer_path.read_text(encoding="utf-8"))
        name = str(pointer["build"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexProblem("the index pointer is unreadable") from exc
    if not _OWN_BUILD.match(name):
        raise IndexProblem("the index pointer names an unknown build")
    path = index_dir / BUILDS / name
    manifest_path = path / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexProblem("the index manifest is missing or unreadable") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexProblem(f"the index was written in format {manifest.get('format')!r}, not {FORMAT_VERSION}")
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
        target = path / rel
        try:
            size = target.stat().st_size
        except OSError as exc:
            raise IndexProblem(f"index file {rel} is missing") from exc
        if size != meta.get("size") or sha256_file(target) != meta.get("sha256"):
            raise IndexProblem(f"index file {rel} is truncated or corrupted")
