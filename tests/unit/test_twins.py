"""Twins: a passage in the question's language comes before its translation (assistant.search.twins)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from assistant.records import Hit, Passage, Query
from assistant.search import twins


class _Sentences:
    """Sentence vectors by passage, as :class:`assistant.index.sentences.SentenceVectors` gives them."""

    def __init__(self, by_passage: list[list[np.ndarray]]) -> None:
        self.by_passage = by_passage

    def of(self, pid: int) -> np.ndarray:
        rows = self.by_passage[pid]
        return np.stack(rows).astype(np.float32) if rows else np.zeros((0, 6), dtype=np.float32)


def _index(with_sentences: bool = True) -> SimpleNamespace:
    """One Chinese paper: an abstract of three sentences in two Chinese passages (0: sentences a, b; 1:
    sentence c) and in one English passage (2: a', b', c'), a Chinese passage (3) with one sentence close
    to the abstract's first and one on its own, an English reference list that repeats the abstract (4)
    and an English passage of another document that says the same as the abstract (5)."""
    a, b, c, d, e, f = np.eye(6)

    def near(v: np.ndarray, other: np.ndarray, weight: float) -> np.ndarray:
        w = v + weight * other
        return w / np.linalg.norm(w)

    sentences = [[a, b], [c], [near(a, f, 0.3), near(b, f, 0.3), near(c, f, 0.3)], [near(a, e, 1.2), d],
                 [a, b, c], [a, b, c]]
    texts = ["摘要：第一句。第二句。", "第三句。", "Abstract: one. Two. Three.", "正文。另一句。",
             "1. Smith J. One. Two. Three.", "One. Two. Three."]
    passages = [Passage(id=i, doc="other.txt" if i == 5 else "paper.txt", title="t", section="s", start=i,
                        end=i + 1, line_start=1, line_end=1, text=t, role="references" if i == 4 else "body")
                for i, t in enumerate(texts)]
    return SimpleNamespace(passages=passages, chinese=np.array([True, True, False, True, False, False]),
                           sentences=_Sentences(sentences) if with_sentences else None, memo={})


def _hits(index: SimpleNamespace, ranked: list[tuple[int, float]]) -> list[Hit]:
    return [Hit(index.passages[i], s) for i, s in ranked]


def _query(language: str) -> Query:
    return Query(question="q", language=language, text="q", terms=())


def test_a_translation_is_the_twin_of_the_passages_that_hold_its_sentences():
    index = _index()
    assert twins.twins_of(index, 2) == {0, 1}
    assert twins.twins_of(index, 0) == {2}
    assert twins.twins_of(index, 1) == {2}
    assert twins.twins_of(index, 3) == frozenset()
    assert twins.twins_of(index, 4) == frozenset()  # back matter has no twins
    assert twins.twins_of(index, 5) == frozenset()  # nor has another document


def test_the_twin_in_the_question_language_moves_just_above_its_translation():
    index = _index()
    hits = _hits(index, [(2, 3.0), (3, 2.0), (0, 1.0), (1, 0.5)])
    out = twins.apply(index, _query("zh"), hits)
    assert [h.passage.id for h in out] == [0, 2, 3, 1]
    assert out[0].score == pytest.approx(3.0) and out[0].score > out[1].score
    assert out[1].score == 3.0 and out[2].score == 2.0  # nothing else moves


def test_nothing_moves_for_a_question_in_the_translation_language_or_when_the_twin_leads():
    index = _index()
    hits = _hits(index, [(2, 3.0), (3, 2.0), (0, 1.0)])
    assert twins.apply(index, _query("en"), hits) == hits
    leading = _hits(index, [(1, 3.5), (2, 3.0), (0, 1.0)])
    assert twins.apply(index, _query("zh"), leading) == leading


def test_an_english_question_gets_the_english_version_first():
    index = _index()
    hits = _hits(index, [(0, 3.0), (3, 2.0), (2, 1.0)])
    assert [h.passage.id for h in twins.apply(index, _query("en"), hits)] == [2, 0, 3]


def test_a_sentence_close_to_one_of_the_abstract_does_not_make_a_twin():
    index = _index()
    hits = _hits(index, [(2, 3.0), (3, 2.0), (0, 1.0)])
    assert twins.twins_of(index, 3) == frozenset()
    assert [h.passage.id for h in twins.apply(index, _query("zh"), hits)] == [0, 2, 3]


def test_without_cross_lingual_sentence_vectors_nothing_moves():
    index = _index(with_sentences=False)
    hits = _hits(index, [(2, 3.0), (0, 1.0)])
    assert twins.apply(index, _query("zh"), hits) == hits


def test_a_question_that_names_a_version_keeps_that_version_first():
    index = _index()
    hits = _hits(index, [(2, 3.0), (3, 2.0), (0, 1.0)])
    named = Query(question="英文摘要说了什么？", language="zh", text="英文摘要说了什么？", terms=())
    assert twins.apply(index, named, hits) == hits


def test_a_paired_sentence_knows_its_translation_in_the_twin():
    index = _index()
    assert twins.translation_of(index, 2, 0) == (0, 0)  # a' ↔ a
    assert twins.translation_of(index, 2, 2) == (1, 0)  # c' ↔ c, in the second Chinese passage
    assert twins.translation_of(index, 0, 1) == (2, 1)  # b ↔ b'
    assert twins.translation_of(index, 3, 0) is None  # close to a, but a's pair is a'
    assert twins.translation_of(index, 4, 0) is None  # back matter has no twins
    assert twins.translation_of(_index(with_sentences=False), 2, 0) is None


def test_the_answer_sentence_is_shown_in_the_readers_language_when_its_translation_is_cited():
    from assistant import answer
    from assistant.records import Citation

    index = _index()
    spans = {0: ((3, 7), (7, 11)), 1: ((0, 4),), 2: ((0, 14), (15, 19), (20, 26))}
    passages = {i: replace(index.passages[i], sentences=spans[i]) for i in spans}
    cited = [Citation(rank, passages[pid], 1.0, None) for rank, pid in ((1, 2), (2, 0), (3, 1))]

    def translation(passage: Passage, j: int) -> tuple[int, int] | None:
        return twins.translation_of(index, passage.id, j)

    # a Chinese reader is shown 第二句 (passage 0, citation 2) for Two. (passage 2, citation 1)
    assert answer.in_reader_language(cited, 1, (15, 19), _query("zh"), translation) == (2, (7, 11))
    assert answer.in_reader_language(cited, 1, (20, 26), _query("zh"), translation) == (3, (0, 4))
    # an English reader keeps it, and so does one who names the English version
    assert answer.in_reader_language(cited, 1, (15, 19), _query("en"), translation) == (1, (15, 19))
    english = Query(question="英文摘要说了什么？", language="zh", text="英文摘要说了什么？", terms=())
    assert answer.in_reader_language(cited, 1, (15, 19), english, translation) == (1, (15, 19))
    # a translation that is not cited is not shown
    assert answer.in_reader_language(cited[:2], 1, (20, 26), _query("zh"), translation) == (1, (20, 26))


def test_one_sentence_may_translate_two():
    # the Chinese abstract says in one sentence what the English one says in two (a, b)
    a, b = np.eye(6)[:2]
    both = (a + b) / np.linalg.norm(a + b)
    passages = [Passage(id=0, doc="p.txt", title="t", section="s", start=0, end=1, line_start=1, line_end=1,
                        text="摘要：一句。"),
                Passage(id=1, doc="p.txt", title="t", section="s", start=1, end=2, line_start=1, line_end=1,
                        text="Abstract: one. Two.")]
    index = SimpleNamespace(passages=passages, chinese=np.array([True, False]),
                            sentences=_Sentences([[both], [a, b]]), memo={})
    assert twins.twins_of(index, 0) == {1} and twins.twins_of(index, 1) == {0}
    assert twins.translation_of(index, 1, 0) == (0, 0)
    assert twins.translation_of(index, 1, 1) == (0, 0)  # not mutual, still its translation
