"""Small collections that used to fail, each with its right result: name variants (HER-2/HER2), a document
in the minority language, and quantities written apart or glued (25 mg/25mg/２５ｍｇ, never 2.5 mg).

Each collection is built once per module with the real encoders (a few passages: seconds).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.lexicon.analyze import Analyzer, english_terms
from assistant.search import twins
from assistant.settings import Settings
from assistant.text import has_cjk

NAME_VARIANTS = {
    "a.txt": "靶向治疗概述\n\n曲妥珠单抗适用于HER-2阳性的转移性乳腺癌，每三周给药一次。\n"
             "Ki-67指数≥20%提示肿瘤增殖活跃。\nPD-L1表达阳性的三阴性乳腺癌可考虑免疫治疗。\n",
    "b.txt": "骨转移的管理\n\n地舒单抗可以降低骨相关事件的风险，用于预防病理性骨折。\n",
}
MINORITY = {
    "en.txt": "Elacestrant\n\nElacestrant is an oral selective estrogen receptor degrader approved for ESR1-mutated "
              "advanced breast cancer after at least one line of endocrine therapy. The recommended dose is 345 mg "
              "taken orally once daily with food. Nausea was the most common adverse reaction.\n",
    "zh1.txt": "芳香化酶抑制剂\n\n来曲唑与阿那曲唑属于第三代非甾体类芳香化酶抑制剂，"
               "可降低绝经后女性体内的雌激素水平。常见不良反应包括关节痛、骨质疏松与潮热。\n",
    "zh2.txt": "骨转移的管理\n\n地舒单抗与唑来膦酸可以降低骨相关事件的风险。"
               "使用前应补充钙和维生素D，并进行口腔检查以降低颌骨坏死风险。\n",
    "zh3.txt": "CDK4/6抑制剂\n\n哌柏西利、瑞波西利和阿贝西利可阻断细胞周期，"
               "与内分泌治疗联合使用可延长无进展生存期。需要定期监测中性粒细胞计数。\n",
    "zh4.txt": "mTOR抑制剂\n\n依维莫司通过抑制mTOR通路逆转部分内分泌耐药，常与依西美坦联合使用。"
               "口腔炎是最常见的不良反应。\n",
}
QUANTITIES = {
    "a.txt": "依西美坦\n\n依西美坦为甾体类芳香化酶失活剂，常用剂量25mg，每日一次，餐后服用。\n",
    "b.txt": "来曲唑\n\n来曲唑为非甾体类芳香化酶抑制剂，常用剂量2.5mg，每日一次。\n",
    "c.txt": "阿那曲唑\n\n阿那曲唑为非甾体类芳香化酶抑制剂，常用剂量1mg，每日一次。\n",
    "d.txt": "他莫昔芬\n\n他莫昔芬为选择性雌激素受体调节剂，常用剂量20mg，每日一次，可持续五至十年。\n",
}

BILINGUAL = {  # a Chinese paper on gout with its abstract in both languages (a faithful translation)
    "gout.txt": "痛风患者降尿酸治疗的研究进展\n\n"
                "摘要：痛风是由单钠尿酸盐晶体沉积引起的炎症性关节病，其患病率在我国逐年上升。降尿酸治疗是控制痛风发作和"
                "预防关节破坏的关键，别嘌醇和非布司他是最常用的一线药物。本文总结了降尿酸治疗的目标值、药物选择及安全性，"
                "并对未来研究方向进行展望。\n\n"
                "Abstract: Gout is an inflammatory arthritis caused by the deposition of monosodium urate crystals, "
                "and its prevalence in China is rising year by year. Urate-lowering therapy is the key to controlling "
                "gout flares and preventing joint damage, and allopurinol and febuxostat are the most commonly used "
                "first-line drugs. This paper summarizes the target values, drug selection and safety of "
                "urate-lowering therapy, and discusses future research directions.\n\n"
                "1 治疗目标\n\n血尿酸的控制目标一般为低于360 μmol/L，对于有痛风石的患者应低于300 μmol/L。"
                "长期维持达标可以使尿酸盐晶体逐渐溶解。\n\n"
                "2 药物选择\n\n别嘌醇起始剂量宜小，每日100 mg，逐渐加量。携带HLA-B*5801基因的患者使用别嘌醇发生严重"
                "皮肤不良反应的风险较高，用药前应进行基因检测。非布司他适用于别嘌醇不耐受的患者，但合并心血管疾病者应慎用。\n\n"
                "3 急性发作的处理\n\n秋水仙碱、非甾体抗炎药和糖皮质激素均可用于缓解急性发作的疼痛，"
                "应在发作后尽早使用。\n",
}


def _collection(root: Path, files: dict[str, str]) -> Assistant:
    seeds = root / "seeds"
    seeds.mkdir(parents=True)
    for name, text in files.items():
        (seeds / name).write_text(text, encoding="utf-8")
    assistant = Assistant(Settings.load(seeds=seeds, index=root / "index", glossary=root / "glossary.tsv"))
    assistant.open()
    return assistant


@pytest.fixture(scope="module")
def names(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return _collection(tmp_path_factory.mktemp("names"), NAME_VARIANTS)


@pytest.fixture(scope="module")
def minority(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return _collection(tmp_path_factory.mktemp("minority"), MINORITY)


@pytest.fixture(scope="module")
def quantities(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return _collection(tmp_path_factory.mktemp("quantities"), QUANTITIES)


@pytest.mark.parametrize("question", ["HER2阳性乳腺癌用什么药？", "HER-2阳性乳腺癌用什么药？",
                                      "Ki67指数多少提示增殖活跃", "PDL1阳性的三阴性乳腺癌",
                                      "Which drug is used for HER2-positive breast cancer?"])
def test_a_name_is_one_term_in_every_spelling(names: Assistant, question: str) -> None:
    answer = names.ask(question)
    assert not answer.abstained
    assert answer.citations[0].passage.doc == "a.txt"
    assert not any("never mention" in n for n in answer.notices)


def test_name_variants_analyse_alike() -> None:
    for a, b in (("HER-2", "HER2"), ("PD-L1", "PDL1"), ("Ki-67", "Ki67"), ("ＨＥＲ－２", "HER2")):
        assert english_terms(a) == english_terms(b)
    assert english_terms("progression-free") == ["progress", "free"]  # a compound keeps its words
    assert english_terms("1-2") == ["1", "2"]  # a range is not a name


@pytest.mark.parametrize("question", ["Elacestrant的推荐剂量是多少？", "艾拉司群的推荐剂量是多少？",
                                      "口服选择性雌激素受体降解剂的剂量", "口服SERD的推荐剂量"])
def test_the_minority_language_document_ranks_first(minority: Assistant, question: str) -> None:
    answer = minority.ask(question)
    assert answer.citations[0].passage.doc == "en.txt"
    # answered: 艾拉司群 is elacestrant by its stem and sound, SERD is spelled out in the passage
    assert not answer.abstained and not answer.uncovered, (answer.confidence, answer.uncovered)


DRUG_TABLE = {  # drug names written only in Chinese, none of them in CC-CEDICT or a glossary
    "drugs.md": "# 常用药物一览\n\n| 药物 | 剂量 | 给药途径 |\n| --- | --- | --- |\n| 吡咯替尼 | 400 mg | 口服 |\n"
                "| 拉帕替尼 | 1250 mg | 口服 |\n| 奈拉替尼 | 240 mg | 口服 |\n",
    "guide.md": "# 用药指导\n\n依维莫司每日一次，口腔炎是最常见的不良反应。坦西莫司需静脉输注。\n",
}


@pytest.fixture(scope="module")
def drug_table(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return _collection(tmp_path_factory.mktemp("drugtable"), DRUG_TABLE)


@pytest.mark.parametrize(("question", "name", "written"), [
    ("What is the dose of lapatinib?", "拉帕替尼", "拉帕替尼 | 1250 mg"),
    ("What is the most common adverse reaction of everolimus?", "依维莫司", "依维莫司每日一次"),
])
def test_an_english_drug_name_finds_its_chinese_name(drug_table: Assistant, question: str, name: str,
                                                     written: str) -> None:
    answer = drug_table.ask(question, k=3)
    assert not answer.abstained and not answer.uncovered, answer.uncovered
    assert written in answer.citations[0].passage.text
    assert name in answer.also_searched


def test_a_drug_no_document_names_is_still_never_mentioned(drug_table: Assistant) -> None:
    answer = drug_table.ask("What is the dose of osimertinib?", k=3)  # -tinib too, but it sounds like none
    assert answer.abstained and "osimertinib" in answer.uncovered


@pytest.mark.parametrize("mode", ["hybrid", "sparse"])
@pytest.mark.parametrize(("question", "doc"), [
    ("哪种药的常用剂量是25 mg？", "a.txt"),
    ("哪种药的常用剂量是25mg？", "a.txt"),
    ("哪种药的常用剂量是２５ｍｇ？", "a.txt"),
    ("常用剂量2.5 mg的是哪个药", "b.txt"),
    ("Which drug is taken at 25 mg daily?", "a.txt"),
])
def test_quantities_match_in_any_spelling_and_never_a_neighbour(quantities: Assistant, question: str, doc: str,
                                                                mode: str) -> None:
    answer = quantities.ask(question, mode=mode)  # type: ignore[arg-type]
    assert answer.citations[0].passage.doc == doc


def test_quantities_give_the_same_terms() -> None:
    analyzer = Analyzer()
    spellings = [set(analyzer.terms(f"剂量{q}")) for q in ("25 mg", "25mg", "２５ｍｇ", "25毫克")]
    assert all("25mg" in s and "25" in s for s in spellings)
    assert "25" not in analyzer.terms("2.5 mg") and "25mg" not in analyzer.terms("2.5mg")


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return _collection(tmp_path_factory.mktemp("bilingual"), BILINGUAL)


def _abstracts(assistant: Assistant) -> tuple[int, int]:
    passages = assistant.index.passages
    chinese = next(p.id for p in passages if p.text.startswith("摘要："))
    english = next(p.id for p in passages if p.text.startswith("Abstract:"))
    return chinese, english


def test_the_two_abstracts_are_found_to_be_twins(bilingual: Assistant) -> None:
    chinese, english = _abstracts(bilingual)
    assert twins.twins_of(bilingual.index, chinese) == {english}
    assert twins.twins_of(bilingual.index, english) == {chinese}
    others = [p.id for p in bilingual.index.passages if p.id not in (chinese, english)]
    assert all(not twins.twins_of(bilingual.index, i) for i in others)


@pytest.mark.parametrize(("question", "version"), [
    ("痛风的一线降尿酸药物有哪些？", "zh"),
    ("What are the first-line urate-lowering drugs for gout?", "en"),
    ("根据英文摘要，痛风的患病率如何变化？", "en"),
    ("According to the Chinese abstract, what causes gout?", "zh"),
])
def test_the_abstract_comes_in_the_language_asked_for(bilingual: Assistant, question: str, version: str) -> None:
    chinese, english = _abstracts(bilingual)
    ids = [c.passage.id for c in bilingual.ask(question, k=3).citations]
    assert ids[0] == (chinese if version == "zh" else english)


@pytest.mark.parametrize(("question", "version"), [
    ("痛风的患病率在我国如何变化？", "zh"),
    ("How is the prevalence of gout in China changing?", "en"),
    ("根据英文摘要，痛风的患病率如何变化？", "en"),
])
def test_the_answer_sentence_is_in_the_readers_language(bilingual: Assistant, question: str, version: str) -> None:
    """Both abstracts say it; the sentence shown above the passages is the reader's version."""
    said = bilingual.ask(question, k=3).statements
    assert said, question
    assert has_cjk(said[0].text) is (version == "zh"), said[0].text
    assert ("患病率" in said[0].text) if version == "zh" else ("prevalence" in said[0].text), said[0].text


def test_a_drug_found_by_sound_answers_only_what_its_passage_holds(drug_table: Assistant) -> None:
    # lapatinib is 拉帕替尼 of the table, but the adverse reaction the documents give is everolimus's
    answer = drug_table.ask("What is the most common adverse reaction of lapatinib?", k=3)
    assert answer.abstained and not answer.uncovered
