"""Scale: exact vs approximate vector search and BM25 on synthetic corpora of 10k to 1M passages.

Every (size, case) runs in its own subprocess (``python -m assistant.bench.scale CASE N DIR``), so
each peak-memory figure is clean and the memory of a 1M tier is returned to the OS before the next
case. The exact case runs first and leaves its top-10 ids in DIR for the approximate cases' recall.
The assistant's own classes are measured (``vectors.VectorIndex``, ``sparse.SparseIndex``), with the
parameters they ship with.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .system import current_rss_mb, peak_rss_mb, summary_ms

VECTOR_CASES = ("flat", "hnsw", "ivf")
CASES = (*VECTOR_CASES, "bm25")
QUERIES = 200
"""Queries per tier for recall and approximate latency."""
EXACT_TIMED = 40
"""Exact search is timed on fewer queries (at 1M each takes ~0.1-0.5 s)."""
DEPTH = 50
"""Results asked of each side, as ``retrieve.DEPTH``."""
HNSW_UP_TO = 100_000
"""HNSW is measured up to this size only: at 1M its build alone takes 10-30 minutes on 2 cores."""


def _vector_case(kind: str, n: int, workdir: Path) -> dict[str, Any]:
    from ..index import dense as vectors
    from .synth import VectorSource

    source = VectorSource(n)
    t0 = time.perf_counter()
    data = source.corpus()
    queries = source.queries(QUERIES)
    generate_s = time.perf_counter() - t0
    rss0 = current_rss_mb()
    t0 = time.perf_counter()
    index = vectors.VectorIndex.build(data, kind)
    build_s = time.perf_counter() - t0
    index_mb = current_rss_mb() - rss0
    truth_path = workdir / f"truth-{n}.npy"
    if kind == "flat":
        _, truth = index.index.search(queries, 10)
        np.save(truth_path, truth)
    del data
    truth = np.load(truth_path)
    timed = queries[:EXACT_TIMED] if kind == "flat" else queries
    latencies: list[float] = []
    cpu: list[float] = []
    found: list[np.ndarray] = []
    for q in timed:
        c0, t0 = time.thread_time(), time.perf_counter()
        ids, _ = index.search(q, DEPTH)
        latencies.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        found.append(ids[:10])
    recall = float(
        np.mean([len(set(f.tolist()) & set(t.tolist())) / 10 for f, t in zip(found, truth, strict=False)])
    )
    return {
        **summary_ms(latencies),
        "cpu_p50_ms": summary_ms(cpu)["p50_ms"],
        "recall_at_10": round(recall, 4),
        "build_s": round(build_s, 2),
        "generate_s": round(generate_s, 2),
        "index_mb": round(index_mb, 1),
        "params": vectors.describe(index),
    }


def _bm25_case(n: int) -> dict[str, Any]:
    from ..index.bm25 import SparseIndex
    from .synth import passages_terms, token_ids, vocabulary, weighted_queries

    t0 = time.perf_counter()
    words = vocabulary()
    ids, offsets = token_ids(n)
    terms = passages_terms(ids, offsets, words)
    tokens = int(ids.size)
    del ids, offsets
    generate_s = time.perf_counter() - t0
    rss0 = current_rss_mb()
    t0 = time.perf_counter()
    index = SparseIndex.build(terms)
    build_s = time.perf_counter() - t0
    del terms
    index_mb = current_rss_mb() - rss0
    queries = weighted_queries(QUERIES, words)
    for q in queries[:5]:
        index.search(q, DEPTH)
    latencies: list[float] = []
    cpu: list[float] = []
    coverage: list[float] = []
    df = [index.document_frequency(t) / n for q in queries for t in q]
    for q in queries:
        c0, t0 = time.thread_time(), time.perf_counter()
        top, _ = index.search(q, DEPTH)
        t1 = time.perf_counter()
        cpu.append(time.thread_time() - c0)
        top3 = top[:3].tolist()
        for term in q:  # what retrieve.coverage asks of the index for the top passages
            index.contains(term, top3)
        latencies.append(t1 - t0)
        coverage.append(time.perf_counter() - t1)
    return {
        **summary_ms(latencies),
        "cpu_p50_ms": summary_ms(cpu)["p50_ms"],
        "contains_p50_ms": summary_ms(coverage)["p50_ms"],
        "build_s": round(build_s, 2),
        "generate_s": round(generate_s, 2),
        "index_mb": round(index_mb, 1),
        "tokens": tokens,
        "vocabulary": len(index.vocab),
        "nnz": int(index.data.size),
        "query_terms": len(queries[0]),
        "query_df_median": round(float(np.median(df)), 4),
        "query_df_p90": round(float(np.percentile(df, 90)), 4),
    }


def run_case(case: str, n: int, workdir: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    result = _bm25_case(n) if case == "bm25" else _vector_case(case, n, workdir)
    return {
        "case": case,
        "n": n,
        **result,
        "peak_rss_mb": peak_rss_mb(),
        "wall_s": round(time.perf_counter() - t0, 2),
    }


def run_tiers(
    sizes: list[int],
    workdir: Path,
    cases: tuple[str, ...] = CASES,
    log: Callable[[str], None] | None = None,
    timeout: float = 1800,
) -> list[dict[str, Any]]:
    """Every case at every size, each in a fresh subprocess; failures are recorded, not raised."""
    results: list[dict[str, Any]] = []
    for n in sizes:
        for case in cases:
            if case == "hnsw" and n > HNSW_UP_TO:
                continue
            if log:
                log(f"scale: {case} at {n:,} passages")
            cmd = [sys.executable, "-m", "assistant.bench.scale", case, str(n), str(workdir)]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
                lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
                if done.returncode == 0 and lines:
                    results.append(json.loads(lines[-1]))
                    continue
                error = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            except subprocess.TimeoutExpired:
                error = [f"timed out after {timeout:.0f} s"]
            results.append({"case": case, "n": n, "error": error[0]})
    return results


def main(argv: list[str]) -> int:
    case, n, workdir = argv[0], int(argv[1]), Path(argv[2])
    if case not in CASES:
        raise SystemExit(f"unknown case {case!r}; one of {', '.join(CASES)}")
    print(json.dumps(run_case(case, n, workdir)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
