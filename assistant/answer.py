"""Answer: turn ranked passages into cited answers.

**The answer sentence.** Each cited passage has the sentence that best answers the question marked, and
the answer shown above the passages (:func:`compose`) is the best sentence of the first
:data:`STATEMENT_DEPTH` passages. A sentence is scored by

* **coverage** — the share of the question's concepts it contains, each concept a word or phrase of the
  question, found as itself or as any translation or sub-word it was expanded to, weighted by how rare it
  is in the collection (BM25's idf, Robertson & Zaragoza 2009), so that the sentence holding the drug
  *and* the dose beats one repeating the drug's name (0..1);
* **a number**, for a question that asks for a quantity (a dose, how many, how long, 多少, 几):
  :data:`QUANTITY_BONUS`;
* **another quantity**: a sentence that gives the unit of a quantity the question states, but never the
  question's value of it ("25 mg，每日1次" for "dosed at 2.5mg"), loses :data:`QUANTITY_CONFLICT`: it is
  the sentence a reader would misread as the answer (a tenfold dose);
* **closeness** — the cosine of the sentence and the question in the cross-lingual encoder's space (USE
  multilingual, Yang et al. 2020; the sentence vectors are made at build time, see
  :mod:`assistant.index.sentences`), times :data:`DENSE_WEIGHT`: it finds the sentence that answers in
  other words ("Sit for 5 minutes before the test" for "how should a patient prepare…"). Without
  sentence vectors (sparse mode, no cross-lingual encoder) it is left out;
* **the passage's rank** ``r``: ``RANK_PENALTY · log2(r)`` is subtracted, so a lower passage's sentence
  is chosen only when it answers clearly better.

Only a sentence that holds at least one of the question's concepts is shown. The weights were set by
measuring answer-sentence accuracy (``assistant eval``) on the four gold collections, so that figure is a
tuned-on one there.
When the question asks two things ("…, and what…", a comparison, two questions in one, 分别) and another
passage's sentence holds a part of it the first does not, that sentence is shown too, after the first
(:func:`compose`).

**Hints.** For English questions, the key Chinese terms of each passage are glossed from the glossary
(氟维司群 = fulvestrant (FLV)) and, for the words the question was translated to, from CC-CEDICT.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .index.bm25 import SparseIndex
from .lexicon.analyze import english_terms, fold, quantities
from .lexicon.cedict import alternatives, cedict, phrase_key, sense_terms
from .records import Citation, Hint, Hit, Passage, Query, Statement
from .search.abstain import concepts
from .search.expand import Expander
from .search.prior import named_language
from .text import has_cjk, is_chinese

MAX_HINTS = 6
QUANTITY_BONUS = 0.2
"""For a question that asks for a quantity, what a sentence that gives a number gains (coverage is 0..1)."""
QUANTITY_CONFLICT = 0.2
"""What a sentence loses when it states a unit of the question's quantities only with other values (2.5 mg
asked, 25 mg given): as much as a number gains."""
DENSE_WEIGHT = 0.5
"""Weight of the cosine of a sentence and the question (cross-lingual encoder) next to coverage."""
RANK_PENALTY = 0.15
"""What a sentence of the citation at rank ``r`` loses: ``RANK_PENALTY · log2(r)``."""
HEADER_SHARE = 0.5
"""What a concept a table row holds only through its header row counts (the header is shared by every row
of the table, so it tells the table from other text but not one row from another)."""
STATEMENT_DEPTH = 5
"""Citations the answer sentence is chosen from."""
MAX_STATEMENTS = 2
"""Sentences shown above the passages at most."""
SECOND_SHARE = 0.25
"""For a question of two parts, a second sentence is shown only when it holds question concepts the first
lacks that weigh at least this share of the question, and loses at most :data:`SECOND_MARGIN` to the
first (on the gold collections, 3 such second sentences were shown, all quoting the gold evidence)."""
SECOND_MARGIN = 0.3
_QUANTITY_EN = re.compile(
    r"\b(dose|doses|dosage|dosing|how (much|many|long|often|old|soon|frequently)|what (level|percentage|proportion|"
    r"rate|concentration|age|interval|duration|threshold|target|range|number)|at what (age|level|dose|count)|"
    r"within how|for how long|what is the (normal|recommended|maximum|minimum|usual|upper|lower))\b",
    re.IGNORECASE,
)
_QUANTITY_ZH = re.compile(
    r"剂量|用量|多少|几|多久|多长|多大|多高|多低|频率|浓度|比例|年龄|间隔|阈值|范围|标准|剂|次数|疗程"
)
_TWO_PARTS = re.compile(
    r"[?？].*\S.*[?？]|[,，;；]\s*(and|or|but)\s+(what|which|how|why|when|where|who|whom|whose|is|are|was|were|do|does|did|can)\b"
    r"|\b(compare[sd]?|comparison|versus|vs\.?|both|each of|respectively|two (documents|studies|trials|papers))\b"
    r"|分别|各自|以及|对比|比较|相比|两篇|两项|两者|二者",
    re.IGNORECASE,
)
"""A question of two parts: two questions in one, "…, and what…", a comparison, "both", 分别, 两篇."""
_WORDY = re.compile(r"[^\W_]")
"""A letter, digit or character: what a sentence that says something holds (a table rule ``|---|`` does not)."""
_NUMBER = re.compile(r"\d|[一二三四五六七八九十百千万两半]+(?:[个次天周月年岁小时分钟]|倍|%)")

Translation = Callable[[Passage, int], tuple[int, int] | None]
"""The sentence that translates sentence ``j`` of a passage, in a twin of the passage
(:func:`assistant.search.twins.translation_of`): ``(passage id, sentence index)``, or None."""
Found = dict[str, tuple[float, list[str]]]
"""The question's concepts: concept → (weight, terms) (see :func:`assistant.search.abstain.concepts`)."""
Closeness = Callable[[Passage], np.ndarray | None]
"""The cosine of each sentence of a passage with the question (``float32`` of shape
``(len(passage.sentences),)``), or None when the passage has no sentence vectors."""


def asks_quantity(question: str) -> bool:
    """Whether a question asks for a number: a dose, an amount, a duration, an age, a rate."""
    return bool(_QUANTITY_EN.search(question) or _QUANTITY_ZH.search(question))


def has_two_parts(question: str) -> bool:
    """Whether a question asks two things (see :data:`_TWO_PARTS`): only then is a second statement shown."""
    return bool(_TWO_PARTS.search(question))


def _contains(sentence: str, stems: set[str], term: str) -> bool:
    return term in sentence if has_cjk(term) else term in stems


def held(text: str, found: Found) -> set[str]:
    """The concepts of the question that a text holds (as themselves or any of their terms)."""
    folded = fold(text).replace(" ", "")
    stems = set(english_terms(text))
    return {c for c, (_, terms) in found.items() if any(_contains(folded, stems, t) for t in terms)}


@dataclass(frozen=True)
class Scored:
    """A sentence of a passage and its score (see the module docstring)."""

    span: tuple[int, int]
    """``(begin, end)`` in the passage text."""
    score: float
    """Coverage, number bonus and closeness, before the rank penalty."""
    concepts: frozenset[str]
    """The question's concepts it holds."""


def sentence_scores(passage: Passage, query: Query, found: Found,
                    closeness: np.ndarray | None = None) -> list[Scored]:
    """Every sentence of a passage that holds at least one of the question's concepts, scored, in
    reading order. ``closeness`` is the cosine of each sentence with the question (ignored unless there
    is one per sentence)."""
    text = passage.text
    spans = passage.sentences or ((0, len(text)),)
    quantity = asks_quantity(query.question)
    stated = quantities(query.question)
    total = sum(w for w, _ in found.values()) or 1.0
    dense = closeness is not None and len(closeness) == len(spans)
    headers = table_headers(passage, spans)
    out: list[Scored] = []
    for i, (begin, end) in enumerate(spans):
        sentence = text[begin:end]
        header = headers[i]
        if header == "" or not _WORDY.search(sentence):
            continue  # a table's header row names its columns and says nothing; its rule (|---|) nothing at all
        own = held(sentence, found)
        shared = held(header, found) - own if header else set()  # what the row holds only through its header
        has = own | shared
        if not has:
            continue
        score = (sum(found[c][0] for c in own) + HEADER_SHARE * sum(found[c][0] for c in shared)) / total
        if quantity and _NUMBER.search(fold(sentence).replace(" ", "")):
            score += QUANTITY_BONUS
        if stated and conflicts(stated, quantities(sentence)):
            score -= QUANTITY_CONFLICT
        if dense:
            assert closeness is not None
            score += DENSE_WEIGHT * float(closeness[i])
        out.append(Scored((begin, end), score, frozenset(has)))
    return out


def conflicts(asked: dict[str, frozenset[float]], given: dict[str, frozenset[float]]) -> bool:
    """Whether a text gives some unit of the asked quantities only with other values (both from
    :func:`~assistant.lexicon.analyze.quantities`): 25 mg for 2.5 mg, not 2.5 mg and 25 mg, not 5 ml."""
    return any(unit in given and not values & given[unit] for unit, values in asked.items())


_ROW = re.compile(r"^[^\n]*[^\s|]\s*\|\s*[^\s|][^\n]*$")
"""A table row as the passage text holds it: cells on one line, separated by ``|``."""


def table_headers(passage: Passage, spans: Sequence[tuple[int, int]]) -> list[str | None]:
    """For each sentence of a passage: None when it is not a table row, ``""`` when it is a table's header
    row (the first row of a run of rows, unless the passage continues a table whose header it carries in
    :attr:`Passage.context`), else the header row it falls under. A data row is read with its header
    ("Febuxostat | 40 mg daily" under "Drug | Starting dose" gives the starting dose)."""
    carried = [line for line in passage.context.splitlines() if _ROW.match(line.strip())]
    header: str | None = carried[-1].strip() if carried else None
    out: list[str | None] = []
    previous_row = False
    for begin, end in spans:
        sentence = passage.text[begin:end].strip()
        if not _ROW.match(sentence):
            out.append(None)
            previous_row = False
            if begin > 0:
                header = None  # a table ends where text resumes
            continue
        if not previous_row and header is None:
            header = sentence
            out.append("")
        else:
            out.append(header)
        previous_row = True
    return out


def best_of(scored: Sequence[Scored]) -> Scored | None:
    """The best scored sentence (the first of equals), None for none."""
    return max(scored, key=lambda s: s.score, default=None)


def best_sentence(passage: Passage, query: Query, found: Found,
                  closeness: np.ndarray | None = None) -> tuple[int, int] | None:
    """The span of the passage sentence that best answers the question (None if none holds any of it)."""
    best = best_of(sentence_scores(passage, query, found, closeness))
    return best.span if best else None


SOURCE_RANK = {"user": 0, "corpus": 1, "note": 1, "bundled": 2}
"""Hints from the user's glossary and the documents' own definitions come before the bundled ones."""


def hints(text: str, query: Query, expander: Expander) -> tuple[Hint, ...]:
    """Glosses of the key Chinese terms of a text: the terms the question was expanded to first, then
    the documents' own definitions, then longer (more specific) terms. Ambiguous bundled entries (weight
    below 1, e.g. 研究 = trial) are not offered as glosses."""
    if query.language != "en" or not has_cjk(text):
        return ()
    expanded = {t.text for t in query.terms if t.source != "query"}
    entries = [e for e in expander.glosser.find(text) if e.source != "bundled" or e.weight >= 1.0]
    entries.sort(key=lambda e: (e.zh not in expanded, SOURCE_RANK.get(e.source, 3), -len(e.zh), text.find(e.zh)))
    out: list[Hint] = []
    seen: set[str] = set()
    for e in entries:
        if e.zh not in seen:
            out.append(Hint(e.zh, expander.glosser.label(e), e.source))
            seen.add(e.zh)
    for t in query.terms:
        if (t.source == "dictionary" and has_cjk(t.text) and t.text in text and t.text not in seen
                and len(t.text) > 1 and not any(t.text in h.term for h in out) and means(t.text, t.origin)):
            out.append(Hint(t.text, _plain_origin(t.origin, query.question), "dictionary"))
            seen.add(t.text)
    return tuple(out[:MAX_HINTS])


def means(head: str, origin: str) -> bool:
    """Whether a CC-CEDICT sense of the Chinese word ``head`` is, whole, the English phrase ``origin``
    (stemmed words; "used" is not a gloss of 禁用, whose sense only ends in it: "to withstand heavy
    use"), or one of a sense's two alternatives ("Ibuprofen or Nurofen")."""
    wanted = phrase_key(origin.split())
    for sense in cedict().get(head) or ():
        if phrase_key(sense_terms(sense)) == wanted or any(phrase_key((w,)) == wanted for w in alternatives(sense)):
            return True
    return False


def _plain_origin(origin: str, question: str) -> str:
    """The question's own words for a stemmed origin ("recommend dose" → "recommended dose")."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9-]*", question)
    out = []
    for stem in origin.split():
        match = next((w for w in words if _first_stem(w) == stem), stem)
        out.append(match)
    return " ".join(out)


def _asked_first(question: str, a: Scored, b: Scored) -> bool:
    """Whether the question asks what sentence ``a`` alone holds before what ``b`` alone holds (by where
    the first of each one's own concepts occurs in it; Chinese words as written, English stems as word
    beginnings)."""
    folded = fold(question).lower()

    def first(concepts: frozenset[str]) -> int:
        found = [m.start() for c in concepts
                 for m in [re.search(re.escape(c) if has_cjk(c) else rf"\b{re.escape(c)}", folded)] if m]
        return min(found, default=len(folded))

    own_a, own_b = first(a.concepts - b.concepts), first(b.concepts - a.concepts)
    return own_a < own_b


@lru_cache(maxsize=4096)
def _first_stem(word: str) -> str | None:
    stems = english_terms(word)
    return stems[0] if stems else None


def compose(hits: list[Hit], query: Query, expander: Expander, sparse: SparseIndex, abstained: bool,
            closeness: Closeness | None = None,
            translation: Translation | None = None) -> tuple[tuple[Citation, ...], tuple[Statement, ...]]:
    """The cited passages, each with its answer sentence and its glosses, and the answer shown above them
    (none when abstaining): the best sentence of the first :data:`STATEMENT_DEPTH` citations, after the
    rank penalty, then — for a question of two parts, when one holds a part the first lacks — a sentence
    of another citation (at most :data:`MAX_STATEMENTS`; the part the question asks first comes first),
    each with the glosses of its Chinese terms for an English question. ``closeness`` gives the cosines of
    a passage's sentences with the question (None: coverage, numbers and rank alone). ``translation``
    finds a sentence's translation in a twin passage (:mod:`assistant.search.twins`): an answer sentence
    in the other language than the reader's (the question's, or the version it names) is shown in the
    reader's language when its translation is among the citations (:func:`in_reader_language`)."""
    found = concepts(query, sparse)
    cited: list[Citation] = []
    candidates: list[tuple[float, int, Scored]] = []
    for rank, hit in enumerate(hits, 1):
        scored = sentence_scores(hit.passage, query, found, closeness(hit.passage) if closeness else None)
        best = best_of(scored)
        cited.append(Citation(rank=rank, passage=hit.passage, score=hit.score,
                              best_sentence=best.span if best else None,
                              hints=hints(hit.passage.text, query, expander)))
        if rank <= STATEMENT_DEPTH:
            candidates.extend((s.score - RANK_PENALTY * math.log2(rank), rank, s) for s in scored)
    if abstained or not candidates:
        return tuple(cited), ()
    candidates.sort(key=lambda c: (-c[0], c[1], c[2].span))
    chosen = [candidates[0]]
    total = sum(w for w, _ in found.values()) or 1.0
    first = candidates[0]
    for value, rank, s in candidates[1:] if has_two_parts(query.question) else ():
        if len(chosen) >= MAX_STATEMENTS:
            break
        new = s.concepts - first[2].concepts
        if (rank != first[1] and value >= first[0] - SECOND_MARGIN
                and sum(found[c][0] for c in new) >= SECOND_SHARE * total):
            chosen.append((value, rank, s))
    if len(chosen) == 2 and _asked_first(query.question, chosen[1][2], chosen[0][2]):
        chosen.reverse()  # the part the question asks first is answered first
    shown = [(rank, s.span) for _, rank, s in chosen]
    if translation is not None:
        shown = list(dict.fromkeys(in_reader_language(cited, rank, span, query, translation) for rank, span in shown))
    statements = []
    for rank, (b, e) in shown:
        sentence = cited[rank - 1].passage.text[b:e]
        statements.append(Statement(sentence, rank, (b, e), hints(sentence, query, expander)))
    return tuple(cited), tuple(statements)


def in_reader_language(cited: Sequence[Citation], rank: int, span: tuple[int, int], query: Query,
                       translation: Translation) -> tuple[int, tuple[int, int]]:
    """The citation rank and sentence span to show for the answer sentence ``span`` of citation ``rank``:
    its translation in a cited twin when the sentence is not in the reader's language (the version the
    question names, :func:`~assistant.search.prior.named_language`, else the question's) and the
    translation is; else the sentence itself."""
    passage = cited[rank - 1].passage
    wanted = (named_language(query) or query.language) == "zh"
    if is_chinese(passage.text) == wanted or span not in passage.sentences:
        return rank, span
    pair = translation(passage, passage.sentences.index(span))
    if pair is None:
        return rank, span
    twin, j = pair
    for citation in cited:
        if citation.passage.id == twin and j < len(citation.passage.sentences):
            return citation.rank, citation.passage.sentences[j]
    return rank, span
