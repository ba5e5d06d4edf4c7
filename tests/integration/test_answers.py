"""Answers people can trust, on the seeds: the sentence that answers, follow-ups that keep their subject,
plain words for what was searched, and an answer that does not depend on ``k``."""

from __future__ import annotations

import pytest

from assistant.core import Assistant

DOSE_SENTENCE = "FLV 注射剂 500 mg是一种有效剂量"


@pytest.mark.parametrize("question", ["What is the recommended dose of fulvestrant?", "氟维司群的推荐剂量是多少？"])
def test_the_dose_question_highlights_the_dose_sentence(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained
    assert answer.statements, "no answer sentence"
    assert DOSE_SENTENCE in answer.statements[0].text
    cited = answer.citations[answer.statements[0].citation - 1]
    b, e = answer.statements[0].span
    assert cited.passage.text[b:e] == answer.statements[0].text


@pytest.mark.parametrize(("question", "said"), [
    ("PALOMA-2研究中palbociclib联合letrozole的ORR是多少？", "55.3% vs. 44.4%"),  # one sentence across "vs."
    ("What overall survival did ribociclib plus letrozole achieve in MONALEESA-2?", "63.9 个月 vs. 51.4 个月"),
    ("What was the median PFS with exemestane plus tucidinostat in the ACE trial?", "7.4个月 vs. 3.8个月"),
])
def test_the_answer_sentence_quotes_the_figure_asked_for(assistant: Assistant, question: str, said: str) -> None:
    answer = assistant.ask(question)
    first = answer.statements[0]
    assert said in first.text
    assert answer.citations[first.citation - 1].passage.text[first.span[0] : first.span[1]] == first.text


def test_a_question_of_two_parts_gets_a_sentence_for_each(assistant: Assistant) -> None:
    answer = assistant.ask("How common are bone metastases in advanced breast cancer, and what proportion of "
                           "patients with bone metastases are hormone receptor-positive?")
    assert len(answer.statements) == 2
    assert "65" in answer.statements[0].text
    assert "87.2%" in answer.statements[1].text
    assert answer.statements[0].citation != answer.statements[1].citation


def test_a_question_of_one_part_gets_one_sentence(assistant: Assistant) -> None:
    assert len(assistant.ask("What is the recommended dose of fulvestrant?").statements) == 1


def test_an_english_answer_over_chinese_text_carries_glosses(assistant: Assistant) -> None:
    answer = assistant.ask("What is the recommended dose of fulvestrant?")
    glossed = {h.term for h in answer.statements[0].hints}
    assert any("剂量" in term for term in glossed)  # 有效剂量 = effective dose


def test_a_follow_up_keeps_its_subject_and_abstains_when_the_documents_do_not_answer_it(assistant: Assistant) -> None:
    first = "How does everolimus overcome endocrine resistance?"
    assert not assistant.ask(first).abstained
    follow = assistant.ask("and what dose?", history=[first])
    assert follow.abstained  # the documents give fulvestrant's dose, not everolimus's
    shown = " ".join(follow.also_searched)
    assert "everolimus" in shown
    assert "^" not in shown  # plain words, no weights


def test_what_was_searched_is_plain_words(assistant: Assistant) -> None:
    answer = assistant.ask("依维莫司的剂量呢？", history=["依维莫司如何克服内分泌耐药？"])
    assert answer.also_searched
    assert all(len(w) > 1 for w in answer.also_searched)  # no one-character fragments
    assert "变率" not in answer.also_searched


@pytest.mark.parametrize("question", ["What is the recommended dose of fulvestrant?", "How do I reverse a linked list?",
                                      "依维莫司联合依西美坦的BOLERO-2研究结果如何？"])
def test_the_decision_does_not_depend_on_k(assistant: Assistant, question: str) -> None:
    decisions = {assistant.ask(question, k=k).abstained for k in (1, 2, 5, 10)}
    assert len(decisions) == 1


def test_an_unknown_name_is_reported(assistant: Assistant) -> None:
    answer = assistant.ask("What did the SONIA trial show about first-line CDK4/6 inhibitors?")
    assert answer.abstained
    assert any("never mention SONIA" in n for n in answer.notices)
    assert answer.uncovered == ("SONIA",) and answer.to_json()["uncovered"] == ["SONIA"]  # in --json too


def test_a_part_the_documents_never_mention_is_reported_and_the_rest_answered(assistant: Assistant) -> None:
    answer = assistant.ask("What is the recommended dose of fulvestrant, and what did the SONIA trial show?")
    assert not answer.abstained
    assert answer.uncovered == ("SONIA",)
    assert any("never mention SONIA" in n for n in answer.notices)
    assert DOSE_SENTENCE in answer.statements[0].text


def test_a_chinese_question_gets_the_chinese_abstract_before_its_english_translation(assistant: Assistant) -> None:
    # the English abstract translates the Chinese one; a Chinese question is shown the Chinese version first
    answer = assistant.ask("针对激素疗法逐渐失效的难题，学界眼下最关注的是什么？", k=5)
    texts = [c.passage.text for c in answer.citations]
    chinese = next(i for i, t in enumerate(texts) if "如何减少、延缓甚至逆转内分泌治疗耐药现象的发生" in t)
    english = next((i for i, t in enumerate(texts) if t.startswith("Abstract:")), len(texts))
    assert chinese < english


@pytest.mark.parametrize(("question", "first"), [
    ("According to the English abstract, which breast cancer subtype is the most prevalent?", "Abstract:"),
    ("英文摘要说内分泌治疗还有哪些问题没有解决？", "Abstract:"),
    ("中文摘要说内分泌治疗还有哪些问题没有解决？", "摘要："),
])
def test_a_question_that_names_a_version_of_the_abstract_gets_that_version(assistant: Assistant, question: str,
                                                                          first: str) -> None:
    assert assistant.ask(question).citations[0].passage.text.startswith(first)
