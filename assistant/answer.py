"""Answer: turn ranked passages into cited answers.

Each citation gets the sentence that best answers the question marked (the sentence carrying the
most query weight, expansions included), and for English questions, hints that gloss the key Chinese
terms of the passage from the glossary (氟维司群 = fulvestrant (FLV)).
"""

from __future__ import annotations

from .lexicon.analyze import english_terms, fold
from .records import Citation, Hint, Hit, Query, Statement
from .search.expand import Expander
from .text import has_cjk

MAX_HINTS = 6


def best_sentence(hit: Hit, weights: dict[str, float]) -> tuple[int, int] | None:
    """The span of the passage sentence that carries the most query weight (None if none does)."""
    text = hit.passage.text
    best: tuple[float, tuple[int, int]] | None = None
    for begin, end in hit.passage.sentences or ((0, len(text)),):
        sentence = fold(text[begin:end])
        stems = set(english_terms(sentence))
        score = 0.0
        for term, weight in weights.items():
            if (has_cjk(term) and term in sentence) or (not has_cjk(term) and term in stems):
                score += weight
        if score > 0 and (best is None or score > best[0]):
            best = (score, (begin, end))
    return best[1] if best else None


SOURCE_RANK = {"user": 0, "corpus": 1, "note": 1, "bundled": 2}
"""Hints from the user's glossary and the documents' own definitions come before the bundled ones."""


def hints(hit: Hit, query: Query, expander: Expander) -> tuple[Hint, ...]:
    """Glosses of the key Chinese terms of a passage: the terms the question was expanded to first, then
    the documents' own definitions, then longer (more specific) terms. Ambiguous bundled entries (weight
    below 1, e.g. 研究 = trial) are not offered as glosses."""
    text = hit.passage.text
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
            out.append(Hint(t.text, t.origin, "dictionary"))
            seen.add(t.text)
    return tuple(out[:MAX_HINTS])


def statements(cited: tuple[Citation, ...], abstained: bool) -> tuple[Statement, ...]:
    """The answer shown above the passages: the best sentence of the first citation (none when
    abstaining)."""
    if abstained or not cited or cited[0].best_sentence is None:
        return ()
    first = cited[0]
    b, e = first.best_sentence  # type: ignore[misc]
    return (Statement(first.passage.text[b:e], first.rank, (b, e), first.hints),)


def citations(hits: list[Hit], query: Query, expander: Expander) -> tuple[Citation, ...]:
    weights = {t.text: t.weight for t in query.terms if t.source != "context"}
    return tuple(
        Citation(rank=i, passage=h.passage, score=h.score, best_sentence=best_sentence(h, weights),
                 hints=hints(h, query, expander))
        for i, h in enumerate(hits, 1)
    )
