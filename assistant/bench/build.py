"""Index build: throughput against the embedder's raw throughput, then an incremental refresh.

The seeds are copied to a temporary directory (in quick mode, only the start of each document) and
indexed from scratch with an empty embedding cache, as a first run would. The same passage texts are
then embedded directly with the embedder: the ratio of the two throughputs is what the pipeline around
the model costs. Finally one document gets a new paragraph and the index is refreshed: only that
document's changed passages should be embedded again.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from ..settings import Settings
from .system import current_rss_mb

QUICK_CHARS = 2500
EDIT = (
    "\n\n补充说明:本段为基准测试在刷新索引时追加的内容,用于验证增量刷新只重新嵌入被修改文档的段落。"
    "An added paragraph: the incremental refresh should embed only the passages of this document.\n"
)


def _copy_seeds(source: Path, target: Path, quick: bool) -> list[Path]:
    from ..ingest import find_files

    copied: list[Path] = []
    for path, rel in find_files(source):
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if quick:
            text = path.read_bytes().decode("utf-8", errors="ignore")
            cut = text.rfind("\n", 0, QUICK_CHARS)
            dest.write_text(text[: cut if cut > 0 else QUICK_CHARS], encoding="utf-8")
        else:
            shutil.copyfile(path, dest)
        copied.append(dest)
    return copied


class _Recording:
    """The real embedder, recording what it is asked to embed and how long the model takes."""

    def __init__(self, real: Any) -> None:
        self.real, self.id, self.dim = real, real.id, real.dim
        self.texts: list[str] = []
        self.seconds = 0.0

    def encode_queries(self, texts: Any) -> Any:
        return self.real.encode_queries(texts)

    def encode_passages(self, texts: Any, progress: Any = None) -> Any:
        self.texts.extend(texts)
        t0 = time.perf_counter()
        try:
            return self.real.encode_passages(texts, progress)
        finally:
            self.seconds += time.perf_counter() - t0


def measure(settings: Settings, embedder: Any, quick: bool) -> dict[str, Any]:
    from ..index import embedding_texts, open_index

    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        root = Path(tmp)
        docs = _copy_seeds(settings.seeds, root / "seeds", quick)
        local = settings.with_(seeds=root / "seeds", index=root / "index", glossary=root / "glossary.tsv")
        rss_before = current_rss_mb()
        recorder = _Recording(embedder)
        c0 = time.process_time()
        index, report = open_index(local, lambda: recorder)
        cpu = time.process_time() - c0
        texts = list(recorder.texts)  # exactly what the build embedded (its embedding cache was empty)
        build = {
            "documents": report.documents,
            "passages": report.passages,
            "embedded": report.embedded,
            "seconds": round(report.seconds, 3),
            "passages_per_s": round(report.passages / report.seconds, 3) if report.seconds else 0.0,
            "model_seconds": round(recorder.seconds, 3),
            "other_seconds": round(report.seconds - recorder.seconds, 3),
            "process_cpu_s": round(cpu, 3),
            "texts_match_index": texts == embedding_texts(index),
            "rss_growth_mb": round(current_rss_mb() - rss_before, 1),
        }
        t0 = time.perf_counter()
        embedder.encode_passages(texts)
        raw_seconds = time.perf_counter() - t0
        raw = {
            "passages": len(texts),
            "seconds": round(raw_seconds, 3),
            "passages_per_s": round(len(texts) / raw_seconds, 3) if raw_seconds else 0.0,
        }
        build["ratio_to_raw"] = (
            round(build["passages_per_s"] / raw["passages_per_s"], 3) if raw["passages_per_s"] else None
        )
        build["model_share"] = round(recorder.seconds / report.seconds, 3) if report.seconds else None

        edited = max(docs, key=lambda p: p.stat().st_size)
        rel = edited.relative_to(root / "seeds").as_posix()
        with edited.open("a", encoding="utf-8") as fh:
            fh.write(EDIT)
        refresher = _Recording(embedder)
        index2, refresh_report = open_index(local, lambda: refresher)
        fresh = set(refresher.texts)
        changed = [p for p, t in zip(index2.passages, embedding_texts(index2), strict=True) if t in fresh]
        refresh = {
            "edited": rel,
            "edited_passages": sum(1 for p in index2.passages if p.doc == rel),
            "passages": refresh_report.passages,
            "embedded": refresh_report.embedded,
            "changed_docs": sorted({p.doc for p in changed}),
            "only_edited_document": bool(changed) and all(p.doc == rel for p in changed)
            and refresh_report.embedded == len(refresher.texts),
            "seconds": round(refresh_report.seconds, 3),
            "model_seconds": round(refresher.seconds, 3),
            "rebuilt": refresh_report.rebuilt,
        }
        return {"quick": quick, "build": build, "raw_embed": raw, "refresh": refresh, "target_ratio": 0.9}


class _InstantEmbedder:
    """Stands in for the model so that a profile shows only the pipeline around it."""

    id = "bench/instant"
    dim = 384

    def encode_queries(self, texts: Any) -> Any:
        import numpy as np

        return np.full((len(texts), self.dim), self.dim**-0.5, dtype=np.float32)

    def encode_passages(self, texts: Any, progress: Any = None) -> Any:
        return self.encode_queries(texts)


_GENERIC = ("<frozen", "{built-in method builtins.exec}", "{method", "index.py:", "bench/")


def overhead_profile(settings: Settings, top: int = 14) -> dict[str, Any]:
    """What a build costs besides embedding: a fresh build with an instant embedder, in a fresh process
    (so that it pays every first-use cost a real ``assistant index`` pays), under cProfile."""
    import json
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "assistant.bench.build", str(settings.seeds.resolve()), str(top)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]}
    return dict(json.loads(lines[-1]))


def _profile_here(seeds: Path, top: int) -> dict[str, Any]:
    import cProfile
    import pstats

    from ..index import open_index

    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        root = Path(tmp)
        _copy_seeds(seeds, root / "seeds", quick=False)
        local = Settings.load(seeds=root / "seeds", index=root / "index", glossary=root / "glossary.tsv")
        profiler = cProfile.Profile(time.thread_time)  # CPU time: other processes' load is not counted
        c0, t0 = time.thread_time(), time.perf_counter()
        profiler.enable()
        open_index(local, lambda: _InstantEmbedder())
        profiler.disable()
        seconds, wall = time.thread_time() - c0, time.perf_counter() - t0
        c0 = time.thread_time()
        open_index(local, lambda: _InstantEmbedder(), rebuild=True)  # the same again, without profiler
        plain = time.thread_time() - c0
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_cc, calls, _tt, cumtime, _callers) in sorted(
        stats.stats.items(), key=lambda kv: -kv[1][3]  # type: ignore[attr-defined]
    ):
        label = f"{_short(filename)}:{line}({name})" if line else name
        if any(g in label for g in _GENERIC) or cumtime < 0.03 * seconds:
            continue
        rows.append({"function": label, "calls": calls, "cum_s": round(cumtime, 3)})
        if len(rows) == top:
            break
    return {"seconds": round(seconds, 3), "wall_s": round(wall, 3), "unprofiled_rebuild_cpu_s": round(plain, 3),
            "top": rows}


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/assistant/"):
        if marker in filename:
            tail = filename.split(marker, 1)[1]
            return tail if marker == "site-packages/" else "assistant/" + tail
    return filename


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(_profile_here(Path(sys.argv[1]), int(sys.argv[2]))), flush=True)
