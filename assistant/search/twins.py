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
from dataclasses import dataclass, field, replace

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


@dataclass(frozen=True)
class _Twins:
    """One document's twins: passage id → the ids of its twins, and each paired sentence → its pair."""

    passages: dict[int, frozenset[int]] = field(default_factory=dict)
    sentences: dict[Sentence, Sentence] = field(default_factory=dict)


def _of_document(index: Index, pid: int) -> _Twins:
    """The twins of ``pid``'s document, found once per document and remembered in ``index.memo``."""
    doc = index.passages[pid].doc
    key = f"twins:{doc}"
    table = index.memo.get(key)
    if table is None:
        table = index.memo[key] = _document_twins(index, doc)
    return table


def twins_of(index: Index, pid: int) -> frozenset[int]:
    """The passage ids of ``pid``'s twins in the other language (empty without cross-lingual sentence
    vectors)."""
    return _of_document(index, pid).passages.get(pid, frozenset())


def translation_of(index: Index, pid: int, sentence: int) -> Sentence | None:
    """The sentence of a twin that translates sentence ``sentence`` (an index into
    ``Passage.sentences``) of passage ``pid``, as ``(passage id, sentence index)``; None when the sentence
    has no pair or its passage no twin."""
    found = _of_document(index, pid)
    pair = found.sentences.get((pid, sentence))
    return pair if pair is not None and pair[0] in found.passages.get(pid, frozenset()) else None


def _document_twins(index: Index, doc: str) -> _Twins:
    """Every twin pair of one document's body passages, both ways, and the sentence pairs that make them."""
    sentences = index.sentences
    if sentences is None:
        return _Twins()
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
        return _Twins()
    owners: list[list[Sentence]] = []
    vectors: list[np.ndarray] = []
    counts: dict[int, int] = {}
    for side in sides:
        blocks = [sentences.of(i) for i in side]
        counts.update((i, len(b)) for i, b in zip(side, blocks, strict=True))
        owners.append([(i, j) for i, b in zip(side, blocks, strict=True) for j in range(len(b))])
        vectors.append(np.concatenate(blocks))
    if not all(len(v) for v in vectors):
        return _Twins()
    cosines = vectors[0] @ vectors[1].T  # (Chinese sentences, English sentences)
    across, down = cosines.argmax(axis=1), cosines.argmax(axis=0)
    rows = np.flatnonzero((down[across] == np.arange(len(across)))
                          & (cosines[np.arange(len(across)), across] >= SENTENCE_COSINE))
    partners: list[dict[int, list[int]]] = [defaultdict(list), defaultdict(list)]
    translations: dict[Sentence, Sentence] = {}
    for row in rows:
        zh, en = owners[0][row], owners[1][int(across[row])]
        partners[0][zh[0]].append(en[0])
        partners[1][en[0]].append(zh[0])
        translations[zh], translations[en] = en, zh
    found: dict[int, set[int]] = defaultdict(set)
    for side, pairs in zip(sides, partners, strict=True):
        for pid in side:
            if counts[pid] and len(pairs.get(pid, ())) >= SHARE * counts[pid]:
                for other in pairs[pid]:
                    found[pid].add(other)
                    found[other].add(pid)
    return _Twins({pid: frozenset(ids) for pid, ids in found.items()}, translations)


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
