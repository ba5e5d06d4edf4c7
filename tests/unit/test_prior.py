"""Back matter: recognised as sections with a role, still found when asked for, never above the body
for content questions (tests/data/paper: a Chinese paper with an English reference list)."""

from __future__ import annotations

import shutil

import pytest
from support.embedder import TinyCrossEmbedder, TinyEmbedder
from support.paper import CONTENT, PAPER

from assistant.core import Assistant
from assistant.ingest.structure import is_abbreviation_key
from assistant.records import Hit, Passage, Query
from assistant.search import prior
from assistant.settings import Settings

ASKED = [
    ("Who funded the study?", "funding"),
    ("这项研究由哪些基金资助？", "funding"),
    ("Which reference is Smith 2019?", "references"),
    ("Who is the corresponding author?", "author-notes"),
    ("致谢了谁？", "acknowledgements"),
]


@pytest.fixture(scope="module")
def paper(tmp_path_factory) -> Assistant:
    root = tmp_path_factory.mktemp("paper")
    shutil.copytree(PAPER, root / "seeds", ignore=shutil.ignore_patterns("*.md"))
    a = Assistant(Settings(seeds=root / "seeds", index=root / "index"), embedder=TinyEmbedder(),
                  crosslingual=TinyCrossEmbedder())
    a.open()
    return a


def test_back_matter_has_its_roles(paper):
    roles = {p.role for p in paper.index.passages}
    assert roles == {"body", "funding", "author-notes", "acknowledgements", "references"}
    refs = [p for p in paper.index.passages if p.role == "references"]
    assert all(p.section == "参考文献" for p in refs)
    assert any("[1] Smith J" in p.text for p in refs)


@pytest.mark.parametrize("question", CONTENT)
def test_no_reference_in_the_top_three_for_content_questions(paper, question):
    ans = paper.ask(question, mode="sparse", k=3)
    assert [c.passage.role for c in ans.citations] == ["body"] * len(ans.citations)


@pytest.mark.parametrize(("question", "role"), ASKED)
def test_back_matter_is_found_when_asked_for(paper, question, role):
    ans = paper.ask(question, mode="sparse", k=3)
    assert role in [c.passage.role for c in ans.citations[:3]]


def _hit(pid: int, score: float, role: str) -> Hit:
    p = Passage(id=pid, doc="d", title="t", section="s", start=0, end=1, line_start=1, line_end=1, text="x",
                role=role)
    return Hit(p, score)


def _query(text: str) -> Query:
    return Query(question=text, language="en", text=text, terms=())


def test_prior_moves_back_matter_down_by_a_fixed_number_of_deviations():
    hits = [_hit(0, 3.0, "references"), _hit(1, 2.0, "body"), _hit(2, 0.0, "body"), _hit(3, -1.0, "body")]
    out = prior.apply(_query("dose of fulvestrant"), hits)
    assert [h.passage.id for h in out] == [1, 2, 0, 3]
    assert out[2].score == pytest.approx(3.0 - prior.PENALTY * 2.5**0.5)  # std of the four scores
    # asked for: unchanged
    assert prior.apply(_query("which reference is this?"), hits) == hits
    # nothing but body: unchanged
    assert prior.apply(_query("dose"), hits[1:]) == hits[1:]


@pytest.mark.parametrize(("question", "roles"), [
    ("Who funded the study?", {"funding"}), ("研究的基金来源", {"funding"}), ("Smith et al. 2019", {"references"}),
    ("参考文献有哪些", {"references"}), ("通信作者是谁", {"author-notes"}), ("What is the dose?", set()),
    ("氟维司群的剂量", set()),
    ("What does ESCAT stand for?", {"abbreviations"}), ("PFS是什么的缩写？", {"abbreviations"}),
    ("What is the full name of PARPi?", {"abbreviations"}), ("What is the PFS benefit?", set()),
])
def test_asked_roles(question, roles):
    assert prior.asked_roles(_query(question)) == roles


@pytest.mark.parametrize("text", [
    "Note: ET: endocrine therapy; HR: hormone receptor; PD: disease progression; PFS: progression-free survival; "
    "m+: mutation; BRCA1: breast cancer susceptibility gene 1; CDK4/6i: CDK4/6 inhibitor.\nFig. 1 Treatment",
    "注：ET：内分泌治疗；HR：激素受体；PD：疾病进展；PFS：无进展生存期；m+：突变；BRCA1：乳腺癌易感基因 1；",
    "Abbreviations: AF, atrial fibrillation; BMI, body mass index; CI, confidence interval; HR, hazard ratio.",
])
def test_an_abbreviation_key_is_recognised(text):
    assert is_abbreviation_key(text)


@pytest.mark.parametrize("text", [
    "Active ingredient: Ibuprofen 200 mg; Purpose: Pain reliever; Uses: headache; Warnings: allergy alert.",
    "PFS: 24.8 months with fulvestrant versus 16.6 months with anastrozole (HR 0.80; 95% CI 0.64-1.00), "
    "a difference the authors call clinically meaningful for patients who had not received endocrine therapy.",
    "Results: HR 0.80; CI 0.64-1.00; P = 0.049. 氟维司群组的中位无进展生存期为16.6个月，阿那曲唑组为13.8个月，"
    "差异具有统计学意义，两组不良事件发生率相近，其中关节痛与潮热最为常见，多为1-2级，未见新的安全性信号。",
])
def test_text_with_a_few_labels_is_not_an_abbreviation_key(text):
    assert not is_abbreviation_key(text)


def test_an_abbreviation_key_is_moved_down_unless_asked_for():
    hits = [_hit(0, 3.0, "abbreviations"), _hit(1, 2.0, "body"), _hit(2, 0.0, "body")]
    assert [h.passage.id for h in prior.apply(_query("Which drug improves PFS?"), hits)] == [1, 0, 2]
    assert prior.apply(_query("What does PFS stand for?"), hits) == hits


@pytest.mark.parametrize(("question", "language"), [
    ("According to the English abstract, which subtype is the most prevalent?", "en"),
    ("What does the English-language summary say about resistance?", "en"),
    ("英文摘要中提到哪些未解决的问题？", "en"),
    ("What do the Chinese keywords list?", "zh"),
    ("中文摘要说了什么？", "zh"),
    ("What BMI cut-offs define overweight in Chinese adults?", None),
    ("What are the ECMO criteria in the Chinese COVID-19 protocol?", None),
    ("Compare the English abstract with the Chinese abstract.", None),
    ("氟维司群的剂量", None),
])
def test_named_language(question, language):
    assert prior.named_language(_query(question)) == language


def _text_hit(pid: int, score: float, text: str) -> Hit:
    p = Passage(id=pid, doc="d", title="t", section="s", start=0, end=1, line_start=1, line_end=1, text=text)
    return Hit(p, score)


def test_the_named_language_version_comes_first():
    hits = [_text_hit(0, 3.0, "摘要：腔面型乳腺癌是乳腺癌中最普遍的类型。"),
            _text_hit(1, 2.5, "Abstract: Luminal breast cancer is the most prevalent type of breast cancer."),
            _text_hit(2, 0.0, "前言：内分泌治疗是主要手段。")]
    out = prior.apply(_query("According to the English abstract, which subtype is the most prevalent?"), hits)
    assert [h.passage.id for h in out] == [1, 0, 2]
    assert [h.passage.id for h in prior.apply(_query("中文摘要说了什么？"), hits)] == [0, 2, 1]
    assert prior.apply(_query("Which subtype is the most prevalent?"), hits) == hits
