"""Query latency: ``Assistant.ask`` end to end in every mode, against the time to encode the question with
every encoder that mode uses (the main one and, over an index that has it, the cross-lingual one).

Each question is asked in turn in every mode and also encoded directly by each encoder, interleaved, so
the modes and the encoders see the same machine conditions (load from other processes shifts everything
equally). A cProfile pass over the hybrid path then says where the non-encode time goes.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..embed import CachingEmbedder
from ..settings import MODES
from .result import Encode, Machinery, ModeLatency, Profile, ProfileRow, QueryResult, Tokens
from .system import percentile, summary_ms


def load_questions(path: Path, limit: int | None = None) -> list[str]:
    """The gold questions (Chinese and English), or a small built-in list if the file is missing."""
    questions: list[str] = []
    try:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    questions.append(str(json.loads(line)["question"]))
    except (OSError, ValueError, KeyError):
        questions = [
            "What is luminal breast cancer?",
            "内分泌治疗耐药的机制有哪些？",
            "What does CDK4/6 inhibition do?",
            "氟维司群的作用是什么？",
        ]
    return questions[:limit] if limit else questions


def measure(assistant: Any, questions: list[str], rounds: int = 1) -> QueryResult:
    """p50/p95 per mode and per stage, the encode time, and the hybrid/encode ratio."""
    assistant.warm()
    for q in questions[:3]:  # first-call effects (caches, page faults) are cold start, not latency
        for mode in MODES:
            assistant.ask(q, mode=mode)
    encoders = assistant.encoders()
    encode: list[float] = []
    encode_cpu: list[float] = []
    each: dict[str, list[float]] = {name: [] for name in encoders}
    totals: dict[str, list[float]] = {m: [] for m in MODES}
    stages: dict[str, dict[str, list[float]]] = {m: {} for m in MODES}
    for _ in range(rounds):
        for q in questions:
            c0, t0 = time.process_time(), time.perf_counter()
            for name, encoder in encoders.items():
                e0 = time.perf_counter()
                encoder.encode_queries([q])
                each[name].append(time.perf_counter() - e0)
            encode.append(time.perf_counter() - t0)
            encode_cpu.append(time.process_time() - c0)
            for mode in MODES:
                t0 = time.perf_counter()
                answer = assistant.ask(q, mode=mode)
                totals[mode].append(time.perf_counter() - t0)
                for stage, seconds in answer.timings.items():
                    stages[mode].setdefault(stage, []).append(seconds)
    enc: Encode = {
        **summary_ms(encode),
        "encoders": list(encoders),
        "each_p50_ms": {name: summary_ms(v)["p50_ms"] for name, v in each.items()},
        "p5_ms": round(percentile([1000 * x for x in encode], 5), 3),
        "process_cpu_p50_ms": summary_ms(encode_cpu)["p50_ms"],  # every thread of the process
    }
    modes: dict[str, ModeLatency] = {}
    for mode in MODES:
        total = summary_ms(totals[mode])
        modes[mode] = {
            **total,
            "ratio_to_encode": round(total["p50_ms"] / enc["p50_ms"], 3) if enc["p50_ms"] else None,
            "stages_p50_ms": {s: summary_ms(v)["p50_ms"] for s, v in stages[mode].items() if v},
            "stages_mean_ms": {s: summary_ms(v)["mean_ms"] for s, v in stages[mode].items() if v},
        }
    hybrid = modes["hybrid"]
    overhead = {s: v for s, v in hybrid["stages_mean_ms"].items() if s not in ("encode", "total")}
    own = hybrid["stages_p50_ms"].get("encode")
    return {
        "questions": len(questions),
        "rounds": rounds,
        "stages": [s for s in stages["hybrid"] if s != "total"],
        "encode": enc,
        "modes": modes,
        "hybrid_ratio": hybrid["ratio_to_encode"],
        "hybrid_ratio_to_own_encode": round(hybrid["p50_ms"] / own, 3) if own else None,
        "hybrid_overhead_mean_ms": round(sum(overhead.values()), 3),
        "tokens": _tokens(assistant, questions),
        "target_ratio": 1.3,
    }


def _tokens(assistant: Any, questions: list[str]) -> Tokens | None:
    """Model tokens of the questions as typed and of the dense queries ``ask`` encodes (for English
    questions, the question plus the Chinese translations that expansion found)."""
    count = getattr(assistant.embedder, "token_count", None)
    if count is None:
        return None
    expander, zh_share = assistant.expander(), assistant.index.zh_share
    bare = [int(count(q)) for q in questions]
    dense = [int(count(expander.analyse(q, (), zh_share).dense_text or q)) for q in questions]
    return {"question_median": float(np.median(bare)), "dense_median": float(np.median(dense)),
            "dense_over_question": round(sum(dense) / max(1, sum(bare)), 3)}


def machinery(assistant: Any, questions: list[str], encode_p50_ms: float) -> Machinery | None:
    """The hybrid path with the encoder's work taken out (cached vectors): what retrieval itself costs.

    Timed in wall and in CPU time of the asking thread; the CPU figure does not move with other load, so
    ``1 + cpu_p50 / encode`` is the ratio to expect on an idle machine whatever this run's load was.
    """
    cross = assistant.crosslingual
    other = assistant.variant(embedder=CachingEmbedder(assistant.embedder),
                              crosslingual=CachingEmbedder(cross) if cross is not None else None)
    for q in questions:  # fill the cache (and warm every code path)
        other.ask(q, mode="hybrid")
    wall: list[float] = []
    cpu: list[float] = []
    for q in questions:
        c0, t0 = time.thread_time(), time.perf_counter()
        other.ask(q, mode="hybrid")
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    cpu_p50 = summary_ms(cpu)["p50_ms"]
    return {"p50_ms": summary_ms(wall)["p50_ms"], "p95_ms": summary_ms(wall)["p95_ms"], "cpu_p50_ms": cpu_p50,
            "cpu_share_of_encode": round(cpu_p50 / encode_p50_ms, 3) if encode_p50_ms else None}


def profile(assistant: Any, questions: list[str], top: int = 12) -> Profile:
    """cProfile of the hybrid query path: the functions with the most own time, encode excluded."""
    profiler = cProfile.Profile(time.thread_time)  # CPU time: time lost to other processes is not counted
    profiler.enable()
    for q in questions:
        assistant.ask(q, mode="hybrid")
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = stats.total_tt  # type: ignore[attr-defined]
    rows: list[ProfileRow] = []
    entries = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])  # type: ignore[attr-defined]
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in entries[:top]:
        rows.append(
            {
                "function": f"{_short(filename)}:{line}({name})",
                "calls": calls,
                "own_ms_per_query": round(1000 * tottime / len(questions), 3),
                "cum_ms_per_query": round(1000 * cumtime / len(questions), 3),
                "share": round(tottime / total, 3) if total else 0.0,
            }
        )
    return {"questions": len(questions), "ms_per_query": round(1000 * total / len(questions), 3), "top": rows}


def _short(filename: str) -> str:
    for marker in ("site-packages/", "assistant/"):
        if marker in filename:
            return (
                filename.split(marker, 1)[1]
                if marker == "site-packages/"
                else "assistant/" + filename.split(marker, 1)[1]
            )
    return filename if filename.startswith("~") or "{" in filename else Path(filename).name
