"""Errors of the machine while storing the index: one line naming the folder, never a traceback.

A full disk and a read-only folder are real: the index lives on a small tmpfs mounted for the test
(as root; skipped where mounting is not allowed). A quota and a lost mount cannot be made that way, so
the OSError they raise is injected at the first write of a build.
"""

from __future__ import annotations

import errno
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cli import run_main, without_stages

from assistant.errors import StorageError, storage_error

DOC = "氟维司群的研究进展\n\n氟维司群（fulvestrant）是选择性雌激素受体下调剂，FLV 500 mg 是有效剂量。\n"
MORE = "\n\n".join(f"第{i}段：内分泌治疗耐药的机制之一是雌激素受体基因突变，研究仍在继续。" * 3 for i in range(60))


def _mount(path: Path, size: str) -> None:
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 160 KB tmpfs: room for a tiny index, not for a larger one."""
    if shutil.which("mount") is None or sys.platform != "linux":
        pytest.skip("needs Linux mount")
    mount = tmp_path / "disk"
    mount.mkdir()
    _mount(mount, "160k")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _seeds(root: Path, text: str = DOC) -> Path:
    seeds = root / "seeds"
    seeds.mkdir(exist_ok=True)
    (seeds / "a.txt").write_text(text, encoding="utf-8")
    return seeds


@pytest.mark.slow
def test_full_disk_is_one_line_and_the_previous_build_stays_live(small_disk: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    seeds, index = _seeds(tmp_path), small_disk / "index"
    code, out, err = run_main(["index", "--seeds", seeds, "--index", index], capsys)
    assert code == 0, err
    live = (index / "CURRENT").read_text(encoding="utf-8")

    (seeds / "a.txt").write_text(DOC + MORE, encoding="utf-8")  # the new build no longer fits
    code, out, err = run_main(["index", "--seeds", seeds, "--index", index], capsys)
    assert code == 1
    lines = without_stages(err)
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(f"assistant: error: cannot write the index in {index}: the disk is full")
    assert "it needs about" in lines[0] and "MB free" in lines[0]
    assert (index / "CURRENT").read_text(encoding="utf-8") == live  # the previous build is still live
    assert not [p for p in (index / "builds").iterdir() if p.name.startswith("tmp-")]  # nothing half-written

    # asking still works: from the previous build, with a warning that says why
    code, out, err = run_main(["ask", "氟维司群的有效剂量", "--json", "--seeds", seeds, "--index", index], capsys)
    assert code == 0, err
    assert "the disk is full" in err and "previous index" in err
    assert '"abstained"' in out and "500 mg" in out


def test_read_only_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("mount") is None or sys.platform != "linux":
        pytest.skip("needs Linux mount")
    seeds, disk = _seeds(tmp_path), tmp_path / "ro"
    disk.mkdir()
    _mount(disk, "1m")
    try:
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True, capture_output=True)
        code, out, err = run_main(["index", "--seeds", seeds, "--index", disk / "index"], capsys)
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
    assert code == 1
    assert without_stages(err) == [f"assistant: error: cannot write the index in {disk / 'index'}: "
                                   "the folder is on a read-only file system"], err


@pytest.mark.parametrize(("number", "why"), [
    (errno.EDQUOT, "the disk quota is used up"),
    (errno.ENOTCONN, "the folder's file system is no longer mounted"),
    (errno.ESTALE, "the folder's file system is no longer reachable"),
    (errno.EIO, "the disk reported an input/output error"),
    (errno.ENOENT, "the folder cannot be made there, or it disappeared"),  # mkdir under /proc
])
def test_quota_and_lost_mount_are_one_line(number: int, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.index import store

    def fail(index_dir: Path) -> Path:
        raise OSError(number, "injected", str(index_dir))

    monkeypatch.setattr(store, "new_build_dir", fail)
    seeds, index = _seeds(tmp_path), tmp_path / "index"
    code, out, err = run_main(["index", "--seeds", seeds, "--index", index], capsys)
    assert code == 1
    lines = without_stages(err)
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(f"assistant: error: cannot write the index in {index}: {why}"), err
    if number == errno.EDQUOT:
        assert "(it needs about " in lines[0] and "0.0 MB" not in lines[0], err


def test_storage_error_names_the_space_needed(tmp_path: Path) -> None:
    error = storage_error(OSError(errno.ENOSPC, "No space left on device"), tmp_path, 3_100_000)
    assert isinstance(error, StorageError) and error.exit_code == 1
    assert error.title.startswith(f"cannot write the index in {tmp_path}: the disk is full (it needs about 3.1 MB; ")
