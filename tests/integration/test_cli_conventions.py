"""Command-line conventions: --version, -k, the question from standard input, --batch as text, no hard
wrap into a pipe and the chat's wrapping in a terminal, NO_COLOR, and the chat refused without a
terminal. Terminal cases run in a pseudo-terminal."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.cells import cell_len
from support.cli import run_main
from test_cli import clean_env, run_cli

EN = "What dose of fulvestrant was effective?"
ZH = "氟维司群的推荐剂量是多少？"
SGR_COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-7]|9[0-7]|38;[25];[0-9;]+)m")


def in_terminal(args: list[object], cwd: Path, columns: int = 60, **env: str) -> str:
    """Run the CLI in a pseudo-terminal ``columns`` wide; returns what it wrote there."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    environ = clean_env(TERM="xterm-256color", **env)
    environ.pop("COLUMNS", None)
    if "NO_COLOR" not in env:
        environ.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "assistant", *map(str, args)], cwd=cwd, stdin=slave,
                            stdout=slave, stderr=subprocess.DEVNULL, env=environ, close_fds=True)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    assert proc.returncode == 0
    return out.decode("utf-8", "replace").replace("\r\n", "\n")


def where(built_index: Path, seeds_dir: Path) -> list[object]:
    return ["--seeds", seeds_dir, "--index", built_index]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--version"], capsys)
    assert code == 0 and re.fullmatch(r"assistant \d+\.\d+\.\d+\S*\n", out)


def test_short_k(built_index: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["ask", "-k", "2", "--json", EN, *where(built_index, seeds_dir)], capsys)
    assert code == 0 and len(json.loads(out)["passages"]) == 2


@pytest.mark.parametrize("before", [True, False])
def test_where_options_before_or_after_the_command(before: bool, built_index: Path, seeds_dir: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """``--seeds``/``--index`` mean the same before the command as after it; a missing folder is an error
    either way, never a silent fall-back to ./seeds."""
    missing = tmp_path / "nowhere"
    where_missing: list[object] = ["--seeds", missing, "--index", built_index]
    argv = [*where_missing, "ask", EN] if before else ["ask", EN, *where_missing]
    code, _, err = run_main(argv, capsys)
    assert code == 2 and str(missing) in err
    argv = [*where(built_index, seeds_dir), "ask", "--json", EN] if before else ["ask", "--json", EN,
                                                                              *where(built_index, seeds_dir)]
    code, out, err = run_main(argv, capsys)
    assert code == 0, err
    assert json.loads(out)["passages"]


def test_question_from_standard_input(built_index: Path, seeds_dir: Path, tmp_path: Path) -> None:
    for args in (["ask", "--json"], ["ask", "--json", "-"]):
        proc = run_cli([*args, *where(built_index, seeds_dir)], cwd=tmp_path, stdin=ZH + "\n")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["question"] == ZH
    proc = run_cli(["ask", "-", *where(built_index, seeds_dir)], cwd=tmp_path, stdin="")
    assert proc.returncode == 2 and "no question" in proc.stderr and len(proc.stderr.splitlines()) == 1


def test_human_output_reads_like_the_card_and_is_not_wrapped_in_a_pipe(built_index: Path, seeds_dir: Path,
                                                                       tmp_path: Path, capsys) -> None:
    code, out, _ = run_main(["ask", "--json", EN, *where(built_index, seeds_dir)], capsys)
    answer = json.loads(out)
    proc = run_cli(["ask", EN, *where(built_index, seeds_dir)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    first = answer["answer"][0]
    assert f"Answer: {first['text']} [{first['citation']}]" in lines
    assert f"Also searched: {', '.join(answer['also_searched'])}" in lines
    assert "^" not in proc.stdout and "⇒" not in proc.stdout and "score" not in proc.stdout
    for p in answer["passages"]:  # one line per paragraph: each passage whole on its line
        assert "    " + p["text"].replace("\n", "\n    ").split("\n")[0] in lines
    assert max(cell_len(line) for line in lines) > 100
    assert "\x1b" not in proc.stdout


def test_batch_without_json_prints_one_block_per_question(built_index: Path, seeds_dir: Path,
                                                          tmp_path: Path) -> None:
    proc = run_cli(["ask", "--batch", "-", "-k", "2", *where(built_index, seeds_dir)], cwd=tmp_path,
                   stdin=f"{EN}\n？？\n{ZH}\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.index(EN) < out.index("？？") < out.index(ZH)
    assert out.count("[1] ") == 2 and out.count("[2] ") == 2
    assert "error: the question is empty" in out
    assert "1 line(s) could not be searched" in proc.stderr
    assert not out.lstrip().startswith("{")


def test_terminal_output_wraps_like_the_chat_and_keeps_colour_unless_no_color(built_index: Path,
                                                                               seeds_dir: Path,
                                                                               tmp_path: Path) -> None:
    shown = in_terminal(["ask", ZH, *where(built_index, seeds_dir)], tmp_path, columns=60)
    assert SGR_COLOUR.search(shown)  # colour in a terminal
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    lines = [line for line in plain.split("\n") if line.strip()]
    assert all(cell_len(line) <= 60 for line in lines)
    assert sum(1 for line in lines if cell_len(line) >= 57) >= 3  # Chinese fills its lines
    assert not any(line.lstrip().startswith(("，", "。", "）")) for line in lines)
    bare = in_terminal(["ask", ZH, *where(built_index, seeds_dir)], tmp_path, columns=60, NO_COLOR="1")
    assert not SGR_COLOUR.search(bare)
    assert re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", bare).split() == plain.split()


@pytest.mark.parametrize("command", [["chat"], []])
def test_chat_without_a_terminal_exits_2(command: list[str], tmp_path: Path) -> None:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "assistant", *command], cwd=tmp_path, env=clean_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == "" and len(proc.stderr.splitlines()) == 1 and "terminal" in proc.stderr
    assert time.monotonic() - started < 20


def test_a_glossary_named_in_the_environment_that_is_not_there_is_one_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "my-terms.tsv"
    proc = subprocess.run([sys.executable, "-m", "assistant", "ask", "What dose?"], cwd=tmp_path,
                          env=clean_env(ASSISTANT_GLOSSARY=str(missing)), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == "" and len(proc.stderr.splitlines()) == 1
    assert "my-terms.tsv" in proc.stderr and "Traceback" not in proc.stderr
