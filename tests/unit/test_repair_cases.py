"""The right result of each kind of fault in tests/data/cases: structure, furniture, hyphenation,
tables, encodings and scripts. Retrieval here is sparse (no model); tests/integration covers the modes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from support.embedder import TinyCrossEmbedder, TinyEmbedder

from assistant.core import Assistant
from assistant.ingest import load_corpus
from assistant.ingest.chunk import chunk_document
from assistant.ingest.normalize import normalize
from assistant.ingest.sections import find_title, sections
from assistant.settings import Settings

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
MODEL = TinyEmbedder()
CROSS = TinyCrossEmbedder()


def case(name: str) -> Path:
    (found,) = [p for p in CASES.iterdir() if p.name.startswith(name)]
    return found


def questions(name: str) -> list[str]:
    return [q for q in (case(name) / "questions.txt").read_text(encoding="utf-8").splitlines() if q.strip()]


def open_case(name: str, tmp: Path, folder: str = "seeds", **settings: object) -> Assistant:
    seeds = tmp / "seeds"
    shutil.copytree(case(name) / folder, seeds)
    a = Assistant(Settings(seeds=seeds, index=tmp / "index", **settings), embedder=MODEL,  # type: ignore[arg-type]
                  crosslingual=CROSS)
    a.open()
    return a


def norm_of(name: str, file: str, folder: str = "seeds"):
    return normalize((case(name) / folder / file).read_text(encoding="utf-8"))


# ----------------------------------------------------------------- 01 Traditional script


def test_traditional_document_is_found_by_both_scripts(tmp_path):
    a = open_case("01", tmp_path)
    for q in questions("01"):
        ans = a.ask(q, mode="sparse", k=3)
        assert not ans.abstained, q
        top = ans.citations[0].passage
        assert top.doc == "guide.txt"
        if "骨" in q:
            assert top.line_start <= 16 <= top.line_end
            assert "頜骨壞死" in top.text  # the citation shows the original characters
    source = (tmp_path / "seeds" / "guide.txt").read_text(encoding="utf-8")
    for p in a.index.passages:
        assert "".join(p.text.split()) == "".join(source[p.start : p.end].split())


# ----------------------------------------------------------------- 02 table cells are content


def test_table_cells_are_not_page_furniture(tmp_path):
    text = norm_of("02", "dose.txt").text
    lines = text.split("\n")
    for drug, dose in (("氟维司群", "500"), ("他莫昔芬", "20"), ("阿那曲唑", "1"), ("来曲唑", "2.5")):
        assert lines[lines.index(drug) + 1] == dose
    assert lines.count("口服") == 3
    a = open_case("02", tmp_path)
    for q in questions("02")[:2]:
        top = a.ask(q, mode="sparse").citations[0].passage
        assert "氟维司群\n500" in top.text and "他莫昔芬\n20" in top.text


# ----------------------------------------------------------------- 03 spaced CJK short lines


def test_spaced_cjk_lines_are_joined_and_kept(tmp_path):
    spaced = norm_of("03", "ocr.txt").text
    control = norm_of("03", "ocr.txt", "control-unspaced/seeds").text
    assert spaced == control
    for drug in ("华法林", "地高辛", "胺碘酮"):
        assert drug in spaced.split("\n")
    a = open_case("03", tmp_path / "a")
    b = open_case("03", tmp_path / "b", "control-unspaced/seeds")
    for q in questions("03"):
        x, y = a.ask(q, mode="sparse"), b.ask(q, mode="sparse")
        assert x.abstained == y.abstained is False
        assert x.citations[0].passage.text == y.citations[0].passage.text


# ----------------------------------------------------------------- 05 ASCII line-end hyphenation


def test_ascii_line_end_hyphenation_is_rejoined(tmp_path):
    text = norm_of("05", "en.txt").text
    assert "develop resistance to endocrine" in text
    assert "was managed with dose interruption" in text
    assert "progression-free survival" in text  # a real compound keeps its hyphen
    assert "resis-" not in text and "man-" not in text
    a = open_case("05", tmp_path)
    for q in questions("05"):
        ans = a.ask(q, mode="sparse")
        assert not ans.abstained and ans.citations[0].passage.doc == "en.txt", q


# ----------------------------------------------------------------- 06 Chinese headings


def _paths(src: str) -> list[str]:
    norm = normalize(src)
    return [s.path for s in sections(norm, find_title(norm, "doc"))]


def test_chinese_headings_are_sections_and_blank_lines_end_paragraphs(tmp_path):
    norm = norm_of("06", "notes.txt")
    paths = [s.path for s in sections(norm, find_title(norm, "notes"))]
    assert paths == ["一、背景", "二、治疗方案", "三、不良反应管理"]
    lines = norm.text.split("\n")
    assert "二、治疗方案" in lines
    assert not any("、治疗方案" in ln and ln != "二、治疗方案" for ln in lines)
    a = open_case("06", tmp_path)
    first, second = (a.ask(q, mode="sparse").citations[0].passage for q in questions("06"))
    assert first.section == "二、治疗方案" and "治疗方案" not in first.text
    assert second.section == "三、不良反应管理"


BODY = "这是一段足够长的正文内容，用来说明本节讨论的问题以及相关的研究背景和主要结论，并给出若干细节。"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["（一）适应证", BODY, "（二）禁忌证", BODY], ["（一）适应证", "（二）禁忌证"]),
        (["1．背景", BODY, "2．方法", BODY], ["1．背景", "2．方法"]),
        (["第一章 总论", BODY, "第一节 定义", BODY, "第二节 分类", BODY, "第二章 治疗", BODY],
         ["第一章 总论", "第一章 总论 › 第一节 定义", "第一章 总论 › 第二节 分类", "第二章 治疗"]),
        (["一、总则", "（一）目的", BODY, "（二）范围", BODY, "二、细则", BODY],
         ["一、总则 › （一）目的", "一、总则 › （二）范围", "二、细则"]),
        (["【适应症】本品适用于绝经后激素受体阳性的晚期乳腺癌。", "【用法用量】口服，每日一次，每次一片。"],
         ["【适应症】", "【用法用量】"]),
        (["1 前言", BODY, "1.1 研究对象", BODY, "1.1.1 纳入标准", BODY, "1.2 方法", BODY],
         ["1 前言", "1 前言 › 1.1 研究对象", "1 前言 › 1.1 研究对象 › 1.1.1 纳入标准", "1 前言 › 1.2 方法"]),
        (["# 指南", "## 治疗", BODY], ["指南 › 治疗"]),
        (["1. Introduction", "Breast cancer is common. " * 4, "2. Methods", "We reviewed trials. " * 4],
         ["1 Introduction", "2 Methods"]),
        (["Endocrine therapy", "", "INTRODUCTION", "", "Breast cancer is common. " * 4, "", "RESULTS", "", "Most responded. " * 4],
         ["INTRODUCTION", "RESULTS"]),
        (["Endocrine therapy", "", "Abstract", "", "We studied it. " * 4, "", "Methods", "", "We reviewed trials. " * 4, "", "Results", "",
          "Most responded. " * 4, "", "Discussion", "", "It works. " * 4],
         ["Abstract", "Methods", "Results", "Discussion"]),
    ],
)
def test_heading_styles(lines, expected):
    assert _paths("\n".join(lines)) == expected


def test_numbered_list_is_not_a_heading_run():
    src = "\n".join(["用药注意事项如下，请仔细阅读并遵守：", "1．饭后服用", "2．避免饮酒", "3．定期复查", BODY])
    assert _paths(src) == ["Lead"]


# ----------------------------------------------------------------- 07 running header with page number


def test_running_header_with_page_number_is_dropped():
    source = (case("07") / "seeds" / "paper.txt").read_text(encoding="utf-8")
    norm = normalize(source)
    assert "中国肿瘤临床" not in norm.text and "第 12 卷" not in norm.text
    assert "均为可选方案，其中氟维司群的推荐剂量为每次五百毫克" in norm.text
    assert "已成为一线标准方案之一，常见不良反应为中性粒细胞减少" in norm.text
    for i, ch in enumerate(norm.text):
        assert ch.isspace() or source[norm.origin[i]] == ch


# ----------------------------------------------------------------- 08 Markdown tables and lists


def test_markdown_rows_and_items_keep_their_lines(tmp_path):
    a = open_case("08", tmp_path, chunk_size=64, chunk_overlap=8)
    table = [p for p in a.index.passages if p.doc == "drugs.md"]
    assert len(table) >= 3
    header = "| 药物 | 剂量 | 给药途径 | 频次 | 主要不良反应 |"
    for p in table:
        for line in p.text.split("\n"):
            assert line.startswith("|") and line.endswith("|"), line  # never a partial row
        if header not in p.text:
            assert header in p.context.split("\n")
        assert header not in p.context or header not in p.text
    row = next(p for p in table if "| 拉帕替尼 | 1250 mg |" in p.text)
    assert row.context.endswith(header)
    guide = [p for p in a.index.passages if p.doc == "guide.md"]
    joined = "\n".join(p.text for p in guide)
    for item in ("- 酮康唑", "- 克拉霉素", "- 利福平", "- 卡马西平"):
        assert item in joined.split("\n")
    ans = a.ask("拉帕替尼的剂量是多少", mode="sparse")
    top = ans.citations[0].passage
    assert "| 拉帕替尼 | 1250 mg |" in top.text
    shown = ans.to_json()["passages"][0]
    assert shown["context"] == top.context and shown["role"] == "body"


# ----------------------------------------------------------------- 09 Big5 short files


def test_big5_short_files_decode(tmp_path):
    shutil.copytree(case("09") / "seeds", tmp_path / "seeds")
    corpus = load_corpus(tmp_path / "seeds")
    texts = {d.path: d.text for d in corpus.documents}
    assert texts["bone.txt"] == "骨轉移的處理\n地舒單抗每四週皮下注射一次。\n"
    assert texts["pain.txt"] == "癌症疼痛控制"
    assert texts["ok.txt"] == "門診注意事項\n病人應空腹抽血。\n"
    assert {d.encoding for d in corpus.documents} == {"big5"}


def test_undecidable_encoding_is_skipped_with_a_warning(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "ok.txt").write_text("乳腺癌内分泌治疗。", encoding="utf-8")
    (seeds / "short.txt").write_bytes("妊娠".encode("gbk"))  # as plausible in Big5 as in GBK
    corpus = load_corpus(seeds)
    assert [d.path for d in corpus.documents] == ["ok.txt"]
    (warning,) = corpus.warnings
    assert warning.startswith("skipped short.txt: its encoding cannot be decided")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_files_decode_whatever_the_length(tmp_path, encoding):
    for n, text in enumerate(["癌症疼痛控制", "门诊注意事项\n病人应空腹抽血。\n",
                              "地舒单抗每四周皮下注射一次，用药前应补充钙和维生素D。" * 40]):
        (tmp_path / f"{n}.txt").write_bytes(text.encode(encoding))
    corpus = load_corpus(tmp_path)
    assert sorted(d.text for d in corpus.documents) == sorted(
        ["癌症疼痛控制", "门诊注意事项\n病人应空腹抽血。\n", "地舒单抗每四周皮下注射一次，用药前应补充钙和维生素D。" * 40])


def test_passages_of_cases_map_back():
    for folder in CASES.iterdir():
        if not folder.is_dir():
            continue
        for path in (folder / "seeds").iterdir():
            corpus_text = path.read_bytes()
            from assistant.ingest.decode import decode
            decoded = decode(corpus_text)
            assert decoded is not None, path
            from assistant.records import Document
            doc = Document(path=path.name, text=decoded[0], sha256="", encoding=decoded[1])
            for p in chunk_document(doc, 64, 8):
                src = decoded[0][p.start : p.end]
                assert re.sub(r"\s", "", src).startswith(re.sub(r"\s", "", p.text)[:1])
