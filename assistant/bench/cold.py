"""Cold start: wall time of fresh processes, from exec to exit (median of several runs).

* ``assistant --help`` (argparse only; target 0.3 s),
* ``import assistant.cli.commands`` (what every command pays in imports before doing anything),
* ``python -m assistant ask --json QUESTION`` over a built index, for a Chinese and an English
  question (target 2 s to the first answer),
* where the time of a cold ``ask`` goes, stage by stage (wall and CPU time, in a fresh process),
* what the first run on a new machine pays once: converting jieba's dictionary and CC-CEDICT (both
  ways) into the tables every later process maps (:mod:`assistant.lexicon.dictcache`).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ..text import has_cjk
from .result import ColdResult, ColdStages, Series
from .system import percentile


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} … failed ({done.returncode}): {done.stderr[-400:]}")
    return done


def _series(cmd: list[str], runs: int, env: dict[str, str], cwd: Path) -> Series:
    _run(cmd, env, cwd)  # the first run warms the OS page cache; users' second launch looks like this
    samples, cpu = [], []
    for _ in range(runs):
        before = _children_cpu()
        t0 = time.perf_counter()
        _run(cmd, env, cwd)
        samples.append(time.perf_counter() - t0)
        cpu.append(_children_cpu() - before)
    return {
        "median_s": round(percentile(samples, 50), 3),
        "cpu_median_s": round(percentile(cpu, 50), 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
        "runs": runs,
    }


def pick_questions(questions: list[str]) -> dict[str, str]:
    """The first Chinese and the first English question."""
    zh = next((q for q in questions if has_cjk(q)), "氟维司群的剂量是多少？")
    en = next((q for q in questions if not has_cjk(q)), "What is the dose of fulvestrant?")
    return {"zh": zh, "en": en}


def measure(seeds: Path, index: Path, questions: dict[str, str], runs: int = 5) -> ColdResult:
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    cwd = Path.cwd()
    script = shutil.which("assistant", path=str(Path(sys.executable).parent)) or shutil.which("assistant")
    help_cmd = [script, "--help"] if script else [sys.executable, "-m", "assistant", "--help"]
    where = ["--seeds", str(seeds), "--index", str(index)]
    out: ColdResult = {
        "python": _series([sys.executable, "-c", "pass"], runs, env, cwd),
        "help": {**_series(help_cmd, runs * 2, env, cwd), "target_s": 0.3},
        "imports": _series([sys.executable, "-c", "import assistant.cli.commands"], runs, env, cwd),
    }
    asks: dict[str, Series] = {}
    for lang, question in questions.items():
        cmd = [sys.executable, "-m", "assistant", "ask", "--json", *where, question]
        asks[lang] = {**_series(cmd, runs, env, cwd), "target_s": 2.0, "question": question}
    if "zh" in asks:
        out["ask_zh"] = asks["zh"]
    if "en" in asks:
        out["ask_en"] = asks["en"]
    slowest = max(asks, key=lambda lang: asks[lang].get("median_s", 0.0))
    out["ask"] = {**asks[slowest], "language": slowest}
    out["stages"] = {lang: _stages(seeds, index, q, env, cwd, runs=1 if runs < 5 else 3)
                     for lang, q in questions.items()}
    out["ask"]["peak_rss_mb"] = max(s["peak_rss_mb"] for s in out["stages"].values())
    if runs >= 5:  # not in a quick run: it parses both dictionaries from scratch (seconds)
        out["first_use"] = first_use(env, cwd)
    return out


_STAGES = r"""
import json, sys, time
from pathlib import Path
t0, c0 = time.perf_counter(), time.process_time()
marks = []
def mark(name):
    marks.append((name, time.perf_counter() - t0, time.process_time() - c0))
from assistant.cli.commands import open_assistant
from assistant.settings import Settings
mark("imports")
settings = Settings.load(seeds=Path(sys.argv[1]), index=Path(sys.argv[2]))
assistant = open_assistant(settings)
mark("open the index")
assistant.expander()
mark("query expander")
assistant.index.analyzer.warm()
mark("segmenter")
assistant.encoders()
mark("load the models")
answer = assistant.ask(sys.argv[3])
mark("first question")
from assistant.bench.system import peak_rss_mb
print(json.dumps({"marks": marks, "timings": answer.timings, "peak_rss_mb": peak_rss_mb()}))
"""


def _stages(seeds: Path, index: Path, question: str, env: dict[str, str], cwd: Path,
            runs: int = 3) -> ColdStages:
    """A cold ``ask`` cut into stages (median over a few fresh processes): wall and CPU seconds."""
    cmd = [sys.executable, "-c", _STAGES, str(seeds), str(index), question]
    results = [json.loads(_run(cmd, env, cwd).stdout.strip().splitlines()[-1]) for _ in range(runs)]
    stages: list[dict[str, Any]] = []
    for i, (name, _wall, _cpu) in enumerate(results[0]["marks"]):
        def step(r: dict[str, Any], col: int, i: int = i) -> float:
            m = r["marks"]
            return float(m[i][col] - (m[i - 1][col] if i else 0.0))

        stages.append({
            "stage": name,
            "wall_s": round(percentile([step(r, 1) for r in results], 50), 3),
            "cpu_s": round(percentile([step(r, 2) for r in results], 50), 3),
        })
    first = {k: round(percentile([r["timings"].get(k, 0.0) for r in results], 50), 4)
             for k in results[0]["timings"]}
    return {"stages": stages, "first_question_s": first, "runs": runs,
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results)}


_FIRST_USE = r"""
import json, time
t = time.perf_counter()
from assistant.lexicon import cedict, dictcache
dictcache.jieba_table()
t1 = time.perf_counter()
cedict.cedict()
t2 = time.perf_counter()
cedict.cedict_english()
t3 = time.perf_counter()
print(json.dumps({"jieba_s": t1 - t, "cedict_s": t2 - t1, "cedict_reversed_s": t3 - t2}))
"""


def first_use(env: dict[str, str], cwd: Path) -> dict[str, float]:
    """The one-time conversion of the dictionaries, as on a machine that never ran the assistant."""
    with tempfile.TemporaryDirectory(prefix="assistant-bench-cache-") as tmp:
        fresh = {**env, "XDG_CACHE_HOME": tmp}
        done = _run([sys.executable, "-c", _FIRST_USE], fresh, cwd)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    return {k: round(v, 2) for k, v in result.items()} | {"tables_mb": round(size / 2**20, 1)}
