"""Chunking invariants: sections, original spans, line numbers, token budget, sentences."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.ingest import chunk
from assistant.ingest.chunk import (
    chunk_corpus,
    chunk_document,
    context_line,
    sentence_spans,
    split_section,
    token_counter,
)
from assistant.ingest.lines import TERMINATOR
from assistant.ingest.normalize import normalize
from assistant.ingest.sections import find_title, sections
from assistant.records import Document, Passage

PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
"""For the ``slow`` runs: ``pytest -m slow tests/test_chunk.py tests/test_normalize.py``."""

_SENTENCES = [
    "内分泌治疗是延长患者总生存期的一种重要手段。",
    "氟维司群（fulvestrant， FLV）是 SERDs 的代表性药物！",
    "晚期HR+/HER2- BRCA患者的PIK3CA突变率高达 35%［26］；",
    "The PFS was 24.8 months vs. 14.5 months. ",
    "Endocrine therapy resistance is common? ",
    "Yes! ",
    "ORR（55.3% vs. 44.4%）均有所获益，",
    "endocrine thera⁃\npy",
    "recep⁃\n\n综 述\n−− 45\n肿瘤药学 2024 年 2 月第 14 卷第 1 期\ntor",
]
_ATOMS = list("乳腺癌治疗耐药研究abcXYZ0123456789 。！？；.!?,，:：()（）\n\n\n\u3000⁃-/\r\t\x00\x07\x0b\x1b")
_LINES = ["1 前言", "1.1 方法", "2 结果", "2.1 研究对象", "24.8 个月", "# 标题", "## Methods", "摘要：",
          "Abstract: ", "表 1 数据", "注：PFS：无进展生存期；OS：总生存期。", "DOI: 10.3969/j", "Page 3",
          "−− 45", "苏公网安备32059002004080号", "\x1b[31mred\x1b[0m", "\r\n", "\n\u3000\u3000",
          "主 要 代 表 药 物"]
pdf_like_text = st.lists(
    st.one_of(
        st.sampled_from(_ATOMS),
        st.sampled_from(_SENTENCES),
        st.sampled_from(_LINES).map(lambda s: f"\n{s}\n"),
    ),
    max_size=90,
).map("".join)


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def check_passage_maps_back(p: Passage, source: str) -> None:
    """The passage text is the normalized form of exactly source[p.start:p.end]."""
    assert p.text, p
    assert p.text == p.text.strip()
    assert 0 <= p.start < p.end <= len(source)
    assert source[p.start] == p.text[0]
    assert source[p.end - 1] == p.text[-1]
    assert is_subsequence("".join(p.text.split()), source[p.start : p.end])
    # lines end at LF, CRLF, CR, NEL, U+2028 and U+2029 alike
    assert p.line_start == len(TERMINATOR.findall(source, 0, p.start)) + 1
    assert p.line_end == len(TERMINATOR.findall(source, 0, p.end - 1)) + 1
    assert p.line_start <= p.line_end
    for b, e in p.sentences:
        assert 0 <= b < e <= len(p.text)
        assert p.text[b:e] == p.text[b:e].strip()


def check_document(src: str, size: int, overlap: int) -> list[Passage]:
    doc = Document(path="dir/doc.txt", text=src, sha256="0" * 64, encoding="utf-8")
    passages = chunk_document(doc, size, overlap, first_id=7)
    norm = normalize(src)
    title = find_title(norm, "doc")
    secs = sections(norm, title)
    count = token_counter()
    assert [p.id for p in passages] == list(range(7, 7 + len(passages)))
    for p in passages:
        check_passage_maps_back(p, src)
        assert p.doc == "dir/doc.txt"
        assert p.title == title
        # inside exactly the section it is labelled with
        inside = [s for s in secs if norm.origin[s.start] <= p.start and p.end <= norm.origin[s.end - 1] + 1]
        assert [s.path for s in inside] == [p.section], (p, secs)
        assert count(p.text) <= size or len(p.text) == 1, (count(p.text), size, p.text)
    # every section with text produces passages, and passages follow reading order
    assert {p.section for p in passages} == {s.path for s in secs if norm.text[s.start : s.end].strip()}
    for a, b in zip(passages, passages[1:], strict=False):
        # reading order, and each passage reaches further than the one before (none repeats another)
        assert a.start <= b.start and a.end < b.end, (a, b)
    return passages


@PROPERTY
@given(pdf_like_text, st.integers(16, 120), st.data())
def test_chunk_invariants_pdf_like(src, size, data):
    overlap = data.draw(st.integers(0, size - 1), label="overlap")
    check_document(src, size, overlap)


@pytest.mark.slow
@THOROUGH
@given(pdf_like_text, st.integers(16, 200), st.data())
def test_chunk_invariants_pdf_like_thorough(src, size, data):
    overlap = data.draw(st.integers(0, size - 1), label="overlap")
    check_document(src, size, overlap)


@PROPERTY
@given(st.text(max_size=400), st.integers(16, 64), st.data())
def test_chunk_invariants_arbitrary_unicode(src, size, data):
    overlap = data.draw(st.integers(0, size - 1), label="overlap")
    check_document(src, size, overlap)


@PROPERTY
@given(st.text(alphabet=st.sampled_from(list("乳腺癌治疗耐药。！？；ab .!?\n")), max_size=300),
       st.integers(16, 40))
def test_split_section_spans_cover_the_text(text, size):
    """Without overlap, the chunks cover every non-whitespace character once, in order."""
    spans = split_section(text, size, 0)
    covered = "".join(text[b:e] for b, e in spans)
    assert "".join(covered.split()) == "".join(text.split())
    for (_, e1), (b2, _) in zip(spans, spans[1:], strict=False):
        assert e1 <= b2


@PROPERTY
@given(st.sampled_from(["乳腺癌疗耐药。！？；ab .!?\n", "疗。", "ab ", "乳"])
       .flatmap(lambda alphabet: st.text(alphabet=st.sampled_from(list(alphabet)), max_size=300)),
       st.integers(16, 40), st.data())
def test_split_section_with_overlap_moves_forward(text, size, data):
    """With overlap, each chunk starts no earlier than the previous one and ends after it, and together
    the chunks still cover every non-whitespace character."""
    overlap = data.draw(st.integers(1, size - 1), label="overlap")
    spans = split_section(text, size, overlap)
    for (b1, e1), (b2, e2) in zip(spans, spans[1:], strict=False):
        assert b1 <= b2 and e1 < e2, spans
    covered = set()
    for b, e in spans:
        covered.update(range(b, e))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def langchain_chunks(text: str, size: int, overlap: int) -> list[str]:
    """The reference: langchain's splitter configured as :func:`split_section` describes."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        separators=chunk.SEPARATORS, is_separator_regex=True, keep_separator="end", chunk_size=size,
        chunk_overlap=overlap, length_function=token_counter(), strip_whitespace=True)
    return splitter.split_text(text)


def own_chunks(text: str, size: int, overlap: int) -> list[str]:
    return [text[b:e] for b, e in split_section(text, size, overlap)]


def assert_langchains(text: str, size: int, overlap: int) -> None:
    """The passages are langchain's chunks, in order, except chunks that add no text to the one before
    (the splitter repeats the overlap alone before a whitespace-only piece), which are dropped."""
    own, theirs = own_chunks(text, size, overlap), langchain_chunks(text, size, overlap)
    i = 0
    for chunk_text in theirs:
        if i < len(own) and chunk_text == own[i]:
            i += 1
        else:
            assert i > 0 and chunk_text in own[i - 1], (chunk_text, own)
    assert i == len(own)


@PROPERTY
@given(st.one_of(pdf_like_text, st.text(max_size=300),
                 st.text(alphabet=st.sampled_from(list("乳腺。！？；ab .!?,，\n-")), max_size=400)),
       st.integers(16, 60), st.data())
def test_chunks_are_exactly_langchains(text, size, data):
    """The passages are langchain's chunks, each placed where its text is."""
    overlap = data.draw(st.integers(0, size - 1), label="overlap")
    assert_langchains(text, size, overlap)


@pytest.mark.slow
@THOROUGH
@given(st.one_of(pdf_like_text, st.text(max_size=600),
                 st.text(alphabet=st.sampled_from(list("乳腺。！？；ab .!?,，\n-")), max_size=800)),
       st.integers(16, 200), st.data())
def test_chunks_are_exactly_langchains_thorough(text, size, data):
    overlap = data.draw(st.integers(0, size - 1), label="overlap")
    assert_langchains(text, size, overlap)


def test_chunks_are_langchains_on_the_seeds(seeds_dir):
    from assistant.ingest import load_corpus

    for doc in load_corpus(seeds_dir).documents:
        text = normalize(doc.text).text
        for size, overlap in ((160, 32), (64, 8)):
            assert_langchains(text, size, overlap)


@pytest.mark.parametrize("text", ["-" * 20_000, "ab" * 10_000, "- " * 10_000, "疗" * 20_000,
                                  "乳腺癌。" * 5_000, "x" * 5_000 + "\n" + "=" * 20_000],
                         ids=["dashes", "ab", "dash-space", "cjk", "sentence", "two-runs"])
def test_long_repetitive_runs_are_chunked_quickly_and_exactly(text):
    token_counter()("warm up")
    started = time.perf_counter()
    spans = split_section(text, 160, 32)
    elapsed = time.perf_counter() - started
    assert elapsed < 60, f"{elapsed:.1f} s"  # a guard against minutes, not a speed target (bench measures)
    assert spans[0][0] == 0 and spans[-1][1] == len(text.rstrip())
    for (b1, e1), (b2, e2) in zip(spans, spans[1:], strict=False):
        # in order, overlapping or separated by whitespace only: everything is covered
        assert b1 <= b2 and e1 < e2 and (b2 <= e1 or not text[e1:b2].strip())
    assert [text[b:e] for b, e in spans] == langchain_chunks(text, 160, 32)


def test_repeated_text_is_placed_in_reading_order():
    # "疗" alone also occurs inside the first chunk; it must be placed after it
    text = "?乳乳疗疗疗疗"
    spans = split_section(text, 16, 0)
    assert spans == [(0, 6), (6, 7)]


def test_no_chunk_repeats_only_the_overlap():
    # the splitter's last chunk here is "?", which is the tail of the first chunk again
    text = "??a?乳?乳?乳疗?腺? "
    assert split_section(text, 20, 1) == [(0, len(text) - 1)]


def test_overlap_only_chunk_is_not_placed_elsewhere():
    # the splitter emits "e" (the tail of "Endocrine" again) before " therapy…"; it must not be
    # taken for the "e" of "therapy"
    text = ("内分泌治疗是延长患者总生存期的一种重要手段。乳乳乳乳乳乳乳乳乳乳腺"
            "Endocrine therapy resistance is common?")
    spans = split_section(text, 16, 1)
    assert [text[b:e] for b, e in spans][-2:] == ["乳乳腺Endocrine", "therapy resistance is common?"]


def test_repetitive_text_is_covered_in_order():
    # each chunk also occurs at every earlier offset: the first match after the previous start is wrong
    text = "疗" * 9
    assert split_section(text, 16, 4) == [(0, 5), (4, 9)]
    text = "乳腺癌。" * 20
    spans = split_section(text, 16, 8)
    assert spans[0] == (0, 8) and spans[-1][1] == len(text)
    assert all(text[b:e] == "乳腺癌。乳腺癌。" for b, e in spans)
    assert [b for b, _ in spans] == list(range(0, len(text) - 4, 4))  # one sentence of overlap


def test_long_sections_are_split_within_budget():
    body = "".join(_SENTENCES[:7] * 12)
    src = f"研究进展\n1 前言\n{body}\n2 结果\n{body}\n"
    passages = check_document(src, 60, 12)
    assert len(passages) > 6
    assert {p.section for p in passages} == {"1 前言", "2 结果"}
    # consecutive passages of a section overlap
    first = [p for p in passages if p.section == "1 前言"]
    assert any(a.end > b.start for a, b in zip(first, first[1:], strict=False))


def test_chunks_prefer_sentence_ends():
    body = "".join(f"第{i}句话说明了内分泌治疗耐药的一个机制。" for i in range(40))
    passages = check_document(f"标题\n1 前言\n{body}\n", 64, 0)
    assert len(passages) > 3
    assert all(p.text.endswith("。") for p in passages)


def test_crlf_line_numbers():
    src = "标题\r\n1 前言\r\n内分泌治疗是重要手段。\r\n\r\n2 结果\r\n氟维司群有效。\r\n"
    passages = check_document(src, 64, 0)
    assert [(p.section, p.line_start, p.line_end, p.text) for p in passages] == [
        ("1 前言", 3, 3, "内分泌治疗是重要手段。"),
        ("2 结果", 6, 6, "氟维司群有效。"),
    ]


def test_sentence_spans():
    text = "氟维司群有效。PFS was 24.8 months vs. 14.5 months. OK? 是的！结束"
    spans = sentence_spans(text)
    assert [text[b:e] for b, e in spans] == [
        "氟维司群有效。", "PFS was 24.8 months vs. 14.5 months.", "OK?", "是的！", "结束"]


@pytest.mark.parametrize(("text", "sentences"), [
    ("Smith J, et al. Reported it. Next one.", ["Smith J, et al. Reported it.", "Next one."]),
    ("See Fig. 1 and Table 2. Then stop.", ["See Fig. 1 and Table 2.", "Then stop."]),
    ("表 1 代表药物\nTab. 1 Representative drugs. See Suppl. 2 too.",
     ["表 1 代表药物", "Tab. 1 Representative drugs.", "See Suppl. 2 too."]),
    ("Use e.g. aspirin, i.e. ASA. Done.", ["Use e.g. aspirin, i.e. ASA.", "Done."]),
    ("There are 10 drugs approved by the U.S. Food and Drug Administration. Ten.",
     ["There are 10 drugs approved by the U.S. Food and Drug Administration.", "Ten."]),
    ("C. difficile may occur. Stop.", ["C. difficile may occur.", "Stop."]),
    ("1. Take it with food.\n2. Drink water.", ["1. Take it with food.", "2. Drink water."]),
    ("in ESMO guidelines. 经历多线化疗的患者。", ["in ESMO guidelines.", "经历多线化疗的患者。"]),
    ("体重大于50公斤者，每次500mg；体重小于50公斤者，每次250mg。结束。",
     ["体重大于50公斤者，每次500mg；体重小于50公斤者，每次250mg。", "结束。"]),
    ("| drug | dose |\n| letrozole | 2.5 mg |", ["| drug | dose |", "| letrozole | 2.5 mg |"]),
    ("（55.3% vs. 44.4%）均有所获益。", ["（55.3% vs. 44.4%）均有所获益。"]),
])
def test_sentences_end_where_sentences_end(text: str, sentences: list[str]) -> None:
    assert [text[b:e] for b, e in sentence_spans(text)] == sentences


def test_token_counter_is_offline_cl100k():
    count = token_counter()
    assert count("") == 0
    assert count("hello world") == 2
    assert count("<|endoftext|>") > 1  # special tokens are plain text here


def test_chunk_corpus_numbers_passages_across_documents():
    docs = [Document(f"d{i}.txt", f"标题{i}\n1 前言\n内分泌治疗是重要手段。\n", "0", "utf-8")
            for i in range(3)]
    passages = chunk_corpus(docs, 64, 8)
    assert [p.id for p in passages] == [0, 1, 2]
    assert [p.doc for p in passages] == ["d0.txt", "d1.txt", "d2.txt"]
    assert context_line(passages[0]) == "1 前言"


def test_overlap_alone_is_dropped_before_the_chunk_that_goes_on_from_it():
    # three identical notes: the splitter gives A, A+A, A (the overlap alone), A+A; the lone A must not be
    # taken for the third note, which would leave the last chunk (second and third notes) nowhere to go
    note = "注：PFS：无进展生存期；OS：总生存期。"
    text = f"\n{note}\n\n{note}\n\n{note}\n"
    assert split_section(text, 39, 21) == [(1, 22), (1, 45), (24, 68)]
    # the same repeated piece that does add text past the chunk before is kept
    assert split_section("?乳乳乳乳乳乳乳乳 乳", 16, 1) == [(0, 8), (8, 9), (10, 11)]


_ROW = "药物类型 他莫昔芬、托瑞米芬、" + "适用范围早期患者绝经前辅助内分泌治疗内分泌耐药进展的晚期患者" * 2
_PARA = "内分泌治疗是延长患者总生存期的一种重要手段，但内分泌治疗耐药和远处复发等问题尚未得到有效解决。"


@pytest.mark.parametrize("caption", ["表 1 代表药物\nTab. 1 Representative drugs", "Table 2. Representative drugs"])
def test_a_caption_goes_with_the_table_after_it(caption):
    # the splitter closes a chunk before a table row too long to join it and cuts the row into pieces,
    # which left the caption alone; joined to the row's first piece, it stays within the budget
    text = f"内分泌治疗\n\n1 药物\n\n{_PARA}\n\n{caption}\n\n{_ROW}\n"
    passages = chunk_document(Document("d.txt", text, "0", "utf-8"), 64, 8)
    holding = [p for p in passages if caption.split("\n")[0] in p.text]
    assert len(holding) == 1
    assert holding[0].text.startswith(caption.split("\n")[0]) and "药物类型" in holding[0].text
    assert all(token_counter()(p.text) <= 64 for p in passages)
    for p in passages:
        check_passage_maps_back(p, text)
    # when the two would not fit, the caption stays a passage of its own
    wide = chunk_document(Document("d.txt", text, "0", "utf-8"), 30, 4)
    assert all(token_counter()(p.text) <= 30 for p in wide)


def test_a_caption_that_ends_its_section_stays_a_passage():
    text = f"内分泌治疗\n\n1 药物\n\n{_PARA}\n\n图 1 治疗策略\n\n2 耐药\n\n{_PARA}\n"
    passages = chunk_document(Document("d.txt", text, "0", "utf-8"), 64, 8)
    assert any(p.text == "图 1 治疗策略" for p in passages)


@pytest.mark.parametrize(("text", "spans"), [
    ("疗疗疗疗疗。。。?疗疗疗疗疗", [(0, 6), (6, 8), (8, 14)]),
    ("疗疗疗疗疗。。。乳疗疗疗疗疗", [(0, 6), (6, 8), (8, 13), (13, 14)]),
])
def test_a_repeated_piece_is_placed_where_nothing_is_left_uncovered(text, spans):
    # "。。" occurs at 5 and at 6; taken at 5 it left the third mark uncovered (or lost the next chunk)
    assert split_section(text, 16, 1) == spans


def test_lines_of_html_comments_are_no_passage_and_no_section() -> None:
    """Markdown converted from a web page keeps ``<!-- … -->`` markers; no reader sees them."""
    text = ("# 精神卫生法\n\n<!-- tcd_main_text -->\n\n## 第一章 总则\n\n第一条 为了发展精神卫生事业，制定本法。\n\n"
            "<!-- tcd_main_text_end --> <!-- x -->\n\n第二条 本法自2013年5月1日起施行。\n")
    passages = chunk_document(Document("law.md", text, "0", "utf-8"), 64, 8)
    assert passages and not any("<!--" in p.text or "<!--" in p.section for p in passages)
    for p in passages:
        check_passage_maps_back(p, text)
    assert any("2013年5月1日起施行" in p.text for p in passages)
