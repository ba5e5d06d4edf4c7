"""Ingest: encodings, skipped files, and offsets that survive CRLF line ends."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from assistant.errors import SeedsError
from assistant.ingest import load_corpus, read_source
from assistant.ingest.chunk import chunk_document
from assistant.ingest.normalize import normalize

REVIEW = "000_5cc127c3c086e338.txt"
INTERVIEW = "004_adecf566e49ed5b5.txt"
SHORT = "乳腺癌内分泌治疗耐药的研究进展\n氟维司群是选择性雌激素受体下调剂。\n"


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def check_offsets(passages, source: str) -> None:
    assert passages
    for p in passages:
        assert source[p.start] == p.text[0] and source[p.end - 1] == p.text[-1], p
        assert is_subsequence("".join(p.text.split()), source[p.start : p.end]), p
        assert p.line_start == source.count("\n", 0, p.start) + 1, p
        assert p.line_end == source.count("\n", 0, p.end - 1) + 1, p


@pytest.fixture(scope="module")
def interview(seeds_dir: Path) -> str:
    return (seeds_dir / INTERVIEW).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def review(seeds_dir: Path) -> str:
    return (seeds_dir / REVIEW).read_text(encoding="utf-8")


# ----------------------------------------------------------------- encodings


def test_encodings_decode_to_the_same_text(tmp_path, interview):
    files = {
        "utf8.txt": interview.encode("utf-8"),
        "utf8-bom.txt": codecs.BOM_UTF8 + interview.encode("utf-8"),
        "gb18030.txt": interview.encode("gb18030"),
        "gbk.md": interview.encode("gbk"),
        "utf16.txt": interview.encode("utf-16"),  # with BOM (little-endian here)
        "utf16-be.txt": codecs.BOM_UTF16_BE + interview.encode("utf-16-be"),
        "short-gbk.txt": SHORT.encode("gbk"),
        "short-utf16.txt": SHORT.encode("utf-16"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    corpus = load_corpus(tmp_path)
    assert corpus.warnings == []
    texts = {d.path: d.text for d in corpus.documents}
    assert set(texts) == set(files)
    for name, text in texts.items():
        assert text == (SHORT if name.startswith("short") else interview), name
        assert not text.startswith("\ufeff")
        assert read_source(tmp_path, name) == text
    encodings = {d.path: d.encoding for d in corpus.documents}
    assert encodings["gbk.md"] == encodings["gb18030.txt"] == "gb18030"
    assert encodings["utf8-bom.txt"] == "utf-8-sig"
    # same text, same passages: offsets index the decoded text, whatever the bytes were
    passages = {d.path: chunk_document(d, 160, 32) for d in corpus.documents}
    reference = [(p.start, p.end, p.text) for p in passages["utf8.txt"]]
    for name in ("utf8-bom.txt", "gb18030.txt", "gbk.md", "utf16.txt", "utf16-be.txt"):
        assert [(p.start, p.end, p.text) for p in passages[name]] == reference, name


def test_review_in_gb18030(tmp_path, review):
    """The review has characters outside GBK (e.g. ⁃): GB18030 still holds them."""
    with pytest.raises(UnicodeEncodeError):
        review.encode("gbk")
    (tmp_path / "review.txt").write_bytes(review.encode("gb18030"))
    (doc,) = load_corpus(tmp_path).documents
    assert doc.text == review


# ----------------------------------------------------------------- skipped files


def test_binary_and_empty_files_are_skipped_with_one_warning_each(tmp_path, interview):
    (tmp_path / "good.txt").write_text(interview, encoding="utf-8")
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / "nested" / "deeper" / "notes.MD").write_text("# 标题\n\n正文内容。\n", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16)
    (tmp_path / "zeros.md").write_bytes(b"\x00" * 512)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("  \n\r\n\t\n", encoding="utf-8")
    (tmp_path / "bom-only.txt").write_bytes(codecs.BOM_UTF8)
    (tmp_path / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.4")  # a PDF, damaged: one warning
    (tmp_path / "table.xlsx").write_bytes(b"PK")  # a type it cannot read: counted, not warned about

    corpus = load_corpus(tmp_path)
    assert sorted(d.path for d in corpus.documents) == ["good.txt", "nested/deeper/notes.MD"]
    skipped = ["image.txt", "zeros.md", "empty.txt", "blank.md", "bom-only.txt", "paper.pdf"]
    assert len(corpus.warnings) == len(skipped)
    for name in skipped:
        (warning,) = [w for w in corpus.warnings if f"{name}:" in w]
        assert warning.startswith(f"skipped {name}")
    assert any("image.txt" in w and "binary" in w for w in corpus.warnings)
    assert any("empty.txt" in w and "empty" in w for w in corpus.warnings)
    assert not any(".hidden" in w or "table.xlsx" in w for w in corpus.warnings)
    assert [w for w in corpus.warnings if "paper.pdf" in w] == ["skipped paper.pdf: it is damaged or not a PDF "
                                                                 "PDFium can read"]
    assert corpus.unsupported == {".xlsx": 1}


def test_seeds_errors(tmp_path):
    with pytest.raises(SeedsError, match="does not exist"):
        load_corpus(tmp_path / "missing")
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(SeedsError, match="not a directory"):
        load_corpus(tmp_path / "file.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SeedsError, match="no readable"):
        load_corpus(tmp_path / "empty")
    (tmp_path / "empty" / "blank.txt").write_bytes(b"")
    with pytest.raises(SeedsError, match="1 skipped"):
        load_corpus(tmp_path / "empty")


# ----------------------------------------------------------------- CRLF


@pytest.mark.parametrize("name", [REVIEW, INTERVIEW])
def test_crlf_keeps_offsets_and_text(tmp_path, seeds_dir, name):
    lf = read_source(seeds_dir, name)
    (tmp_path / name).write_bytes(lf.replace("\n", "\r\n").encode("utf-8"))
    (doc,) = load_corpus(tmp_path).documents
    assert "\r\n" in doc.text
    (lf_doc,) = [d for d in load_corpus(seeds_dir).documents if d.path == name]

    # normalization does not depend on the line terminator
    assert normalize(doc.text).text == normalize(lf).text

    crlf_passages = chunk_document(doc, 160, 32)
    lf_passages = chunk_document(lf_doc, 160, 32)
    check_offsets(crlf_passages, doc.text)
    assert [(p.section, p.text) for p in crlf_passages] == [(p.section, p.text) for p in lf_passages]
    lines = [(p.line_start, p.line_end) for p in lf_passages]
    assert [(p.line_start, p.line_end) for p in crlf_passages] == lines
    for p in crlf_passages:
        assert "\r" not in p.text


def test_utf16_crlf_file(tmp_path, interview):
    """A Windows Notepad file: UTF-16 with BOM and CRLF line ends."""
    (tmp_path / "notepad.txt").write_bytes(interview.replace("\n", "\r\n").encode("utf-16"))
    (doc,) = load_corpus(tmp_path).documents
    assert doc.text == interview.replace("\n", "\r\n")
    check_offsets(chunk_document(doc, 160, 32), doc.text)


def test_when_nothing_can_be_read_the_error_says_why_for_each_file(tmp_path: Path) -> None:
    (tmp_path / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<")
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    with pytest.raises(SeedsError) as caught:
        load_corpus(tmp_path)
    message = str(caught.value)
    assert "\n" not in message and "(2 skipped: " in message
    assert "truncated.pdf" in message and "empty.md" in message
    for name in "cdefg":
        (tmp_path / f"{name}.md").write_text(" \n", encoding="utf-8")
    with pytest.raises(SeedsError, match=r"\(7 skipped: .*; and 4 more\)"):
        load_corpus(tmp_path)
