"""Index build: throughput against the encoders' raw throughput, then an incremental refresh.

The seeds are copied to a temporary directory (in quick mode, only the start of each document) and
indexed from scratch with an empty embedding cache, as a first run would. The texts the build embeds
are embedded directly as well, by every encoder the build uses (the main one and the cross-lingual one),
once before and once after the build (so that a change in the load of a shared machine moves both sides
alike): the ratio of the throughputs is what the pipeline around the models costs. A dry run in a
fresh process with instant stand-in encoders (``python -m assistant.bench.build SEEDS quick|full
profile|plain``) gives the texts beforehand and, profiled, where the rest of the build's time goes.
Finally one document gets a new paragraph and the index is refreshed: only that document's changed
passages should be embedded again.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from ..settings import Settings
from .result import BuildFigures, BuildResult, RawEmbed
from .system import current_rss_mb

QUICK_CHARS = 1500
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


class _InstantEmbedder:
    """Stands in for the model (constant vectors, no time), so that only the pipeline around it runs."""

    id = "bench/instant"
    dim = 384

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode_queries(self, texts: Any) -> Any:
        import numpy as np

        return np.full((len(texts), self.dim), self.dim**-0.5, dtype=np.float32)

    def encode_passages(self, texts: Any, progress: Any = None) -> Any:
        self.texts.extend(texts)
        return self.encode_queries(texts)


class _InstantCrossEmbedder(_InstantEmbedder):
    """The same, standing in for the cross-lingual encoder."""

    id = "bench/instant-crosslingual"
    dim = 512


def _build_texts(passages: list[str], sentences: list[str]) -> list[str]:
    """What a build with an empty embedding cache sends the main encoder, in order: every passage text, then
    every sentence text that is not also a passage text (those come from the cache)."""
    known = set(passages)
    return [*passages, *(t for t in sentences if t not in known)]


def _raw(embedders: list[Any], texts: list[str]) -> tuple[float, float]:
    """Wall and process CPU seconds of embedding ``texts`` directly with every encoder."""
    c0, t0 = time.process_time(), time.perf_counter()
    for embedder in embedders:
        embedder.encode_passages(texts)
    return time.perf_counter() - t0, time.process_time() - c0


def measure(settings: Settings, embedder: Any, quick: bool, profile: bool = False,
            crosslingual: Any = None) -> BuildResult:
    from ..embed import CachingEmbedder
    from ..index import open_index
    from ..index.represent import embedding_texts
    from ..index.sentences import sentence_texts

    # the dry run gives the texts to embed before the build too (the full run only: it costs seconds)
    dry = dry_run(settings, quick, profile) if profile or not quick else {}
    out: BuildResult = {"quick": quick, "target_ratio": 0.9}
    if profile:
        out["overhead"] = dry.get("profile") or {"error": dry.get("error", "no profile")}
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        root = Path(tmp)
        docs = _copy_seeds(settings.seeds, root / "seeds", quick)
        local = settings.with_(seeds=root / "seeds", index=root / "index", glossary=root / "glossary.tsv")
        encoders = [embedder] + ([crosslingual] if crosslingual is not None else [])
        raw_runs = [_raw(encoders, dry["texts"])] if dry.get("texts") else []
        rss_before = current_rss_mb()
        recorder = CachingEmbedder(embedder)
        cross = CachingEmbedder(crosslingual) if crosslingual is not None else None
        c0 = time.process_time()
        index, report = open_index(local, lambda: recorder, crosslingual=lambda: cross)
        cpu = time.process_time() - c0
        texts = list(recorder.passages)  # exactly what the build embedded (its embedding cache was empty)
        expected = _build_texts(embedding_texts(index.passages, index.lexicon, local.domain_pack),
                                sentence_texts(index.passages))
        build: BuildFigures = {
            "documents": report.documents,
            "passages": report.passages,
            "embedded": report.embedded,
            "seconds": round(report.seconds, 3),
            "passages_per_s": round(report.passages / report.seconds, 3) if report.seconds else 0.0,
            "model_seconds": round(recorder.passage_seconds + (cross.passage_seconds if cross else 0.0), 3),
            "model_seconds_each": {"primary": round(recorder.passage_seconds, 3),
                                   **({"crosslingual": round(cross.passage_seconds, 3)} if cross else {})},
            "other_seconds": round(report.seconds - recorder.passage_seconds
                                   - (cross.passage_seconds if cross else 0.0), 3),
            "process_cpu_s": round(cpu, 3),
            "texts_match_index": texts == expected,
            "texts_match_dry_run": texts == dry["texts"] if "texts" in dry else None,
            "rss_growth_mb": round(current_rss_mb() - rss_before, 1),
        }
        if not build["texts_match_dry_run"]:
            raw_runs = []  # the texts embedded before the build were not the same: do not count them
        raw_runs.append(_raw(encoders, texts))
        raw_seconds = sum(w for w, _ in raw_runs) / len(raw_runs)
        raw_cpu = sum(c for _, c in raw_runs) / len(raw_runs)
        raw: RawEmbed = {
            "passages": report.passages,
            "texts": len(texts),
            "runs_s": [round(w, 3) for w, _ in raw_runs],
            "seconds": round(raw_seconds, 3),
            "process_cpu_s": round(raw_cpu, 3),
            "passages_per_s": round(report.passages / raw_seconds, 3) if raw_seconds else 0.0,
        }
        build["ratio_to_raw"] = (
            round(build["passages_per_s"] / raw["passages_per_s"], 3) if raw["passages_per_s"] else None
        )
        build["cpu_ratio_to_raw"] = round(raw_cpu / cpu, 3) if cpu else None
        model_seconds = recorder.passage_seconds + (cross.passage_seconds if cross else 0.0)
        build["model_share"] = round(model_seconds / report.seconds, 3) if report.seconds else None

        edited = max(docs, key=lambda p: p.stat().st_size)
        rel = edited.relative_to(root / "seeds").as_posix()
        with edited.open("a", encoding="utf-8") as fh:
            fh.write(EDIT)
        refresher = CachingEmbedder(embedder)
        cross_refresher = CachingEmbedder(crosslingual) if crosslingual is not None else None
        index2, refresh_report = open_index(local, lambda: refresher, crosslingual=lambda: cross_refresher)
        fresh = set(refresher.passages)
        texts2 = embedding_texts(index2.passages, index2.lexicon, local.domain_pack)
        changed = [p for p, t in zip(index2.passages, texts2, strict=True) if t in fresh]
        in_edited = [(p, t) for p, t in zip(index2.passages, texts2, strict=True) if p.doc == rel]
        edited_texts = {t for _, t in in_edited} | set(sentence_texts([p for p, _ in in_edited]))
        refresh = {
            "edited": rel,
            "edited_passages": sum(1 for p in index2.passages if p.doc == rel),
            "passages": refresh_report.passages,
            "embedded": refresh_report.embedded,
            "changed_docs": sorted({p.doc for p in changed}),
            "only_edited_document": bool(changed) and all(p.doc == rel for p in changed)
            and fresh <= edited_texts,
            "seconds": round(refresh_report.seconds, 3),
            "model_seconds": round(refresher.passage_seconds, 3),
            "rebuilt": refresh_report.rebuilt,
        }
    out["build"], out["raw_embed"], out["refresh"] = build, raw, refresh
    return out


def dry_run(settings: Settings, quick: bool, profile: bool) -> dict[str, Any]:
    """The texts a build of the seeds embeds and, if asked, a profile of that build: in a fresh process
    (so that it pays every first-use cost a real ``assistant index`` pays), with an instant embedder."""
    import json
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "assistant.bench.build", str(settings.seeds.resolve()),
           "quick" if quick else "full", "profile" if profile else "plain"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]}
    return dict(json.loads(lines[-1]))


_GENERIC = ("<frozen", "{built-in method builtins.exec}", "{method", "index.py:", "bench/")


def _dry_run_here(seeds: Path, quick: bool, profile: bool, top: int = 14) -> dict[str, Any]:
    import cProfile
    import pstats

    from ..index import open_index

    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        root = Path(tmp)
        _copy_seeds(seeds, root / "seeds", quick=quick)
        local = Settings.load(seeds=root / "seeds", index=root / "index", glossary=root / "glossary.tsv")
        instant = _InstantEmbedder()
        profiler = cProfile.Profile(time.thread_time)  # CPU time: other processes' load is not counted
        c0, t0 = time.thread_time(), time.perf_counter()
        if profile:
            profiler.enable()
        open_index(local, lambda: instant, crosslingual=lambda: _InstantCrossEmbedder())
        profiler.disable()
        seconds, wall = time.thread_time() - c0, time.perf_counter() - t0
        c0 = time.thread_time()
        open_index(local, lambda: _InstantEmbedder(), rebuild=True,  # again, with everything loaded
                   crosslingual=lambda: _InstantCrossEmbedder())
        again = time.thread_time() - c0
    out: dict[str, Any] = {"texts": instant.texts}
    if not profile:
        return out
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
    out["profile"] = {"seconds": round(seconds, 3), "wall_s": round(wall, 3),
                      "unprofiled_rebuild_cpu_s": round(again, 3), "top": rows}
    return out


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/assistant/"):
        if marker in filename:
            tail = filename.split(marker, 1)[1]
            return tail if marker == "site-packages/" else "assistant/" + tail
    if "/lib/python3" in filename:  # the standard library
        return filename.split("/lib/python3", 1)[1].split("/", 1)[-1]
    return filename


if __name__ == "__main__":
    import json
    import sys

    result = _dry_run_here(Path(sys.argv[1]), sys.argv[2] == "quick", sys.argv[3] == "profile")
    print(json.dumps(result, ensure_ascii=False), flush=True)
