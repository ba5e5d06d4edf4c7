"""Twins: the same text in the question's language comes before its translation.

A Chinese journal article carries its abstract twice, in Chinese and in English; a bilingual table note
says the same thing in both languages. Both versions answer a question about them, and the cross-lingual
signals make the translation rank close to the original, sometimes above it. A reader who asked in
Chinese should be shown the Chinese version first, and one who asked in English the English one.

Two passages of one document are **twins** when one translates the other, found as bitext mining finds
parallel sentences: a sentence of one language and a sentence of the other are a pair when each is the
other's nearest neighbour among the document's sentences of that language (mutual nearest neighbours,
the criterion of Artetxe & Schwenk 2019, "Margin-based parallel corpus mining with multilingual sentence
embeddings"), by the cross-lingual encoder's sentence vectors, with a cosine of at least
:data:`SENTENCE_COSINE`. A passage at least :data:`SHARE` of whose sentences have a pair is a
translation of the passages that hold their pairs, and those are its twins (a Chinese abstract is often
cut into more passages than its English version). Whole-passage cosines do not tell: a faithful
translation of a four-sentence abstract scores 0.79 with USE-multilingual, a BMI table against the
paragraph that explains it 0.82; the sentences of the translation pair up at 0.65–0.89, while
sentences on the same topic that are not translations rarely are each other's nearest neighbour.

:func:`apply` moves the best-ranked twin in the question's language to just above its translation when
the translation ranks higher; the translation keeps its score and follows at the next rank. Only body
text has twins: back matter and abbreviation keys are placed by :mod:`.prior`, and a bilingual key is
noise in both of its languages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np

from ..index import Index
from ..records import Hit, Query
from . import prior

SENTENCE_COSINE = 0.6
"""The least cosine (0..1) of a sentence pair: translated sentences of the gold collections' one
bilingual abstract pair up at 0.70–0.89, the one pair below (0.55) joins a sentence of the abstract to
a paraphrase of it in the conclusion."""
SHARE = 0.5
"""The least share of a passage's sentences that must have a pair for it to be a translation."""
DEPTH = 10
"""How many of the best candidates are looked at for a translation that ranks above its twin."""
STEP = 1e-6
"""How far above its translation a twin is put."""


Sentence = tuple[int, int]
"""A sentence of a passage: ``(passage id, index into Passage.sentences)``."""


def twins_of(index: Index, pid: int) -> frozenset[int]:
    """The passage ids of ``pid``'s twins in the other language (empty without cross-lingual sentence
    vectors). Found once per document and remembered in ``index.memo``."""
    doc = index.passages[pid].doc
    key = f"twins:{doc}"
    table = index.memo.get(key)
    if table is None:
        table = index.memo[key] = _document_twins(index, doc)
    return table.get(pid, frozenset())


def translation_of(index: Index, pid: int, sentence: int) -> Sentence | None:
    """The sentence of a twin that renders sentence ``sentence`` (an index into ``Passage.sentences``) of
    passage ``pid``, as ``(passage id, sentence index)``: the twins' sentence nearest to it by the
    cross-lingual encoder (the passages are known to translate each other, so the nearest is its
    rendering even where one sentence renders two); None when the passage has no twin."""
    sentences = index.sentences
    others = sorted(twins_of(index, pid))
    if sentences is None or not others:
        return None
    own = sentences.of(pid)
    if not 0 <= sentence < len(own):
        return None
    blocks = [sentences.of(other) for other in others]
    owners = [(other, j) for other, block in zip(others, blocks, strict=True) for j in range(len(block))]
    if not owners:
        return None
    return owners[int(np.argmax(np.concatenate(blocks) @ own[sentence]))]


def _document_twins(index: Index, doc: str) -> dict[int, frozenset[int]]:
    """Every twin pair of one document's body passages, both ways: passage id → the ids of its twins."""
    sentences = index.sentences
    if sentences is None:
        return {}
    by_doc = index.memo.get("passages-by-document")
    if by_doc is None:
        by_doc = defaultdict(list)
        for p in index.passages:
            if p.role == "body":
                by_doc[p.doc].append(p.id)
        index.memo["passages-by-document"] = by_doc
    members = by_doc.get(doc, [])
    sides = [[i for i in members if bool(index.chinese[i]) == chinese] for chinese in (True, False)]
    if not all(sides):
        return {}
    owners: list[np.ndarray] = []
    vectors: list[np.ndarray] = []
    counts: dict[int, int] = {}
    for side in sides:
        blocks = [sentences.of(i) for i in side]
        counts.update((i, len(b)) for i, b in zip(side, blocks, strict=True))
        owners.append(np.repeat(np.asarray(side, dtype=np.int64), [len(b) for b in blocks]))
        vectors.append(np.concatenate(blocks))
    if not all(len(v) for v in vectors):
        return {}
    cosines = vectors[0] @ vectors[1].T  # (Chinese sentences, English sentences)
    across, down = cosines.argmax(axis=1), cosines.argmax(axis=0)
    rows = np.flatnonzero((down[across] == np.arange(len(across)))
                          & (cosines[np.arange(len(across)), across] >= SENTENCE_COSINE))
    partners: list[dict[int, list[int]]] = [defaultdict(list), defaultdict(list)]
    for row in rows:
        zh, en = int(owners[0][row]), int(owners[1][across[row]])
        partners[0][zh].append(en)
        partners[1][en].append(zh)
    found: dict[int, set[int]] = defaultdict(set)
    for side, pairs in zip(sides, partners, strict=True):
        for pid in side:
            if counts[pid] and len(pairs.get(pid, ())) >= SHARE * counts[pid]:
                for other in pairs[pid]:
                    found[pid].add(other)
                    found[other].add(pid)
    return {pid: frozenset(ids) for pid, ids in found.items()}


def apply(index: Index, query: Query, candidates: list[Hit]) -> list[Hit]:
    """The candidates with each translation among the first :data:`DEPTH` preceded by its best-ranked
    twin in the question's language (or in the language version the question names,
    :func:`.prior.named_language`), when that twin is among the candidates and ranks lower; best first
    (ties by passage id). Returns the input when nothing moves."""
    if index.sentences is None or len(candidates) < 2:
        return candidates
    wanted = (prior.named_language(query) or query.language) == "zh"
    position = {h.passage.id: i for i, h in enumerate(candidates)}
    scores = [h.score for h in candidates]
    moved = False
    for i, hit in enumerate(candidates[:DEPTH]):
        pid = hit.passage.id
        if bool(index.chinese[pid]) == wanted:
            continue
        ranked = [position[t] for t in twins_of(index, pid) if t in position]
        if not ranked or any(scores[j] >= scores[i] for j in ranked):
            continue  # no twin among the candidates, or one already ranks above it
        scores[min(ranked)] = scores[i] + STEP
        moved = True
    if not moved:
        return candidates
    out = [replace(h, score=s) if s != h.score else h for h, s in zip(candidates, scores, strict=True)]
    return sorted(out, key=lambda h: (-h.score, h.passage.id))
