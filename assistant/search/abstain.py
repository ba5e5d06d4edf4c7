"""Abstain: decide whether the ranked passages answer the question at all, one setting for any collection.

Raw cosines do not transfer: how close the best passage comes to a question depends on the model and on
how uniform the collection is (a seed-calibrated 0.90 lay below every unanswerable question of another
collection). The confidence is therefore relative to the collection:

* **closeness** — for each encoder, the best cosine over the first :data:`CLOSE_DEPTH` passages, in
  units of how close the collection comes to questions about nothing it holds: ``(best − mean) / std``
  of the reference questions' best cosines, which the build stored (:mod:`assistant.index.moments`).
  The main encoder and the cross-lingual one are asked separately: a question both find close to the
  collection is more likely answered there than one only the first does;
* **coverage** — the share of the question's concepts (each weighted by its idf: the rare words carry
  the question) that the top :data:`DEPTH` passages contain, as themselves or translated;

``confidence = closeness(main) + abstain_crosslingual_weight · closeness(cross-lingual) +
abstain_coverage_weight · coverage`` (sparse mode, which has no embeddings: coverage alone). The weights
and the threshold were chosen on the gold collections, and checked leave-one-collection-out
(``assistant eval --tune``). The decision reads a fixed depth of the ranking, so it never depends on
``k``.

**Names.** A question about a name the documents never mention — a trial (SONIA, BOLERO-2), a drug, a
gene, a disease (hepatitis, 阿尔茨海默病: :func:`~.question.is_disease`) — is not answered from passages about
something else, however close they come: the name is *uncovered*. If the question names at least as many
other things the documents do hold, the rest is answered and the name reported
(:attr:`Decision.uncovered`); if not, the assistant abstains. A name counts as absent when no passage
holds it, as written or in any translation the question was bridged with (CC-CEDICT, the documents' own
definitions, the glossaries; a dictionary translation of several words counts only where one passage
holds all of them). A short abbreviation of capitals alone (GI, EBV, CYP, OTC) does not count
as a name: it mostly stands for a general term that the documents spell out ("gastrointestinal") or hold
only in translation (胃肠道); codes with a digit or a hyphen (SGLT2, BOLERO-2) and longer ones (SONIA,
SPRINT) do. An absent abbreviation of that shape (PCP) is then left to the confidence. An acronym the
retrieved passages spell out ("selective estrogen receptor degrader" for SERD) is mentioned. A drug name
is also mentioned when the documents write it in the other language, matched by its INN stem and its
sound where no dictionary holds it (:mod:`assistant.lexicon.transliterate`).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..index.bm25 import SparseIndex
from ..index.load import DenseSignal, Index
from ..index.moments import CROSS, PRIMARY
from ..index.represent import searchable
from ..lexicon import cedict
from ..lexicon.analyze import EN_STOPWORDS, ZH_STOPWORDS, Analyzer, english_terms, fold, stated_quantities
from ..lexicon.glossary import GLOSS_MARK
from ..records import Hit, Query
from ..settings import Mode, Settings
from ..text import has_cjk
from .question import is_disease

DEPTH = 3
"""Passages whose coverage the decision reads (whatever ``k`` is)."""
CLOSE_DEPTH = 10
"""Passages whose closeness to the question the decision reads (whatever ``k`` is)."""
JOINT_SHARE = 0.5
"""For a question asking something about a name, the share (by idf) of what it asks that the passage
holding the name must hold too."""
STOPWORDS = EN_STOPWORDS | ZH_STOPWORDS | {"what", "which", "does", "did", "show", "about", "tell"}
ABBREVIATION = re.compile(r"[A-Z]{2,3}")
"""A short abbreviation of capitals alone: not a name of its own (see the module docstring)."""
CONTEXT_SHARE = 0.5
"""Weight of the concepts a follow-up carries on from the question before it, next to its own."""


@dataclass(frozen=True)
class Decision:
    """Whether a ranking answers its question."""

    confidence: float
    abstained: bool
    unknown: tuple[str, ...] = ()
    """Names the documents never mention (reported whether or not the rest is answered)."""
    uncovered: tuple[str, ...] = ()
    """Names never mentioned, when the rest of the question is answered."""
    features: dict[str, float] = field(default_factory=dict, compare=False)
    """What the confidence was made of (for the eval and for debugging)."""


def idf(sparse: SparseIndex, term: str) -> float:
    """BM25's idf of a term in the collection (a term it lacks counts as once-seen)."""
    n = max(1, sparse.num_docs)
    df = max(sparse.document_frequency(term), 1) if term and term in sparse.vocab else 1
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def concepts(query: Query, sparse: SparseIndex) -> dict[str, tuple[float, list[str]]]:
    """The question's concepts: concept → (weight, the index terms that stand for it).

    A concept is a word or phrase of the question (a follow-up's carried words count at
    :data:`CONTEXT_SHARE`); its terms are itself, its sub-words and every translation made from it; its
    weight is the idf of its rarest own term (of its translations if the collection lacks the word).
    Words the collection holds nowhere, in no translation, count at the idf of a once-seen term.
    """
    own: dict[str, float] = {}
    for t in query.terms:
        if t.source in ("query", "context") and not t.text.startswith(GLOSS_MARK):
            share = 1.0 if t.source == "query" else CONTEXT_SHARE
            key = t.origin or t.text
            own[key] = max(own.get(key, 0.0), share * t.weight)
    out: dict[str, tuple[float, list[str]]] = {}
    for concept, share in own.items():
        terms = [t for t in query.terms if not t.text.startswith(GLOSS_MARK)
                 and (t.origin == concept or (t.source not in ("query", "context") and concept in t.origin.split()))]
        present = [t for t in terms if t.text in sparse.vocab]
        mine = [t for t in present if t.source in ("query", "context")] or present
        weight = share * max((idf(sparse, t.text) for t in mine), default=idf(sparse, ""))
        if concept.isdigit() and not present:
            continue  # a bare number the documents lack says little
        out[concept] = (weight, [t.text for t in terms])
    return out


def coverage(found: Mapping[str, tuple[float, list[str]]], sparse: SparseIndex, ids: Sequence[int]) -> float:
    """The idf-weighted share (0..1) of the concepts that the passages ``ids`` contain."""
    total = sum(w for w, _ in found.values())
    if not total or not ids:
        return 0.0
    ids = list(ids)
    hit = sum(w for w, terms in found.values() if any(sparse.contains(t, ids) for t in terms))
    return hit / total


def _name_terms(name: str) -> list[str]:
    return [name] if has_cjk(name) else english_terms(name)


def _mentioned(sparse: SparseIndex, terms: Sequence[str]) -> bool:
    """Whether some passage holds all of ``terms`` (a name the segmenter cut into pieces is there only if
    its pieces are there together)."""
    ids: set[int] | None = None
    for term in terms:
        tid = sparse.vocab.get(term)
        if tid is None:
            return False
        posting = set(sparse.indices[int(sparse.indptr[tid]) : int(sparse.indptr[tid + 1])].tolist())
        ids = posting if ids is None else ids & posting
        if not ids:
            return False
    return bool(ids)


def unknown_names(query: Query, sparse: SparseIndex, analyzer: Analyzer,
                  text_of: Callable[[int], str] | None = None, retrieved: Sequence[str] = (),
                  by_sound: bool = True) -> list[str]:
    """Names of the question (:attr:`Query.entities`: codes, drug names) that no passage contains, either as
    written or through a translation the question was bridged with, then the quantities it states that no
    passage states ("2.5 mg" where the documents give 25 mg and 500 mg: no passage answers "which drug is
    dosed at 2.5 mg"). ``text_of`` (a passage's text as search sees it, by passage id) lets a Chinese name
    the segmenter cut differently be read in the text. An acronym that the ``retrieved`` passages' texts
    spell out (SERD: "selective estrogen receptor degrader") is mentioned (:func:`spelled_out`).
    ``by_sound=False`` leaves out the translations made by sound (:mod:`~assistant.lexicon.transliterate`)."""
    vocab = sparse.vocab
    out: list[str] = []
    for name in [*query.entities, *diseases(query)]:
        if ABBREVIATION.fullmatch(name):
            continue
        own = analyzer.terms(name) if has_cjk(name) else english_terms(name)
        if not own or _mentioned(sparse, own) or all(GLOSS_MARK + t in vocab for t in own):
            continue
        words = {w for w in own if len(w) > 1 or len(own) == 1} | {name}  # not 病 of 阿尔茨海默病 alone
        # a Chinese name's dictionary translations are checked whole below, not word by word
        not_translations: tuple[str, ...] = ("query", "context")
        if has_cjk(name):
            not_translations += ("dictionary",)
        if not by_sound:
            not_translations += ("transliteration",)
        if any(t.text in vocab for t in query.terms
               if t.source not in not_translations and words & set(t.origin.split())):
            continue
        if has_cjk(name) and (_translation_mentioned(sparse, name)
                              or (text_of is not None and _written_in(sparse, name, text_of))):
            continue
        if any(spelled_out(name, text) for text in retrieved):
            continue
        out.append(name)
    out += [written for written, term in stated_quantities(fold(query.question)) if term not in vocab]
    return list(dict.fromkeys(out))


def _written_in(sparse: SparseIndex, name: str, text_of: Callable[[int], str]) -> bool:
    """Whether some passage holds a Chinese name as written. The segmenter cuts a name it does not know by
    its context (氟维司 群 in a question, 氟维司 群能 in a passage), so the terms of the two need not
    agree: the passages that hold the rarest index term inside the name (at most :data:`READ_AT_MOST`
    of them) are read for the name itself. ``text_of`` gives a passage's text as search sees it."""
    pieces = [name[i:j] for i in range(len(name)) for j in range(i + 2, len(name) + 1) if name[i:j] in sparse.vocab]
    if not pieces:
        return False
    rarest = min(pieces, key=sparse.document_frequency)
    tid = sparse.vocab[rarest]
    holders = sparse.indices[int(sparse.indptr[tid]) : int(sparse.indptr[tid + 1])][:READ_AT_MOST]
    return any(name in text_of(int(i)) for i in holders)


_ACRONYM = re.compile(r"[A-Z]{2,8}s?")


def spelled_out(acronym: str, text: str) -> bool:
    """Whether a text spells an acronym out as the initials of consecutive words, any case, the words
    joined by spaces or hyphens (SERD: "selective estrogen receptor degrader"; PCP: "Pneumocystis
    pneumonia" is not, two words for three letters). The acronym's plural ``s`` is dropped."""
    if not _ACRONYM.fullmatch(acronym):
        return False
    letters = acronym.rstrip("s")
    pattern = r"[\s-]+".join(rf"{re.escape(c)}[a-z]*" for c in letters)
    return re.search(rf"(?<![A-Za-z]){pattern}(?![A-Za-z])", text, re.IGNORECASE) is not None


READ_AT_MOST = 500
"""Passages read for a name the index terms cannot find (:func:`_written_in`)."""


def _translation_mentioned(sparse: SparseIndex, name: str) -> bool:
    """Whether some passage holds a whole CC-CEDICT translation of a Chinese name: all the words of
    one sense together (高血压: "hypertension", or "high", "blood" and "pressure" in one passage; "blood"
    in one passage and "high" in another is not a mention), or one of a sense's two alternatives
    (布洛芬: "Ibuprofen or Nurofen", :func:`~assistant.lexicon.cedict.alternatives`)."""
    for sense in cedict.cedict().get(name) or ():
        terms = cedict.sense_terms(sense)
        if terms and _mentioned(sparse, terms):
            return True
        if any(_mentioned(sparse, [word]) for word in cedict.alternatives(sense)):
            return True
    return False


def diseases(query: Query) -> list[str]:
    """The diseases a question names (:func:`~.question.is_disease`: hepatitis, 糖尿病), its own words only."""
    words = [w for w in re.findall(r"(?<![A-Za-z0-9-])[A-Za-z]{4,}(?![A-Za-z0-9-])", query.question)
             if not w.isupper()]  # PALOMA-2, SONIA: codes, which the name rule reads
    chinese = list(dict.fromkeys(t.origin or t.text for t in query.terms
                                 if t.source == "query" and has_cjk(t.origin or t.text)))
    # the segmenter may cut the disease's ending off its name (阿尔茨海默 | 病): joined where the question has
    # both and CC-CEDICT knows the whole as a word (阿尔茨海默病, not 别的病)
    known = cedict.cedict()
    chinese += [a + b for a, b in zip(chinese, chinese[1:], strict=False)
                if len(b) == 1 and a + b in query.question and known.get(a + b) is not None]
    # and a disease inside a longer word is named too (乙肝 of 乙肝疫苗)
    chinese += [t.text for t in query.terms if t.source == "query" and has_cjk(t.text) and t.text != t.origin]
    return [w for w in dict.fromkeys([*words, *chinese])
            if is_disease(w) or (len(w) > 1 and has_cjk(w) and _defined_as_disease(known.get(w)))]


def _defined_as_disease(senses: Sequence[str] | None) -> bool:
    """Whether a Chinese word has a CC-CEDICT sense that is a disease's English name of one or two words
    (哮喘: asthma, 疟疾: malaria, 高血压: hypertension, 乙肝: hepatitis B)."""
    for sense in senses or ():
        words = re.sub(r"\([^)]*\)", " ", sense).split()
        if 0 < len(words) <= 2 and any(is_disease(w) for w in words):
            return True
    return False


_PARTS = re.compile(r"[,;，；？?]|\band\b|\balso\b|以及|并且|另外|还有|同时")
_CONTENT = re.compile(r"[A-Za-z]{3,}|[\u4e00-\u9fff]{2,}")


def answerable_rest(question: str, unknown: Sequence[str]) -> bool:
    """Whether a question has a part of its own that names none of the ``unknown`` names ("What is the dose
    of fulvestrant, and what did the SONIA trial show?"): only then is the rest answered. A question of one
    part about a name the documents lack is not answered from passages about something else."""
    parts = [p for p in _PARTS.split(question) if _CONTENT.search(p)]
    if len(parts) < 2:
        return False
    lowered = [n.lower() for n in unknown]
    free = [p for p in parts if not any(n in p.lower() for n in lowered)]
    return bool(free) and len(free) < len(parts) and any(
        w.lower() not in STOPWORDS for p in free for w in _CONTENT.findall(p))


def closeness(signals: Mapping[str, DenseSignal], vectors: Mapping[str, np.ndarray], hits: Sequence[Hit],
              name: str = PRIMARY) -> float:
    """One encoder's best cosine between the question's vector ``vectors[name]`` and the first
    :data:`CLOSE_DEPTH` passages of ``hits``, in standard deviations of the reference questions' best
    cosines above their mean (0 when ``signals`` — the index's dense signals by name — lack that encoder
    or its reference figures, or the question has no vector for it)."""
    signal = signals.get(name)
    vector = vectors.get(name)
    if signal is None or vector is None or not hits:
        return 0.0
    stats = signal.stats
    if stats is None or stats.reference_best.size < 2:
        return 0.0
    ids = np.array([h.passage.id for h in hits[:CLOSE_DEPTH]], dtype=np.int64)
    best = float(np.max(np.asarray(signal.embeddings[ids], dtype=np.float32) @ vector))
    ref = stats.reference_best.astype(np.float64)
    return float((best - ref.mean()) / max(ref.std(), 1e-6))


def decide(index: Index, settings: Settings, query: Query, mode: Mode, hits: Sequence[Hit],
           vectors: Mapping[str, np.ndarray]) -> Decision:
    """Whether ``hits`` (the collapsed ranking of ``index``, best first, at least :data:`CLOSE_DEPTH` deep
    when the collection allows) answer ``query``; ``vectors`` are the question's vectors by signal name
    (empty in sparse mode)."""
    sparse = index.sparse
    found = concepts(query, sparse)
    top = [h.passage.id for h in hits[:DEPTH]]
    covered = coverage(found, sparse, top)
    def text_of(i: int) -> str:
        return searchable(index.passages[i].text)

    retrieved = [h.passage.text for h in hits[:CLOSE_DEPTH]]
    unknown = tuple(unknown_names(query, sparse, index.analyzer, text_of, retrieved))
    if mode == "sparse":
        confidence, threshold = covered, settings.abstain_coverage
        close = agree = 0.0
    else:
        close = closeness(index.signals, vectors, hits)
        agree = closeness(index.signals, vectors, hits, CROSS)
        confidence = (close + settings.abstain_crosslingual_weight * agree
                      + settings.abstain_coverage_weight * covered)
        threshold = settings.confidence_threshold
    features = {"closeness": close, "crosslingual_closeness": agree, "coverage": covered,
                "unknown": float(len(unknown))}
    if not hits:
        return Decision(confidence, True, unknown, (), features)
    if query.carried and not _answered_together(query, found, sparse, hits[:DEPTH]):
        features["joint"] = 0.0
        return Decision(confidence, True, unknown, (), features)
    heard: set[str] = set()
    if any(t.source == "transliteration" for t in query.terms):  # names the documents may hold only by sound
        heard = set(unknown_names(query, sparse, index.analyzer, text_of, retrieved, by_sound=False)) - set(unknown)
    if heard and not _answered_with_sound(query, found, sparse, hits[:DEPTH]):
        features["joint"] = 0.0
        return Decision(confidence, True, unknown, (), features)
    uncovered: tuple[str, ...] = ()
    if unknown:
        if answerable_rest(query.question, unknown):
            uncovered = unknown  # answer the rest, and say which part is not covered
        else:
            return Decision(confidence, True, unknown, (), features)
    return Decision(confidence, confidence < threshold, unknown, uncovered, features)


def _answered_together(query: Query, found: Mapping[str, tuple[float, list[str]]], sparse: SparseIndex,
                       hits: Sequence[Hit]) -> bool:
    """For a question that asks something about a name (its own, or one carried on from the question
    before it: "and what dose?" after a question about everolimus): whether one of the passages holds the
    name together with what is asked (each as itself or translated). What is asked may be in the headings
    the passage sits under (a passage of "1 内分泌治疗的作用机制" is about a mechanism of action without
    saying so). Concepts the collection holds nowhere are left to coverage."""
    ids = [h.passage.id for h in hits]
    headings = {h.passage.id: _heading_words(h.passage.section) for h in hits}
    names = set(query.carried) | {w for name in query.carried for w in _name_terms(name)}
    own = {t.origin or t.text for t in query.terms if t.source == "query"} - names
    held = {c: v for c, v in found.items() if any(t in sparse.vocab for t in v[1])}
    subject = [terms for concept, (_, terms) in held.items() if concept in names]
    asked = [(w, terms) for concept, (w, terms) in held.items() if concept in own]
    total = sum(w for w, _ in asked)
    for i in ids:
        if not all(any(sparse.contains(t, [i]) for t in terms) for terms in subject):
            continue
        answered = sum(w for w, terms in asked if any(sparse.contains(t, [i]) or _under(t, headings[i])
                                                      for t in terms))
        if not asked or answered >= JOINT_SHARE * total:
            return True
    return False


def _answered_with_sound(query: Query, found: Mapping[str, tuple[float, list[str]]], sparse: SparseIndex,
                         hits: Sequence[Hit]) -> bool:
    """For a question naming a drug the documents hold only in the other language, matched by sound
    (lapatinib → 拉帕替尼): whether one of the passages holds the matched name together with
    :data:`JOINT_SHARE` of the rest of the question. A match by sound is weaker evidence than a dictionary's,
    and a passage that names the drug only in passing (a table of interacting drugs) does not answer what
    is asked about it."""
    groups: dict[str, list[str]] = defaultdict(list)
    for t in query.terms:
        if t.source == "transliteration" and t.text in sparse.vocab:
            groups[t.origin].append(t.text)
    named = {term for terms in groups.values() for term in terms}
    asked = [(w, terms) for _, (w, terms) in found.items()
             if not named & set(terms) and any(t in sparse.vocab for t in terms)]
    total = sum(w for w, _ in asked)
    for hit in hits:
        i = hit.passage.id
        if not any(all(sparse.contains(t, [i]) for t in terms) for terms in groups.values()):
            continue
        answered = sum(w for w, terms in asked if any(sparse.contains(t, [i]) for t in terms))
        if not asked or answered >= JOINT_SHARE * total:
            return True
    return False


def _heading_words(section: str) -> tuple[str, frozenset[str]]:
    """A section path as the joint check reads it: its Chinese text without spaces, and its English
    terms."""
    return section.replace(" ", ""), frozenset(english_terms(section))


def _under(term: str, heading: tuple[str, frozenset[str]]) -> bool:
    """Whether an index term occurs in a section path (:func:`_heading_words`)."""
    compact, english = heading
    return term in compact if has_cjk(term) else term in english
