"""The answer sentence: which sentence of the first passages is shown above them, and what the build keeps
for it (the tiny test encoders: no model)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from support.embedder import TinyCrossEmbedder, TinyEmbedder

from assistant import answer
from assistant.core import Assistant
from assistant.index.fresh import staleness
from assistant.index.manifest import Manifest
from assistant.index.sentences import sentence_texts
from assistant.lexicon.analyze import quantities
from assistant.records import Hit, Passage, Query, Term
from assistant.settings import Settings

DOSE = """氟维司群的研究进展
1　前言
氟维司群（fulvestrant， FLV）是选择性雌激素受体下调剂的代表药物，可阻断雌激素受体信号通路。
2　剂量
氟维司群的疗效已在多项研究中得到证实。与阿那曲唑组相比，中位无进展生存期明显延长，FLV 500 mg 是有效剂量。
"""
BONE = """# Bone metastases

Denosumab reduces skeletal-related events in patients with bone metastases. Calcium and vitamin D
supplements are needed during denosumab treatment to avoid hypocalcaemia.
"""
TABLE = """# Doses

| drug | dose |
| --- | --- |
| letrozole | 2.5 mg daily |
| anastrozole | 1 mg daily |
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("answer")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "dose.txt").write_text(DOSE, encoding="utf-8")
    (seeds / "bone.md").write_text(BONE, encoding="utf-8")
    (seeds / "table.md").write_text(TABLE, encoding="utf-8")
    a = Assistant(Settings(seeds=seeds, index=root / "index"), embedder=TinyEmbedder(),
                  crosslingual=TinyCrossEmbedder())
    a.open()
    return a


def _passage(a: Assistant, needle: str) -> Passage:
    return next(p for p in a.index.passages if needle in p.text)


def test_the_build_keeps_a_vector_for_every_sentence(tiny: Assistant) -> None:
    index = tiny.index
    vectors = index.sentences
    assert vectors is not None
    assert vectors.encoder == TinyCrossEmbedder.id
    assert vectors.vectors.dtype == np.float16
    assert vectors.vectors.shape == (sum(len(p.sentences) for p in index.passages), TinyCrossEmbedder.dim)
    assert index.manifest.sentences == len(vectors.vectors)
    # row j of a passage's block is its sentence j, as the cross-lingual encoder reads it
    p = _passage(tiny, "500 mg")
    expected = TinyCrossEmbedder().encode_passages(sentence_texts([p]))
    assert np.allclose(vectors.of(p.id), expected, atol=2e-3)


def test_an_index_without_sentence_vectors_is_rebuilt(tiny: Assistant) -> None:
    manifest = tiny.index.manifest
    old = json.loads(json.dumps(manifest.to_json()))
    del old["spec"]["sentences"]  # what a build before sentence vectors recorded
    del old["sentences"]
    older = Manifest.from_json(old)
    assert older.sentences == 0
    assert staleness(older, tiny.settings, None, TinyEmbedder.id, TinyCrossEmbedder.id) != ""
    assert staleness(manifest, tiny.settings, None, TinyEmbedder.id, TinyCrossEmbedder.id) in ("", "?")


def test_the_dose_question_is_answered_by_the_sentence_that_gives_the_dose(tiny: Assistant) -> None:
    for mode in ("sparse", "hybrid"):
        a = tiny.ask("氟维司群的有效剂量是多少？", mode=mode)  # type: ignore[arg-type]
        assert a.statements, mode
        first = a.statements[0]
        assert "FLV 500 mg 是有效剂量" in first.text
        cited = a.citations[first.citation - 1]
        assert cited.passage.text[first.span[0] : first.span[1]] == first.text
        assert cited.best_sentence == first.span


def test_a_statement_is_one_sentence_not_the_heading_or_the_passage(tiny: Assistant) -> None:
    a = tiny.ask("What is needed during denosumab treatment?", mode="sparse")
    text = a.statements[0].text
    assert text.startswith("Calcium and vitamin D") and text.endswith("to avoid hypocalcaemia.")
    assert "Bone metastases" not in text and "reduces skeletal-related events" not in text


def test_a_table_row_is_a_statement_of_its_own(tiny: Assistant) -> None:
    a = tiny.ask("What is the dose of letrozole?", mode="sparse")
    assert a.statements
    assert a.statements[0].text.startswith("| letrozole | 2.5 mg daily")
    assert "anastrozole" not in a.statements[0].text


def _hits(a: Assistant, *needles: str) -> list[Hit]:
    return [Hit(_passage(a, n), 1.0 - i / 10) for i, n in enumerate(needles)]


def test_a_closer_sentence_of_a_lower_passage_wins_only_by_a_clear_margin(tiny: Assistant) -> None:
    query = tiny.analyse("denosumab 500")
    hits = _hits(tiny, "500 mg", "Denosumab reduces")
    found = answer.concepts(query, tiny.index.sparse)
    assert found

    def closeness(towards: str, value: float):  # type: ignore[no-untyped-def]
        def cosines(p: Passage) -> np.ndarray:
            return np.array([value if towards in p.text[b:e] else 0.0 for b, e in p.sentences], dtype=np.float32)
        return cosines

    expander, sparse = tiny.expander(), tiny.index.sparse
    _, plain = answer.compose(hits, query, expander, sparse, False)
    assert plain[0].citation == 1  # each holds half the question: the first passage's sentence
    _, near = answer.compose(hits, query, expander, sparse, False, closeness("Calcium", 0.01))
    assert near[0].citation == 1  # a hair closer is not enough to pass over a better-ranked passage
    _, far = answer.compose(hits, query, expander, sparse, False, closeness("Calcium", 0.9))
    assert far[0].citation == 2
    assert "Calcium" in far[0].text


def test_a_second_part_of_the_question_gets_its_own_statement(tiny: Assistant) -> None:
    query = tiny.analyse("氟维司群的有效剂量是多少？ denosumab 和 vitamin D 是什么？")
    hits = _hits(tiny, "500 mg", "Denosumab reduces")
    _, said = answer.compose(hits, query, tiny.expander(), tiny.index.sparse, False)
    assert [s.citation for s in said] == [1, 2]
    for s in said:
        assert hits[s.citation - 1].passage.text[s.span[0] : s.span[1]] == s.text


def test_a_question_of_one_part_gets_one_statement(tiny: Assistant) -> None:
    query = tiny.analyse("氟维司群 denosumab vitamin D 剂量")
    hits = _hits(tiny, "500 mg", "Denosumab reduces")
    _, said = answer.compose(hits, query, tiny.expander(), tiny.index.sparse, False)
    assert len(said) == 1
    assert answer.has_two_parts("How common are bone metastases, and what proportion are HR-positive?")
    assert answer.has_two_parts("两篇文献分别提到了哪些药物？")
    assert not answer.has_two_parts("What is the recommended dose of fulvestrant?")


def test_no_statement_when_abstaining_or_when_no_sentence_holds_the_question(tiny: Assistant) -> None:
    hits = _hits(tiny, "500 mg")
    query = tiny.analyse("氟维司群的有效剂量是多少？")
    cited, said = answer.compose(hits, query, tiny.expander(), tiny.index.sparse, True)
    assert said == () and cited[0].best_sentence is not None
    query = tiny.analyse("How do I reverse a linked list?")
    _, said = answer.compose(hits, query, tiny.expander(), tiny.index.sparse, False)
    assert said == ()


def test_numbers_count_only_for_a_question_that_asks_for_a_quantity() -> None:
    assert answer.asks_quantity("What is the recommended dose of fulvestrant?")
    assert answer.asks_quantity("氟维司群的剂量是多少？")
    assert not answer.asks_quantity("Why does fulvestrant work?")


def test_a_passage_without_sentence_spans_is_one_sentence_and_odd_cosines_are_ignored() -> None:
    p = Passage(0, "d.txt", "t", "s", 0, 10, 1, 1, "FLV 500 mg", sentences=())
    query = Query("FLV dose?", "en", "FLV dose?", ())
    found = {"flv": (1.0, ["flv"])}
    scored = answer.sentence_scores(p, query, found, np.array([0.5, 0.5], dtype=np.float32))
    assert [(s.span, s.score) for s in scored] == [((0, 10), 1.0 + answer.QUANTITY_BONUS)]


def test_a_table_row_is_read_under_its_header_and_the_header_is_never_the_answer() -> None:
    text = ("Febuxostat carries a boxed warning for cardiovascular death.\nDrug | Starting dose\n"
            "Allopurinol | 100 mg daily\nFebuxostat | 40 mg daily")
    spans = ((0, 60), (61, 81), (82, 108), (109, 133))
    p = Passage(0, "gout.docx", "t", "s", 0, len(text), 1, 4, text, sentences=spans)
    assert answer.table_headers(p, spans) == [None, "", "Drug | Starting dose", "Drug | Starting dose"]
    query = Query("What is the starting dose of febuxostat?", "en", "starting dose febuxostat", ())
    found = {"start": (1.0, ["start"]), "dose": (1.0, ["dose"]), "febuxostat": (2.0, ["febuxostat"])}
    best = answer.best_sentence(p, query, found)
    assert best is not None and text[best[0]:best[1]] == "Febuxostat | 40 mg daily"
    # a passage that continues a table carries its header: every row there is a data row
    rows = "Allopurinol | 100 mg daily\nFebuxostat | 40 mg daily"
    cont = Passage(1, "gout.docx", "t", "s", 0, len(rows), 5, 6, rows, sentences=((0, 26), (27, 51)),
                   context="Table 2 Doses\nDrug | Starting dose")
    assert answer.table_headers(cont, cont.sentences) == ["Drug | Starting dose"] * 2
    # Markdown rows and their rule: the rule and the header are not answers
    md = "| drug | dose |\n| --- | --- |\n| letrozole | 2.5 mg daily |"
    mdp = Passage(2, "t.md", "t", "s", 0, len(md), 1, 3, md, sentences=((0, 15), (16, 29), (30, 58)))
    assert answer.table_headers(mdp, mdp.sentences) == ["", "| drug | dose |", "| drug | dose |"]


def test_what_a_row_holds_only_through_its_header_counts_half() -> None:
    # a Chinese dose question whose drug name no dictionary translates: the English sentence of the
    # first passage gives the dose; another drug's row holds the question's words only through its header
    row_text = "药物 | 起始剂量 | 注意事项\n泼尼松 | 每日 30 mg | 慎用"
    rows = Passage(1, "gout.md", "t", "s", 0, len(row_text), 1, 2, row_text, sentences=((0, 16), (17, 36)))
    prose_text = "The usual starting dose is 40 mg daily."
    prose = Passage(0, "ult.txt", "t", "s", 0, len(prose_text), 1, 1, prose_text,
                    sentences=((0, len(prose_text)),))
    query = Query("非布司他的起始剂量是多少？", "zh", "非布司他 起始 剂量", ())
    found = {"起始": (1.0, ["起始", "start"]), "剂量": (1.0, ["剂量", "dose"]), "非布司他": (3.0, ["非布司他"])}
    [row] = answer.sentence_scores(rows, query, found)
    [sentence] = answer.sentence_scores(prose, query, found)
    assert row.concepts == sentence.concepts == {"起始", "剂量"}
    assert row.score == pytest.approx(answer.HEADER_SHARE * 2 / 5 + answer.QUANTITY_BONUS)
    assert sentence.score == pytest.approx(2 / 5 + answer.QUANTITY_BONUS)


def test_two_statements_follow_the_order_of_the_question() -> None:
    question = "How common are bone metastases in advanced breast cancer, and what proportion are HR-positive?"
    common = answer.Scored((0, 10), 1.0, frozenset({"common", "advanc", "bone"}))
    positive = answer.Scored((0, 10), 2.0, frozenset({"hr", "posit", "bone"}))
    assert answer._asked_first(question, common, positive)
    assert not answer._asked_first(question, positive, common)
    zh = "骨转移的发生率是多少，以及激素受体阳性的比例？"
    assert answer._asked_first(zh, answer.Scored((0, 1), 1.0, frozenset({"发生率"})),
                               answer.Scored((0, 1), 1.0, frozenset({"激素受体"})))


def test_a_dictionary_gloss_is_a_whole_sense_of_the_word(tiny: Assistant) -> None:
    """An English question's word reaches 禁用 through a sense that only ends in it ("to withstand heavy
    use"): searched, but never shown as its gloss (禁用 means contraindicated, not "used")."""
    query = tiny.analyse("Can ACE inhibitors be used in pregnancy?")
    used = [t for t in query.terms if t.text == "禁用"]
    text = "妊娠期妇女禁用ACE抑制剂。"
    hints = answer.hints(text, replace(query, terms=(*query.terms, *(
        () if used else (Term("禁用", 0.2, "dictionary", "use"),)))), tiny.expander())
    assert "禁用" not in [h.term for h in hints]
    assert answer.means("禁用", "prohibit use sth") and not answer.means("禁用", "use")
    assert answer.means("布洛芬", "ibuprofen") and answer.means("使用", "use")


def test_a_sentence_giving_another_value_of_the_asked_unit_is_not_the_answer(tiny: Assistant,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """ "dosed at 2.5mg": the first passage's rows give 25 mg (a tenfold dose) and hold more of the question's
    other words; the second passage's sentence gives 2.5mg and is the answer."""
    assert quantities("如2.5mg/d，或 ２.５ ｍｇ，2.50 毫克") == {"mg": frozenset({2.5})}
    assert quantities("25 mg，每日1次；20%") == {"mg": frozenset({25.0}), "%": frozenset({20.0})}
    asked = quantities("Which drug is dosed at 2.5mg per day?")
    assert answer.conflicts(asked, quantities("| TMF | 25 mg，每日1次 |"))
    assert not answer.conflicts(asked, quantities("2.5 mg or 25 mg"))
    assert not answer.conflicts(asked, quantities("5 ml daily")) and not answer.conflicts({}, quantities("25 mg"))
    table = "| 药物 | 成人剂量 |\n|---|---|\n| 恩替卡韦 | 0.5 mg，每日1次 |\n| 艾米替诺福韦 | 25 mg，每日1次 |"
    starts = [0, *(i + 1 for i, c in enumerate(table) if c == "\n")]
    lines = tuple((b, b + len(line)) for b, line in zip(starts, table.split("\n"), strict=True))
    rows = Passage(0, "g.md", "t", "s", 0, len(table), 1, 4, table, sentences=lines)
    prose = "即使是低剂量泼尼松（如2.5mg/d）长期使用，也应评估再激活风险。"
    other = Passage(1, "faq.html", "t", "s", 0, len(prose), 1, 1, prose, sentences=((0, len(prose)),))
    question = "Which drug is dosed at 2.5mg per day?"
    found = {"drug": (3.0, ["drug", "药物"]), "dose": (1.6, ["dose", "剂量"]), "2.5": (3.0, ["2.5"]),
             "mg": (1.6, ["mg"]), "day": (2.5, ["day", "每日"]), "2.5mg": (3.0, ["2.5mg"])}
    query = Query(question, "en", question, ())
    row_scores = answer.sentence_scores(rows, query, found)
    assert [table[b:e] for b, e in (s.span for s in row_scores)] == [
        "| 恩替卡韦 | 0.5 mg，每日1次 |", "| 艾米替诺福韦 | 25 mg，每日1次 |"]  # never the rule |---|
    monkeypatch.setattr(answer, "concepts", lambda query, sparse: found)

    def closeness(p: Passage) -> np.ndarray:  # the rows read closer to the question than the prose
        return np.full(len(p.sentences), 0.6 if p is rows else 0.45, dtype=np.float32)

    def statements() -> list[str]:
        _, said = answer.compose([Hit(rows, 1.0), Hit(other, 0.9)], query, tiny.expander(),
                                 None, False, closeness)  # type: ignore[arg-type]
        return [s.text for s in said]

    assert statements() == [prose]
    monkeypatch.setattr(answer, "QUANTITY_CONFLICT", 0.0)  # without the rule, a row giving another dose won
    assert statements() == ["| 恩替卡韦 | 0.5 mg，每日1次 |"]
