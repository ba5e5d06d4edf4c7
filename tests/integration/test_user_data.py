"""The user's data: nothing of theirs is overwritten or deleted.

* The documents and the user glossary are only ever read: after indexing, asking and rebuilding, every
  byte and every modification time outside the index folder is as it was.
* Exported conversations never overwrite a file: a second export with the same timestamp gets a new
  name, and a file the user already has under that name is left alone.
* The assistant deletes only inside its own index folder, and only its own files there: a user file
  and a foreign folder inside the index folder (even inside ``builds/``, even one named like a build)
  survive repeated rebuilds; pointing ``--index`` at a folder with other content deletes none of it.
  What a killed write of the extraction cache leaves is removed, by its exact name; nothing else there.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.index import store
from assistant.main import main
from assistant.settings import Settings

GLOSSARY = "# my terms\n来曲唑\tletrozole\t1.5\n依西美坦\texemestane\n"


def snapshot(root: Path, skip: Path | None = None) -> dict[str, tuple[str, int, str]]:
    """Every path under ``root`` (not following symlinks): kind, mtime and content hash."""
    out: dict[str, tuple[str, int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            path = here / name
            if skip is not None and path == skip:
                continue
            st = path.lstat()
            if path.is_symlink():
                out[str(path.relative_to(root))] = ("link", st.st_mtime_ns, os.readlink(path))
            elif path.is_dir():
                out[str(path.relative_to(root))] = ("dir", st.st_mtime_ns, "")
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                out[str(path.relative_to(root))] = ("file", st.st_mtime_ns, digest)
    return out


def write_seeds(seeds: Path) -> None:
    seeds.mkdir(parents=True, exist_ok=True)
    notes = "# Dose notes\n\n## Letrozole\n\nThe dose code for letrozole is ALPHA-7.\n"
    (seeds / "notes.md").write_text(notes, encoding="utf-8")
    (seeds / "b.txt").write_text("Metformin lowers blood glucose in type 2 diabetes.\n", encoding="utf-8")


def test_documents_and_glossary_are_only_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_seeds(tmp_path / "seeds")
    (tmp_path / "glossary.tsv").write_text(GLOSSARY, encoding="utf-8")
    (tmp_path / "glossary.tsv.bak").write_text("an older copy the user keeps\n", encoding="utf-8")
    index = tmp_path / "index"
    before = snapshot(tmp_path)
    common = ["--seeds", str(tmp_path / "seeds"), "--index", str(index)]
    assert main(["index", *common]) == 0
    assert main(["ask", *common, "--mode", "sparse", "dose code ALPHA"]) == 0
    assert main(["index", "--rebuild", *common]) == 0
    batch = tmp_path / "questions.txt"
    batch.write_text("dose code\n\nmetformin glucose\n", encoding="utf-8")
    before[batch.name] = snapshot(tmp_path)[batch.name]
    assert main(["ask", *common, "--json", "--mode", "sparse", "--batch", str(batch)]) == 0
    capsys.readouterr()
    assert snapshot(tmp_path, skip=index) == before


def test_export_never_overwrites(tmp_path: Path) -> None:
    conversation = pytest.importorskip("assistant.tui.conversation")
    from assistant.records import Answer

    answer = Answer(question="q", language="en", expanded_query="q", abstained=True, citations=(),
                    mode="hybrid")
    turns = [conversation.Turn(ticket=1, question="q", history=(), k=5, mode="hybrid",
                               state=conversation.ANSWERED, answer=answer)]
    now = datetime(2025, 1, 2, 3, 4, 5)
    mine = tmp_path / "conversation-20250102-030405.md"
    mine.write_text("the user's own notes\n", encoding="utf-8")
    first = conversation.export(turns, tmp_path, now=now)
    second = conversation.export(turns, tmp_path, now=now)
    assert len({mine, first, second}) == 3
    assert mine.read_text(encoding="utf-8") == "the user's own notes\n"
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


@pytest.fixture
def foreign_index(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An index folder holding a user file, a foreign folder, foreign things inside builds/ and cache/,
    and a symlink named like one of our builds that leads to a folder outside."""
    write_seeds(tmp_path / "seeds")
    index = tmp_path / "index"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("do not touch\n", encoding="utf-8")
    Assistant(Settings.load(seeds=tmp_path / "seeds", index=index)).open()
    (index / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (index / "my-folder" / "deep").mkdir(parents=True)
    (index / "my-folder" / "deep" / "x.bin").write_bytes(os.urandom(64))
    (index / "builds" / "my-backup").mkdir()
    (index / "builds" / "my-backup" / "y.txt").write_text("backup\n", encoding="utf-8")
    (index / "builds" / "b-not-ours").mkdir()
    (index / "builds" / "tmp-mine.txt").write_text("named tmp- but not ours\n", encoding="utf-8")
    (index / "builds" / "b-20200101T000000-0123abcd").symlink_to(outside)  # named like ours, a link
    (index / "cache" / "user.txt").write_text("cache note\n", encoding="utf-8")
    (index / ".CURRENT.tmp").write_text("looks like ours, is not\n", encoding="utf-8")
    return tmp_path, index, outside


@pytest.mark.slow
def test_user_files_inside_the_index_survive_rebuilds(foreign_index: tuple[Path, Path, Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root, index, outside = foreign_index
    user_paths = ["notes.txt", "my-folder", "my-folder/deep", "my-folder/deep/x.bin", "builds/my-backup",
                  "builds/my-backup/y.txt", "builds/b-not-ours", "builds/tmp-mine.txt",
                  "builds/b-20200101T000000-0123abcd", "cache/user.txt", ".CURRENT.tmp"]
    theirs = {k: v for k, v in snapshot(index).items() if k in {str(Path(u)) for u in user_paths}}
    assert len(theirs) == len(user_paths)
    outside_before = snapshot(outside)
    deleted: list[Path] = []
    real_rmtree, real_unlink = shutil.rmtree, Path.unlink

    def rmtree(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        deleted.append(Path(path))
        return real_rmtree(path, *args, **kwargs)

    def unlink(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        deleted.append(self)
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", rmtree)
    monkeypatch.setattr(Path, "unlink", unlink)
    settings = Settings.load(seeds=root / "seeds", index=index)
    for i in range(3):
        revised = f"Metformin lowers blood glucose, revision {i}.\n"
        (root / "seeds" / "b.txt").write_text(revised, encoding="utf-8")
        assert Assistant(settings).open().rebuilt
    assert Assistant(settings).open(rebuild=True).rebuilt
    now = snapshot(index)
    assert {k: now.get(k) for k in theirs} == theirs
    assert snapshot(outside) == outside_before
    builds = [p.name for p in (index / "builds").iterdir()]
    assert len([b for b in builds if b.startswith("b-2") and not (index / "builds" / b).is_symlink()]) == 2
    assert deleted and all(index in p.parents for p in deleted), deleted
    assert all(p.parent == index / "builds" and p.name.startswith(("b-", "tmp-")) for p in deleted), deleted


def test_index_pointed_at_a_folder_with_other_content(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    write_seeds(tmp_path / "seeds")
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "main.py").write_text("print('hello')\n", encoding="utf-8")
    (project / "README.md").write_text("# My project\n", encoding="utf-8")
    (project / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (project / "builds-old").mkdir()
    (project / "builds-old" / "b-20200101T000000-0123abcd").mkdir()
    (project / "cache-of-mine").mkdir()
    before = snapshot(project)
    args = ["--seeds", str(tmp_path / "seeds"), "--index", str(project)]
    assert main(["index", *args]) == 0
    assert main(["index", "--rebuild", *args]) == 0
    assert main(["index", "--rebuild", *args]) == 0
    capsys.readouterr()
    after = snapshot(project)
    assert {k: after.get(k) for k in before} == before
    added = {k.split(os.sep)[0] for k in after if k not in before}
    assert added <= {"CURRENT", ".lock", "builds", "cache"}, added


def test_index_pointed_at_a_file_is_refused_and_the_file_kept(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    write_seeds(tmp_path / "seeds")
    target = tmp_path / "thesis.docx"
    target.write_bytes(b"years of work")
    assert main(["index", "--seeds", str(tmp_path / "seeds"), "--index", str(target)]) == 2  # bad input
    _, err = capsys.readouterr()
    assert err.startswith("assistant: error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert f"{target} is a file; choose another folder with --index" in err
    assert target.read_bytes() == b"years of work"


KILLED_WRITE = """
import os, signal, sys
from pathlib import Path
from assistant.ingest.extract import ExtractCache
from assistant.ingest.extracted import Extracted
os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)  # killed between writing and renaming
value = Extracted("华法林", "pdf", "pdfium", (0,)) if sys.argv[3] == "ok" else "it is damaged"
ExtractCache(Path(sys.argv[1])).put(sys.argv[2], value)
"""


def test_a_killed_extraction_write_is_cleaned_up_and_user_files_survive(tmp_path: Path) -> None:
    write_seeds(tmp_path / "seeds")
    index = tmp_path / "index"
    settings = Settings.load(seeds=tmp_path / "seeds", index=index)
    Assistant(settings).open()
    folder = index / "cache" / "extracted"
    for sha, kind in (("a" * 64, "ok"), ("b" * 64, "failed")):
        done = subprocess.run([sys.executable, "-c", KILLED_WRITE, str(folder), sha, kind], check=False)
        assert done.returncode == -signal.SIGKILL
    leftovers = sorted(folder.glob(".*.tmp"))
    names = [p.name for p in leftovers]
    assert len(names) == 2 and names[0].startswith(f".{'a' * 64}.json.") and ".failed.json." in names[1], names
    assert "华法林" in leftovers[0].read_text(encoding="utf-8")
    hour_ago = time.time() - 3600
    for path in leftovers:
        os.utime(path, (hour_ago, hour_ago))
    # a write another process is making right now (named as ours, but new), and the user's own files
    writing = folder / f".{'c' * 64}.json.0123abcd.tmp"
    writing.write_text("{", encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("keep\n", encoding="utf-8")
    mine = {"notes.json": "mine", ".notes.tmp": "mine", f".{'d' * 64}.json.tmp": "no hex",
            f"{'d' * 64}.json.0123abcd.tmp": "no leading dot", f".{'d' * 64}.json.0123abcd.tmp.bak": "a backup",
            f".{'D' * 64}.json.0123abcd.tmp": "upper case", f".{'d' * 63}.json.0123abcd.tmp": "63 hex"}
    for name, text in mine.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / f".{'e' * 64}.json.0123abcd.tmp").mkdir()  # a folder named like a leftover
    (folder / f".{'f' * 64}.json.0123abcd.tmp").symlink_to(outside)  # a link named like one
    for path in [*folder.iterdir(), outside]:
        if path.name != writing.name and not path.is_symlink():
            os.utime(path, (hour_ago, hour_ago))
    theirs = {k: v for k, v in snapshot(folder).items() if not k.endswith(tuple(names))}
    (tmp_path / "seeds" / "b.txt").write_text("Metformin lowers blood glucose, again.\n", encoding="utf-8")
    assert Assistant(settings).open().rebuilt
    assert not any(p.exists() for p in leftovers)
    assert {k: v for k, v in snapshot(folder).items()} == theirs
    assert outside.read_text(encoding="utf-8") == "keep\n" and writing.exists()
    # the sweep after a locked check that finds the index fresh removes them too
    leftovers[0].write_text("{", encoding="utf-8")
    os.utime(leftovers[0], (hour_ago, hour_ago))
    with store.build_lock(index):
        store.sweep(index)
    assert not leftovers[0].exists() and snapshot(folder) == theirs
