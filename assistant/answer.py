"""Answer: turn ranked passages into cited answers.

Each citation gets the sentence that best answers the question marked (the sentence carrying the
most query weight, expansions included), and for English questions, hints that gloss the key Chinese
terms of the passage from the glossary (氟维司群 = fulvestrant (FLV)).
"""

from __future__ import annotations

from .analyze import english_terms, fold, has_cjk
from .expand import Expander
from .records import Citation, Hint, Hit, Query

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


def hints(hit: Hit, query: Query, expander: Expander) -> tuple[Hint, ...]:
    """Glosses of the Chinese terms in a passage, those the question was expanded to first."""
    text = hit.passage.text
    if query.language != "en" or not has_cjk(text):
        return ()
    out: list[Hint] = []
    seen: set[str] = set()
    expanded = {t.text for t in query.terms if t.source != "query"}
    glosses = expander.glosses(text)
    glosses.sort(key=lambda g: (not any(part in expanded for part in (g[0],)), text.find(g[0])))
    for term, gloss, source in glosses:
        if term not in seen:
            out.append(Hint(term, gloss, source))
            seen.add(term)
    for t in query.terms:
        if t.source == "dictionary" and has_cjk(t.text) and t.text in text and t.text not in seen and len(t.text) > 1:
            if not any(t.text in h.term for h in out):
                out.append(Hint(t.text, t.origin, "dictionary"))
                seen.add(t.text)
    return tuple(out[:MAX_HINTS])


def citations(hits: list[Hit], query: Query, expander: Expander) -> tuple[Citation, ...]:
    weights = {t.text: t.weight for t in query.terms if t.source != "context"}
    return tuple(
        Citation(rank=i, passage=h.passage, score=h.score, best_sentence=best_sentence(h, weights),
                 hints=hints(h, query, expander))
        for i, h in enumerate(hits, 1)
    )
