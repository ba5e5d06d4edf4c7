"""Answer: turn ranked passages into cited answers.

**The answer sentence.** Each cited passage has the sentence that best answers the question marked.
A sentence scores the question's concepts it contains — a concept is one word or phrase of the question,
found as itself or as any translation or sub-word it was expanded to — each weighted by how rare it is
in the collection (BM25's idf, Robertson & Zaragoza 2009), so that the sentence holding the drug *and*
the dose beats one repeating the drug's name. A question that asks for a quantity (a dose, how many,
how long, 多少, 几) favours sentences that give a number (:data:`QUANTITY_BONUS`). The answer shown above
the passages (:func:`compose`) is the best such sentence of the first few passages, with the glosses of
its Chinese terms for English readers.

**Hints.** For English questions, the key Chinese terms of each passage are glossed from the glossary
(氟维司群 = fulvestrant (FLV)) and, for the words the question was translated to, from CC-CEDICT.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .index.bm25 import SparseIndex
from .lexicon.analyze import english_terms, fold
from .records import Citation, Hint, Hit, Query, Statement
from .search.abstain import concepts
from .search.expand import Expander
from .text import has_cjk

MAX_HINTS = 6
QUANTITY_BONUS = 0.5
"""For a question that asks for a quantity, what a sentence that gives a number gains, as a share of the
weight of the question's concepts (chosen on the gold collections, leave-one-collection-out)."""
_QUANTITY_EN = re.compile(
    r"\b(dose|doses|dosage|dosing|how (much|many|long|often|old|soon|frequently)|what (level|percentage|proportion|"
    r"rate|concentration|age|interval|duration|threshold|target|range|number)|at what (age|level|dose|count)|"
    r"within how|for how long|what is the (normal|recommended|maximum|minimum|usual|upper|lower))\b",
    re.IGNORECASE,
)
_QUANTITY_ZH = re.compile(
    r"剂量|用量|多少|几|多久|多长|多大|多高|多低|频率|浓度|比例|年龄|间隔|阈值|范围|标准|剂|次数|疗程"
)
_NUMBER = re.compile(r"\d|[一二三四五六七八九十百千万两半]+(?:[个次天周月年岁小时分钟]|倍|%)")


def asks_quantity(question: str) -> bool:
    """Whether a question asks for a number: a dose, an amount, a duration, an age, a rate."""
    return bool(_QUANTITY_EN.search(question) or _QUANTITY_ZH.search(question))


def _contains(sentence: str, stems: set[str], term: str) -> bool:
    return term in sentence if has_cjk(term) else term in stems


def sentence_scores(text: str, spans: Sequence[tuple[int, int]], question: str,
                    found: dict[str, tuple[float, list[str]]]) -> list[float]:
    """The score of each sentence span of a passage text (see the module docstring)."""
    quantity = asks_quantity(question)
    total = sum(w for w, _ in found.values()) or 1.0
    out: list[float] = []
    for begin, end in spans:
        sentence = fold(text[begin:end]).replace(" ", "")
        stems = set(english_terms(text[begin:end]))
        score = sum(w for w, terms in found.values() if any(_contains(sentence, stems, t) for t in terms))
        if score > 0 and quantity and _NUMBER.search(sentence):
            score += QUANTITY_BONUS * total
        out.append(score)
    return out


Found = dict[str, tuple[float, list[str]]]
"""The question's concepts: concept → (weight, terms) (see :func:`assistant.search.abstain.concepts`)."""


def scored_sentence(hit: Hit, query: Query, found: Found) -> tuple[tuple[int, int] | None, float]:
    """The span of the passage sentence that best answers the question (None if none holds any of it), and
    its score."""
    text = hit.passage.text
    spans = hit.passage.sentences or ((0, len(text)),)
    scores = sentence_scores(text, spans, query.question, found)
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    return (spans[best], scores[best]) if scores[best] > 0 else (None, 0.0)


def best_sentence(hit: Hit, query: Query, found: Found) -> tuple[int, int] | None:
    """The span of the passage sentence that best answers the question (None if none holds any of it)."""
    return scored_sentence(hit, query, found)[0]


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
                and len(t.text) > 1 and not any(t.text in h.term for h in out)):
            out.append(Hint(t.text, _plain_origin(t.origin, query.question), "dictionary"))
            seen.add(t.text)
    return tuple(out[:MAX_HINTS])


def _plain_origin(origin: str, question: str) -> str:
    """The question's own words for a stemmed origin ("recommend dose" → "recommended dose")."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9-]*", question)
    stems = {w: english_terms(w) for w in words}
    out = []
    for stem in origin.split():
        match = next((w for w in words if stems[w][:1] == [stem]), stem)
        out.append(match)
    return " ".join(out)


STATEMENT_DEPTH = 3
"""Citations the answer sentence is chosen from."""
RANK_DECAY = 0.8
"""A sentence of the citation at rank ``r`` counts ``RANK_DECAY ** (r - 1)`` of its score: a lower passage's
sentence is chosen only when it answers clearly more of the question."""


def compose(hits: list[Hit], query: Query, expander: Expander, sparse: SparseIndex,
            abstained: bool) -> tuple[tuple[Citation, ...], tuple[Statement, ...]]:
    """The cited passages, each with its answer sentence and its glosses, and the answer shown above them:
    the best of the first :data:`STATEMENT_DEPTH` citations' sentences (none when abstaining), with the
    glosses of its Chinese terms for an English question."""
    found = concepts(query, sparse)
    cited: list[Citation] = []
    best: tuple[float, Citation] | None = None
    for rank, hit in enumerate(hits, 1):
        span, score = scored_sentence(hit, query, found)
        citation = Citation(rank=rank, passage=hit.passage, score=hit.score, best_sentence=span,
                            hints=hints(hit.passage.text, query, expander))
        cited.append(citation)
        weighted = score * RANK_DECAY ** (rank - 1)
        if span is not None and rank <= STATEMENT_DEPTH and (best is None or weighted > best[0]):
            best = (weighted, citation)
    if abstained or best is None:
        return tuple(cited), ()
    chosen = best[1]
    assert chosen.best_sentence is not None
    b, e = chosen.best_sentence
    sentence = chosen.passage.text[b:e]
    return tuple(cited), (Statement(sentence, chosen.rank, (b, e), hints(sentence, query, expander)),)
