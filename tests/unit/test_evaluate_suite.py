"""The gold collections as files, and ``assistant eval`` end to end over tiny collections with the tiny
test embedder: reports per collection and direction, the gate, the domain pack on and off, and
leave-one-collection-out tuning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import run_main
from support.embedder import TinyEmbedder

from assistant.errors import GoldError
from assistant.evaluate.collection import discover, load, select, settings_for, settings_hash
from assistant.evaluate.gold import load_conversations
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / "evals" / "collections"


# ---------------------------------------------------------------------------------- the real files


def test_every_gold_collection_resolves() -> None:
    """Every quote of every collection (questions and conversation turns) is found exactly once."""
    found = discover(COLLECTIONS)
    assert [c.name for c in found][0] == "seeds" and len(found) >= 4
    loaded = [load(c) for c in found]  # raises GoldError naming every bad quote
    conversations = [c for x in loaded for c in x.conversations]
    assert len(conversations) >= 30
    assert {t.language for c in conversations for t in c.turns} == {"zh", "en"}
    assert all(2 <= len(c.turns) <= 3 for c in loaded[0].conversations) and len(loaded[0].conversations) >= 12
    seeds = {c.turns[0].question: c for c in loaded[0].conversations}
    everolimus = seeds["How does everolimus overcome endocrine resistance?"]
    assert everolimus.turns[0].answerable and not everolimus.turns[1].answerable  # the documents give no dose
    assert everolimus.turns[1].history == ("How does everolimus overcome endocrine resistance?",)
    assert any(c.turns[0].question.startswith("依维莫司") and c.turns[1].question == "它的剂量呢？"
               for c in loaded[0].conversations)
    assert all(x.collection.tuned_on for x in loaded)  # the search settings were chosen on all four
    assert all(x.collection.readme is not None for x in loaded)


def test_a_bad_quote_in_a_conversation_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("氟维司群每月注射一次 500 mg。", encoding="utf-8")
    path = tmp_path / "conversations.jsonl"
    turns = [{"question": "剂量？", "language": "zh", "evidence": [{"doc": "a.txt", "quote": "500 mg"}]},
             {"question": "频率呢？", "language": "zh", "evidence": [{"doc": "a.txt", "quote": "每周一次"}]}]
    path.write_text(json.dumps({"id": "c1", "turns": turns}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(GoldError, match=r"c1\.2: quote '每周一次'… not found in a.txt"):
        load_conversations(path, tmp_path)
    turns[1]["evidence"] = []
    path.write_text(json.dumps({"id": "c1", "turns": turns}, ensure_ascii=False), encoding="utf-8")
    [c] = load_conversations(path, tmp_path)
    assert [t.kind for t in c.turns] == ["opening", "follow-up"] and c.turns[1].history == ("剂量？",)
    assert c.turns[0].evidence[0].start == "氟维司群每月注射一次 500 mg。".index("500")


def test_each_collection_and_pack_gets_its_own_index_folder(tmp_path: Path) -> None:
    [seeds, other, *_] = discover(COLLECTIONS)
    base = Settings(index=tmp_path)
    on, off = settings_for(seeds, base, "on"), settings_for(seeds, base, "off")
    assert on.index.parent == tmp_path / "eval" and on.index.name.startswith("seeds-")
    assert on.index != off.index and not off.domain_pack and on.seeds == (ROOT / "seeds").resolve()
    assert settings_for(other, base, "on").index.name == f"{other.name}-{settings_hash(on)}"
    assert settings_for(seeds, base, "on", chunk_size=128).index != on.index
    assert settings_for(seeds, base, "on", chinese_bigrams=not base.chinese_bigrams).index != on.index
    assert [c.name for c in select(discover(COLLECTIONS), "drugs,seeds")] == ["drugs", "seeds"]
    with pytest.raises(Exception, match="unknown collection nope"):
        select(discover(COLLECTIONS), "nope")


# ---------------------------------------------------------------------------------- tiny collections

ZH = """氟维司群的研究进展
1　前言
氟维司群是选择性雌激素受体下调剂的代表药物，可阻断雌激素受体信号通路，并加速受体降解。
2　疗效
氟维司群每月注射一次，每次 500 mg，是有效剂量。
"""
EN = """# Bone metastases

Denosumab reduces skeletal-related events in patients with bone metastases.

Calcium and vitamin D supplements are needed during denosumab treatment to avoid hypocalcaemia.
"""


def _collection(root: Path, name: str, tuned_on: bool) -> None:
    docs = root / name / "docs"
    docs.mkdir(parents=True)
    (docs / "zh.txt").write_text(ZH, encoding="utf-8")
    (docs / "en.md").write_text(EN, encoding="utf-8")
    (root / name / "collection.json").write_text(json.dumps({"tuned_on": tuned_on}), encoding="utf-8")
    gold = [
        ("q1", "氟维司群的剂量是多少？", "zh", "numeric", [("zh.txt", "每次 500 mg")]),
        ("q2", "氟维司群如何起作用？", "zh", "mechanism", [("zh.txt", "可阻断雌激素受体信号通路")]),
        ("q3", "What is needed during denosumab treatment?", "en", "factual",
         [("en.md", "Calcium and vitamin D supplements are needed")]),
        ("q4", "What does denosumab reduce?", "en", "factual", [("en.md", "reduces skeletal-related events")]),
        ("q5", "地舒单抗需要补充什么？", "zh", "factual", [("en.md", "Calcium and vitamin D supplements")]),
        ("q6", "How often is fulvestrant injected?", "en", "numeric", [("zh.txt", "氟维司群每月注射一次")]),
        ("q7", "How do I change a car tyre?", "en", "unanswerable", []),
        ("q8", "阿司匹林的剂量是多少？", "zh", "unanswerable", []),
    ]
    lines = [json.dumps({"id": i, "question": q, "language": lang, "kind": k,
                         "evidence": [{"doc": d, "quote": t} for d, t in ev]}, ensure_ascii=False)
             for i, q, lang, k, ev in gold]
    (root / name / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    conversations = [
        {"id": f"{name}-c1", "turns": [
            {"question": "氟维司群如何起作用？", "language": "zh",
             "evidence": [{"doc": "zh.txt", "quote": "可阻断雌激素受体信号通路"}]},
            {"question": "剂量呢？", "language": "zh", "evidence": [{"doc": "zh.txt", "quote": "每次 500 mg"}]}]},
        {"id": f"{name}-c2", "turns": [
            {"question": "What does denosumab reduce?", "language": "en",
             "evidence": [{"doc": "en.md", "quote": "reduces skeletal-related events"}]},
            {"question": "And what dose?", "language": "en", "evidence": []}]},
    ]
    (root / name / "conversations.jsonl").write_text(
        "\n".join(json.dumps(c, ensure_ascii=False) for c in conversations) + "\n", encoding="utf-8")
    (root / name / "README.md").write_text(f"# {name}\n", encoding="utf-8")


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two tiny collections under ``tmp_path/evals/collections``; the eval's model is the tiny embedder."""
    model = TinyEmbedder()
    monkeypatch.setattr("assistant.core.load_embedder", lambda *args, **kwargs: model)
    root = tmp_path / "evals" / "collections"
    _collection(root, "alpha", True)
    _collection(root, "beta", False)
    return tmp_path


def _args(tmp: Path, *more: object) -> list[object]:
    return ["eval", "--collections", tmp / "evals" / "collections", "--index", tmp / "index",
            "--out", tmp / "out", *more]


def test_eval_reports_every_collection_and_direction(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(_args(tiny), capsys)
    assert code == 0 and "alpha" in out and "(held out)" in out and "zh→en" in out
    data = json.loads((tiny / "out" / "report.json").read_text(encoding="utf-8"))
    assert [(c["collection"], c["label"]) for c in data["collections"]] == [("alpha", "tuned on"),
                                                                          ("beta", "held out")]
    modes = data["collections"][1]["modes"]
    assert set(modes) == {"sparse", "dense", "hybrid", "hybrid+xling"}
    default = modes["hybrid+xling"]
    assert set(default["direction"]) == {"zh→zh", "en→en", "zh→en", "en→zh"}
    assert {"Hit@1", "Hit@5", "MRR@10", "nDCG@10", "Recall@5", "Sentence"} <= set(default["direction"]["zh→zh"])
    assert default["overall"]["confidence_auc"] is not None
    assert default["conversation"]["turns"] == 4 and default["conversation"]["unanswerable_turns"] == 1
    md = (tiny / "out" / "report.md").read_text(encoding="utf-8")
    assert "| alpha | tuned on |" in md and "[README](../evals/collections/beta/README.md)" in md
    failures = (tiny / "out" / "failures.md").read_text(encoding="utf-8")
    assert "## alpha (tuned on)" in failures and "## beta (held out)" in failures
    trec = (tiny / "out" / "run.trec").read_text(encoding="utf-8").splitlines()
    assert {line.split()[0].split("/")[0] for line in trec} == {"alpha", "beta"}
    assert any(line.startswith("beta/beta-c2.2 ") for line in trec)  # conversation turns are in the run
    assert (tiny / "out" / "quality.png").read_bytes()[:4] == b"\x89PNG"
    folders = sorted(p.name for p in (tiny / "index" / "eval").iterdir() if p.is_dir())
    assert [f.split("-")[0] for f in folders] == ["alpha", "beta"]
    assert any(p.name.startswith("queries-") for p in (tiny / "index" / "eval").iterdir())


def test_gate_per_collection(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run_main(_args(tiny, "--update-expected"), capsys)
    path = tiny / "evals" / "expected.json"
    assert code == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [(e["collection"], e["pack"]) for e in data["entries"]] == [("alpha", "on"), ("beta", "on")]
    assert run_main(_args(tiny, "--check"), capsys)[0] == 0
    data["entries"][1]["scores"]["direction"]["zh→zh"]["MRR@10"] += 1.01  # more than one question's worth
    data["entries"][1]["scores"]["abstention"]["f1"] += 0.05  # not a mean over questions: 0.02 tolerance
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run_main(_args(tiny, "--check"), capsys)
    assert code == 1 and "DROP: beta: zh→zh MRR@10" in out and "DROP: beta: abstention F1" in out
    assert run_main(_args(tiny, "--check", "--collection", "alpha"), capsys)[0] == 0  # only alpha is checked
    code, out, _ = run_main(_args(tiny, "--check", "--pack", "off", "--collection", "alpha"), capsys)
    assert code == 1 and "no entry" in out


def test_pack_on_and_off(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(_args(tiny, "--pack", "both", "--modes", "sparse,hybrid+xling"), capsys)
    assert code == 0 and "pack off" in out
    data = json.loads((tiny / "out" / "report.json").read_text(encoding="utf-8"))
    assert [(c["collection"], c["pack"]) for c in data["collections"]] == [
        ("alpha", "on"), ("beta", "on"), ("alpha", "off"), ("beta", "off")]
    assert "## The domain pack on and off" in (tiny / "out" / "report.md").read_text(encoding="utf-8")
    assert len([p for p in (tiny / "index" / "eval").iterdir() if p.is_dir()]) == 4


def test_leave_one_collection_out_tuning(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    grid = tiny / "grid.json"
    grid.write_text(json.dumps({"weight_sparse_same": [0.3, 0.9], "abstain_threshold": [0.0], "not_a_setting": [1]}),
                    encoding="utf-8")
    code, out, _ = run_main(_args(tiny, "--tune", "--grid", grid), capsys)
    assert code == 0 and "Tuned on all collections (not a held-out figure)" in out
    data = json.loads((tiny / "out" / "tuning.json").read_text(encoding="utf-8"))
    assert [f["held_out"] for f in data["folds"]] == ["alpha", "beta"]
    assert [c["label"] for c in data["candidates"]] == ["current settings", "weight_sparse_same=0.3",
                                                        "weight_sparse_same=0.9", "abstain_threshold=0"]
    assert any("not_a_setting" in s for s in data["skipped"])
    table = {c["label"]: c["objective_tuned_on"] for c in data["candidates"]}
    for fold in data["folds"]:
        other = "beta" if fold["held_out"] == "alpha" else "alpha"
        assert table[fold["chosen_label"]][other] == max(t[other] for t in table.values())
        assert fold["held_out_figures"]["objective"] == table[fold["chosen_label"]][fold["held_out"]]
    md = (tiny / "out" / "tuning.md").read_text(encoding="utf-8")
    assert "## Tuned on all collections: not a held-out figure" in md and "Objective:" in md


@pytest.mark.parametrize(("argv", "message"), [
    (["--collection", "nope"], "unknown collection nope"),
    (["--tune", "--pack", "both"], "one domain pack"),
    (["--check", "--expected", "missing.json"], "no expected figures"),
    (["--tune", "--collection", "alpha"], "at least two collections"),
])
def test_bad_usage_is_one_line(tiny: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                               message: str) -> None:
    code, _, err = run_main(_args(tiny, *argv), capsys)
    assert code == 2 and err.count("\n") == 1 and message in err


def test_tuning_index_time_settings_builds_an_index_per_setting(tiny: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    grid = tiny / "grid.json"
    grid.write_text(json.dumps([{"weight_sparse_same": 0.25}]), encoding="utf-8")
    code, _, _ = run_main(_args(tiny, "--tune-chunks", "--grid", grid), capsys)
    assert code == 0
    data = json.loads((tiny / "out" / "tuning.json").read_text(encoding="utf-8"))
    index_time = [c["label"] for c in data["candidates"] if c["index_time"]]
    assert index_time == ["chunk_size=128", "chunk_size=192", "chunk_size=320", "chunk_overlap=0",
                          "chunk_overlap=64", "domain_pack=False"]
    folders = [p for p in (tiny / "index" / "eval").iterdir() if p.is_dir()]
    assert len(folders) == 2 * (1 + len(index_time))  # each collection: the current settings and each candidate


def test_a_new_index_folder_starts_with_its_siblings_passage_vectors(tmp_path: Path) -> None:
    from assistant.evaluate.suite import _reuse_vectors

    eval_dir = tmp_path / "eval"
    (eval_dir / "drugs-aaa" / "cache").mkdir(parents=True)
    (eval_dir / "drugs-aaa" / "cache" / "embeddings-0123456789abcdef.npz").write_bytes(b"vectors")
    (eval_dir / "seeds-aaa" / "cache").mkdir(parents=True)
    (eval_dir / "seeds-aaa" / "cache" / "embeddings-fedcba9876543210.npz").write_bytes(b"other")
    _reuse_vectors(eval_dir / "drugs-bbb", "drugs")
    assert [p.name for p in (eval_dir / "drugs-bbb" / "cache").iterdir()] == ["embeddings-0123456789abcdef.npz"]
    assert (eval_dir / "drugs-bbb" / "cache" / "embeddings-0123456789abcdef.npz").read_bytes() == b"vectors"
    (eval_dir / "drugs-ccc").mkdir()
    _reuse_vectors(eval_dir / "drugs-ccc", "drugs")  # a folder that exists is left as it is
    assert not (eval_dir / "drugs-ccc" / "cache").exists()
