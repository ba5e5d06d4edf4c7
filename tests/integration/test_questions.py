"""Questions, each handled both by ``Assistant.ask`` and by the CLI.

* empty, whitespace-only, punctuation-only, escape-only and emoji-only → one clear line, exit 2;
* 100,000 characters → truncated with a notice, still answered;
* control characters and ANSI escapes → stripped, never echoed raw;
* invalid UTF-8 in argv → replaced, answered (it used to end in a traceback);
* emoji, mixed Chinese and English, Traditional Chinese (氟維司群 finds the 氟维司群 passage).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import QuestionError
from assistant.main import main

BLANK = ["", "   ", " \t\n\r ", "\u3000\u3000", "？！。……", "?!.,;:'\"()[]{}<>-_/\\|",
         "\x1b[2J\x1b]0;title\x07\x1b[31m", "\x00\x01\x02\x7f", "🙂🎗️💊"]


@pytest.mark.parametrize("question", BLANK, ids=[f"blank{i}" for i in range(len(BLANK))])
def test_blank_questions_raise_question_error(assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QuestionError, match="the question is empty"):
        assistant.ask(question)


@pytest.mark.parametrize("question", BLANK, ids=[f"blank{i}" for i in range(len(BLANK))])
def test_cli_blank_question_is_one_line_exit_2(question: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Rejected before anything is loaded (the index does not even exist)."""
    code = main(["ask", "--seeds", str(tmp_path / "none"), "--index", str(tmp_path / "idx"), question])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == "assistant: error: the question is empty; type a question in Chinese or English\n"
    assert not (tmp_path / "idx").exists()


def test_cli_blank_question_real_process(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "assistant", "ask", "--index", str(tmp_path / "i"), "  ？？ "]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("assistant: error: the question is empty")


def test_long_question_is_truncated_with_notice_and_answered(assistant) -> None:  # type: ignore[no-untyped-def]
    limit = assistant.settings.max_question_chars
    question = "氟维司群的作用机制是什么？" + "内分泌治疗耐药 endocrine resistance " * 4000
    assert len(question) > 100_000
    answer = assistant.ask(question)
    assert len(answer.question) <= limit
    assert any("characters long" in n and f"{limit:,}" in n for n in answer.notices), answer.notices
    assert answer.citations


def test_control_characters_and_escapes_are_stripped(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.ask("\x1b[31mfulvestrant\x1b[0m\x07 dose\x00\x08 \x1b]0;pwned\x07 mechanism\x9b2J")
    for text in (answer.question, answer.searched, answer.expanded_query):
        assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in text), repr(text)
    assert "pwned" not in answer.question
    assert answer.question == "fulvestrant dose mechanism 2J"
    assert answer.citations


def test_emoji_mixed_language(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.ask("💊 CDK4/6抑制剂 palbociclib 的耐药机制是什么？🙂")
    assert answer.citations and not answer.abstained
    assert any("CDK4/6" in c.passage.text for c in answer.citations[:3])


def test_traditional_chinese_finds_simplified_passage(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.ask("氟維司群")
    assert answer.citations
    assert "氟维司群" in answer.citations[0].passage.text


def test_cli_human_output_never_echoes_escapes(built_index: Path, seeds_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    question = "\x1b[2J\x1b]0;title\x07\x1b[31m氟維司群\x1b[0m 💊 dose\x07 " + "耐药 " * 30_000
    code = main(["ask", "--seeds", str(seeds_dir), "--index", str(built_index), question])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out and "\x1b" not in err
    flat = "".join(out.split())  # rich wraps lines at the console width
    assert "氟维司群" in flat  # answered, from the simplified passage
    assert "onlythefirst" in flat  # the truncation notice


def test_cli_invalid_utf8_argument(built_index: Path, seeds_dir: Path) -> None:
    """Bytes that are not UTF-8 in argv (a GBK terminal, a broken paste) are replaced, not fatal."""
    argv = [os.fsencode(sys.executable), b"-m", b"assistant", b"ask", b"--json", b"--mode", b"sparse",
            b"--no-expand",
            b"--seeds", os.fsencode(seeds_dir), b"--index", os.fsencode(built_index),
            b"\xff\xfe endocrine therapy \xc8\xe9"]
    done = subprocess.run(argv, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    answer = json.loads(done.stdout)
    assert answer["question"].startswith("\ufffd\ufffd endocrine therapy")
    assert answer["passages"]


def test_batch_survives_an_internal_error(built_index: Path, seeds_dir: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """One question that hits a bug must not lose the rest of the batch: an error object, exit 1."""
    from assistant.core import Assistant

    real_ask = Assistant.ask

    def ask(self, question, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "boom" in question:
            raise RuntimeError("simulated bug")
        return real_ask(self, question, *args, **kwargs)

    monkeypatch.setattr(Assistant, "ask", ask)
    batch = tmp_path / "q.txt"
    batch.write_text("endocrine therapy\nboom\n\nfulvestrant\n", encoding="utf-8")
    code = main(["ask", "--seeds", str(seeds_dir), "--index", str(built_index), "--json", "--mode", "sparse",
                 "--no-expand", "--batch", str(batch)])
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert [o["question"] for o in lines] == ["endocrine therapy", "boom", "", "fulvestrant"]
    assert lines[1]["error"] == "internal error: RuntimeError: simulated bug"
    assert "passages" in lines[0] and "passages" in lines[3] and "error" in lines[2]
    assert code == 1 and "1 line(s) failed with an internal error" in err
