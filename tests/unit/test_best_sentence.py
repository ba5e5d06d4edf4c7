"""A passage scored by its best sentence: the main encoder's sentence vectors the build keeps, the best
cosine per passage, and how it enters the main encoder's score (the tiny test encoders: no model)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.embedder import TinyCrossEmbedder, TinyEmbedder

from assistant.core import Assistant
from assistant.index.fresh import staleness
from assistant.index.manifest import Manifest
from assistant.index.moments import PRIMARY
from assistant.index.sentences import SentenceVectors, sentence_starts, sentence_texts
from assistant.search.fusion import with_best_sentence
from assistant.settings import Settings

LONG = """# Letrozole

Letrozole is a non-steroidal aromatase inhibitor taken by mouth. It is given once a day with or without
food. Hot flushes, joint pain and tiredness are common. Bone density should be checked during long use.
The usual dose is 2.5 mg once daily. Patients should report any new bone pain to their doctor.
"""
OTHER = """# Tamoxifen

Tamoxifen blocks the oestrogen receptor in breast tissue. It raises the risk of endometrial changes, so
abnormal bleeding should be reported.
"""


@given(st.lists(st.integers(0, 4), min_size=1, max_size=8), st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_best_is_the_largest_cosine_of_each_passages_sentences(counts: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    vectors = rng.normal(size=(int(starts[-1]), 5)).astype(np.float16)
    query = rng.normal(size=5).astype(np.float32)
    ids = rng.integers(0, len(counts), size=2 * len(counts))
    best = SentenceVectors("x", vectors, starts).best(ids, query)
    assert best.dtype == np.float32 and best.shape == ids.shape
    for got, i in zip(best, ids, strict=True):
        rows = vectors[starts[i] : starts[i + 1]].astype(np.float32)
        assert got == (-np.inf if len(rows) == 0 else pytest.approx(float(np.max(rows @ query)), abs=1e-5))


def test_the_mix_of_passage_and_best_sentence() -> None:
    passage = np.array([0.5, 0.8, 0.4], dtype=np.float32)
    sentence = np.array([0.9, 0.6, -np.inf], dtype=np.float32)
    assert np.allclose(with_best_sentence(passage, sentence, 0.0), passage)
    assert np.allclose(with_best_sentence(passage, sentence, 1.0), [0.9, 0.8, 0.4])  # never below the passage
    assert np.allclose(with_best_sentence(passage, sentence, 0.5), [0.7, 0.8, 0.4])  # no sentences: unchanged


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("best-sentence")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "letrozole.md").write_text(LONG, encoding="utf-8")
    (seeds / "tamoxifen.md").write_text(OTHER, encoding="utf-8")
    a = Assistant(Settings(seeds=seeds, index=root / "index"), embedder=TinyEmbedder(),
                  crosslingual=TinyCrossEmbedder())
    a.open()
    return a


def test_the_build_keeps_the_main_encoders_vector_of_every_sentence(tiny: Assistant) -> None:
    index = tiny.index
    kept = index.signals[PRIMARY].sentences
    assert kept is not None and kept.encoder == TinyEmbedder.id
    assert kept.vectors.dtype == np.float16
    assert kept.vectors.shape == (sum(len(p.sentences) for p in index.passages), TinyEmbedder.dim)
    assert index.manifest.primary_sentences == len(kept.vectors)
    assert np.array_equal(kept.starts, sentence_starts(index.passages))
    p = next(p for p in index.passages if "2.5 mg" in p.text)
    assert len(p.sentences) > 3
    assert np.allclose(kept.of(p.id), TinyEmbedder().encode_passages(sentence_texts([p])), atol=2e-3)


def test_an_index_without_the_main_encoders_sentence_vectors_is_rebuilt(tiny: Assistant) -> None:
    manifest = tiny.index.manifest
    old = json.loads(json.dumps(manifest.to_json()))
    del old["spec"]["primary_sentences"]  # what a build before them recorded
    del old["sentences"]["primary"]
    older = Manifest.from_json(old)
    assert older.primary_sentences == 0
    assert staleness(older, tiny.settings, None, TinyEmbedder.id, TinyCrossEmbedder.id) != ""


@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_the_main_encoders_score_mixes_in_the_best_sentence(tiny: Assistant, weight: float) -> None:
    a = tiny.variant(sentence_weight=weight)
    query = a.analyse("What is the usual dose of letrozole?")
    signal = a.index.signals[PRIMARY]
    assert signal.sentences is not None
    vector = a.searcher().encode(query)[PRIMARY]
    hits = a.searcher().rank(query, {PRIMARY: vector}, None)
    assert hits
    lifted = 0
    for h in hits:
        whole = float(np.asarray(signal.embeddings[h.passage.id], dtype=np.float32) @ vector)
        best = float(signal.sentences.best(np.array([h.passage.id]), vector)[0])
        assert h.dense == pytest.approx((1 - weight) * whole + weight * max(whole, best), abs=1e-5)
        lifted += best > whole + 1e-3
    assert lifted  # a sentence comes closer to the question than its whole passage
