"""Index persistence and automatic refresh, on a tiny seeds directory, with the tiny test embedder.

The tiny index is built once per module; each test works on its own copy of the seeds and the index.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from support.embedder import TinyCrossEmbedder, TinyEmbedder

from assistant.core import Assistant
from assistant.errors import SeedsError
from assistant.settings import Settings

DOC_A = """氟维司群的研究进展
1　前言
氟维司群（fulvestrant， FLV）是选择性雌激素受体下调剂的代表药物，可阻断雌激素受体信号通路，并加速受体降解。
2　疗效
与阿那曲唑组相比，中位无进展生存期（progression-free survival， PFS）明显延长，FLV 500 mg 是有效剂量。
"""
DOC_B = """# Bone metastases

Denosumab reduces skeletal-related events in patients with bone metastases from breast cancer.
Calcium and vitamin D supplements are needed during denosumab treatment to avoid hypocalcaemia.
"""
DOC_C = """卵巢功能抑制
绝经前患者卵巢功能仍然活跃，卵巢功能抑制(OFS)是内分泌治疗序列的起点，可通过戈舍瑞林等药物实现。
"""
QUESTIONS = ["氟维司群的有效剂量是多少？", "What is needed during denosumab treatment?"]


def write_seeds(seeds: Path) -> None:
    seeds.mkdir(parents=True)
    (seeds / "a.txt").write_text(DOC_A, encoding="utf-8")
    (seeds / "b.md").write_text(DOC_B, encoding="utf-8")
    (seeds / "sub").mkdir()
    (seeds / "sub" / "c.txt").write_text(DOC_C, encoding="utf-8")
    (seeds / "blob.txt").write_bytes(bytes(range(256)) * 8)  # binary: skipped with a warning
    (seeds / "empty.md").write_bytes(b"")  # empty: skipped with a warning
    (seeds / "notes.xlsx").write_bytes(b"PK not indexed")  # a type it cannot read: counted, no warning


MODEL = TinyEmbedder()
"""One embedder for every Assistant here: index behaviour is tested, not the model."""
CROSS = TinyCrossEmbedder()
"""And one standing in for the cross-lingual encoder."""


def make(settings: Settings) -> Assistant:
    return Assistant(settings, embedder=MODEL, crosslingual=CROSS)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    write_seeds(root / "seeds")
    a = make(Settings(seeds=root / "seeds", index=root / "index"))
    report = a.open()
    answers = [a.ask(q, mode="sparse") for q in QUESTIONS]  # the tiny embedder knows no meaning
    return root, report, list(a.index.passages), answers


@pytest.fixture
def copy(tiny, tmp_path):
    """Seeds and index copied (with their timestamps) into this test's directory: (seeds, index)."""
    root = tiny[0]
    shutil.copytree(root / "seeds", tmp_path / "seeds")
    shutil.copytree(root / "index", tmp_path / "index")
    return tmp_path / "seeds", tmp_path / "index"


@pytest.fixture
def no_model():
    """Fail if any passage is embedded (opening a fresh index must not need the model)."""
    before = MODEL.calls
    yield
    assert MODEL.calls == before, "passages were embedded"


def live_build(index: Path) -> str:
    return json.loads((index / "CURRENT").read_text(encoding="utf-8"))["build"]


def by_doc(passages, doc):
    return [p for p in passages if p.doc == doc]


# ----------------------------------------------------------------- first build


def test_first_build(tiny):
    _, report, passages, _ = tiny
    assert report.rebuilt
    assert report.documents == 3
    assert report.passages == len(passages) >= 4
    assert report.embedded == report.passages  # nothing cached yet
    assert {p.doc for p in passages} == {"a.txt", "b.md", "sub/c.txt"}
    assert [p.section for p in by_doc(passages, "a.txt")] == ["1 前言", "2 疗效"]
    assert by_doc(passages, "a.txt")[0].title == "氟维司群的研究进展"


def test_binary_and_empty_files_skipped_with_one_warning_each(tiny):
    _, report, _, _ = tiny
    assert len(report.warnings) == 2
    (blob,) = [w for w in report.warnings if "blob.txt" in w]
    (empty,) = [w for w in report.warnings if "empty.md" in w]
    assert "binary" in blob
    assert "empty" in empty
    assert not any("notes.xlsx" in w for w in report.warnings)
    assert report.unsupported == {".xlsx": 1}


# ----------------------------------------------------------------- persistence


def test_round_trip_loads_without_rebuilding(tiny, copy, no_model):
    _, _, passages, _ = tiny
    seeds, index = copy
    build = live_build(index)
    a = make(Settings(seeds=seeds, index=index))
    report = a.open()
    assert not report.rebuilt
    assert (report.documents, report.passages, report.embedded) == (3, len(passages), 0)
    assert a.index.passages == passages
    assert live_build(index) == build
    assert report.warnings == tiny[1].warnings


def test_round_trip_gives_the_same_answers(tiny, copy):
    _, _, _, answers = tiny
    seeds, index = copy
    a = make(Settings(seeds=seeds, index=index))
    assert not a.open().rebuilt
    again = [a.ask(q, mode="sparse") for q in QUESTIONS]
    assert again == answers
    assert answers[0].citations[0].passage.doc == "a.txt"
    assert any("500 mg" in c.passage.text for c in answers[0].citations[:2])
    assert answers[1].citations[0].passage.doc == "b.md"


def test_unchanged_corpus_is_not_rebuilt(copy, no_model):
    seeds, index = copy
    build = live_build(index)
    for path in seeds.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    for _ in range(2):  # touched (same bytes, new times), then untouched
        report = make(Settings(seeds=seeds, index=index)).open()
        assert not report.rebuilt
        assert report.embedded == 0
    assert live_build(index) == build


# ----------------------------------------------------------------- refresh


def test_editing_one_document_embeds_only_its_passages(tiny, copy):
    _, _, old_passages, _ = tiny
    seeds, index = copy
    build = live_build(index)
    edited = (DOC_A.replace("氟维司群的研究进展", "氟维司群临床研究进展")
              + "3　安全性\n常见不良反应为注射部位疼痛，多数患者可以耐受，严重不良反应少见。\n")
    (seeds / "a.txt").write_text(edited, encoding="utf-8")

    a = make(Settings(seeds=seeds, index=index))
    report = a.open()
    assert report.rebuilt
    assert "documents changed" in report.reason
    assert live_build(index) != build
    new_a = by_doc(a.index.passages, "a.txt")
    assert [p.section for p in new_a] == ["1 前言", "2 疗效", "3 安全性"]
    assert all(p.title == "氟维司群临床研究进展" for p in new_a)
    # only the new section's passage was embedded (a passage embeds its section heading and text, not
    # the document title); everything else came from the embedding cache
    old_texts = {p.text for p in by_doc(old_passages, "a.txt")}
    assert report.embedded == sum(p.text not in old_texts for p in new_a) == 1
    assert report.passages - report.embedded == len(old_passages) - len(by_doc(old_passages, "a.txt")) + 2
    assert [p.text for p in a.index.passages if p.doc != "a.txt"] == [
        p.text for p in old_passages if p.doc != "a.txt"]
    hit = a.ask("注射部位疼痛").citations[0].passage
    assert (hit.doc, hit.section) == ("a.txt", "3 安全性")
    # and the next open finds it fresh
    assert not make(Settings(seeds=seeds, index=index)).open().rebuilt


def test_removing_and_adding_documents(copy):
    seeds, index = copy
    (seeds / "sub" / "c.txt").unlink()
    report = make(Settings(seeds=seeds, index=index)).open()
    assert report.rebuilt and report.documents == 2
    assert report.embedded == 0  # every remaining passage is cached

    (seeds / "d.md").write_text(
        "# Zoledronic acid\n\nZoledronic acid is a bisphosphonate for bone metastases.\n", encoding="utf-8")
    a = make(Settings(seeds=seeds, index=index))
    report = a.open()
    assert report.rebuilt and report.documents == 3
    assert report.embedded == len(by_doc(a.index.passages, "d.md")) == 1


def test_changing_chunk_settings_rebuilds(tiny, copy):
    seeds, index = copy
    build = live_build(index)
    # sections of the tiny documents fit either size: the same passages, all from the embedding cache
    other = Settings(seeds=seeds, index=index, chunk_size=100, chunk_overlap=8)
    a = make(other)
    report = a.open()
    assert report.rebuilt
    assert "settings" in report.reason
    assert report.embedded == 0
    assert live_build(index) != build
    assert a.index.manifest.spec["chunker"]["chunk_size"] == 100
    assert a.index.manifest.spec["chunker"]["chunk_overlap"] == 8
    assert [p.text for p in a.index.passages] == [p.text for p in tiny[2]]
    assert not make(other).open().rebuilt
    # back to the original settings: rebuilt again
    report = make(Settings(seeds=seeds, index=index)).open()
    assert report.rebuilt and "settings" in report.reason


def test_the_bigram_field_follows_its_setting(tiny, copy):
    seeds, index = copy
    a = make(Settings(seeds=seeds, index=index))
    a.open()
    assert a.index.phrases is not None and a.index.phrases.num_docs == len(a.index.passages)
    assert a.index.manifest.spec["chinese_bigrams"] is True
    assert "展生" in a.index.phrases.vocab and "展生" not in a.index.sparse.vocab  # 进展|生存: no word
    off = make(Settings(seeds=seeds, index=index, chinese_bigrams=False))
    report = off.open()
    assert report.rebuilt and "settings" in report.reason and report.embedded == 0
    assert off.index.phrases is None and not (off.index.path / "bigrams").exists()
    assert off.ask("氟维司群的剂量是多少？", mode="sparse").citations


def test_damaged_index_is_rebuilt(tiny, copy):
    seeds, index = copy
    passages_file = index / "builds" / live_build(index) / "passages.jsonl"
    data = passages_file.read_bytes()
    passages_file.write_bytes(data[: len(data) // 2])
    a = make(Settings(seeds=seeds, index=index))
    report = a.open()
    assert report.rebuilt
    assert "corrupted" in report.reason or "truncated" in report.reason
    assert report.embedded == 0  # the embedding cache survived
    assert a.index.passages == tiny[2]


def test_missing_or_empty_seeds(tmp_path):
    with pytest.raises(SeedsError, match="does not exist"):
        make(Settings(seeds=tmp_path / "nope", index=tmp_path / "index")).open()
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "blank.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(SeedsError, match="no readable"):
        make(Settings(seeds=tmp_path / "empty", index=tmp_path / "index2")).open()


@pytest.mark.parametrize("below", ["", "sub/index"])
def test_an_index_path_through_a_file_is_one_clear_error(tmp_path: Path, below: str) -> None:
    from assistant.errors import SettingsError
    from assistant.index import store

    blocker = tmp_path / "afile"
    blocker.write_text("mine", encoding="utf-8")
    with (pytest.raises(SettingsError, match=f"{blocker} is a file; choose another folder with --index"),
          store.build_lock(blocker / below if below else blocker)):
        pass
    assert blocker.read_text(encoding="utf-8") == "mine"
