"""Every passage of the real seeds index points at its exact span in the original file."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

# Lines of the original that normalization drops (page-1 footer block of the review, the interview's
# footer). A passage span may only cross them where the text itself runs across a page break.
FOOTER_MARKERS = ("综 述", "基金项目", "作者简介", "通信作者", "DOI", "文章编号", "−− 45", "肿瘤药学 2024",
                  "Anti-tumor Pharmacy", "排版编辑", "苏公网安备")
HYPHENS = "\u2043\u2010\u00ad"


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def content(text: str) -> str:
    """Non-whitespace characters, without hyphenation marks and dropped footer lines."""
    kept = [ln for ln in text.split("\n") if not any(m in ln for m in FOOTER_MARKERS)]
    return re.sub(rf"[\s{HYPHENS}]", "", "\n".join(kept))


@pytest.fixture(scope="module")
def passages(assistant):
    ps = assistant.index.passages
    assert len(ps) > 50
    return ps


@pytest.fixture(scope="module")
def sources(assistant, passages):
    return {doc: assistant.source(doc) for doc in {p.doc for p in passages}}


def test_index_covers_both_seeds(passages, sources):
    assert set(sources) == {"000_5cc127c3c086e338.txt", "004_adecf566e49ed5b5.txt"}
    assert [p.id for p in passages] == list(range(len(passages)))


def test_every_passage_maps_to_its_original_span(passages, sources):
    for p in passages:
        source = sources[p.doc]
        span = source[p.start : p.end]
        assert 0 <= p.start < p.end <= len(source), p
        assert source[p.start] == p.text[0], p
        assert source[p.end - 1] == p.text[-1], p
        assert is_subsequence("".join(p.text.split()), span), p
        # and nothing else: the span holds exactly the passage's characters, give or take layout
        assert content(span) == re.sub(r"\s", "", p.text), p


def test_line_numbers_match_the_span(passages, sources):
    for p in passages:
        source = sources[p.doc]
        assert p.line_start == source.count("\n", 0, p.start) + 1, p
        assert p.line_end == source.count("\n", 0, p.end - 1) + 1, p
        assert p.key == f"{p.doc}:{p.line_start}-{p.line_end}"


def test_sentences_lie_inside_the_passage(passages):
    for p in passages:
        assert p.sentences, p
        previous_end = 0
        for b, e in p.sentences:
            assert previous_end <= b < e <= len(p.text), p
            assert p.text[b:e].strip() == p.text[b:e]
            previous_end = e


def test_passages_of_a_section_are_in_order(passages):
    by_section = defaultdict(list)
    for p in passages:
        by_section[(p.doc, p.section)].append(p)
    for group in by_section.values():
        for a, b in zip(group, group[1:], strict=False):
            assert a.start < b.start and a.end < b.end


def test_known_passages(passages, sources):
    """Spot checks with hand-found line numbers of the originals."""
    pik3ca = [p for p in passages if "PIK3CA突变率高达 35%" in p.text]
    assert pik3ca and all(p.section.endswith("1.4 PI3K/AKT/mTOR抑制剂") for p in pik3ca)
    # line 251 of the original: "晚期HR+/HER2- BRCA患者的PIK3CA突变率高达"
    assert any(p.line_start <= 251 <= p.line_end for p in pik3ca)

    ofs = [p for p in passages if "卵巢功能抑制(OFS)" in p.text]
    assert ofs and all(p.doc == "004_adecf566e49ed5b5.txt" and p.line_start <= 18 <= p.line_end for p in ofs)

    # the passage that runs across the page-1 footer block of the review
    across = [p for p in passages if "human epithelial growth factor receptor 2- breast cancer" in p.text]
    assert across
    for p in across:
        span = sources[p.doc][p.start : p.end]
        assert "Anti-tumor Pharmacy" in span
        assert "Anti-tumor Pharmacy" not in p.text and "基金项目" not in p.text
