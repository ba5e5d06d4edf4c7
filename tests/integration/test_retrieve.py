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


def test_a_disease_the_documents_never_mention_is_not_answered_from_something_else(assistant) -> None:  # type: ignore[no-untyped-def]
    for question, disease in (("How is hepatitis B transmitted?", "hepatitis"),
                              ("阿尔茨海默病的早期症状有哪些？", "阿尔茨海默病"),  # the segmenter cuts off 病
                              ("哮喘急性发作如何治疗？", "哮喘")):  # no disease ending; CC-CEDICT: asthma
        answer = assistant.ask(question)
        assert answer.abstained, question
        assert any(f"never mention {disease}" in n for n in answer.notices), answer.notices
    # a disease they do mention, and a general word (syndrome) for what they name in particular
    assert not assistant.ask("乳腺癌骨转移的治疗策略是什么？").abstained
    wasting = assistant.ask("Why are people with advanced disease prone to wasting syndrome?")
    assert not any("never mention" in n for n in wasting.notices), wasting.notices


def test_what_is_asked_about_a_name_may_be_in_the_headings_above_the_passage(assistant) -> None:  # type: ignore[no-untyped-def]
    # the passage on everolimus sits under "1 内分泌治疗的作用机制" and never says 作用机制 itself
    answer = assistant.ask("依维莫司的作用机制")
    assert not answer.abstained
    assert "依维莫司" in answer.statements[0].text and "PI3K/AKT/mTOR" in answer.statements[0].text
