"""Soak: thousands of questions through one ``assistant ask --json --batch -`` process.

Real questions from evals/collections/seeds/gold.jsonl are mixed with edge cases (empty, punctuation,
100,000 characters, control characters and escapes, invalid UTF-8, emoji, Traditional Chinese, markup,
NUL, stray CR, U+2028). Every output line must be valid JSON, one per input line, in order, and the process's memory
(VmRSS from /proc, sampled as answers arrive) must stay within a small bound once warm.

* ``test_soak_fast`` (default run): 300 questions, sparse mode (no query embedding, so it stays fast).
* ``test_soak_10k`` (``pytest -m slow``): 10,000 questions in the default hybrid mode; writes the
  figures to ``evals/results/soak.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.search.question import clean
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "evals" / "collections" / "seeds" / "gold.jsonl"
RESULTS = ROOT / "evals" / "results" / "soak.json"

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to read RSS")

# (raw bytes of one input line without its newline, whether it must be rejected as empty)
EDGE_CASES: list[tuple[bytes, bool]] = [
    (b"", True),
    (b"   \t  ", True),
    ("？？？！！！……".encode(), True),
    (b"?!.,;:-- ...", True),
    (b"\x1b[2J\x1b]0;title\x07\x1b[31m", True),
    (b"\x00\x01\x02", True),
    (b"What is the mechanism of \x1b[31mfulvestrant\x1b[0m?\x07", False),
    (b"fulvestrant\x00 dose\x08\x7f", False),
    ("氟維司群的作用機制是什麼？".encode(), False),
    ("CDK4/6抑制剂 palbociclib 的耐药机制 resistance mechanism".encode(), False),
    ("💊 What drugs treat breast cancer? 🎗️🙂".encode(), False),
    (b"[bold]endocrine[/bold] [link=http://evil]therapy[/link] :smile:", False),
    (b"\xff\xfe invalid utf-8 \xc3\x28 tamoxifen", False),
    (b"everolimus\rmTOR inhibitor", False),
    ("内分泌治疗\u2028耐药\u2029机制".encode(), False),
    (("乳腺癌内分泌治疗耐药 " * 10_000).encode(), False),  # 110,000 characters
    (("endocrine resistance " * 5_000).encode(), False),  # 105,000 characters
]


def gold_questions() -> list[str]:
    with GOLD.open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


def question_mix(n: int) -> list[tuple[bytes, bool]]:
    """``n`` input lines: gold questions, with an edge case every seventh line."""
    gold = [(q.encode(), False) for q in gold_questions()]
    out: list[tuple[bytes, bool]] = []
    g = e = 0
    for i in range(n):
        if i % 7 == 3:
            out.append(EDGE_CASES[e % len(EDGE_CASES)])
            e += 1
        else:
            out.append(gold[g % len(gold)])
            g += 1
    return out


def expected_question(raw: bytes, empty: bool, max_chars: int) -> str:
    """What the ``question`` field of the output object must hold for this input line."""
    text = raw.decode("utf-8", "replace")
    return text if empty else clean(text, max_chars).text


def _strict(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc status")


@dataclass
class SoakRun:
    questions: int
    mode: str
    samples: list[tuple[int, float, int]] = field(default_factory=list)
    """``(answers so far, seconds since start, RSS in KiB)``, taken as each sampled answer arrives
    (between two questions, so they miss what a question allocates only while it is being answered)"""
    peak_kib: int = 0
    """The highest RSS seen by polling every 50 ms, wherever the process was."""
    errors: list[str] = field(default_factory=list)
    returncode: int | None = None
    stderr: str = ""
    seconds: float = 0.0


def run_soak(index: Path, seeds: Path, n: int, mode: str | None, sample_every: int) -> SoakRun:
    """Feed ``n`` lines to one batch process; check every output line as it arrives; sample RSS."""
    lines = question_mix(n)
    max_chars = Settings.load().max_question_chars
    cmd = [sys.executable, "-m", "assistant", "ask", "--json", "--batch", "-", "--seeds", str(seeds),
           "--index", str(index)]
    if mode:
        cmd += ["--mode", mode]
    # strict decoding of the standard streams (as under e.g. LANG=en_US.UTF-8): invalid UTF-8 on stdin
    # must still not end the batch
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8:strict"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env)
    run = SoakRun(n, mode or "hybrid")
    stderr_chunks: list[bytes] = []

    def feed() -> None:
        assert proc.stdin is not None
        try:
            for raw, _ in lines:
                proc.stdin.write(raw + b"\n")
            proc.stdin.close()
        except BrokenPipeError:
            pass

    def drain() -> None:
        assert proc.stderr is not None
        stderr_chunks.append(proc.stderr.read())

    finished = threading.Event()

    def poll() -> None:
        while not finished.is_set():
            try:
                run.peak_kib = max(run.peak_kib, rss_kib(proc.pid))
            except (OSError, AssertionError):  # the process has ended
                return
            finished.wait(0.05)

    threads = [threading.Thread(target=t, daemon=True) for t in (feed, drain, poll)]
    for t in threads:
        t.start()
    assert proc.stdout is not None
    count = 0
    try:
        for out_line in proc.stdout:
            if count >= n:
                run.errors.append(f"extra output line: {out_line[:200]!r}")
                break
            raw, empty = lines[count]
            try:
                obj = json.loads(out_line.decode("utf-8"), parse_constant=_strict)
            except (UnicodeDecodeError, ValueError) as exc:
                run.errors.append(f"line {count}: not JSON ({exc}): {out_line[:200]!r}")
                obj = {}
            expected = expected_question(raw, empty, max_chars)
            if obj.get("question") != expected:
                run.errors.append(f"line {count}: out of order or mangled: {str(obj.get('question'))[:80]!r} "
                                  f"!= {expected[:80]!r}")
            if empty != ("error" in obj):
                run.errors.append(f"line {count}: {'expected' if empty else 'unexpected'} error: "
                                  f"{str(obj.get('error'))[:200]}")
            if not empty and not isinstance(obj.get("passages"), list):
                run.errors.append(f"line {count}: no passages list")
            if b"\x1b" in out_line:
                run.errors.append(f"line {count}: a raw ESC byte in the output")
            count += 1
            if count == 1 or count % sample_every == 0 or count == n:
                run.samples.append((count, time.perf_counter() - started, rss_kib(proc.pid)))
    finally:
        finished.set()
        run.returncode = proc.wait(timeout=120)
        for t in threads:
            t.join(timeout=10)
    run.seconds = time.perf_counter() - started
    run.stderr = b"".join(stderr_chunks).decode("utf-8", "replace")
    if count != n:
        run.errors.append(f"{count} output lines for {n} questions")
    return run


def summary(run: SoakRun, warm_after: int) -> dict[str, object]:
    rss = [r for _, _, r in run.samples]
    warm = next((r for c, _, r in run.samples if c >= warm_after), rss[-1])
    tail = [(c, r) for c, _, r in run.samples if c >= warm_after]
    slope = 0.0
    if len(tail) >= 2:  # least-squares KiB per 1,000 questions after warm-up
        mc = sum(c for c, _ in tail) / len(tail)
        mr = sum(r for _, r in tail) / len(tail)
        var = sum((c - mc) ** 2 for c, _ in tail)
        slope = sum((c - mc) * (r - mr) for c, r in tail) / var * 1000 if var else 0.0
    return {
        "questions": run.questions,
        "mode": run.mode,
        "edge_case_share": round(sum(1 for i in range(run.questions) if i % 7 == 3) / run.questions, 3),
        "seconds": round(run.seconds, 1),
        "questions_per_second": round(run.questions / run.seconds, 2),
        "rss_mib": {
            "start": round(rss[0] / 1024, 1),
            "warm": round(warm / 1024, 1),
            "peak_between_questions": round(max(rss) / 1024, 1),
            "peak": round(max(max(rss), run.peak_kib) / 1024, 1),
            "end": round(rss[-1] / 1024, 1),
            "growth_after_warm_up": round((rss[-1] - warm) / 1024, 1),
            "growth_per_1000_questions_after_warm_up": round(slope / 1024, 2),
        },
        "warm_up_questions": warm_after,
        "samples": [[c, round(t, 1), round(r / 1024, 1)] for c, t, r in run.samples],
        "output_errors": run.errors[:20],
        "returncode": run.returncode,
    }


def test_soak_fast(built_index: Path, seeds_dir: Path) -> None:
    """300 questions: every line answered or rejected, valid JSON, in order; memory stays flat."""
    run = run_soak(built_index, seeds_dir, 300, "sparse", sample_every=25)
    assert run.errors == [], run.errors[:10]
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    figures = summary(run, warm_after=100)
    rss = figures["rss_mib"]
    assert isinstance(rss, dict)
    # generous: a leak of ~200 KiB per question would break it, noise and allocator slack will not
    assert rss["growth_after_warm_up"] < 40, figures


@pytest.mark.slow
def test_soak_10k(built_index: Path, seeds_dir: Path) -> None:
    """10,000 questions in the default mode; figures written to evals/results/soak.json."""
    run = run_soak(built_index, seeds_dir, 10_000, None, sample_every=100)
    figures = summary(run, warm_after=1000)
    figures["command"] = "assistant ask --json --batch - (one process, default hybrid mode, seeds index)"
    figures["cores"] = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    figures["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert run.errors == [], run.errors[:10]
    assert run.returncode == 0, run.stderr[-2000:]
    rss = figures["rss_mib"]
    assert isinstance(rss, dict)
    assert rss["growth_after_warm_up"] < 64, figures
    assert rss["peak"] - rss["warm"] < 96, figures
