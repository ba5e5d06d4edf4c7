"""Documents in seeds/: each is indexed correctly, or skipped with one warning naming it, and the rest
of the corpus is always indexed.

Covered: empty, whitespace-only and BOM-only files; binary files; a 50 MB file (sparse, made in an
instant); GBK (short and long), UTF-16 with and without BOM, UTF-8 with BOM, Latin-1; NUL bytes; CRLF
line ends; symlinks (a dir symlink to its parent, a self-referencing file symlink, a dangling one, a
second name for a document, a dir symlink leading outside); a FIFO and a symlink to /dev/zero (reading
either would hang the build); a file name that is not valid UTF-8; unreadable files; a one-line document
(its own title, still a passage); a document with no text once page furniture and escapes are removed.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from support.cli import without_stages

from assistant.ingest import chunk, load_corpus, read_source
from assistant.ingest.files import MAX_FILE_BYTES
from assistant.ingest.normalize import normalize
from assistant.main import main
from assistant.records import Document

GBK_LONG = ("氟维司群是一种雌激素受体下调剂，用于绝经后激素受体阳性晚期乳腺癌的内分泌治疗。"
            "常见不良反应包括注射部位疼痛和潮热。")
CRLF_LINES = ["# Hot flushes", "", "Venlafaxine relieves hot flushes during endocrine therapy,",
              "and gabapentin is an alternative for women who cannot take it.", "", "## Dose",
              "", "Venlafaxine 37.5 mg daily, raised to 75 mg after one week."]


def make_corpus(seeds: Path, outside: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Write every kind of file. Returns ({doc: text it must decode to}, {file: why it is skipped})."""
    seeds.mkdir(parents=True)
    (seeds / "sub").mkdir()
    good: dict[str, str] = {}
    skipped: dict[str, str] = {}

    def put(name: str, data: bytes, text: str | None = None, why: str | None = None) -> None:
        (seeds / name).write_bytes(data)
        if text is not None:
            good[name] = text
        if why is not None:
            skipped[name] = why

    put("good.md", b"# Metformin\n\nMetformin lowers blood glucose in type 2 diabetes.\n",
        "# Metformin\n\nMetformin lowers blood glucose in type 2 diabetes.\n")
    put("gbk_tiny.txt", "氟维司群".encode("gbk"), "氟维司群")  # charset-normalizer alone says cp949
    short = "芳香化酶\n依西美坦"
    put("gbk_short.txt", short.encode("gbk"), short)  # ... and this shift_jis
    put("gbk_long.txt", GBK_LONG.encode("gbk"), GBK_LONG)
    utf16 = "Tamoxifen 他莫昔芬 is a selective estrogen receptor modulator.\n"
    put("utf16.txt", utf16.encode("utf-16"), utf16)
    plain = "Letrozole is an aromatase inhibitor taken once daily.\n"
    put("utf16le_nobom.txt", plain.encode("utf-16-le"), plain)
    bom = "# 来曲唑\n\n来曲唑是非甾体类芳香化酶抑制剂。\n"
    put("bom.md", ("\ufeff" + bom).encode(), bom)
    latin = "Sjögren syndrome and Ménière disease were noted in naïve patients.\n"
    put("latin1.txt", latin.encode("latin-1"), latin)
    nul = "Anastrozole\x00 is an aromatase\x00 inhibitor.\n"
    put("nul.txt", nul.encode(), nul)
    put("crlf.txt", "\r\n".join(CRLF_LINES).encode() + b"\r\n", "\r\n".join(CRLF_LINES) + "\r\n")
    put("sub/deep.md", b"Everolimus is an mTOR inhibitor.\n", "Everolimus is an mTOR inhibitor.\n")

    put("empty.txt", b"", why="the file is empty")
    put("blank.md", b"  \n\t\r\n  ", why="the file is empty")
    put("bom_only.txt", b"\xef\xbb\xbf\r\n", why="the file is empty")
    put("binary.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64 + os.urandom(4096),
        why="it is binary or in an encoding that cannot be detected")
    with (seeds / "huge.txt").open("wb") as fh:  # 50 MB in an instant: a sparse file
        fh.write(b"Huge document. ")
        fh.truncate(50 * 1024 * 1024)
    skipped["huge.txt"] = "52 MB is larger than the 20 MB limit"
    os.mkfifo(seeds / "fifo.txt")
    skipped["fifo.txt"] = "it is not a regular file"
    (seeds / "zero.txt").symlink_to("/dev/zero")
    skipped["zero.txt"] = "it is not a regular file"
    (seeds / "self.txt").symlink_to("self.txt")
    skipped["self.txt"] = "cannot read it (Too many levels of symbolic links)"
    (seeds / "dangling.md").symlink_to(seeds / "missing.md")
    skipped["dangling.md"] = "cannot read it (No such file or directory)"
    (seeds / "link.md").symlink_to("good.md")  # a second name for good.md: indexed once
    skipped["link.md"] = "it is the same file as good.md"
    (seeds / "sub" / "loop").symlink_to("..")  # a dir symlink to its parent
    (seeds / "sub" / "again").symlink_to(seeds)  # and one to the root
    outside.mkdir()
    (outside / "ext.md").write_bytes(b"Olaparib is a PARP inhibitor.\n")
    (seeds / "ext").symlink_to(outside)  # followed: documents may live elsewhere
    good["ext/ext.md"] = "Olaparib is a PARP inhibitor.\n"
    bad_name = os.path.join(os.fsencode(seeds), "乳腺".encode("gbk") + b".txt")
    os.close(os.open(bad_name, os.O_CREAT | os.O_WRONLY))
    skipped["\ufffd\ufffd\ufffd\ufffd.txt"] = "its file name is not valid UTF-8; rename it"
    # never candidates, never warned about
    (seeds / ".hidden.txt").write_bytes(b"hidden")
    (seeds / "table.xlsx").write_bytes(b"PK")  # a type it cannot read: counted by type, no warning
    return good, skipped


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, dict[str, str], dict[str, str]]:
    good, skipped = make_corpus(tmp_path / "seeds", tmp_path / "outside")
    return tmp_path / "seeds", good, skipped


def test_each_file_indexed_or_skipped_with_one_warning(corpus) -> None:  # type: ignore[no-untyped-def]
    seeds, good, skipped = corpus
    loaded = load_corpus(seeds)
    assert {d.path: d.text for d in loaded.documents} == good
    for name, why in skipped.items():
        mine = [w for w in loaded.warnings if w.startswith(f"skipped {name}:")]
        assert mine == [f"skipped {name}: {why}"], (name, loaded.warnings)
    assert len(loaded.warnings) == len(skipped), loaded.warnings
    encodings = {d.path: d.encoding for d in loaded.documents}
    assert encodings["gbk_tiny.txt"] == encodings["gbk_short.txt"] == encodings["gbk_long.txt"] == "gb18030"
    assert encodings["utf16.txt"] == "utf-16" and encodings["utf16le_nobom.txt"] == "utf-16-le"
    assert encodings["bom.md"] == "utf-8-sig" and encodings["latin1.txt"] == "cp1252"


def test_cli_index_warns_once_per_file_and_indexes_the_rest(corpus, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    seeds, good, skipped = corpus
    index = tmp_path / "index"
    assert main(["index", "--seeds", str(seeds), "--index", str(index)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"indexed {len(good)} documents"), out
    warnings = [line for line in err.splitlines() if line.startswith("assistant: warning: ")]
    assert len(warnings) == len(skipped), err
    # nothing else but one line per stage: no progress bar, no carriage return, no empty line outside a terminal
    assert without_stages(err) == warnings and "\r" not in err and "" not in err.splitlines(), err
    for name in skipped:
        assert sum(f"skipped {name}:" in w for w in warnings) == 1, (name, err)
    assert "Traceback" not in err
    # the short GBK file is searchable as Chinese, and its citation maps back to the original
    assert main(["ask", "--seeds", str(seeds), "--index", str(index), "--json", "--mode", "sparse",
                 "依西美坦"]) == 0
    out, _ = capsys.readouterr()
    top = json.loads(out)["passages"][0]
    assert top["doc"] == "gbk_short.txt" and top["text"] == "依西美坦", top
    assert read_source(seeds, top["doc"])[top["start"] : top["end"]] == top["text"]
    # and the UTF-16 one, as English
    assert main(["ask", "--seeds", str(seeds), "--index", str(index), "--json", "--mode", "sparse",
                 "letrozole aromatase inhibitor once daily"]) == 0
    out, _ = capsys.readouterr()
    found = {p["doc"]: p for p in json.loads(out)["passages"]}
    assert found["utf16le_nobom.txt"]["text"] == "Letrozole is an aromatase inhibitor taken once daily."
    # the one-line GBK file (its own title) is a passage too
    assert main(["ask", "--seeds", str(seeds), "--index", str(index), "--json", "--mode", "sparse",
                 "氟维司群"]) == 0
    out, _ = capsys.readouterr()
    tiny = [p for p in json.loads(out)["passages"] if p["doc"] == "gbk_tiny.txt"]
    assert [(p["text"], p["start"], p["end"], p["line_start"]) for p in tiny] == [("氟维司群", 0, 4, 1)]


@pytest.mark.parametrize("text", ["氟维司群", "Letrozole\n", "# Letrozole 来曲唑\n", "1 前言\n",
                                  "\ufeff  Tamoxifen  \r\n"])
def test_document_that_is_only_a_title_is_one_passage(text: str) -> None:
    """A one-line document is its own title; it used to yield no passage, silently."""
    doc = Document(path="tiny.txt", text=text, sha256="x", encoding="utf-8")
    passages = chunk.passages_of(doc, normalize(doc.text), 160, 32, 0)
    assert [(p.text, p.section, p.line_start, p.line_end) for p in passages] == [
        (text.strip("\ufeff \r\n"), "Lead", 1, 1)]
    assert text[passages[0].start : passages[0].end] == passages[0].text


def test_document_of_headings_only_is_one_passage() -> None:
    text = "# Endocrine therapy\n\n## Letrozole\n\n## Exemestane\n"
    doc = Document(path="h.md", text=text, sha256="x", encoding="utf-8")
    passages = chunk.passages_of(doc, normalize(doc.text), 160, 32, 0)
    assert len(passages) == 1 and passages[0].title == "Endocrine therapy"
    p = passages[0]
    assert (p.start, p.end, p.line_start, p.line_end) == (0, len(text) - 1, 1, 5)
    assert p.text.split() == text.split()


@pytest.mark.parametrize("text", ["Page 3\n", "- 12 -\n\n13\n",
                                  "\x1b[31m- 4 -\x1b[0m\nPage 3 of 9\n第 5 页\n   12   \n",
                                  "Running head\n\fRunning head\n\fRunning head\n"],
                         ids=["page", "numbers", "escapes", "running-head"])
def test_document_without_text_is_skipped_with_one_warning(tmp_path: Path, text: str) -> None:
    """Nothing is left once page furniture and escapes are removed: skipped, not indexed as nothing."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.md").write_text("Metformin lowers blood glucose.\n", encoding="utf-8")
    (seeds / "furniture.txt").write_text(text, encoding="utf-8")
    loaded = load_corpus(seeds)
    assert [d.path for d in loaded.documents] == ["good.md"]
    assert loaded.warnings == ["skipped furniture.txt: no text is left once control characters, escapes "
                               "and page numbers are removed"]


def test_crlf_gives_the_same_passages_and_lines_as_lf() -> None:
    lf = "\n".join(CRLF_LINES) + "\n"
    crlf = "\r\n".join(CRLF_LINES) + "\r\n"
    out = []
    for text in (lf, crlf):
        doc = Document(path="d.md", text=text, sha256="x", encoding="utf-8")
        passages = chunk.passages_of(doc, normalize(text), 160, 32, 0)
        out.append([(p.text, p.section, p.line_start, p.line_end) for p in passages])
        for p in passages:
            assert "\r" not in p.text
            assert text[p.start : p.end].replace("\r", "").split() == text[p.start : p.end].split()
    assert out[0] == out[1]


def test_nul_bytes_do_not_reach_passages() -> None:
    text = "Anastrozole\x00 is an aromatase\x00 inhibitor.\n"
    doc = Document(path="nul.txt", text=text, sha256="x", encoding="utf-8")
    passages = chunk.passages_of(doc, normalize(text), 160, 32, 0)
    assert passages and all("\x00" not in p.text for p in passages)
    assert "Anastrozole is an aromatase inhibitor." in passages[0].text


def test_huge_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The size limit is checked before reading: a 50 MB file costs nothing."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "ok.txt").write_text("Capecitabine is an oral fluoropyrimidine.\n", encoding="utf-8")
    with (seeds / "huge.md").open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES * 2 + 1)
    opened: list[str] = []
    real_open = Path.open

    def spy(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(self.name)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    loaded = load_corpus(seeds)
    assert [d.path for d in loaded.documents] == ["ok.txt"]
    assert loaded.warnings == ["skipped huge.md: 42 MB is larger than the 20 MB limit"]
    assert "huge.md" not in opened


def test_unreadable_file_chmod(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "ok.txt").write_text("Eribulin is a microtubule inhibitor.\n", encoding="utf-8")
    locked = seeds / "locked.txt"
    locked.write_text("secret\n", encoding="utf-8")
    locked.chmod(0)
    try:
        try:
            locked.read_bytes()
        except PermissionError:
            pass
        else:
            pytest.skip("running as root (or with CAP_DAC_OVERRIDE): chmod 000 does not block reading; "
                        "test_unreadable_file_simulated covers the same path")
        loaded = load_corpus(seeds)
        assert [d.path for d in loaded.documents] == ["ok.txt"]
        assert loaded.warnings == ["skipped locked.txt: cannot read it (Permission denied)"]
    finally:
        locked.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same as chmod 000, whoever runs the tests: opening the file fails with EACCES."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "ok.txt").write_text("Eribulin is a microtubule inhibitor.\n", encoding="utf-8")
    (seeds / "locked.txt").write_text("secret\n", encoding="utf-8")
    real_open = Path.open

    def guarded(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded)
    loaded = load_corpus(seeds)
    assert [d.path for d in loaded.documents] == ["ok.txt"]
    assert loaded.warnings == ["skipped locked.txt: cannot read it (Permission denied)"]


def test_unreadable_directory_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = tmp_path / "seeds"
    (seeds / "private").mkdir(parents=True)
    (seeds / "private" / "x.txt").write_text("hidden away\n", encoding="utf-8")
    (seeds / "ok.txt").write_text("Eribulin is a microtubule inhibitor.\n", encoding="utf-8")
    real_scandir = os.scandir

    def guarded(path):  # type: ignore[no-untyped-def]
        if str(path).endswith("private"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)
    loaded = load_corpus(seeds)
    assert [d.path for d in loaded.documents] == ["ok.txt"]
    assert loaded.warnings == ["skipped private/: cannot read the folder (Permission denied)"]
