"""Judge retrieved passages against gold evidence spans and compute the figures of a run.

Relevance is decided by character-span overlap in the original file, never by passage id, so the
gold set survives any change to the chunker. A passage satisfies an evidence span when it covers at
least half of the span, or the span covers at least half of the passage. The "documents" scored by
ir-measures are the evidence spans: Recall@5 is then the share of evidence spans covered by the top 5.

Besides the ranking figures (ir-measures): abstention as a classifier (unanswerable = positive) and the
ROC AUC of the confidence score (scikit-learn's ``roc_auc_score``, answerable = positive: the chance
that an answerable question gets a higher confidence than an unanswerable one); answer-sentence
accuracy, the share of answerable questions whose highlighted sentence overlaps a gold quote in the
original file; and the same figures over the turns of gold conversations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .gold import Evidence, Question
from .spans import overlaps

RANKING_METRICS = ("Hit@1", "Hit@3", "Hit@5", "Recall@5", "MRR@10", "nDCG@10")
SENTENCE = "Sentence"
"""Answer-sentence accuracy: the share of answerable questions whose highlighted sentence overlaps a
gold quote."""
FIGURE_METRICS = (*RANKING_METRICS, SENTENCE)


@dataclass(frozen=True)
class Retrieved:
    doc: str
    start: int
    end: int
    score: float
    text: str = ""
    section: str = ""


@dataclass(frozen=True)
class Highlight:
    """The sentence an answer highlights, placed in the original file."""

    doc: str
    start: int
    """Offset of its first character in the decoded original file."""
    end: int
    """Offset one past its last character."""
    text: str
    """The sentence as the passage text shows it."""


@dataclass
class Outcome:
    """What the system did for one gold question (or one conversation turn)."""

    question: Question
    retrieved: list[Retrieved]
    abstained: bool
    confidence: float
    highlight: Highlight | None = None
    """The answer's highlighted sentence: ``Answer.statements[0]``, else the best sentence of citation
    [1]; None when there is neither."""
    matches: list[list[str]] = field(default_factory=list)
    """For each retrieved passage, the evidence ids it satisfies."""

    @property
    def first_hit(self) -> int | None:
        """1-based rank of the first relevant passage."""
        return next((i for i, m in enumerate(self.matches, 1) if m), None)

    @property
    def sentence_hit(self) -> bool:
        """Whether the highlighted sentence shares a character with one of the question's gold quotes."""
        h = self.highlight
        return h is not None and any(e.doc == h.doc and overlaps((h.start, h.end), (e.start, e.end))
                                     for e in self.question.evidence)


def satisfies(r: Retrieved, e: Evidence) -> bool:
    if r.doc != e.doc:
        return False
    shared = min(r.end, e.end) - max(r.start, e.start)
    return shared > 0 and (shared >= 0.5 * (e.end - e.start) or shared >= 0.5 * (r.end - r.start))


def judge(outcome: Outcome) -> Outcome:
    outcome.matches = [[e.id for e in outcome.question.evidence if satisfies(r, e)] for r in outcome.retrieved]
    return outcome


def ranking_scores(outcomes: Sequence[Outcome]) -> dict[str, dict[str, float]]:
    """Per-question ranking metrics (answerable questions only): qid → metric → value."""
    import ir_measures
    from ir_measures import RR, R, Success, nDCG

    measures = {"Hit@1": Success @ 1, "Hit@3": Success @ 3, "Hit@5": Success @ 5, "Recall@5": R @ 5,
                "MRR@10": RR @ 10, "nDCG@10": nDCG @ 10}
    qrels: list[Any] = []
    run: list[Any] = []
    answerable = [o for o in outcomes if o.question.answerable]
    if not answerable:
        return {}
    for o in answerable:
        qid = o.question.id
        qrels.extend(ir_measures.Qrel(qid, e.id, 1) for e in o.question.evidence)
        seen: set[str] = set()
        n = len(o.retrieved)
        for rank, ids in enumerate(o.matches):
            fresh = [i for i in ids if i not in seen]
            seen.update(fresh)
            score = float(n - rank)
            if not fresh:  # a non-relevant passage still takes its place in the ranking
                run.append(ir_measures.ScoredDoc(qid, f"{qid}:miss{rank}", score))
            for j, eid in enumerate(fresh):
                run.append(ir_measures.ScoredDoc(qid, eid, score - j * 1e-6))
    by_name = {str(m): name for name, m in measures.items()}
    values: dict[str, dict[str, float]] = {o.question.id: dict.fromkeys(RANKING_METRICS, 0.0) for o in answerable}
    for metric in ir_measures.iter_calc(list(measures.values()), qrels, run):
        values[metric.query_id][by_name[str(metric.measure)]] = float(metric.value)
    return values


@dataclass(frozen=True)
class Figures:
    """Ranking figures of a group of answerable questions: means over the questions (0..1)."""

    n: int
    """Questions in the group."""
    hit1: float
    hit3: float
    hit5: float
    recall5: float
    mrr10: float
    ndcg10: float
    sentence: float = 0.0
    """Answer-sentence accuracy (see :data:`SENTENCE`)."""

    def value(self, metric: str) -> float:
        """A figure by its metric name (one of :data:`FIGURE_METRICS`, e.g. ``"Hit@5"``)."""
        return float(getattr(self, METRIC_FIELDS[metric]))

    def to_json(self) -> dict[str, float]:
        return {**{m: self.value(m) for m in FIGURE_METRICS}, "n": float(self.n)}


METRIC_FIELDS = {"Hit@1": "hit1", "Hit@3": "hit3", "Hit@5": "hit5", "Recall@5": "recall5", "MRR@10": "mrr10",
                 "nDCG@10": "ndcg10", SENTENCE: "sentence"}
"""Metric name → :class:`Figures` field."""


@dataclass(frozen=True)
class Abstention:
    """Abstaining judged as a classifier, unanswerable questions being the positive class."""

    precision: float
    recall: float
    f1: float
    auc: float | None = None
    """ROC AUC of the confidence score, answerable questions being the positive class (see
    :func:`confidence_auc`); None when only one class is present, or not computed."""

    def to_json(self) -> dict[str, float | None]:
        return {"abstain_precision": self.precision, "abstain_recall": self.recall, "abstain_f1": self.f1,
                "confidence_auc": self.auc}


@dataclass(frozen=True)
class ConversationFigures:
    """The figures of the turns of gold conversations, each asked with the earlier questions as history."""

    conversations: int
    turns: int
    answered: Figures
    """Ranking figures (and answer-sentence accuracy) over the turns that have evidence."""
    follow_up: Figures
    """The same over the follow-up turns (every turn after the first) that have evidence."""
    abstention: Abstention
    """Abstention over all turns (turns without evidence are the positive class)."""
    unanswerable: int
    """Turns without evidence."""

    def to_json(self) -> dict[str, Any]:
        return {"conversations": self.conversations, "turns": self.turns, "unanswerable_turns": self.unanswerable,
                "answered": self.answered.to_json(), "follow_up": self.follow_up.to_json(),
                "abstention": self.abstention.to_json()}


@dataclass(frozen=True)
class Summary:
    """The figures of one evaluation run: overall, by language direction, by kind, abstention, and the
    conversations."""

    overall: Figures
    abstention: Abstention
    direction: dict[str, Figures]
    """Direction (``en→zh``) → figures of its answerable questions."""
    kind: dict[str, Figures]
    """Kind of question (``factual``, ``paraphrase``…) → figures."""
    abstention_by_language: dict[str, Abstention]
    """Question language → abstention figures of its questions."""
    conversation: ConversationFigures | None = None
    """None when the collection has no conversations (or they were not asked)."""

    def to_json(self) -> dict[str, Any]:
        """The shape of ``report.json``: ``overall`` (with the abstention figures), ``direction``, ``kind``,
        ``abstention_by_language``, ``conversation``."""
        return {
            "overall": {**self.overall.to_json(), **self.abstention.to_json()},
            "direction": {k: v.to_json() for k, v in self.direction.items()},
            "kind": {k: v.to_json() for k, v in self.kind.items()},
            "abstention_by_language": {k: v.to_json() for k, v in self.abstention_by_language.items()},
            "conversation": None if self.conversation is None else self.conversation.to_json(),
        }


def abstention(outcomes: Iterable[Outcome]) -> Abstention:
    """Precision, recall and F1 of abstaining, with unanswerable questions as the positive class."""
    tp = fp = fn = 0
    for o in outcomes:
        if o.abstained and not o.question.answerable:
            tp += 1
        elif o.abstained:
            fp += 1
        elif not o.question.answerable:
            fn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Abstention(precision, recall, f1)


def confidence_auc(outcomes: Sequence[Outcome]) -> float | None:
    """ROC AUC of :attr:`Outcome.confidence` as a score for "answerable" (scikit-learn's
    ``roc_auc_score``; ties count one half). 1.0: every answerable question is more confident than every
    unanswerable one; 0.5: chance. None when the outcomes hold only one of the two classes."""
    labels = [1 if o.question.answerable else 0 for o in outcomes]
    if len(set(labels)) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, [o.confidence for o in outcomes]))


def _with_auc(outcomes: Sequence[Outcome]) -> Abstention:
    return replace(abstention(outcomes), auc=confidence_auc(outcomes))


def _group_means(outcomes: Sequence[Outcome]) -> Callable[[Sequence[str]], Figures]:
    """A function from question ids to the mean figures of those (answerable) questions."""
    per_query = ranking_scores(outcomes)
    sentence = {o.question.id: float(o.sentence_hit) for o in outcomes if o.question.answerable}

    def mean(qids: Sequence[str]) -> Figures:
        rows = [per_query[q] for q in qids if q in per_query]
        means = {m: (sum(r[m] for r in rows) / len(rows) if rows else 0.0) for m in RANKING_METRICS}
        hits = [sentence[q] for q in qids if q in per_query]
        return Figures(len(rows), **{METRIC_FIELDS[m]: v for m, v in means.items()},
                       sentence=sum(hits) / len(hits) if hits else 0.0)

    return mean


def summarize_turns(turns: Sequence[Outcome], conversations: int) -> ConversationFigures:
    """The conversation figures of the outcomes of every turn of ``conversations`` conversations."""
    mean = _group_means(turns)
    answered = [o.question.id for o in turns if o.question.answerable]
    follow = [o.question.id for o in turns if o.question.answerable and o.question.history]
    return ConversationFigures(conversations, len(turns), mean(answered), mean(follow), _with_auc(turns),
                               sum(1 for o in turns if not o.question.answerable))


def summarize(outcomes: Sequence[Outcome], turns: Sequence[Outcome] = (), conversations: int = 0) -> Summary:
    """Overall figures plus breakdowns by language direction and by kind of question; with ``turns``
    (the outcomes of the turns of ``conversations`` conversations), the conversation figures too."""
    mean = _group_means(outcomes)
    direction: dict[str, list[str]] = defaultdict(list)
    kind: dict[str, list[str]] = defaultdict(list)
    for o in outcomes:
        q = o.question
        if q.answerable:
            direction[q.direction].append(q.id)
            kind[q.kind].append(q.id)
    return Summary(
        overall=mean([o.question.id for o in outcomes]),
        abstention=_with_auc(outcomes),
        direction={k: mean(v) for k, v in sorted(direction.items())},
        kind={k: mean(v) for k, v in sorted(kind.items())},
        abstention_by_language={
            lang: _with_auc([o for o in outcomes if o.question.language == lang]) for lang in ("zh", "en")
        },
        conversation=summarize_turns(turns, conversations) if turns else None,
    )
