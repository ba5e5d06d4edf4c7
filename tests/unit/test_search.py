"""Fusion, abstention and bridging, on small inputs (no model)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index.bm25 import SparseIndex
from assistant.lexicon.analyze import Analyzer
from assistant.records import Query, Term
from assistant.search import abstain, fusion
from assistant.search.question import is_disease, is_name
from assistant.settings import ABSTAIN_THRESHOLD, Settings
from assistant.text import chinese_share, has_cjk


def test_centring_removes_a_language_offset_but_keeps_leads() -> None:
    # an encoder that scores every Chinese passage 0.1 higher for this question
    scores = np.array([0.80, 0.81, 0.95, 0.70, 0.71, 0.85])
    chinese = np.array([True, True, True, False, False, False])
    spreads = {"zh": fusion.Spread(0.82, 0.05, 1000), "en": fusion.Spread(0.72, 0.05, 1000),
               "all": fusion.Spread(0.77, 0.07, 2000)}
    z = fusion.centred(scores, chinese, spreads)
    assert np.allclose(z[:3], z[3:], atol=0.02)  # the same lead over its language, the same score
    assert z[2] > z[0] and z[5] > z[3]


def test_a_passage_in_both_languages_is_centred_between_them() -> None:
    # the encoder scores Chinese passages 0.1 higher; a caption half Chinese, half English sits between
    spreads = {"zh": fusion.Spread(0.82, 0.05, 1000), "en": fusion.Spread(0.72, 0.05, 1000),
               "all": fusion.Spread(0.77, 0.07, 2000)}
    scores = np.array([0.82, 0.72, 0.77])
    z = fusion.centred(scores, np.array([1.0, 0.0, 0.5]), spreads, shrink=0.0)
    assert np.allclose(z, 0.0, atol=1e-9)  # each exactly at the mean of what it is made of
    as_english = fusion.centred(scores[2:], np.array([False]), spreads, shrink=0.0)
    assert as_english[0] > 0.7  # counted as English, the caption would gain 0.05 / 0.07 for nothing
    assert np.allclose(fusion.centred(scores, np.array([True, False, True]), spreads),
                       fusion.centred(scores, np.array([1.0, 0.0, 1.0]), spreads))


def test_a_passage_in_both_languages_gets_weights_between_same_and_cross() -> None:
    signals = {"primary": np.array([1.0, 1.0, 1.0])}
    weights = {"primary": (1.0, 0.5)}
    fused = fusion.weighted(signals, np.array([1.0, 0.0, 0.4]), weights)
    assert np.allclose(fused, [1.0, 0.5, 0.7])
    assert np.allclose(fusion.weighted(signals, np.array([True, False, True]), weights), [1.0, 0.5, 1.0])


def test_chinese_share_weighs_a_han_character_as_three_letters() -> None:
    assert chinese_share("乳腺癌的内分泌治疗") == 1.0
    assert chinese_share("Endocrine therapy of breast cancer") == 0.0
    assert chinese_share("2025 — 42%") == 0.0
    assert chinese_share("表1 内分泌 Tab. 1 therapy") == 4 * 3 / (4 * 3 + 10)
    caption = "表 1 腔面型乳腺癌内分泌治疗代表药物\nTab. 1 Representative drugs for endocrine therapy"
    assert 0.3 < chinese_share(caption) < 0.6  # mostly English by characters, nearly half by meaning


def test_a_small_group_is_centred_on_its_language_offset() -> None:
    pooled = fusion.Spread(0.84, 0.02, 5)
    one = fusion.Spread(0.80, 0.0, 1, offset=-0.05)  # one English passage; reference questions show -0.05
    assert abs(fusion.shrunk(one, pooled) - 0.79) < 0.005  # near pooled + offset, not near the pooled mean


def test_sparse_scores_are_normalised_within_each_language() -> None:
    scores = np.array([8.0, 4.0, 0.0, 2.0, 1.0])
    chinese = np.array([True, True, True, False, False])
    per_language = fusion.sparse_normalised(scores, chinese, 1.0)
    assert per_language[0] == per_language[3] == fusion.SPARSE_SCALE
    mixed = fusion.sparse_normalised(scores, chinese, 0.0)
    assert np.allclose(mixed, fusion.SPARSE_SCALE * scores / 8.0)
    assert not fusion.sparse_normalised(np.zeros(3), chinese[:3], 0.7).any()


def test_a_weak_best_sparse_match_is_not_scaled_up_to_a_full_one() -> None:
    scores = np.array([2.0, 1.0, 4.0])
    chinese = np.array([True, True, False])
    assert np.allclose(fusion.sparse_normalised(scores, chinese, 1.0, floor=8.0), fusion.SPARSE_SCALE * scores / 8.0)
    # a floor below the best scores changes nothing
    assert np.allclose(fusion.sparse_normalised(scores, chinese, 1.0, floor=1.0),
                       fusion.sparse_normalised(scores, chinese, 1.0))


def test_the_bm25_ceiling_bounds_every_passage_score() -> None:
    sparse = _sparse([["gout", "urate"], ["gout", "gout", "flare"], ["urate"], ["diet"]])
    weights = {"gout": 1.0, "urate": 0.5, "flare": 2.0, "absent": 3.0}
    scores = sparse.scores(weights)
    best = {t: float(sparse.scores({t: 1.0}).max()) for t in ("gout", "urate", "flare")}
    assert sparse.ceiling(weights) == pytest.approx(best["gout"] + 0.5 * best["urate"] + 2.0 * best["flare"])
    assert scores.max() < sparse.ceiling(weights)  # no passage holds all three terms
    assert sparse.ceiling({"absent": 1.0}) == 0.0


def _sparse(passages: list[list[str]]) -> SparseIndex:
    return SparseIndex.build(passages)


def _query(question: str, entities: tuple[str, ...], terms: tuple[Term, ...] = ()) -> Query:
    return Query(question, "en", question, terms, entities=entities)


def test_unknown_names_are_those_no_passage_holds_as_written_or_translated() -> None:
    sparse = _sparse([["her2", "阳性"], ["fulvestr", "dose"], ["依维莫司", "耐药"]])
    analyzer = Analyzer()
    assert abstain.unknown_names(_query("SONIA?", ("SONIA",)), sparse, analyzer) == ["SONIA"]
    assert abstain.unknown_names(_query("HER-2?", ("HER-2",)), sparse, analyzer) == []
    translated = (Term("依维莫司", 0.9, "glossary", "everolimus"),)
    assert abstain.unknown_names(_query("everolimus?", ("everolimus",), translated), sparse, analyzer) == []
    assert abstain.unknown_names(_query("everolimus?", ("everolimus",)), sparse, analyzer) == ["everolimus"]


def test_a_question_of_one_part_about_an_unknown_name_is_not_answered_in_part() -> None:
    assert abstain.answerable_rest("What is the dose of fulvestrant, and what did the SONIA trial show?", ["SONIA"])
    assert not abstain.answerable_rest("What did the SONIA trial show about CDK4/6 inhibitors?", ["SONIA"])
    assert not abstain.answerable_rest("How much enoxaparin is given for DVT prophylaxis?", ["enoxaparin"])


def test_coverage_weighs_rare_concepts_more() -> None:
    sparse = _sparse([["fulvestr", "dose", "common"], ["common", "word"], ["common"], ["other"]])
    found = {"fulvestr": (abstain.idf(sparse, "fulvestr"), ["fulvestr"]),
             "common": (abstain.idf(sparse, "common"), ["common"])}
    assert abstain.coverage(found, sparse, [1]) < 0.5 < abstain.coverage(found, sparse, [0])


def test_names_are_codes_and_drug_names() -> None:
    assert all(is_name(w) for w in ("HER2", "BOLERO-2", "everolimus", "rivaroxaban", "依维莫司", "利伐沙班"))
    assert not any(is_name(w) for w in ("patient", "provide", "contrast", "治疗", "Fulvestrant's"[:4]))


def test_one_threshold_holds_for_every_collection() -> None:
    assert Settings().confidence_threshold == ABSTAIN_THRESHOLD
    assert Settings(embedder="some/other-model").confidence_threshold == ABSTAIN_THRESHOLD
    assert Settings(abstain_threshold=0.5).confidence_threshold == 0.5


def test_an_index_keeps_both_encoders_and_their_language_figures(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from support.embedder import TinyCrossEmbedder, TinyEmbedder

    from assistant.core import Assistant
    from assistant.index.moments import CROSS, PRIMARY

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "zh.txt").write_text("氟维司群\n\n氟维司群的推荐剂量为500 mg，每月一次。\n", encoding="utf-8")
    (seeds / "en.txt").write_text("Elacestrant\n\nThe recommended dose of elacestrant is 345 mg daily.\n",
                                  encoding="utf-8")
    assistant = Assistant(Settings(seeds=seeds, index=tmp_path / "index"), embedder=TinyEmbedder(),
                          crosslingual=TinyCrossEmbedder())
    assistant.open()
    index = assistant.index
    assert set(index.signals) == {PRIMARY, CROSS}
    assert index.manifest.crosslingual_id == TinyCrossEmbedder.id
    for signal in index.signals.values():
        assert signal.stats is not None
        assert signal.stats.counts == {"zh": 1, "en": 1, "all": 2}
        assert {("zh", "zh"), ("zh", "en"), ("en", "zh"), ("en", "en")} <= set(signal.stats.offsets)
    # both languages are searched, whatever k is, and the decision does not move with k
    answers = [assistant.ask("艾拉司群 elacestrant 的推荐剂量", k=k) for k in (1, 2, 5)]
    assert {a.abstained for a in answers} == {answers[0].abstained}
    assert {c.passage.doc for c in answers[-1].citations} == {"zh.txt", "en.txt"}


def test_short_capital_abbreviations_are_not_unknown_names() -> None:
    sparse = _sparse([["gastrointestin", "bleed"], ["epstein", "barr", "virus"]])
    analyzer = Analyzer()
    for name in ("GI", "EBV", "CYP"):  # stand for general terms the documents spell out
        assert abstain.unknown_names(_query(f"{name} bleeding?", (name,)), sparse, analyzer) == []
    for name in ("SONIA", "SGLT2", "BOLERO-2"):  # a trial or a code: absent is absent
        assert abstain.unknown_names(_query(f"{name}?", (name,)), sparse, analyzer) == [name]


def test_abstention_does_not_import_the_searcher() -> None:
    """The searcher calls abstention; abstention gets the index and settings, never the searcher (not even
    for type checking), so the two modules form no cycle."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(abstain))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(m and m.endswith("searcher") for m in imported)
    assert "searcher" not in {a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for a in node.names}


@pytest.mark.parametrize(("word", "disease"), [
    ("hepatitis", True), ("carcinoma", True), ("Diabetes", True), ("anemia", True), ("tuberculosis", True),
    ("糖尿病", True), ("阿尔茨海默病", True), ("肺癌", True), ("肝炎", True), ("diagnosis", False),
    ("prognosis", False), ("syndrome", False), ("cancer", False), ("发病", False), ("传染病", False), ("肿瘤", False),
    ("schizophrenia", True), ("cholera", True), ("dengue", True), ("抑郁症", True), ("精神分裂症", True),
    ("骨质疏松症", True), ("适应症", False), ("禁忌症", False), ("并发症", False), ("重症", False), ("症状", False),
    ("academia", False), ("stroma", False), ("homeostasis", False), ("leukemia", True), ("glaucoma", True),
])
def test_disease_names_are_told_from_general_words(word: str, disease: bool) -> None:
    assert is_disease(word) is disease


@pytest.mark.parametrize(("word", "name"), [("rasburicase", True), ("pegloticase", True), ("alteplase", True),
                                            ("increase", False), ("disease", False), ("release", False)])
def test_an_enzyme_given_as_a_drug_is_a_name(word: str, name: bool) -> None:
    assert is_name(word) is name


def test_a_trial_code_is_not_read_as_a_disease() -> None:
    query = Query("PALOMA-2研究中palbociclib联合letrozole的ORR是多少？ And PALOMA?", "zh", "x", ())
    assert abstain.diseases(query) == []
    assert abstain.diseases(Query("How is hepatitis B spread?", "en", "x", ())) == ["hepatitis"]


def test_a_general_word_whose_dictionary_sense_ends_like_a_disease_is_not_one() -> None:
    # CC-CEDICT: 学界 "academic world; academic circles; academia"; -emia is a disease ending (anemia)
    question = "针对激素疗法逐渐失效的难题，学界眼下最关注的是什么？"
    terms = (Term("学界", 1.0, "query", "学界"), Term("激素", 1.0, "query", "激素"))
    assert abstain.diseases(Query(question, "zh", question, terms)) == []


def test_a_disease_inside_a_longer_word_is_named() -> None:
    # the segmenter keeps 乙肝疫苗 whole; its sub-word 乙肝 is "hepatitis B" in CC-CEDICT
    question = "新生儿乙肝疫苗的接种程序是怎样的？"
    terms = (Term("乙肝", 1.0, "query", "乙肝疫苗"), Term("疫苗", 1.0, "query", "乙肝疫苗"),
             Term("乙肝疫苗", 1.0, "query", "乙肝疫苗"), Term("新生儿", 1.0, "query", "新生儿"))
    assert abstain.diseases(Query(question, "zh", question, terms)) == ["乙肝"]


@pytest.mark.parametrize(("question", "named"), [
    ("Which antipsychotic drug is first-line for schizophrenia?", ["schizophrenia"]),
    ("抑郁症的一线药物是什么？", ["抑郁症"]),
    ("新冠病毒的潜伏期是多久？", ["新冠"]),  # CC-CEDICT: "novel coronavirus"
    ("霍乱患者应如何补液？", ["霍乱"]),  # "cholera"
    ("该药的适应症和禁忌症有哪些？", []),
])
def test_the_diseases_a_question_names(question: str, named: list[str]) -> None:
    terms = tuple(Term(t, 1.0, "query", t) for t in dict.fromkeys(Analyzer().terms(question)))
    assert abstain.diseases(Query(question, "zh" if has_cjk(question) else "en", question, terms)) == named


def test_a_chinese_name_is_mentioned_by_either_alternative_of_its_sense() -> None:
    # 布洛芬 is "Ibuprofen or Nurofen": a passage holding "ibuprofen" alone mentions it
    analyzer = Analyzer()
    question = "登革热发烧可以吃布洛芬吗？"
    query = Query(question, "zh", question, (Term("布洛芬", 1.0, "query", "布洛芬"),), entities=("布洛芬",))
    assert abstain.unknown_names(query, _sparse([["avoid", "aspirin", "ibuprofen"]]), analyzer) == []
    assert abstain.unknown_names(query, _sparse([["avoid", "aspirin"]]), analyzer) == ["布洛芬"]


def test_a_chinese_disease_is_mentioned_only_by_a_whole_translation() -> None:
    # 高血压 is "high blood pressure" or "hypertension": "blood" in one passage and "high" in another is
    # not a mention of it
    analyzer = Analyzer()
    question = "高血压患者每天食盐摄入量应控制在多少克？"
    loose = (Term("blood", 0.25, "dictionary", "高血压"), Term("high", 0.25, "dictionary", "高血压"))
    query = Query(question, "zh", question, (Term("高血压", 1.0, "query", "高血压"), *loose))
    scattered = _sparse([["blood", "sampl"], ["high", "fever"]])
    assert abstain.unknown_names(query, scattered, analyzer) == ["高血压"]
    for passages in ([["high", "blood", "pressur", "risk"]], [["hypertens", "risk"]]):
        assert abstain.unknown_names(query, _sparse(passages), analyzer) == []


@pytest.mark.parametrize(("question", "names"), [
    ("阿托伐他汀的剂量是多少？", ("阿托伐他汀",)),  # cut into 阿托/伐/他/汀, 他 a stopword: joined as written
    ("瑞舒伐他汀和阿托伐他汀哪个好", ("瑞舒伐他汀", "阿托伐他汀")),  # never across 和
    ("阿司匹林抑制环氧合酶的方式和布洛芬有什么区别？", ("阿司匹林", "布洛芬")),  # not 抑制环氧合酶方式布洛芬
    ("病人换用了另一个批号的青霉素，皮试结果还能沿用吗？", ("青霉素",)),
    ("新冠mRNA疫苗两剂之间应间隔多久？", ("mRNA",)),
    ("艾拉司群和氟维司群有什么区别", ("艾拉司群", "氟维司群")),  # 氟维司/群有: the name ends inside a word
    ("达格列净和恩格列净的区别", ("达格列净", "恩格列净")),  # 和恩格: never across 和, even inside a word
    ("托瑞米芬和他莫昔芬哪个好", ("他莫昔芬",)),  # 他/莫昔芬: 他 begins the name, 莫昔芬 is not one
    ("哌柏西利和阿贝西利哪个好", ("哌柏西利", "阿贝西利")),
    ("哪些人吃布洛芬更容易胃出血？", ("布洛芬",)),  # not 人吃布洛芬
    ("服用阿托伐他汀的剂量", ("阿托伐他汀",)),  # not 服用阿托伐他汀
    ("万古霉素的剂量", ("万古霉素",)),
    ("头孢曲松钠的剂量", ("头孢曲松",)),  # never 头孢类过 of 头孢类过敏: 头孢 begins names, it does not end them
])
def test_names_of_a_chinese_question_are_whole_names(question: str, names: tuple[str, ...]) -> None:
    from assistant.search.expand import Expander

    expander = Expander(Analyzer(), {}, [], Settings())
    assert set(expander.analyse(question).entities) == set(names)


def test_the_dense_gloss_keeps_the_first_translations_that_fit() -> None:
    from assistant.search.expand import dense_gloss

    translations = ["内分泌治疗", "乳腺癌", "内分泌治疗", "激素受体阳性", "摘要"]
    assert dense_gloss(translations, 1000) == ["内分泌治疗", "乳腺癌", "激素受体阳性", "摘要"]
    assert dense_gloss(translations, 8) == ["内分泌治疗", "乳腺癌"]
    assert dense_gloss(translations, 10) == ["内分泌治疗", "乳腺癌", "摘要"]  # a later short one still fits
    assert dense_gloss(translations, 0) == []
    # with how many passages hold each, the rarest come first, and are given in the question's order
    held_by = {"内分泌治疗": 40, "乳腺癌": 80, "激素受体阳性": 3, "摘要": 2}.__getitem__
    assert dense_gloss(translations, 8, held_by) == ["激素受体阳性", "摘要"]
    assert dense_gloss(translations, 11, held_by) == ["乳腺癌", "激素受体阳性", "摘要"]  # a common one still fits


def test_language_offsets_follow_the_text_the_encoder_read() -> None:
    from assistant.index.moments import CROSS, PRIMARY
    from assistant.search.searcher import encoded_share

    plain = Query("What is HR+ breast cancer?", "en", "What is HR+ breast cancer?", ())
    glossed = Query(plain.question, "en", plain.text, (), dense_text=plain.text + " (乳腺癌 激素受体阳性)")
    assert encoded_share(plain, PRIMARY) == 0.0
    assert 0.3 < encoded_share(glossed, PRIMARY) < 0.6  # the main encoder read the Chinese translations too
    assert encoded_share(glossed, CROSS) == 0.0  # the cross-lingual one read the question alone


def test_a_sense_of_two_alternatives_translates_either_word() -> None:
    # CC-CEDICT gives 布洛芬 as "Ibuprofen or Nurofen": "ibuprofen" alone must find it
    from assistant.lexicon import cedict
    from assistant.search.expand import Expander

    assert cedict.alternatives("Ibuprofen or Nurofen") == ("ibuprofen", "nurofen")
    assert cedict.alternatives("to fall or drop") == ("fall", "drop")
    assert cedict.alternatives("two or three days") == ()
    assert cedict.alternatives("aspirin (loanword)") == ()
    assert cedict.sense_terms("also called 異丁苯丙酸|异丁苯丙酸") == ()  # a cross-reference, not a sense
    vocab = {w: i for i, w in enumerate(["布洛芬", "阿司匹林"])}
    expander = Expander(Analyzer(), vocab, [], Settings())
    query = expander.analyse("Why shouldn't a patient on aspirin also take ibuprofen?")
    origins = {t.text: t.origin for t in query.terms}
    assert origins.get("布洛芬") == "ibuprofen" and origins.get("阿司匹林") == "aspirin"


def test_a_chinese_name_the_segmenter_cut_otherwise_is_read_in_the_text() -> None:
    # the question cuts 氟维司群 as 氟维司/群, the passage as 氟维司/群能: their terms disagree, the text does not
    analyzer = Analyzer()
    texts = ["氟维司群能与雌激素受体结合并促使其降解", "氟维司的另一个片段"]
    sparse = _sparse([["氟维司", "群能", "雌激素"], ["氟维司", "片段"]])
    question = "氟维司群的推荐剂量是多少？"
    query = Query(question, "zh", question, (Term("氟维司", 1.0, "query", "氟维司"),), entities=("氟维司群",))
    assert abstain.unknown_names(query, sparse, analyzer) == ["氟维司群"]
    assert abstain.unknown_names(query, sparse, analyzer, texts.__getitem__) == []
    assert abstain.unknown_names(query, sparse, analyzer, ["", "氟维司的另一个片段"].__getitem__) == ["氟维司群"]


def test_a_quantity_no_passage_states_is_unknown() -> None:
    """ "Which drug is dosed at 2.5 mg a day?" over documents that give 25 mg and 500 mg: no passage
    answers it, and the refusal says which quantity is missing, as the question wrote it."""
    analyzer = Analyzer()
    sparse = _sparse([analyzer.terms("依西美坦常用剂量25mg，每日一次。"), analyzer.terms("FLV 500 mg是一种有效剂量")])
    for question, unknown in [("Which drug is dosed at 2.5 mg a day?", ["2.5 mg"]),
                              ("哪种药的常用剂量是２５ｍｇ？", []), ("哪种药的常用剂量是25毫克？", []),
                              ("氟维司群250毫克有效吗？", ["250毫克"]), ("Is 500mg the dose, or 5 mg?", ["5 mg"]),
                              ("What is the usual dose?", [])]:
        assert abstain.unknown_names(_query(question, ()), sparse, analyzer) == unknown, question
    assert not abstain.answerable_rest("Which drug is dosed at 2.5 mg a day?", ["2.5 mg"])


@pytest.mark.parametrize(("acronym", "text", "spelled"), [
    ("SERD", "Elacestrant is an oral selective estrogen receptor degrader.", True),
    ("SERDs", "Selective-Estrogen Receptor Degraders are given orally.", True),
    ("PCP", "Pneumocystis pneumonia is prevented with co-trimoxazole.", False),
    ("SERD", "serd", False),
    ("SONIA", "The sonia trial was not spelled out here.", False),
])
def test_an_acronym_is_mentioned_where_a_passage_spells_it_out(acronym: str, text: str, spelled: bool) -> None:
    assert abstain.spelled_out(acronym, text) is spelled


def test_the_bigram_field_ranks_a_passage_that_shares_the_questions_phrasing_first() -> None:
    """With jieba's words alone, a passage naming the same words apart (作用机制、耐药机制) outranks the one
    that says what the question asks (耐药产生的机制…包括); the bigram field beside the words reverses that."""
    question = "内分泌耐药产生的机制包括哪些方面？"
    passages = ["本文拟总结归纳内分泌药物治疗的作用机制、耐药机制及其临床治疗方面的研究进展。",
                "耐药产生的机制十分复杂，可涉及多基因、多通路的改变，包括ER突变、细胞生长因子旁路途径。",
                "内分泌治疗是一种重要手段。"]
    analyzer = Analyzer()
    words = _sparse([analyzer.terms(p) for p in passages]).scores(dict.fromkeys(analyzer.terms(question), 1.0))
    pairs = analyzer.phrase_terms(question)
    assert {"药产", "的机"} <= set(pairs) and not set(pairs) & set(analyzer.terms(question))
    field = _sparse([analyzer.phrase_terms(p) for p in passages]).scores(dict.fromkeys(pairs, 0.5))
    assert [int(i) for i in np.argsort(-words)] == [0, 1, 2]
    assert [int(i) for i in np.argsort(-(words + field))] == [1, 0, 2]
    assert analyzer.phrase_terms("What is the dose?") == [] and analyzer.phrase_terms("剂量") == []
    assert "怎样" not in analyzer.phrase_terms("怎样提高英语口语水平？")  # a stopword, though jieba drops it


def test_a_chinese_question_searches_its_own_character_bigrams_and_translations_only_whole_words() -> None:
    from assistant.search.expand import Expander

    vocab = {w: i for i, w in enumerate(["耐药", "机制", "药产", "的机", "剂量", "曲唑", "来曲", "dose"])}
    settings = Settings()
    expander = Expander(Analyzer(), vocab, [], settings)
    query = expander.analyse("内分泌耐药产生的机制包括哪些方面？", shares=1.0)
    pairs = expander.phrase_weights(query)
    assert pairs["药产"] == settings.bigram_weight and "耐药" not in pairs
    assert {t.text: t.source for t in query.terms}["耐药"] == "query"
    assert "药产" not in expander.weights(query) and query.describe() == query.text  # nothing new to show
    # an English question's translations are searched as words: 来曲唑 (letrozole) is not 曲唑 of 阿那曲唑
    english = expander.analyse("What is the dose of letrozole?", shares=0.5)
    assert [t.text for t in english.terms if t.text in ("曲唑", "来曲")] == [] and not expander.phrase_weights(english)
    words_only = Expander(Analyzer(), vocab, [], settings.with_(chinese_bigrams=False))  # an index without them
    assert {t.source for t in words_only.analyse("耐药产生的机制", shares=1.0).terms} == {"query"}
