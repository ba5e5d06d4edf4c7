"""``assistant bench``: latency, cold start, index build, scale and memory, measured in one run.

Sections (each its own module): :mod:`.query` (``Assistant.ask`` per mode vs the query encoder),
:mod:`.cold` (fresh processes), :mod:`.build` (build throughput vs raw embedding, incremental refresh),
:mod:`.scale` (synthetic 10k-1M corpora, exact vs approximate FAISS and BM25, one subprocess per case).
Results go to ``OUT/bench.json``, ``OUT/bench.md`` and ``OUT/latency_vs_size.png``; ``--quick`` is a
smoke run (10k tier only, fewer questions and runs, a small build) for CI.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ..settings import Settings
from .result import BenchResult, ThreadsResult

FULL_SIZES = [10_000, 100_000, 1_000_000]
QUICK_SIZES = [10_000]


_STARTED = time.perf_counter()


def _log(message: str) -> None:
    print(f"bench: [{time.perf_counter() - _STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


GOLD = Path("evals/collections/seeds/gold.jsonl")
"""The seeds collection's gold questions (the bench asks them over the seeds index)."""


def _gold_path() -> Path:
    return GOLD if GOLD.exists() else Path(__file__).resolve().parents[2] / GOLD


def _threads(assistant: Any, questions: list[str], quick: bool) -> ThreadsResult:
    from ..index import dense as vectors
    from . import threads

    out: ThreadsResult = {
        "openmp": threads.loaded_runtimes(assistant),
        "faiss_threads": vectors.threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", ""),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
    }
    if not quick:
        out["experiment"] = threads.measure(questions[:60])
    return out


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    from ..core import Assistant
    from . import build, cold, query, report, scale
    from .markdown import render
    from .system import machine, peak_rss_mb

    quick = bool(getattr(args, "quick", False))
    out = Path(getattr(args, "out", None) or "evals/results")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    result: BenchResult = {"quick": quick, "machine": machine()}

    _log(f"opening the index in {settings.index}")
    assistant = Assistant(settings)
    assistant.open()
    questions = query.load_questions(_gold_path(), 30 if quick else None)
    _log(f"query latency: {len(questions)} questions, every mode")
    result["query"] = query.measure(assistant, questions, rounds=1 if quick else 2)
    result["query"]["machinery"] = query.machinery(assistant, questions, result["query"]["encode"]["p50_ms"])
    result["profile"] = query.profile(assistant, questions[:20] if quick else questions)
    result["query"]["peak_rss_mb"] = peak_rss_mb()
    _log("thread settings")
    result["threads"] = _threads(assistant, questions, quick)

    _log("cold start")
    result["cold"] = cold.measure(
        settings.seeds.resolve(), settings.index.resolve(), cold.pick_questions(questions), runs=2 if quick else 7
    )
    _log("index build and refresh")
    result["build"] = build.measure(settings, assistant.embedder, quick, profile=not quick,
                                    crosslingual=assistant.crosslingual)
    result["build"]["peak_rss_mb"] = peak_rss_mb()
    del assistant

    sizes = QUICK_SIZES if quick else FULL_SIZES
    with tempfile.TemporaryDirectory(prefix="assistant-scale-") as tmp:
        result["scale"] = scale.run_tiers(sizes, Path(tmp), log=_log)
    from ..index import dense as vectors

    result["scale_params"] = vectors.describe_auto()
    result["targets"] = report.targets(result)
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else []

    report.write_json(result, out / "bench.json")
    (out / "bench.md").write_text(render(result), encoding="utf-8")
    report.chart(result, out / "latency_vs_size.png")
    report.print_tables(result)
    _log(
        f"wrote {out / 'bench.json'}, {out / 'bench.md'} and {out / 'latency_vs_size.png'} "
        f"in {result['seconds']:.0f} s"
    )
    return 0
