"""Abstain: decide whether the ranked passages answer the question at all.

The assistant says nothing relevant was found when the question names something the documents never
mention (an acronym or a trial or drug code such as SONIA or BOLERO-2), or when its confidence falls
below a threshold calibrated on the eval suite. Confidence is how close the best passage is in
embedding space plus a share (:data:`COVERAGE_SHARE`) of how much of the question the top passages
cover; in sparse mode, which has no embeddings, coverage alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..index.bm25 import SparseIndex
from ..lexicon.analyze import english_terms
from ..lexicon.glossary import GLOSS_MARK
from ..records import Query
from ..settings import Mode

COVERAGE_SHARE = 0.3
"""Weight of question coverage next to embedding closeness in the confidence (chosen on the eval suite)."""

_NAME = re.compile(
    r"(?<![A-Za-z0-9-])"
    r"(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*[A-Z0-9]"  # SONIA, CDK4, HER2
    r"|[A-Za-z]+-[0-9]+[A-Za-z0-9]*)"  # BOLERO-2, SOLAR-1
    r"(?![A-Za-z0-9-])"
)


def coverage(query: Query, sparse: SparseIndex, ids: Sequence[int]) -> float:
    """Share (0..1) of the question's own words that the passages ``ids`` contain, directly or translated.

    A word counts as found when it, or any expansion that came from it, occurs in one of the passages.
    """
    own = [t for t in query.terms if t.source == "query" and t.text in sparse.vocab]
    missing = [t for t in query.terms if t.source == "query" and t.text not in sparse.vocab]
    if not own and not missing:
        return 0.0
    ids = list(ids)
    found_origins = {t.origin for t in query.terms
                     if t.source not in ("query", "context") and sparse.contains(t.text, ids)}
    hit = sum(1 for t in own if sparse.contains(t.text, ids) or _origin_matches(t.text, found_origins))
    hit += sum(1 for t in missing if _origin_matches(t.text, found_origins))
    return hit / (len(own) + len(missing))


def _origin_matches(term: str, origins: set[str]) -> bool:
    return any(term == o or term in o.split() for o in origins)


def unknown_names(query: Query, vocab: dict[str, int]) -> list[str]:
    """Names in the question (acronyms, trial and drug codes: SONIA, BOLERO-2) that no passage contains,
    either directly or through a translation the question was expanded to."""
    found = {w for t in query.terms if t.source not in ("query", "context") and t.text in vocab
             for w in t.origin.split()}
    out: list[str] = []
    for m in _NAME.finditer(query.question):
        name = m.group()
        if sum(c.isalpha() for c in name) < 3:
            continue  # ER, OS, T2: too short to tell a name from an abbreviation
        stems = english_terms(name)
        if stems and not all(s in vocab or GLOSS_MARK + s in vocab or s in found for s in stems):
            out.append(name)
    return list(dict.fromkeys(out))


def confidence(mode: Mode, dense_top: float, covered: float) -> float:
    """One number for abstention: embedding closeness plus a share of question coverage (sparse mode,
    which has no embeddings: coverage alone)."""
    if mode == "sparse":
        return covered
    return dense_top + COVERAGE_SHARE * covered
