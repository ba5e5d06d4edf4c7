"""Normalization of PDF-extracted text: CJK spacing, headers/footers, hyphenation, and the offset map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.ingest import read_source
from assistant.ingest.normalize import Normalized, has_text, normalize

REVIEW = "000_5cc127c3c086e338.txt"
INTERVIEW = "004_adecf566e49ed5b5.txt"

# CJK ideographs, CJK punctuation and full-width forms: never separated by spaces in Chinese text.
CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3001-\u303f\uff01-\uff60]"
CJK_SPACE_CJK = re.compile(f"{CJK}[ \t\u3000]+{CJK}")


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> dict[str, tuple[str, Normalized]]:
    out = {}
    for name in (REVIEW, INTERVIEW):
        source = read_source(seeds_dir, name)
        out[name] = (source, normalize(source))
    return out


def assert_origin_invariants(source: str, norm: Normalized) -> None:
    """Every kept character maps back to itself, whitespace to whitespace, and the map increases."""
    text, origin = norm.text, norm.origin
    assert norm.source == source
    assert len(origin) == len(text)
    for i, ch in enumerate(text):
        assert 0 <= origin[i] < len(source), (i, ch)
        if ch.isspace():
            assert source[origin[i]].isspace(), (i, repr(source[origin[i]]))
        else:
            assert source[origin[i]] == ch, (i, ch, source[origin[i]])
    for a, b in zip(origin, origin[1:], strict=False):
        assert a < b
    for block in norm.blocks:
        assert 0 <= block.start < block.end <= len(text)


# ----------------------------------------------------------------- the real seeds


@pytest.mark.parametrize("name", [REVIEW, INTERVIEW])
def test_no_space_between_cjk_characters(seeds, name):
    source, norm = seeds[name]
    if name == REVIEW:
        assert CJK_SPACE_CJK.search(source), "the review has spaced CJK text to repair"
    bad = [norm.text[max(0, m.start() - 10) : m.end() + 10] for m in CJK_SPACE_CJK.finditer(norm.text)]
    assert bad == []


def test_spaced_cjk_runs_are_joined(seeds):
    _, norm = seeds[REVIEW]
    text = norm.text
    assert "主 要 代 表 药 物" not in text
    assert "主要代表药物是他莫昔芬（tamoxifen， TAM）" in text
    assert "美国临床肿瘤学会 (American Society of Clinical Oncology, ASCO)" in text
    assert "客观缓解率（objective response rate， ORR）" in text
    assert "组蛋白去乙酰化酶（histone deacetylase, HDAC）抑制剂耐药途径" in text
    # spaces between CJK and Latin or digits are kept: they are not layout artefacts
    assert "约占所有乳腺癌的 80% 以上" in text


@pytest.mark.parametrize(
    "noise",
    [
        "综 述",
        "★基金项目",
        "基金项目",
        "湖南省科技创新计划",
        "作者简介",
        "欧阳慧婷",
        "通信作者",
        "范培芝",
        "DOI",
        "10.3969/j.issn.2095-1264",
        "文章编号",
        "2095-1264（2024）01-0045-08",
        "−− 45",
        "−−",
        "肿瘤药学",
        "2024 年 2 月第 14 卷第 1 期",
        "Anti-tumor Pharmacy",
        "Vol. 14, No.1",
    ],
)
def test_review_header_and_footer_removed(seeds, noise):
    source, norm = seeds[REVIEW]
    assert noise in source
    assert noise not in norm.text


def test_review_page_number_line_removed(seeds):
    _, norm = seeds[REVIEW]
    lines = [ln.strip() for ln in norm.text.split("\n")]
    assert "45" not in lines
    assert "综述" not in lines
    assert not any(re.fullmatch(r"[\s−\-–—]*\d{1,4}[\s−\-–—]*", ln) for ln in lines)


@pytest.mark.parametrize("noise", ["排版编辑", "肿瘤资讯-IRIS", "苏公网安备", "32059002004080"])
def test_interview_footer_removed(seeds, noise):
    source, norm = seeds[INTERVIEW]
    assert noise in source
    assert noise not in norm.text
    # the text before the footer is intact
    assert norm.text.rstrip().endswith("Cancer Cell. 2025 Jun 9;43(6):1093-1107.e9.")


def test_interview_keeps_inline_brand_mention(seeds):
    # 【肿瘤资讯】 in running text is content, not the footer
    _, norm = seeds[INTERVIEW]
    assert "基于此,【肿瘤资讯】特邀宜昌市中心人民医院黄乔教授" in norm.text


@pytest.mark.parametrize(
    "joined",
    [
        "endocrine therapy is an important means",
        "the occurrence of endocrine therapy resistance",
        "modern science and technology, significant progress",
        "cell cycle protein-dependent kinase 4/6 inhibitor",
        "选择性雌激素受体调节剂（selective estrogen receptor modulator， SERM）",
        "（cyclin-dependent kinase 4/6，CDK4/6）",
        "Representative drugs for endocrine therapy of hormone receptor-positive breast cancer",
        "酪氨酸激酶受体（tyrosine kinase receptor， TKR）",
        "（4-hydroxytamoxifen-estrogen receptor complex， 4-OHT ER）",
        "肿瘤微环境（tumor microenvironment， TME）",
        "（insulin-like growth factor receptor 1， IGF-1R）",
        "国产药物达尔西利（dalpiciclib）",
        "戈沙妥珠单抗（sacituzumab govitecan， SG）",
    ],
)
def test_hyphenation_rejoined(seeds, joined):
    _, norm = seeds[REVIEW]
    assert joined in norm.text


def test_hyphenation_across_removed_footer_block(seeds):
    """"recep⁃" ends page 1's text, then the footer block, then "tor 2- breast cancer" on page 2."""
    source, norm = seeds[REVIEW]
    before, after = source.index("factor recep⁃"), source.index("tor 2- breast cancer")
    assert "Anti-tumor Pharmacy" in source[before:after]
    expected = ("腔面型乳腺癌（hormone receptor+/human epithelial growth factor receptor 2- breast cancer，"
                "HR+/HER2- BRCA）是最常见的乳腺癌表型")
    assert expected in norm.text
    i = norm.text.index("receptor 2- breast")
    # the joined word maps back to both sides of the footer block
    assert norm.origin[i + len("recep") - 1] < before + len("factor recep")
    assert norm.origin[i + len("recep")] == after


@pytest.mark.parametrize("name", [REVIEW, INTERVIEW])
def test_no_hyphenation_marks_or_split_words_left(seeds, name):
    _, norm = seeds[name]
    assert "\u2043" not in norm.text
    assert "\u2010" not in norm.text
    for broken in ("thera py", "endo crine", "recep tor", "estro gen", "dalpici clib", "sacitu zumab"):
        assert broken not in norm.text


def test_mid_sentence_line_breaks_rejoined(seeds):
    _, norm = seeds[REVIEW]
    assert "乳腺癌是世界范围内女性癌症死亡的首要原因，并且是主要的公共卫生问题之一［1］。" in norm.text
    # paragraphs stay apart: each numbered heading starts its own line
    lines = norm.text.split("\n")
    assert "1 内分泌治疗的作用机制" in lines
    assert "3.1 SERDs" in lines


@pytest.mark.parametrize("name", [REVIEW, INTERVIEW])
def test_offsets_map_back_on_seeds(seeds, name):
    source, norm = seeds[name]
    assert_origin_invariants(source, norm)
    # spans map to original spans holding the same characters
    needle = "氟维司群（fulvestrant， FLV）" if name == REVIEW else "卵巢功能抑制(OFS)"
    i = norm.text.index(needle)
    start, end = norm.span(i, i + 12)
    original = source[start:end]
    assert "".join(original.split()) == "".join(norm.text[i : i + 12].split())


def test_span_rejects_empty():
    norm = normalize("abc")
    with pytest.raises(ValueError):
        norm.span(1, 1)


# ----------------------------------------------------------------- small cases


def test_control_characters_and_escapes_dropped():
    src = "\x1b[31m乳腺癌\x1b[0m治疗\x00耐药\u200b研究\x07。\n"
    norm = normalize(src)
    assert norm.text == "乳腺癌治疗耐药研究。"
    assert_origin_invariants(src, norm)


def test_header_lines_repeated_on_every_page_are_dropped():
    pages = ["内分泌治疗是延长患者总生存期的重要手段。", "耐药和远处复发等问题尚未得到有效解决。",
             "乳腺癌耐药相关分子研究取得了显著进展。", "这些研究为精准治疗的发展奠定了基础。"]
    src = "\n".join(f"Journal of Tests\n{page}\n{n}" for n, page in enumerate(pages, 1))
    norm = normalize(src)
    assert "Journal of Tests" not in norm.text
    assert all(page in norm.text for page in pages)
    assert not re.search(r"\d", norm.text)
    assert_origin_invariants(src, norm)


def test_repeated_sentences_are_content_not_headers():
    """A short sentence that recurs (a refrain, a repeated answer) is not a running header."""
    src = "\n\n".join(["问：这种药物安全吗？", "答：总体安全。", "问：需要长期服用吗？", "答：总体安全。",
                        "问：可以联合用药吗？", "答：总体安全。"])
    norm = normalize(src)
    assert norm.text.count("答：总体安全。") == 3
    assert_origin_invariants(src, norm)


def test_empty_and_blank_inputs():
    for src in ("", "\n\n", "   \u3000\t\r\n", "\x00\x1b[0m"):
        norm = normalize(src)
        assert norm.text == ""
        assert norm.origin == ()
        assert norm.blocks == ()


# ----------------------------------------------------------------- properties

_PIECES = (
    list("乳腺癌内分泌治疗耐药研究进展氟维司群abcXYZ0123456789 。！？；.!?,，()（）")
    + list("\n\n\u3000⁃‐\u00ad-/:：\r\t\x00\x07\x1b")
    + ["综 述", "−− 45", "DOI: 10.1", "1 前言", "1.1 方法", "2 结果", "24.8 个月", "# Title", "Abstract: ",
       "摘要：", "表 1 数据", "注：PFS：无进展生存期；", "\n  ", "endocrine thera⁃\npy", "Page 3", "\x1b[31m",
       "\r\n", "肿瘤药学 2024 年 2 月第 14 卷第 1 期", "主 要 代 表 药 物"]
)
mixed_text = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_normalize_never_crashes_on_arbitrary_unicode(src):
    assert_origin_invariants(src, normalize(src))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_text)
def test_normalize_offsets_on_pdf_like_text(src):
    norm = normalize(src)
    assert_origin_invariants(src, norm)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", norm.text)
    assert CJK_SPACE_CJK.search(norm.text) is None


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.text(max_size=1000), mixed_text))
def test_normalize_offsets_thorough(src):
    norm = normalize(src)
    assert_origin_invariants(src, norm)
    assert CJK_SPACE_CJK.search(norm.text) is None


_FURNITURE = ["Page 3", "- 12 -", "13", "−− 45", "第 5 页", "DOI: 10.1", "综 述", "Running head", "Header。",
              "1 前言", "x", "\x1b[31m", "\x07", "", " ", "\u3000", "\r"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.lists(st.sampled_from(_FURNITURE), max_size=12).map("\n".join), mixed_text))
def test_has_text_agrees_with_normalize(src):
    """The ingest check (skip a file with no text) decides exactly as normalizing would."""
    assert has_text(src) == bool(normalize(src).text.strip())
