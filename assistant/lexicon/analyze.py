"""Analyze: turn Chinese and English text into the terms of the sparse index.

Chinese is segmented by jieba (search mode, so that 无进展生存期 also yields 进展 and 生存期), English is
lower-cased, stop-worded and stemmed (Snowball), and both live in the same index. Text is NFKC-folded
first, so full-width ＨＥＲ２ and HER2 are the same term.
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

_WORD = re.compile(r"[a-z0-9\u03b1-\u03c9]+(?:\.\d+)?")
_COMPOUND = re.compile(r"[a-z]+\d+/\d+")

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


def english_terms(text: str, keep_stopwords: bool = False) -> list[str]:
    """Stemmed English (and number) terms of a text, in order."""
    folded = fold(text)
    out: list[str] = []
    for m in _WORD.finditer(HAN_RUN.sub(" ", folded)):
        word = m.group()
        if not keep_stopwords and word in EN_STOPWORDS:
            continue
        out.append(stem(word))
    out.extend(_COMPOUND.findall(folded))
    return out


class Analyzer:
    """Terms for the sparse index. Custom words (e.g. mined glossary terms) keep jieba from splitting them.

    ``bulk=True`` (index builds) loads jieba's whole dictionary into a dict once per process, which is
    fastest for segmenting a corpus; otherwise (questions) the dictionary is read lazily from its
    memory-mapped table, which costs nothing to load. Both give exactly the same words (see
    :mod:`assistant.lexicon.dictcache`).
    """

    def __init__(self, words: Iterable[str] = (), cache_dir: Path | None = None, bigrams: bool = False,
                 bulk: bool = False) -> None:
        self.words = tuple(sorted(set(words)))
        self.bigrams = bigrams
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
        tokens = [t for t in self._ready(run).cut_for_search(run, HMM=True) if t not in ZH_STOPWORDS]
        if self.bigrams and len(run) > 2:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        return tokens

    def terms(self, text: str) -> list[str]:
        """All terms of a text: Chinese words and English stems, in order."""
        folded = fold(text)
        out: list[str] = []
        for m in HAN_RUN.finditer(folded):
            out.extend(self.chinese_terms(m.group()))
        out.extend(english_terms(folded))
        return out

    def segment(self, text: str) -> list[str]:
        """Plain jieba words of a Chinese run (no search-mode sub-words), for glossary mining."""
        return [t for t in self._ready(text).cut(text, HMM=True) if t.strip()]
