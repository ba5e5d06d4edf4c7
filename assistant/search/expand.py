"""Expand: analyse a question and bridge it into every language the collection holds.

* The question is cleaned (control characters and escapes dropped, long input truncated: :mod:`.question`), its
  language detected, and Traditional Chinese converted to Simplified (OpenCC).
* It is cut into **concepts** — a Chinese word with its search-mode sub-words, an English word, a
  quantity — each of which the index terms stand for (:meth:`Analyzer.concepts`).
* It is **bridged** into each other language that holds at least ``min_language_share`` of the
  passages, whatever the share of its own language: English concepts gain the Chinese terms of
  matching glossary entries (the documents' own definitions, the user's TSV, the optional domain pack)
  and of CC-CEDICT, read in reverse (English sense → headwords), whole; Chinese concepts gain English
  terms the same way, from the glossary and from every CC-CEDICT sense of the word. A translation
  counts only in passages of the language it was made for.
* Weights: a word the user typed weighs 1; a glossary translation ``glossary_weight`` times the entry's
  weight; a dictionary translation ``dictionary_weight`` times how specific the headword is for the
  sense (the share of its senses that say it), shared among the headwords found.
* A short follow-up ("它的剂量呢？", "and what dose?") is searched together with the previous question.
  The names it carries on (drugs, trials, genes: :func:`entities`) stay the subject unless the
  follow-up names its own.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from ..lexicon import transliterate
from ..lexicon.analyze import Analyzer, english_terms
from ..lexicon.cedict import HEAD_MARK, alternatives, cedict, cedict_english, phrase_key, readable_sense, sense_terms
from ..lexicon.glossary import GLOSS_MARK, Entry, Glosser
from ..lexicon.script import to_simplified
from ..records import Query, Term
from ..settings import Settings
from ..text import has_cjk
from .question import (
    NAME,
    clean,
    detect_language,
    drug_names,
    is_follow_up,
    is_generic,
    is_name,
    namelike,
    surface_words,
)

MAX_PHRASE = 4
BIGRAM = "bigram"
"""The source of a question's own character bigrams, searched in the index's bigram field only."""
DICTIONARY_SENSES = 4
"""At most this many headwords stand for one English phrase (the most specific ones)."""


class Expander:
    """Question analysis and bridging over one loaded index and the glossaries.

    ``vocab`` is the sparse index's vocabulary (term → id); ``entries`` the glossary pairs in force.
    CC-CEDICT is read whole, both ways, from its tables (:func:`~assistant.lexicon.cedict.cedict`,
    :func:`~assistant.lexicon.cedict.cedict_english`). ``texts`` gives the passages' texts, read once
    for the drug names the documents write (:mod:`~assistant.lexicon.transliterate`).
    """

    def __init__(self, analyzer: Analyzer, vocab: Mapping[str, int], entries: Sequence[Entry],
                 settings: Settings, document_frequency: Callable[[str], int] | None = None,
                 texts: Callable[[], Iterable[str]] | None = None) -> None:
        self.analyzer = analyzer
        self.texts = texts
        self._drug_names: tuple[list[str], list[str]] | None = None
        self.vocab = vocab
        self.document_frequency = document_frequency
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
                for abbr in english_terms(e.abbr)[:1]:
                    self._by_phrase[(abbr,)].append(e)
            self._by_zh[e.zh.replace(" ", "")].append(e)
        self._longest = max((len(p) for p in self._by_phrase), default=1)
        self._translation_terms: dict[str, tuple[str, ...]] = {}
        self.glosser = Glosser(self.entries)
        self._zh_firsts: dict[str, list[str]] = defaultdict(list)
        for zh in sorted(self._by_zh, key=len, reverse=True):
            if len(zh) >= 2:
                self._zh_firsts[zh[0]].append(zh)

    # ------------------------------------------------------------------ public

    def analyse(self, question: str, history: Sequence[str] = (),
                shares: Mapping[str, float] | float | None = None) -> Query:
        """Clean, detect, cut into concepts and bridge a question.

        ``shares`` is the share of the passages in each language (``{"zh": 0.6, "en": 0.4}``; a float is
        the Chinese share): the question is bridged into every other language holding at least
        ``min_language_share`` of them.
        """
        shares = _shares(shares)
        cleaned = clean(question, self.settings.max_question_chars)
        text = to_simplified(cleaned.text)
        language = detect_language(text)
        targets = tuple(lang for lang, share in shares.items()
                        if lang != language and share > 0 and share >= self.settings.min_language_share)
        bridge = self.settings.expand and bool(targets)
        terms: dict[str, Term] = {}
        concepts = self.analyzer.concepts(text)
        for concept, pieces in concepts:
            for piece in pieces:
                terms.setdefault(piece, Term(piece, 1.0, "query", concept))
        if self.settings.chinese_bigrams and self.settings.bigram_weight > 0:
            for pair in self.analyzer.phrase_terms(text):
                terms.setdefault(pair, Term(pair, self.settings.bigram_weight, BIGRAM, pair))
        if language == "en" and bridge and self.settings.gloss_weight > 0:
            for t in english_terms(text):
                glossed = GLOSS_MARK + t
                if glossed in self.vocab:
                    terms.setdefault(glossed, Term(glossed, self.settings.gloss_weight, "gloss", t))
        translations: list[str] = []
        if bridge:
            expansions, translations = (
                self._english_to_chinese(text) if language == "en" else self._chinese_to_english(text, concepts)
            )
            for term in expansions:
                if term.text not in terms or terms[term.text].weight < term.weight:
                    terms[term.text] = term
        own_names = tuple(dict.fromkeys(self._names(text, concepts)))
        asks_about = bool(own_names) and all(
            is_generic(c) or c in own_names or any(c in english_terms(n) for n in own_names) or
            any(c in n for n in own_names if has_cjk(n)) for c, _ in concepts)
        searched = text
        carried: tuple[str, ...] = ()
        context_words: list[str] = []
        if history and is_follow_up(text, language):
            previous = to_simplified(history[-1])
            searched = f"{previous} {text}"
            previous_concepts = self.analyzer.concepts(previous)
            names = list(dict.fromkeys(self._names(previous, previous_concepts)))
            asks_attribute = all(is_generic(c) for c, _ in concepts)
            carried = tuple(names) if not own_names and asks_attribute else ()
            for concept, pieces in previous_concepts:
                if own_names and concept in names:
                    continue  # the follow-up names its own subject
                context_words.append(concept)
                for piece in pieces:
                    terms.setdefault(piece, Term(piece, 0.6, "context", concept))
            if bridge:
                lang = detect_language(previous)
                extra, _ = (self._english_to_chinese(previous) if lang == "en"
                            else self._chinese_to_english(previous, previous_concepts))
                for term in extra:
                    if own_names and term.origin in names:
                        continue
                    if term.text not in terms:
                        terms[term.text] = Term(term.text, 0.6 * term.weight, "context", term.origin,
                                                term.foreign_only)
        dense_text = searched
        if self.settings.dense_gloss and translations and language == "en":
            gloss = dense_gloss(translations, self.settings.dense_gloss_chars, self._rarity)
            if gloss:
                dense_text = f"{searched} ({' '.join(gloss)})"
        surface = surface_words(history[-1]) if history else {}
        shown_context = [surface.get(w, w) for w in context_words if w in carried or not is_generic(w)]
        readable = tuple(dict.fromkeys(t for t in [*shown_context, *translations] if t))
        subject = carried or (own_names if asks_about else ())
        return Query(cleaned.text, language, searched, tuple(terms.values()), cleaned.notices, dense_text, readable,
                     entities=tuple(dict.fromkeys([*own_names, *carried])), carried=subject,
                     bridged=targets if bridge else ())

    def weights(self, query: Query, foreign_only: bool = False) -> dict[str, float]:
        """The sparse query: term → weight, for terms the index knows (``foreign_only``: those that count
        only in passages of the other language)."""
        out: dict[str, float] = {}
        for t in query.terms:
            if t.text in self.vocab and t.foreign_only == foreign_only and t.source != BIGRAM:
                out[t.text] = max(out.get(t.text, 0.0), t.weight)
        return out

    @staticmethod
    def phrase_weights(query: Query) -> dict[str, float]:
        """The query of the index's bigram field: the question's own character bigrams → weight."""
        return {t.text: t.weight for t in query.terms if t.source == BIGRAM}

    # ------------------------------------------------------------------ helpers

    def _names(self, text: str, concepts: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
        """The names a question mentions: codes as written (HER2, BOLERO-2), drug names, and the terms the
        glossary defines (the documents' own definitions and the user's)."""
        out = [m.group() for m in NAME.finditer(text) if sum(c.isalpha() for c in m.group()) >= 2]
        out.extend(w for w in re.findall(r"[A-Za-z][a-z]{4,}", text) if is_name(w) and w not in out)
        for concept, _pieces in concepts:
            if not has_cjk(concept):
                continue
            defined = any(e.source != "bundled" and namelike(e) for e in self._by_zh.get(concept, ()))
            if is_name(concept) or defined:
                out.append(concept)
        compact = text.replace(" ", "")
        for zh in self._defined_in(compact):
            if zh not in out:
                out.append(zh)
        for name in drug_names(compact, self.analyzer.segment):
            if name not in out and not any(name in o for o in out):
                out.append(name)
        # a piece of a name read whole is not a name of its own (莫昔芬 of 他莫昔芬)
        return [n for n in out if not (has_cjk(n) and any(n != o and n in o for o in out))]

    def _defined_in(self, compact: str) -> list[str]:
        """Chinese terms the documents or the user define (drug names and the like) found in a text."""
        found: list[str] = []
        i = 0
        while i < len(compact):
            for zh in self._zh_firsts.get(compact[i], ()):
                if compact.startswith(zh, i) and any(e.source in ("corpus", "user") and namelike(e)
                                                     for e in self._by_zh[zh]):
                    found.append(zh)
                    i += len(zh) - 1
                    break
            i += 1
        return found

    def _zh_terms(self, zh: str, weight: float, source: str, origin: str) -> list[Term]:
        """A Chinese expansion, split into index terms; the weight is shared among its pieces."""
        pieces = [p for p in self._terms_of(zh) if p in self.vocab]
        if not pieces:
            return []
        share = weight / math.sqrt(len(pieces))
        return [Term(p, share, source, origin) for p in pieces]

    def _english_to_chinese(self, text: str) -> tuple[list[Term], list[str]]:
        """Chinese expansions of an English question, and the Chinese words they came from (readable)."""
        words = english_terms(text)
        out: list[Term] = []
        readable: list[str] = []
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
                for e in entries:
                    weight = s.glossary_weight * e.weight
                    found = self._zh_terms(e.zh, weight, e.source if e.source != "note" else "glossary",
                                           " ".join(words[i : i + n]))
                    if found:
                        readable.append(e.zh)
                    out.extend(found)
        # CC-CEDICT, reversed, for what the glossary did not cover: longest phrases first
        table = cedict_english()
        for n in range(min(MAX_PHRASE, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if any(covered[i : i + n]):
                    continue
                phrase = words[i : i + n]
                if n == 1 and (phrase[0].isdigit() or len(phrase[0]) < 2):
                    continue
                key = phrase_key(phrase)
                heads = list(table.get(key, ()))
                partial = [h for h in table.get(HEAD_MARK + key, ()) if h not in heads] if n == 1 else []
                ranked = self._rank_heads(phrase, heads, partial)
                if not ranked:
                    continue
                if n > 1:
                    covered[i : i + n] = [True] * n
                weight = s.dictionary_weight / math.sqrt(len(ranked))
                origin = " ".join(phrase)
                shown = False
                for head, specificity in ranked:
                    found = self._zh_terms(head, weight * specificity, "dictionary", origin)
                    if found and not shown and len(head) > 1 and specificity >= 0.5:
                        readable.append(head)  # people see the most specific translation only
                        shown = True
                    out.extend(found)
        # drug names no dictionary holds, by their INN stem and their sound (lapatinib → 拉帕替尼)
        translated = {t.origin for t in out}
        for word in dict.fromkeys(re.findall(r"[A-Za-z]{6,}", text)):
            if transliterate.english_stem(word) is None:
                continue
            origin = " ".join(english_terms(word))
            if not origin or origin in translated:
                continue
            matches = transliterate.chinese_for(word, self.document_drugs()[0])
            for m in matches:
                found = self._zh_terms(m.name, s.glossary_weight * m.score / math.sqrt(len(matches)),
                                       "transliteration", origin)
                if found:
                    readable.append(m.name)
                out.extend(found)
        return out, readable

    def document_drugs(self) -> tuple[list[str], list[str]]:
        """The drug names the documents may write: Chinese candidates
        (:func:`~assistant.lexicon.transliterate.chinese_candidates`) and English words with an INN stem.
        Read from the passages once."""
        if self._drug_names is None:
            texts = list(self.texts()) if self.texts is not None else []
            chinese = "\n".join(t for t in texts if has_cjk(t))
            self._drug_names = (transliterate.chinese_candidates(chinese, transliterate.chinese_endings()),
                                transliterate.english_names(texts))
        return self._drug_names

    def _rank_heads(self, phrase: Sequence[str], heads: Sequence[str],
                    partial: Sequence[str]) -> list[tuple[str, float]]:
        """The headwords worth searching for an English phrase, with how specific each is for it (the share
        of its senses that say it; half for a sense the phrase only ends), most specific first. Only those
        whose words the documents contain count."""
        wanted = tuple(phrase)
        scored: list[tuple[str, float]] = []
        for group, scale in ((heads, 1.0), (partial, 0.5)):
            for head in group:
                if not self._searchable(head):
                    continue
                senses = [(x, p) for x in cedict().get(head) or () if (p := sense_terms(x))]
                if not senses:
                    continue
                hits = sum(1 for x, p in senses
                           if _key(p) == _key(wanted) or (scale < 1 and _key(p[-1:]) == _key(wanted))
                           or _key(wanted) in {_key((w,)) for w in alternatives(x)})
                scored.append((head, scale * max(hits, 1) / len(senses)))
        scored.sort(key=lambda hs: -hs[1])
        return scored[:DICTIONARY_SENSES]

    def _rarity(self, zh: str) -> int:
        """How many passages hold a translation's rarest index term (0 when the documents lack it)."""
        if self.document_frequency is None:
            return 0
        pieces = [p for p in self._terms_of(zh) if p in self.vocab]
        return min((self.document_frequency(p) for p in pieces), default=0)

    def _searchable(self, head: str) -> bool:
        """Whether every index term of a dictionary headword occurs in the documents."""
        return all(p in self.vocab for p in self._terms_of(head))

    def _terms_of(self, translation: str) -> tuple[str, ...]:
        """The distinct index terms of a translation or headword. Remembered: segmenting the same common
        headwords for every question cost more than the rest of the analysis."""
        terms = self._translation_terms.get(translation)
        if terms is None:
            terms = self._translation_terms[translation] = tuple(dict.fromkeys(self.analyzer.terms(translation)))
        return terms

    def _chinese_to_english(self, text: str,
                            concepts: Sequence[tuple[str, Sequence[str]]]) -> tuple[list[Term], list[str]]:
        """English expansions of a Chinese question (they count only in passages not in Chinese, except a
        glossary abbreviation, which Chinese text uses too), and the English words they came from
        (readable)."""
        s = self.settings
        out: list[Term] = []
        readable: list[str] = []
        compact = text.replace(" ", "")
        glossed: set[str] = set()
        i = 0
        while i < len(compact):  # glossary terms, longest match first
            for zh in self._zh_firsts.get(compact[i], ()):
                if not compact.startswith(zh, i):
                    continue
                for e in self._by_zh[zh]:
                    abbr = [w for w in english_terms(e.abbr)[:1] if w in self.vocab]
                    english = [w for w in dict.fromkeys(english_terms(e.en) + abbr) if w in self.vocab]
                    if not english:
                        continue
                    readable.append(e.en or e.abbr)
                    share = s.reverse_weight * s.glossary_weight * e.weight / math.sqrt(len(english))
                    # an abbreviation is written inside Chinese text too (他莫昔芬（tamoxifen，TAM）… TAM 与 E2)
                    out.extend(Term(w, share, "glossary", zh, foreign_only=w not in abbr) for w in english)
                glossed.add(zh)
                i += len(zh) - 1
                break
            i += 1
        for concept, pieces in concepts:
            if not has_cjk(concept):
                continue
            found = self._dictionary_english(concept)
            if not found and len(pieces) > 1:  # a word CC-CEDICT lacks: its dictionary sub-words
                for piece in pieces[:-1]:
                    found.extend(self._dictionary_english(piece))
            if not found:
                continue
            stems = {w for w, _ in found}
            weight = s.reverse_weight * s.dictionary_weight / math.sqrt(len(stems))
            out.extend(Term(w, weight, "dictionary", concept, foreign_only=True) for w in sorted(stems))
            word = found[0][1]
            plain = readable_sense(word, {w for w, src in found if src == word})
            if plain:
                readable.append(plain)
        # drug names no dictionary holds, by their ending and their sound (艾拉司群 → elacestrant)
        best: dict[str, tuple[float, str]] = {}
        for candidate in transliterate.chinese_candidates(compact, transliterate.chinese_endings()):
            if any(candidate in g for g in glossed):
                continue  # 维司群 of 氟维司群, which the glossary translates
            for m in transliterate.english_for(candidate, self.document_drugs()[1]):
                if m.score > best.get(m.name, (0.0, ""))[0]:
                    best[m.name] = (m.score, candidate)
        for name, (score, candidate) in best.items():
            words = [w for w in english_terms(name) if w in self.vocab]
            if not words:
                continue
            readable.append(name)
            weight = s.reverse_weight * s.glossary_weight * score / math.sqrt(len(best))
            # an English drug name is written inside Chinese text too (Elacestrant是一种口服…)
            out.extend(Term(w, weight, "transliteration", candidate) for w in words)
        return out, readable

    def _dictionary_english(self, word: str) -> list[tuple[str, str]]:
        """``(stem, word)`` for the English words of the CC-CEDICT senses of a Chinese word that the
        documents contain."""
        senses = cedict().get(word)
        if not senses:
            return []
        return [(w, word) for w in dict.fromkeys(w for s in senses for w in sense_terms(s)) if w in self.vocab]


def _key(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(w[:7] for w in words)


def _shares(shares: Mapping[str, float] | float | None) -> dict[str, float]:
    if shares is None:
        return {"zh": 0.5, "en": 0.5}
    if isinstance(shares, (int, float)):
        return {"zh": float(shares), "en": 1.0 - float(shares)}
    return dict(shares)


def dense_gloss(translations: Sequence[str], budget: int,
                rarity: Callable[[str], int] | None = None) -> list[str]:
    """The translations the main encoder reads after an English question, while their characters fit in
    ``budget`` (the encoder's time grows with every token it reads). With ``rarity`` (how many passages
    hold a translation), the rarest are taken first, as they tell the passages apart (乳腺癌 in every
    passage of a breast-cancer collection tells nothing); they are given in the question's order."""
    unique = list(dict.fromkeys(translations))
    order = sorted(range(len(unique)), key=lambda i: rarity(unique[i])) if rarity else range(len(unique))
    chosen: set[int] = set()
    used = 0
    for i in order:
        if used + len(unique[i]) <= budget:
            chosen.add(i)
            used += len(unique[i])
    return [t for i, t in enumerate(unique) if i in chosen]
