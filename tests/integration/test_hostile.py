"""Hostile documents and files: shown literally, never interpreted, never executed.

* Text that looks like Rich markup ("[bold]x[/bold]", "[link=http://evil]y[/link]", ":smile:") is shown
  verbatim by ``assistant ask``; terminal escape sequences ("\\x1b[2J", "\\x1b]0;title\\x07",
  "\\x1b[31m") in a document, its file name or any other field never reach stdout or stderr.
* Nothing loaded back from disk is executed: every NumPy file of a build (and the embedding cache)
  loads with ``allow_pickle=False``, and the package source has no pickle/marshal/eval-style loader.
* A manifest cannot make the checker read files outside its build.
* A long run of one repeated character is chunked in well under a second, with exact offsets.
"""

from __future__ import annotations

import ast
import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from assistant.cli.render import answer_text, print_answer
from assistant.core import Assistant
from assistant.errors import IndexProblem
from assistant.index import store
from assistant.ingest import chunk
from assistant.ingest.normalize import normalize
from assistant.main import main
from assistant.records import Answer, Citation, Document, Hint, Passage, Statement
from assistant.settings import Settings
from assistant.text import printable

PACKAGE = Path(__file__).resolve().parents[2] / "assistant"
ESCAPES = ["\x1b[2J", "\x1b]0;title\x07", "\x1b[31m", "\x1b]8;;http://evil\x1b\\", "\x9b2J", "\x07", "\x08"]
HOSTILE = ("Hostile notes: [bold]x[/bold] and [link=http://evil]y[/link] and :smile: "
           "\x1b[2J\x1b]0;title\x07\x1b[31mred\x1b[0m text about zoledronate.\n")
EVIL_NAME = "\x1b[31mevil\x1b[0m.md"


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """English-only seeds (cheap to build) with markup and escapes in text, title and file name."""
    root = tmp_path_factory.mktemp("hostile")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "markup.md").write_text("# [red]Title[/red] \x1b]0;pwned\x07\n\n" + HOSTILE, encoding="utf-8")
    (seeds / EVIL_NAME).write_text("Denosumab \x1b[5mblinks\x1b[0m in the [blink]night[/blink].\n",
                                   encoding="utf-8")
    (seeds / "\x1b[2Jempty.txt").write_bytes(b"")  # skipped: its warning must not clear the screen
    Assistant(Settings.load(seeds=seeds, index=root / "index")).open()
    return root


def ask_args(root: Path, *more: str) -> list[str]:
    return ["ask", "--seeds", str(root / "seeds"), "--index", str(root / "index"), "--no-expand", *more]


def test_cli_shows_markup_literally_and_no_escape(hostile_root: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ask_args(hostile_root, "hostile notes zoledronate bold link")) == 0
    out, err = capsys.readouterr()
    flat = "".join(out.split())  # rich wraps at the console width
    assert "[bold]x[/bold]" in flat and "[link=http://evil]y[/link]" in flat and ":smile:" in flat
    assert "😄" not in out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "\x1b" not in err
    assert "[red]Title[/red]" in flat and "pwned" not in out


def test_cli_real_process_output(hostile_root: Path) -> None:
    command = [sys.executable, "-m", "assistant", *ask_args(hostile_root, "denosumab night blinks")]
    done = subprocess.run(command, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    assert b"\x1b" not in done.stdout and b"\x1b" not in done.stderr
    flat = b"".join(done.stdout.split())
    assert b"[blink]night[/blink]" in flat
    assert "evil.md·line1".encode() in flat.replace("\u00a0".encode(), b"")  # the file name, without its escapes


def test_warnings_and_json_never_carry_raw_escapes(hostile_root: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "--rebuild", "--seeds", str(hostile_root / "seeds"), "--index",
                 str(hostile_root / "index")]) == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err
    assert "skipped empty.txt: the file is empty" in err  # named, harmlessly
    assert main(ask_args(hostile_root, "--json", "denosumab night")) == 0
    out, _ = capsys.readouterr()
    assert "\x1b" not in out  # JSON escapes it as \\u001b
    answer = json.loads(out)
    assert any(p["doc"] == EVIL_NAME for p in answer["passages"])  # the data itself is exact


def test_render_sanitises_every_field() -> None:
    """Every string an answer can carry (a user glossary, a file name, a title...) is made printable."""
    evil = "".join(ESCAPES)
    passage = Passage(0, f"doc{evil}.md", f"title{evil}", f"section{evil}", 0, 10, 1, 1,
                      f"text{evil} [bold]b[/bold]", ((0, 4),))
    hint = Hint(f"术语{evil}", f"gloss{evil}", "user")
    answer = Answer(question=f"q{evil}", language="en", expanded_query=f"exp{evil}", abstained=False,
                    citations=(Citation(1, passage, 1.0, (0, 4), (hint,)),),
                    mode="hybrid", searched=f"s{evil}", notices=(f"note{evil}",),
                    statements=(Statement(f"stated{evil}", 1, (0, 4), (hint,)),), also_searched=(f"also{evil}",),
                    uncovered=(f"absent{evil}",))
    plain = answer_text(answer).plain
    assert not any(ch in plain for ch in "\x1b\x07\x08\x9b"), repr(plain)
    for word in ("doc", "title", "section", "text", "stated", "also", "absent", "术语", "gloss", "note"):
        assert word in plain
    buffer = io.StringIO()
    print_answer(answer, Console(file=buffer, force_terminal=True, color_system="truecolor", width=200))
    shown = buffer.getvalue()
    for seq in ("\x1b[2J", "\x1b]0;", "\x1b]8;", "\x07", "\x9b"):
        assert seq not in shown, seq  # rich's own colour codes are there; the hostile ones are not
    assert "[bold]b[/bold]" in shown


def test_error_messages_never_carry_raw_escapes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "\x1b[2J\x1b]0;pwned\x07questions.txt"
    assert main(["ask", "--json", "--batch", str(missing)]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("assistant: error: cannot read ") and "questions.txt" in err
    assert "\x1b" not in err and "\x07" not in err and err.count("\n") == 1


def test_json_lines_escape_line_separators() -> None:
    """U+2028/U+2029 are legal raw in JSON but break readers that use str.splitlines()."""
    from assistant.cli.output import json_line

    line = json_line({"text": "a\u2028b\u2029c\x1b"})
    assert len(line.splitlines()) == 1 and "\x1b" not in line
    assert json.loads(line) == {"text": "a\u2028b\u2029c\x1b"}


def test_json_output_is_strict_even_with_non_finite_scores() -> None:
    """A NaN score (a glossary weight of "inf" can cause one) is written as null, not as bare NaN."""
    from assistant.cli.output import json_line, json_text

    obj = {"confidence": float("nan"), "passages": [{"score": float("inf")}, {"score": 0.5}]}
    for text in (json_line(obj), json_text(obj, indent=2)):
        assert json.loads(text, parse_constant=_reject) == {"confidence": None,
                                                             "passages": [{"score": None}, {"score": 0.5}]}


def _reject(name: str) -> None:
    raise ValueError(f"not strict JSON: {name}")


@pytest.mark.parametrize("text, expected", [
    ("a\x1b[2Jb", "ab"), ("a\x1b]0;title\x07b", "ab"),
    ("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),
    ("a\x1bPdcs\x1b\\b", "ab"), ("a\x9b31mb", "a31mb"), ("tab\tand\nnewline", "tab\tand\nnewline"),
    ("bell\x07 nul\x00 del\x7f", "bell nul del"), ("lone \udcff surrogate", "lone \ufffd surrogate"),
    ("[bold]kept[/bold] :smile:", "[bold]kept[/bold] :smile:"),
])
def test_printable(text: str, expected: str) -> None:
    assert printable(text) == expected


# ------------------------------------------------------------------ nothing executed


def test_every_numpy_file_loads_without_pickle(hostile_root: Path) -> None:
    build = store.current(hostile_root / "index")
    npy = sorted(build.path.rglob("*.npy"))
    assert len(npy) >= 4
    for path in npy:
        array = np.load(path, allow_pickle=False)
        assert array.dtype.kind in "fiuU", (path, array.dtype)
    caches = list((hostile_root / "index" / "cache").glob("*.npz"))
    assert caches
    for path in caches:
        with np.load(path, allow_pickle=False) as data:
            assert {data[k].dtype.kind for k in data.files} <= set("fU")
    for path in build.path.rglob("*.json*"):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            json.loads(text)


def test_a_pickled_array_is_refused(hostile_root: Path, tmp_path: Path) -> None:
    """An object array (which needs pickle) planted in a build and resealed is never unpickled."""
    root = tmp_path / "r"
    shutil.copytree(hostile_root, root, symlinks=True)
    build = store.current(root / "index").path
    np.save(build / "sparse" / "data.csc.index.npy", np.array([object()], dtype=object), allow_pickle=True)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    for rel in manifest["files"]:
        path = build / rel
        manifest["files"][rel] = {"sha256": store.sha256_file(path), "size": path.stat().st_size}
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    pointer = {"build": build.name, "manifest_sha256": store.sha256_file(build / "manifest.json")}
    (root / "index" / "CURRENT").write_text(json.dumps(pointer), encoding="utf-8")
    assistant = Assistant(Settings.load(seeds=root / "seeds", index=root / "index"))
    report = assistant.open()  # loading fails (pickle refused) → rebuilt from the documents
    assert report.rebuilt
    assert np.load(store.current(root / "index").path / "sparse" / "data.csc.index.npy").dtype.kind == "f"


FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}
FORBIDDEN_CALLS = {"eval", "exec", "compile"}
FORBIDDEN_ATTRS = {("torch", "load"), ("yaml", "load"), ("yaml", "unsafe_load"), ("pd", "read_pickle"),
                   ("pandas", "read_pickle"), ("np", "fromfile"), ("pickle", "loads")}


def test_package_source_has_no_code_loading() -> None:
    """No pickle-family module, no eval/exec/compile, no allow_pickle other than False (NumPy's default
    is False), no torch.load or yaml.load, anywhere in the package."""
    problems: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                problems += [f"{where} imports {a.name}" for a in node.names
                             if a.name.split(".")[0] in FORBIDDEN_MODULES]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
                problems.append(f"{where} imports from {node.module}")
            elif isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                    problems.append(f"{where} calls {func.id}()")
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
                        (func.value.id, func.attr) in FORBIDDEN_ATTRS:
                    problems.append(f"{where} calls {func.value.id}.{func.attr}()")
                for kw in node.keywords:
                    false = isinstance(kw.value, ast.Constant) and kw.value.value is False
                    if kw.arg == "allow_pickle" and not false:
                        problems.append(f"{where} passes allow_pickle={ast.unparse(kw.value)}")
    assert problems == []


def test_manifest_cannot_point_outside_its_build(hostile_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "r"
    shutil.copytree(hostile_root, root, symlinks=True)
    build = store.current(root / "index").path
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    for rel in ("../../../secret.txt", str(outside)):
        manifest["files"] = {rel: {"sha256": store.sha256_file(outside), "size": outside.stat().st_size}}
        (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        pointer = {"build": build.name, "manifest_sha256": store.sha256_file(build / "manifest.json")}
        (root / "index" / "CURRENT").write_text(json.dumps(pointer), encoding="utf-8")
        with pytest.raises(IndexProblem, match="damaged"):
            store.current(root / "index")


@pytest.mark.parametrize("run", ["-" * 20_000, "=" * 100_000, "哈" * 20_000, "ab" * 10_000],
                         ids=["dashes", "equals-100k", "cjk", "ab"])
def test_long_repeated_run_is_chunked_quickly_and_exactly(run: str) -> None:
    """A long run of one character used to make chunking take minutes (20,000 '-': never ended)."""
    text = f"Notes\n\nLetrozole is taken once daily.\n{run}\nExemestane is steroidal.\n"
    doc = Document(path="runs.txt", text=text, sha256="x", encoding="utf-8")
    chunk.token_counter()("warm up")
    started = time.perf_counter()
    passages = chunk.passages_of(doc, normalize(text), 160, 32, 0)
    elapsed = time.perf_counter() - started
    assert elapsed < 60, f"chunking took {elapsed:.1f} s"  # a guard against minutes, not a speed target
    for p in passages:
        assert text[p.start : p.end] == p.text  # exact offsets: this text has nothing to normalize
    assert passages[0].text == "Letrozole is taken once daily."
    assert passages[-1].text == "Exemestane is steroidal."
    begin = text.index(run)
    covered = sorted((p.start, p.end) for p in passages[1:-1])
    assert covered[0][0] == begin and covered[-1][1] == begin + len(run)
    assert all(b2 <= e1 for (_, e1), (b2, _) in zip(covered, covered[1:], strict=False))
