"""The command-line contract, through the real entry point.

End-to-end runs are subprocesses (``python -m assistant``); the many bad-usage cases run in-process
through ``assistant.main.main``. Everything points at the session's seeds index, so nothing is rebuilt.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import run_main

QUESTION = "What is the PIK3CA mutation rate in advanced HR+/HER2- breast cancer?"
PASSAGE_FIELDS = {"rank", "doc", "title", "section", "start", "end", "line_start", "line_end", "score",
                  "text"}
TOP_FIELDS = {"question", "language", "expanded_query", "abstained", "passages"}


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", **extra)
    return env


def run_cli(args: list[str], cwd: Path, env: dict[str, str] | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *map(str, args)], cwd=cwd,
                          env=env or clean_env(), input=stdin, capture_output=True, text=True,
                          encoding="utf-8", timeout=600)




def check_answer(obj: dict, question: str, assistant, k: int = 5) -> None:
    assert set(obj) >= TOP_FIELDS
    assert obj["question"] == question
    assert obj["language"] in ("en", "zh")
    assert isinstance(obj["abstained"], bool)
    assert obj["expanded_query"].startswith(question.split("？")[0].split("?")[0])
    passages = obj["passages"]
    assert 1 <= len(passages) <= k
    assert [p["rank"] for p in passages] == list(range(1, len(passages) + 1))
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True)
    for p in passages:
        assert set(p) >= PASSAGE_FIELDS
        source = assistant.source(p["doc"])
        assert source[p["start"]] == p["text"][0] and source[p["end"] - 1] == p["text"][-1]
        assert p["line_start"] == source.count("\n", 0, p["start"]) + 1
        assert p["line_end"] == source.count("\n", 0, p["end"] - 1) + 1
        assert p["title"] and p["section"]


def assert_one_line_error(code: int, out: str, err: str, *, expect: str = "") -> None:
    assert code == 2, (code, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("assistant: error: "), err  # one prefix for usage and runtime errors alike
    assert "Traceback" not in err
    assert expect in lines[0]


# ----------------------------------------------------------------- end to end (subprocesses)


def test_ask_json_end_to_end_with_env_vars(built_index, seeds_dir, assistant, tmp_path):
    env = clean_env(ASSISTANT_SEEDS=str(seeds_dir), ASSISTANT_INDEX=str(built_index))
    proc = run_cli(["ask", "--json", QUESTION], cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "indexed" not in proc.stderr  # the session index was used as it is, not rebuilt
    answer = json.loads(proc.stdout)
    check_answer(answer, QUESTION, assistant)
    assert answer["language"] == "en"
    assert answer["abstained"] is False
    assert any("PIK3CA突变率高达 35%" in p["text"] for p in answer["passages"])
    assert not list(tmp_path.iterdir())  # nothing written to the working directory


def test_a_reader_that_goes_away_is_a_quiet_stop(built_index, seeds_dir, tmp_path):
    """``assistant ask … | head -1`` when head has gone: exit 0 and nothing on stderr, in text and JSON."""
    env = clean_env(ASSISTANT_SEEDS=str(seeds_dir), ASSISTANT_INDEX=str(built_index))
    for extra in ([], ["--json"]):
        cmd = [sys.executable, "-m", "assistant", "ask", *extra, QUESTION]
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before the answer is written
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=600) == 0 and err == "", (extra, err)


def test_ask_batch_stdin_one_process(built_index, seeds_dir, assistant, tmp_path):
    questions = [QUESTION, "氟维司群的有效剂量是多少？", "", "What is ovarian function suppression (OFS)?"]
    args = ["ask", "--json", "--k", "3", "--batch", "-", "--seeds", seeds_dir, "--index", built_index]
    proc = run_cli(args, cwd=tmp_path, stdin="\n".join(questions) + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(questions)
    objects = [json.loads(line) for line in lines]
    assert [o["question"] for o in objects] == questions
    assert "error" in objects[2] and "empty" in objects[2]["error"]
    for obj, q in zip(objects, questions, strict=True):
        if q:
            check_answer(obj, q, assistant, k=3)
    assert objects[1]["language"] == "zh"
    assert any("氟维司群" in p["text"] for p in objects[1]["passages"])
    assert any(p["doc"] == "004_adecf566e49ed5b5.txt" for p in objects[3]["passages"])
    assert "1 line(s) could not be searched" in proc.stderr


def test_bad_usage_through_the_entry_point(tmp_path):
    for args in (["ask", "--k", "0", "a question"], ["ask", "--seeds", tmp_path / "missing", "--index",
                                                      tmp_path / "index", "a question"]):
        proc = run_cli(args, cwd=tmp_path)
        assert_one_line_error(proc.returncode, proc.stdout, proc.stderr)


# ----------------------------------------------------------------- in-process


def test_ask_batch_file(built_index, seeds_dir, assistant, tmp_path, capsys):
    questions = ["氟维司群的有效剂量是多少？", QUESTION, "卵巢功能抑制的作用是什么？"]
    batch = tmp_path / "questions.txt"
    batch.write_bytes(("\ufeff" + "\r\n".join(questions) + "\r\n").encode("utf-8"))  # BOM and CRLF
    args = ["ask", "--json", "--batch", batch, "--seeds", seeds_dir, "--index", built_index]
    code, out, err = run_main(args, capsys)
    assert code == 0, err
    objects = [json.loads(line) for line in out.splitlines()]
    assert [o["question"] for o in objects] == questions
    for obj, q in zip(objects, questions, strict=True):
        check_answer(obj, q, assistant)
    assert err == ""


def test_ask_plain_text(built_index, seeds_dir, capsys):
    code, out, err = run_main(["ask", "--k", "2", "--seeds", seeds_dir, "--index", built_index,
                               "氟维司群（fulvestrant）的代表性是什么？"], capsys)
    assert code == 0, err
    assert "[1]" in out and "[2]" in out and "[3]" not in out
    assert re.search(r"000_5cc127c3c086e338\.txt · lines?\u00a0\d+(–\d+)? · match \d+%", out)


def test_index_command_reports_counts_and_time(built_index, seeds_dir, assistant, capsys):
    code, out, err = run_main(["index", "--seeds", seeds_dir, "--index", built_index], capsys)
    assert code == 0, err
    line = out.strip()
    n = len(assistant.index.passages)
    pattern = rf"\b2 documents\b.*\b{n} passages\b.*\bembedded 0 passages\b.*\b\d+\.\d s\b"
    assert re.search(pattern, line), line


def test_index_command_builds(tmp_path, capsys, monkeypatch):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("氟维司群\n氟维司群（fulvestrant， FLV）是选择性雌激素受体下调剂。\n",
                                 encoding="utf-8")
    (seeds / "b.md").write_text("# Denosumab\n\nDenosumab reduces skeletal-related events.\n",
                                encoding="utf-8")
    (seeds / "junk.txt").write_bytes(bytes(range(256)))
    monkeypatch.setenv("ASSISTANT_SEEDS", str(seeds))
    monkeypatch.setenv("ASSISTANT_INDEX", str(tmp_path / "index"))
    code, out, err = run_main(["index"], capsys)
    assert code == 0, err
    m = re.search(r"(\d+) documents into (\d+) passages.*"
                  r"embedded (\d+) passages \((\d+) from cache\) in \d+\.\d s", out)
    assert m, out
    assert (int(m[1]), int(m[2]), int(m[3]), int(m[4])) == (2, 2, 2, 0)
    assert "junk.txt" in err and "warning" in err
    # stderr is no terminal here: no bar, but a line per stage so a log or a pipe shows the build is alive
    progress = [line for line in err.splitlines() if "warning" not in line]
    assert progress[:2] == ["assistant: reading documents", "assistant: embedding passages 0%"], err
    assert "assistant: embedding passages 100%" in progress and "\r" not in err and "\x1b" not in err
    code, out, err = run_main(["index"], capsys)
    assert code == 0
    assert re.search(r"up to date: 2 documents, 2 passages, embedded 0 passages", out), out
    assert "assistant: reading" not in err and "embedding" not in err  # nothing to build, no progress


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (["ask", ""], "empty"),
        (["ask", "   \t "], "empty"),
        (["ask", "--json", "\x1b[0m  "], "empty"),
        (["ask", "--k", "0", "a question"], "--k"),
        (["ask", "--k", "-3", "a question"], "--k"),
        (["ask", "--k", "many", "a question"], "--k"),
        (["ask", "--mode", "foo", "a question"], "--mode"),
        (["ask"], "no question"),
        (["ask", "--json", "--batch", "-", "a question"], "not both"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_usage_is_one_line_exit_2(argv, expect, built_index, seeds_dir, capsys):
    code, out, err = run_main([*argv, "--seeds", seeds_dir, "--index", built_index], capsys)
    assert_one_line_error(code, out, err, expect=expect)


def test_missing_seeds_directory(tmp_path, capsys):
    missing = tmp_path / "no-such-seeds"
    argv = ["ask", "--seeds", missing, "--index", tmp_path / "index", "a question"]
    code, out, err = run_main(argv, capsys)
    assert_one_line_error(code, out, err, expect=str(missing))
    code, out, err = run_main(["index", "--seeds", missing, "--index", tmp_path / "index"], capsys)
    assert_one_line_error(code, out, err, expect=str(missing))


def test_missing_seeds_directory_from_env(tmp_path, capsys, monkeypatch):
    missing = tmp_path / "env-seeds"
    monkeypatch.setenv("ASSISTANT_SEEDS", str(missing))
    monkeypatch.setenv("ASSISTANT_INDEX", str(tmp_path / "index"))
    code, out, err = run_main(["ask", "a question"], capsys)
    assert_one_line_error(code, out, err, expect=str(missing))


def test_seeds_directory_without_documents(tmp_path, capsys):
    seeds = tmp_path / "seeds"
    (seeds / "sub").mkdir(parents=True)
    (seeds / "sub" / "empty.txt").write_bytes(b"")
    (seeds / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    code, out, err = run_main(["ask", "--seeds", seeds, "--index", tmp_path / "index", "a question"], capsys)
    assert_one_line_error(code, out, err, expect="no readable")


def test_bad_setting_from_env(built_index, seeds_dir, capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_K", "0")
    code, out, err = run_main(["ask", "--seeds", seeds_dir, "--index", built_index, "a question"], capsys)
    assert_one_line_error(code, out, err, expect="k must be at least 1")


def test_help_exits_0(capsys):
    code, out, _ = run_main(["ask", "--help"], capsys)
    assert code == 0
    assert "--batch" in out and "--json" in out
