"""Abstention, bridging and hints on the real seeds index."""

from __future__ import annotations


def test_off_topic_and_unknown_trials_abstain_but_answers_do_not(assistant) -> None:  # type: ignore[no-untyped-def]
    assert assistant.ask("What is the capital of Australia?").abstained
    sonia = assistant.ask("What did the SONIA trial show about CDK4/6 inhibitors?")
    assert sonia.abstained and any("SONIA" in n for n in sonia.notices)
    assert sonia.citations, "the nearest passages are still returned, folded under the abstention"
    for question in ("氟维司群的推荐剂量是多少？", "What is the recommended dose of fulvestrant?"):
        answer = assistant.ask(question)
        assert not answer.abstained
        assert "500" in " ".join(c.passage.text for c in answer.citations[:2])


def test_questions_are_bridged_into_every_language_the_collection_holds(assistant) -> None:  # type: ignore[no-untyped-def]
    expander = assistant.expander()
    shares = assistant.index.shares
    assert 0 < shares["en"] < 0.2  # the seeds are mostly Chinese, with English abstracts
    zh = expander.analyse("氟维司群的剂量", (), shares)
    assert {"fulvestr", "dose"} <= {t.text for t in zh.terms if t.foreign_only}
    assert zh.bridged == ("en",)
    en = expander.analyse("fulvestrant dose", (), shares)
    assert "氟维司群" in {t.text for t in en.terms}
    alone = expander.analyse("氟维司群的剂量", (), {"zh": 1.0, "en": 0.0})
    assert not alone.bridged and not [t for t in alone.terms if t.foreign_only]


def test_common_words_are_translated_whether_or_not_a_document_uses_them(assistant) -> None:  # type: ignore[no-untyped-def]
    expander = assistant.expander()
    query = expander.analyse("推荐剂量是多少", (), {"zh": 0.5, "en": 0.5})
    assert {"recommend", "dose"} <= {t.text for t in query.terms if t.foreign_only}


def test_hints_prefer_expanded_and_specific_terms(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.ask("What is the dose of fulvestrant?")
    hints = answer.citations[0].hints
    assert hints and hints[0].term == "氟维司群"
    assert all(h.term != "研究" for c in answer.citations for h in c.hints)
