"""Analyze: turn Chinese and English text into the terms of the sparse index.

Chinese is segmented by jieba (search mode, so that 无进展生存期 also yields 进展 and 生存期), English is
lower-cased, stop-worded and stemmed (Snowball), and both live in the same index. Text is NFKC-folded
first, so full-width ＨＥＲ２ and HER2 are the same term.

Two kinds of English-side terms are analysed so that their spellings agree:

* **names with a hyphen before a number** are one term: HER-2 and HER2 give ``her2``, Ki-67 and Ki67
  ``ki67``, PD-L1 and PDL1 ``pdl1``, BOLERO-2 ``bolero2`` (:func:`join_name_parts`); a number range
  (1-2) is never joined, and an ordinary compound (progression-free) gives its words;
* **quantities** give the number, the unit and the number with its unit: ``25 mg``, ``25mg``,
  ``２５ｍｇ`` and ``25毫克`` all give ``25``, ``mg`` and ``25mg``, while ``2.5 mg`` gives ``2.5`` and
  ``2.5mg`` — never ``25`` (:func:`quantity_terms`).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..text import HAN_RUN

_WORD = re.compile(r"[a-z0-9\u03b1-\u03c9]+(?:\.\d+)?(?:-[a-z0-9\u03b1-\u03c9]+(?:\.\d+)?)*")
_COMPOUND = re.compile(r"[a-z]+\d+/\d+")
_NAME_TAIL = re.compile(r"\d+[a-z]?|[a-z]{1,2}\d+")
"""The part after a hyphen that makes a name of what comes before it: HER-2, Ki-67, PD-L1, T-DM1."""
_GLUED = re.compile(r"(\d+(?:\.\d+)?)([a-zμ]+)")
UNITS = {
    "mg": "mg", "g": "g", "kg": "kg", "μg": "μg", "mcg": "μg", "ug": "μg", "ng": "ng", "ml": "ml", "l": "l",
    "dl": "dl", "μl": "μl", "mmol": "mmol", "μmol": "μmol", "mol": "mol", "iu": "iu", "u": "u", "mmhg": "mmhg",
    "mm": "mm", "cm": "cm", "h": "h", "hr": "h", "hrs": "h", "min": "min", "%": "%",
    "毫克": "mg", "克": "g", "千克": "kg", "公斤": "kg", "微克": "μg", "纳克": "ng", "毫升": "ml", "升": "l",
    "毫摩尔": "mmol", "国际单位": "iu", "单位": "u", "毫米汞柱": "mmhg", "毫米": "mm", "厘米": "cm", "小时": "h",
    "分钟": "min",
}
"""Units a quantity term is made with, in every spelling, mapped to one form (毫克 and mg are ``mg``)."""
_QUANTITY = re.compile(
    r"(?<![0-9.])(\d+(?:\.\d+)?)\s*("
    + "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
    + r")(?![a-z])"
)

EN_STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "whether", "versus", "vs", "etc", "eg", "ie", "tell", "know", "much", "many", "according", "there's", "what's"]
)
ZH_STOPWORDS = frozenset(
    ["的", "了", "是", "在", "和", "与", "及", "或", "等", "中", "对", "为", "以", "被", "将", "其", "之", "也", "而", "并", "从", "到", "由", "于", "上", "下", "有", "个", "这", "那", "该", "此", "各", "每", "什么", "哪些", "哪个", "哪种", "如何", "怎么", "怎样", "多少", "是否", "吗", "呢", "吧", "啊", "么", "请问", "请", "一下", "一种", "一个", "可以", "能", "会", "要", "就", "都", "还", "又", "即", "如", "把", "给", "向", "让", "使", "可", "所", "着", "过", "它", "它们", "他", "她", "他们", "我", "我们", "你", "您", "吗", "哪", "哪里", "为什么", "有没有", "有何", "何", "怎", "呀", "文中", "本文", "文章", "提到", "指出", "介绍", "说", "谈", "谈到", "讲", "一些", "有些", "以及", "或者", "还是", "并且", "而且", "但", "但是", "因为", "所以", "如果"]
)

log = logging.getLogger(__name__)


def fold(text: str) -> str:
    """NFKC and lower case: the form every comparison in the sparse side uses."""
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    if word.isascii() and word.isalpha() and len(word) > 2:
        return str(_stemmer().stemWord(word))
    return word


def join_name_parts(parts: list[str]) -> list[str]:
    """The words of a hyphenated token: a part joins the one before it when it is a number or a short
    letters-and-number code and the one before is a short word with a letter (HER-2 → her2, PD-L1 →
    pdl1, anti-PD-1 → anti, pd1); anything else stays apart (progression-free, 1-2)."""
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        if (out and _NAME_TAIL.fullmatch(part) and len(out[-1]) <= 8 and out[-1].isalnum()
                and any(c.isalpha() for c in out[-1]) and not out[-1][-1:].isdigit()):
            out[-1] += part
        else:
            out.append(part)
    return out


def _split_glued(word: str) -> list[str]:
    """A number glued to its unit is two words (25mg → 25, mg); anything else stays whole (5fu)."""
    m = _GLUED.fullmatch(word)
    if m and m.group(2) in UNITS:
        return [m.group(1), m.group(2)]
    return [word]


def quantity_terms(folded: str) -> list[str]:
    """Number-with-unit terms of a folded text: ``25mg`` for 25 mg, 25mg, ２５ｍｇ and 25毫克; ``20%``."""
    return [term for _, term in stated_quantities(folded)]


def stated_quantities(folded: str) -> list[tuple[str, str]]:
    """Each quantity of a folded text as written and as its term: ``("2.5 mg", "2.5mg")``, ``("25毫克", "25mg")``."""
    return [(m.group(0), m.group(1) + UNITS[m.group(2)]) for m in _QUANTITY.finditer(folded)]


def quantities(text: str) -> dict[str, frozenset[float]]:
    """The quantities a text states, unit → values: ``{"mg": {2.5}}`` for "如2.5mg/d", 2.5 毫克 or ２.５ｍｇ.

    Units are in their one form (:data:`UNITS`); values are floats, so 2.50 mg is 2.5 mg and 25 mg is not.
    """
    out: dict[str, set[float]] = {}
    for m in _QUANTITY.finditer(fold(text)):
        out.setdefault(UNITS[m.group(2)], set()).add(float(m.group(1)))
    return {unit: frozenset(values) for unit, values in out.items()}


def character_bigrams(run: str) -> list[str]:
    """Every pair of adjacent characters of ``run``, in order."""
    return [run[i : i + 2] for i in range(len(run) - 1)]


def english_terms(text: str, keep_stopwords: bool = False) -> list[str]:
    """Stemmed English (and number) terms of a text, in order, then its compounds (cdk4/6) and quantities
    (25mg). Remembered for the last :data:`TERMS_MEMO` texts: answering reads the same passage sentences
    for question after question."""
    return list(_english_terms(text, keep_stopwords))


TERMS_MEMO = 8192


@lru_cache(maxsize=TERMS_MEMO)
def _english_terms(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    folded = fold(text)
    out: list[str] = []
    for m in _WORD.finditer(HAN_RUN.sub(" ", folded)):
        for part in join_name_parts(m.group().split("-")):
            for word in _split_glued(part):
                if not keep_stopwords and word in EN_STOPWORDS:
                    continue
                out.append(stem(word))
    out.extend(_COMPOUND.findall(folded))
    out.extend(quantity_terms(folded))
    return tuple(out)


class Analyzer:
    """Terms for the sparse index. Custom words (e.g. mined glossary terms) keep jieba from splitting them.

    ``bulk=True`` (index builds) loads jieba's whole dictionary into a dict once per process, which is
    fastest for segmenting a corpus; otherwise (questions) the dictionary is read lazily from its
    memory-mapped table, which costs nothing to load. Both give exactly the same words (see
    :mod:`assistant.lexicon.dictcache`).
    """

    def __init__(self, words: Iterable[str] = (), cache_dir: Path | None = None, bulk: bool = False) -> None:
        self.words = tuple(sorted(set(words)))
        self.bulk = bulk
        self._cache_dir = cache_dir
        self._jieba = None
        self._prefetch: Callable[[str], None] | None = None
        self._lock = threading.Lock()

    def _tokenizer(self) -> Any:
        with self._lock:
            if self._jieba is None:
                from .dictcache import tokenizer

                custom = [w for w in self.words if HAN_RUN.fullmatch(w)]
                self._jieba, self._prefetch = tokenizer(custom, self._cache_dir, self.bulk)
            return self._jieba

    def warm(self) -> None:
        """Load the segmenter now rather than on the first question."""
        self._tokenizer()

    def _ready(self, text: str):  # type: ignore[no-untyped-def]
        """The tokenizer, with every dictionary entry that segmenting ``text`` can look up in place."""
        tok = self._tokenizer()
        if self._prefetch is not None:
            self._prefetch(text)
        return tok

    def chinese_terms(self, run: str) -> list[str]:
        return [t for t in self._ready(run).cut_for_search(run, HMM=True) if t not in ZH_STOPWORDS]

    def chinese_words(self, run: str) -> list[tuple[str, list[str]]]:
        """The words of a Chinese run (jieba's precise mode), each with the terms search mode gives for
        it: its dictionary sub-words of two and three characters, then itself (jieba's ``cut_for_search``,
        grouped by word). Stopwords give nothing."""
        tok = self._ready(run)
        freq = tok.FREQ
        out: list[tuple[str, list[str]]] = []
        for word in tok.cut(run, HMM=True):
            if not word.strip() or word in ZH_STOPWORDS:
                continue
            pieces: list[str] = []
            if len(word) > 2:
                pieces.extend(word[i : i + 2] for i in range(len(word) - 1) if freq.get(word[i : i + 2]))
            if len(word) > 3:
                pieces.extend(word[i : i + 3] for i in range(len(word) - 2) if freq.get(word[i : i + 3]))
            pieces = [p for p in pieces if p not in ZH_STOPWORDS]
            out.append((word, [*pieces, word]))
        return out

    def concepts(self, text: str) -> list[tuple[str, list[str]]]:
        """The content words of a text, each with the index terms that stand for it: a Chinese word with its
        search-mode sub-words (:meth:`chinese_words`), an English word with its stem, a quantity with its
        term. Order: Chinese words first, then English, as in :meth:`terms`."""
        folded = fold(text)
        out: list[tuple[str, list[str]]] = []
        for m in HAN_RUN.finditer(folded):
            out.extend(self.chinese_words(m.group()))
        out.extend((t, [t]) for t in dict.fromkeys(english_terms(folded)))
        return out

    def terms(self, text: str) -> list[str]:
        """All terms of a text: Chinese words and English stems, in order."""
        folded = fold(text)
        out: list[str] = []
        for m in HAN_RUN.finditer(folded):
            out.extend(self.chinese_terms(m.group()))
        out.extend(english_terms(folded))
        return out

    def phrase_terms(self, text: str) -> list[str]:
        """The pairs of adjacent characters of each Chinese run of a text that are neither among its words
        (:meth:`terms`) nor stopwords (怎样, 哪些), in order: the terms of the index's bigram field, which
        lets a question match a passage that shares its phrasing however jieba cut the two."""
        words = set(self.terms(text)) | ZH_STOPWORDS
        return [pair for m in HAN_RUN.finditer(fold(text)) if len(m.group()) > 2
                for pair in character_bigrams(m.group()) if pair not in words]

    def segment(self, text: str) -> list[str]:
        """Plain jieba words of a Chinese run (no search-mode sub-words), for glossary mining."""
        return [t for t in self._ready(text).cut(text, HMM=True) if t.strip()]
