"""Structure: titles, numbered and unnumbered headings, section paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest import read_source
from assistant.ingest.normalize import normalize
from assistant.ingest.sections import LineIndex, find_title, sections
from assistant.ingest.structure import SECTION_SEP, heading_text, numbered_heading

REVIEW = "000_5cc127c3c086e338.txt"
INTERVIEW = "004_adecf566e49ed5b5.txt"
M1 = "1 内分泌治疗的作用机制"
M2 = "2 内分泌耐药机制"
M3 = "3 内分泌耐药治疗及进展"
H24 = "2.4 组蛋白去乙酰化酶（histone deacetylase, HDAC）抑制剂耐药途径"

REVIEW_SECTIONS = [
    "摘要",
    "Abstract",
    "0 前言",
    M1,
    f"{M1} › 1.1 雌激素受体抑制剂",
    f"{M1} › 1.2 AIs",
    f"{M1} › 1.3 CDK4/6抑制剂",
    f"{M1} › 1.4 PI3K/AKT/mTOR抑制剂",
    f"{M2} › 2.1 ER耐药经典途径",
    f"{M2} › 2.2 ER耐药非经典途径",
    f"{M2} › 2.3 CDK4/6抑制剂耐药途径",
    f"{M2} › {H24}",
    M3,
    f"{M3} › 3.1 SERDs",
    f"{M3} › 3.2 CDK4/6抑制剂",
    f"{M3} › 3.3 HDAC抑制剂",
    f"{M3} › 3.4 其他新型治疗",
    "4 总结与展望",
]
INTERVIEW_HEADINGS = [
    "骨转移管理的“双重战场”:全身性疾病的局部表现",
    "系统治疗仍是基石:分型策略决定长期获益",
    "绝经前 HR+ 骨转移患者:系统控制与骨骼护航需并行推进",
    "全程管理的“最后拼图”:营养、代谢与康复的整合力量",
    "小结",
]
AFFILIATIONS = [
    "宜昌市中心人民医院肿瘤科四病区主任",
    "湖北省临床肿瘤学会胃肠肿瘤专委会副主任委员",
    "湖北省临床肿瘤学会妇科肿瘤专家委员会常务委员",
    "湖北省乳腺甲状腺学会乳腺癌精准治疗分会常务委员",
    "湖北省抗癌协会肿瘤营养与代谢专业委员会常务委员",
]


@pytest.fixture(scope="module")
def docs(seeds_dir: Path):
    out = {}
    for name in (REVIEW, INTERVIEW):
        norm = normalize(read_source(seeds_dir, name))
        title = find_title(norm, Path(name).stem)
        out[name] = (norm, title, sections(norm, title))
    return out


def block_text(norm, block) -> str:
    return norm.text[block.start : block.end]


# ----------------------------------------------------------------- the review (numbered)


def test_review_title(docs):
    _, title, _ = docs[REVIEW]
    assert title == "腔面型乳腺癌内分泌治疗耐药的研究进展"


def test_review_numbered_headings_in_order(docs):
    norm, _, _ = docs[REVIEW]
    numbers = [b.number for b in norm.blocks if b.kind == "heading"]
    assert numbers == ["0", "1", "1.1", "1.2", "1.3", "1.4", "2", "2.1", "2.2", "2.3", "2.4",
                       "3", "3.1", "3.2", "3.3", "3.4", "4"]
    levels = {b.number: b.level for b in norm.blocks if b.kind == "heading"}
    assert levels["1"] == 1 and levels["1.4"] == 2 and levels["4"] == 1


def test_review_section_paths(docs):
    _, _, secs = docs[REVIEW]
    assert [s.path for s in secs] == REVIEW_SECTIONS


def test_review_sections_cover_their_bodies(docs):
    norm, _, secs = docs[REVIEW]
    by_path = {s.path: norm.text[s.start : s.end] for s in secs}
    assert "PIK3CA突变率高达 35%" in by_path[f"{M1} › 1.4 PI3K/AKT/mTOR抑制剂"]
    assert "氟维司群（fulvestrant， FLV）是 SERDs 的代表性药物" in by_path[f"{M3} › 3.1 SERDs"]
    assert by_path[f"{M2} › {H24}"].lstrip().startswith("组蛋白是由H2A、H2B、H3和H4")
    assert by_path["4 总结与展望"].rstrip().endswith("为患者带来希望。")
    # sections are disjoint and in reading order; no heading text inside a body
    for a, b in zip(secs, secs[1:], strict=False):
        assert a.end <= b.start
    heading_lines = {block_text(norm, b) for b in norm.blocks if b.kind == "heading"}
    assert len(heading_lines) == 17
    for s in secs:
        assert not heading_lines & set(norm.text[s.start : s.end].split("\n")), s.path


def test_review_multiline_heading(docs):
    norm, _, _ = docs[REVIEW]
    (block,) = [b for b in norm.blocks if b.number == "2.4"]
    assert block_text(norm, block) == H24
    assert heading_text(block_text(norm, block)) == H24
    assert block.name == "组蛋白去乙酰化酶（histone deacetylase, HDAC）抑制剂耐药途径"


def test_running_text_numbers_are_never_headings(docs):
    norm, _, secs = docs[REVIEW]
    assert "PFS（24.8 个月 vs. 14.5 个月" in norm.text
    for b in norm.blocks:
        if b.kind == "heading":
            assert "个月" not in block_text(norm, b)
            assert not b.number.startswith(("24", "25", "63", "500", "35"))
    assert not any("个月" in s.path or "mg" in s.path for s in secs)


def test_title_and_caption_blocks_are_not_sections(docs):
    norm, _, secs = docs[REVIEW]
    captions = [block_text(norm, b) for b in norm.blocks if b.kind == "caption"]
    assert "表 1 腔面型乳腺癌内分泌治疗代表药物" in captions
    assert any(c.startswith("Fig. 1 Updated treatment strategies") for c in captions)
    paths = {s.path for s in secs}
    assert not any(p.startswith(("表", "Tab", "图", "Fig", "注", "Note")) for p in paths)
    assert "Lead" not in paths  # the title line alone precedes the abstract


# ----------------------------------------------------------------- the interview (unnumbered)


def test_interview_unnumbered_headings(docs):
    norm, _, secs = docs[INTERVIEW]
    headings = [block_text(norm, b) for b in norm.blocks if b.kind == "heading"]
    assert headings == INTERVIEW_HEADINGS
    assert [s.path for s in secs] == ["Lead", *INTERVIEW_HEADINGS, "References"]


def test_interview_affiliations_are_not_headings(docs):
    norm, _, secs = docs[INTERVIEW]
    headings = {block_text(norm, b) for b in norm.blocks if b.kind in ("heading", "label")}
    lead = next(norm.text[s.start : s.end] for s in secs if s.path == "Lead")
    for line in AFFILIATIONS:
        assert line not in headings
        assert not any(line in s.path for s in secs)
        assert line in lead


def test_interview_answers_and_references_are_not_headings(docs):
    norm, _, _ = docs[INTERVIEW]
    for b in norm.blocks:
        if b.kind == "heading":
            text = block_text(norm, b)
            assert not text.startswith(("黄乔教授", "1. Nie H", "2. Body JJ"))
            assert len(text) <= 40


def test_interview_reference_list_section(docs):
    norm, _, secs = docs[INTERVIEW]
    refs = norm.text[secs[-1].start : secs[-1].end]
    assert refs.startswith("1. Nie H, et al. Occurrence and distribution of bone metastases")
    assert "6. Cheng JN, et al." in refs


# ----------------------------------------------------------------- small documents


def _paths(src: str) -> list[str]:
    norm = normalize(src)
    return [s.path for s in sections(norm, find_title(norm, "doc"))]


BODY = "这是一段足够长的正文内容，用来说明本节讨论的问题以及相关的研究背景和主要结论，并给出若干细节。"


def test_measure_lines_are_not_headings():
    src = "\n".join([
        "乳腺癌治疗进展",
        "1 前言",
        BODY,
        "24.8 个月后，患者疾病进展。" + BODY,
        "2 方法",
        "3 个月后复查影像学。",
        BODY,
        "2.1 例患者出现不良反应",
        "2.1 研究对象",
        BODY,
    ])
    assert _paths(src) == ["1 前言", "2 方法", "2 方法 › 2.1 研究对象"]


def test_numbers_must_follow_on():
    src = "\n".join(["标题", "1 背景", BODY, "5 名患者入组后随访", BODY, "2 结果", BODY])
    assert _paths(src) == ["1 背景", "2 结果"]


def test_markdown_headings():
    src = "# 乳腺癌指南\n\n## 治疗\n\n" + BODY + "\n\n### 内分泌治疗\n\n" + BODY + "\n"
    norm = normalize(src)
    assert find_title(norm, "doc") == "乳腺癌指南"
    assert _paths(src)[-1] == f"乳腺癌指南{SECTION_SEP}治疗{SECTION_SEP}内分泌治疗"


def test_title_falls_back_to_first_heading_in_full():
    """A document without a title line is titled by its first heading, all of it."""
    src = "\n".join([
        "1 组蛋白去乙酰化酶（histone deacetylase,",
        "HDAC）抑制剂",
        BODY,
        "2 结论",
        BODY,
    ])
    norm = normalize(src)
    assert find_title(norm, "doc") == "组蛋白去乙酰化酶（histone deacetylase, HDAC）抑制剂"


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("腔面型乳腺癌内分泌治疗耐药的研究进展★", "腔面型乳腺癌内分泌治疗耐药的研究进展"),
        ("乳腺癌研究进展*1", "乳腺癌研究进展"),
        ("乳腺癌研究进展［1］", "乳腺癌研究进展"),
        ("晚期乳腺癌的靶向治疗：聚焦HER2", "晚期乳腺癌的靶向治疗：聚焦HER2"),
        ("CDK4/6", "CDK4/6"),
    ],
)
def test_title_footnote_marks(line, title):
    norm = normalize(f"{line}\n摘要：{BODY}\n1 前言\n{BODY}\n")
    assert find_title(norm, "doc") == title


def test_numbered_heading_parser():
    assert numbered_heading("1.4　PI3K/AKT/mTOR抑制剂") == ("1.4", "PI3K/AKT/mTOR抑制剂")
    assert numbered_heading("24.8 个月") is None
    assert numbered_heading("500 mg 单药注射") is None
    assert numbered_heading("3 个月后复查") is None
    assert numbered_heading("1 前言。这是一句话。") is None


def test_line_index():
    src = "ab\ncd\n\nef"
    idx = LineIndex(src)
    assert [idx.line(i) for i in range(len(src))] == [1, 1, 1, 2, 2, 2, 3, 4, 4]


@pytest.mark.parametrize(("source", "path"), [
    ("痛风诊疗指南\n\n第二章 急性发作的治疗\n\n急性痛风发作应在24小时内开始抗炎治疗。\n", "第二章 急性发作的治疗"),
    ("第二章　急性发作的治疗\n急性痛风发作应在24小时内开始抗炎治疗。\n", "第二章 急性发作的治疗"),
    ("# 传染病防治法\n\n## 第一章 总则\n\n第一条 为了预防传染病。\n", "第一章 总则"),
    ("指南\n\n第 3 节 随访\n\n每三个月复查一次血尿酸。\n", "第 3 节 随访"),
    ("一、 急性发作的治疗\n急性痛风发作应在24小时内开始抗炎治疗。\n", "一、急性发作的治疗"),
])
def test_a_chinese_chapter_heading_keeps_the_space_before_its_name(source: str, path: str) -> None:
    paths = [s.path for s in sections(normalize(source), "指南")]
    assert paths[-1].split(SECTION_SEP)[-1] == path
    assert heading_text("第十二章急性发作") == "第十二章 急性发作"


@pytest.mark.parametrize(("source", "path"), [
    ("# 精神卫生法\n\n<!-- tcd_main_text -->\n**第一章　总　则**\n\n第一条　为了发展精神卫生事业，制定本法。\n\n"
     "**第二章　精神障碍的诊断和治疗**\n\n第二十五条　开展精神障碍诊断、治疗活动，应当具备下列条件。\n",
     "第二章 精神障碍的诊断和治疗"),
    ("# Guide\n\n## **Dosing**\n\nThe usual dose of letrozole is 2.5 mg once daily.\n", "Dosing"),
    ("# Guide\n\n## 正文 { data-search-exclude }\n\nThe usual dose of letrozole is 2.5 mg once daily.\n", "正文"),
])
def test_a_markdown_heading_is_named_without_its_marks(source: str, path: str) -> None:
    paths = [s.path for s in sections(normalize(source), "x")]
    assert paths[-1].split(SECTION_SEP)[-1] == path
