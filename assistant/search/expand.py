"""Expand: analyse a question and expand it into the other language for the sparse side.

* The question is cleaned (control characters and escapes dropped, long input truncated), its
  language detected, and Traditional Chinese converted to Simplified (OpenCC).
* English questions gain the Chinese terms of matching glossary entries (mined from the corpus,
  the user's TSV, the bundled oncology glossary) and CC-CEDICT translations; Chinese questions gain
  English terms and abbreviations the same way.
* Weights: a word the user typed weighs 1; a glossary translation ``glossary_weight`` times the
  entry's weight; a dictionary translation ``dictionary_weight`` shared among its senses, so
  ambiguous words weigh less.
* A short follow-up ("它的剂量呢？", "and what dose?") is searched together with the key terms of
  the previous question.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import QuestionError
from ..lexicon.analyze import Analyzer, english_terms, fold
from ..lexicon.glossary import GLOSS_MARK, Entry, Glosser, sense_terms
from ..lexicon.script import to_simplified
from ..records import Query, Term
from ..settings import Settings
from ..text import han_count, strip_escapes

_LATIN_WORD = re.compile(r"[A-Za-z]+")
_FOLLOW_UP_ZH = re.compile(
    r"^(那|那么|还有|另外|此外)?(它|它们|其|该药|该|这个|这种|这|那个|那种|他们)|呢[？?]?$|^(那|那么)"
)
_FOLLOW_UP_EN = re.compile(
    r"^(and|what about|how about|also|then)\b|\b(it|its|they|them|their|this|that|these|those)\b",
    re.IGNORECASE,
)
MAX_PHRASE = 4


@dataclass(frozen=True)
class CleanQuestion:
    text: str
    notices: tuple[str, ...]


def clean(question: str, max_chars: int) -> CleanQuestion:
    """Strip control characters and escapes, collapse whitespace, truncate very long input."""
    notices: list[str] = []
    text = " ".join(strip_escapes(question, " ").split())
    if len(text) > max_chars:
        notices.append(f"the question was {len(text):,} characters long; only the first {max_chars:,} were searched")
        text = text[:max_chars].rstrip()
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("the question is empty; type a question in Chinese or English")
    return CleanQuestion(text, tuple(notices))


def detect_language(text: str) -> str:
    """``zh`` when Chinese carries the question, else ``en`` (mixed questions count by weight)."""
    cjk = han_count(text)
    latin = len(_LATIN_WORD.findall(text))
    return "zh" if cjk and cjk / 1.5 >= latin else "en"


def is_follow_up(text: str, language: str) -> bool:
    if language == "zh":
        return len(text) <= 12 and bool(_FOLLOW_UP_ZH.search(text))
    return len(text.split()) <= 6 and bool(_FOLLOW_UP_EN.search(text))


def _key(term: str) -> str:
    return term[:7]


class Expander:
    """Query expansion over one loaded index and the glossaries."""

    def __init__(self, analyzer: Analyzer, vocab: dict[str, int], entries: Sequence[Entry],
                 dictionary: dict[str, list[str]], settings: Settings) -> None:
        self.analyzer = analyzer
        self.vocab = vocab
        self.settings = settings
        self.entries = list(entries)
        # English phrase (stemmed tuple) → entries; abbreviation → entries; Chinese term → entries
        self._by_phrase: dict[tuple[str, ...], list[Entry]] = defaultdict(list)
        self._by_zh: dict[str, list[Entry]] = defaultdict(list)
        for e in self.entries:
            words = tuple(english_terms(e.en)) if e.en else ()
            if words:
                self._by_phrase[words].append(e)
            if e.abbr:
                self._by_phrase[(fold(e.abbr),)].append(e)
            self._by_zh[e.zh.replace(" ", "")].append(e)
        # CC-CEDICT, reversed: English phrase key → Chinese words of the corpus
        self._dict_en: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self._dict_zh: dict[str, list[tuple[str, ...]]] = {}
        for zh, senses in dictionary.items():
            phrases = [p for p in (sense_terms(s) for s in senses) if p]
            self._dict_zh[zh] = phrases
            for phrase in phrases:
                self._dict_en[tuple(_key(w) for w in phrase)].add(zh)
        self._longest = max((len(p) for p in self._by_phrase), default=1)
        self.glosser = Glosser(self.entries)

    # ------------------------------------------------------------------ public

    def analyse(self, question: str, history: Sequence[str] = (), zh_share: float = 0.5) -> Query:
        """Clean, detect, segment and expand a question.

        ``zh_share`` is the share of Chinese passages in the corpus: the question is expanded into the
        other language only when at least ``min_language_share`` of the passages are in it.
        """
        cleaned = clean(question, self.settings.max_question_chars)
        text = to_simplified(cleaned.text)
        language = detect_language(text)
        other_share = 1.0 - zh_share if language == "zh" else zh_share
        translate = self.settings.expand and other_share >= self.settings.min_language_share
        terms: dict[str, Term] = {}
        for t in self.analyzer.terms(text):
            terms.setdefault(t, Term(t, 1.0, "query"))
        if language == "en" and translate and self.settings.gloss_weight > 0:
            for t in english_terms(text):
                glossed = GLOSS_MARK + t
                if glossed in self.vocab:
                    terms.setdefault(glossed, Term(glossed, self.settings.gloss_weight, "gloss", t))
        translations: list[str] = []
        dictionary_words: list[str] = []
        if translate:
            expansions, translations, dictionary_words = (
                self._english_to_chinese(text) if language == "en" else self._chinese_to_english(text)
            )
            for term in expansions:
                if term.text not in terms or terms[term.text].weight < term.weight:
                    terms[term.text] = term
        searched = text
        if history and is_follow_up(text, language):
            previous = to_simplified(history[-1])
            searched = f"{previous} {text}"
            for t in self.analyzer.terms(previous):
                terms.setdefault(t, Term(t, 0.6, "context", previous))
        dense_text = searched
        if self.settings.dense_gloss and translations and language == "en":
            dense_text = f"{searched} ({' '.join(dict.fromkeys(translations))})"
        readable = tuple(dict.fromkeys(t for t in [*translations, *dictionary_words] if t))
        return Query(cleaned.text, language, searched, tuple(terms.values()), cleaned.notices, dense_text, readable)

    def weights(self, query: Query, foreign_only: bool = False) -> dict[str, float]:
        """The sparse query: term → weight, for terms the index knows (``foreign_only``: those that count
        only in passages of the other language)."""
        out: dict[str, float] = {}
        for t in query.terms:
            if t.text in self.vocab and t.foreign_only == foreign_only:
                out[t.text] = max(out.get(t.text, 0.0), t.weight)
        return out

    # ------------------------------------------------------------------ helpers

    def _zh_terms(self, zh: str, weight: float, source: str, origin: str) -> list[Term]:
        """A Chinese expansion, split into index terms; the weight is shared among its pieces."""
        pieces = [p for p in dict.fromkeys(self.analyzer.terms(zh)) if p in self.vocab]
        if not pieces:
            return []
        share = weight / math.sqrt(len(pieces))
        return [Term(p, share, source, origin) for p in pieces]

    def _english_to_chinese(self, text: str) -> tuple[list[Term], list[str], list[str]]:
        """Chinese expansions of an English question, the glossary translations found, and the dictionary
        words whose pieces were searched."""
        words = english_terms(text)
        out: list[Term] = []
        translations: list[str] = []
        dictionary_words: list[str] = []
        covered = [False] * len(words)
        s = self.settings
        # glossary phrases, longest first
        for n in range(min(self._longest, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if any(covered[i : i + n]):
                    continue
                entries = self._by_phrase.get(tuple(words[i : i + n]))
                if not entries:
                    continue
                covered[i : i + n] = [True] * n
                if n == 1 and words[i] in self.vocab and all(e.abbr and fold(e.abbr) == words[i] for e in entries):
                    continue  # the documents use the abbreviation itself (HER2, PFS): searching it is enough
                for e in entries:
                    translations.append(e.zh)
                    weight = s.glossary_weight * e.weight
                    out.extend(self._zh_terms(e.zh, weight, e.source if e.source != "note" else "glossary",
                                              " ".join(words[i : i + n])))
        # dictionary phrases for what the glossary did not cover
        for n in range(min(MAX_PHRASE, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if any(covered[i : i + n]):
                    continue
                zh_words = self._dict_en.get(tuple(_key(w) for w in words[i : i + n]))
                if not zh_words:
                    continue
                weight = s.dictionary_weight / math.sqrt(len(zh_words))
                for zh in sorted(zh_words):
                    found = self._zh_terms(zh, weight, "dictionary", " ".join(words[i : i + n]))
                    if found:
                        dictionary_words.append(zh)
                    out.extend(found)
                if n > 1:
                    covered[i : i + n] = [True] * n
        return out, translations, dictionary_words

    def _chinese_to_english(self, text: str) -> tuple[list[Term], list[str], list[str]]:
        """English expansions of a Chinese question (they count only in English passages), the glossary
        translations found, and (none: CC-CEDICT gives stems here, not words) dictionary words."""
        s = self.settings
        out: list[Term] = []
        translations: list[str] = []
        compact = text.replace(" ", "")
        for zh, entries in self._by_zh.items():
            if len(zh) < 2 or zh not in compact:
                continue
            for e in entries:
                translations.append(e.en or e.abbr)
                pieces = [w for w in dict.fromkeys(english_terms(e.en) + ([fold(e.abbr)] if e.abbr else []))
                          if w in self.vocab]
                share = s.reverse_weight * s.glossary_weight * e.weight / math.sqrt(max(1, len(pieces)))
                out.extend(Term(w, share, "glossary", zh, foreign_only=True) for w in pieces)
        for token in dict.fromkeys(self.analyzer.terms(text)):
            phrases = self._dict_zh.get(token)
            if not phrases:
                continue
            english = {w for p in phrases for w in p if w in self.vocab}
            if not english:
                continue
            weight = s.reverse_weight * s.dictionary_weight / math.sqrt(len(english))
            out.extend(Term(w, weight, "dictionary", token, foreign_only=True) for w in sorted(english))
        return out, translations, []
