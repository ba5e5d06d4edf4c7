"""The figures of one evaluation: per-mode results, the quality targets, and the abstention trade-off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .metrics import Abstention, Outcome, Summary, abstention

TOP = 5
"""A question is a miss when no relevant passage is in the top ``TOP``."""


@dataclass(frozen=True)
class ModeResult:
    """What one mode did on one collection: the outcome of every question and conversation turn."""

    name: str
    outcomes: list[Outcome]
    summary: Summary
    seconds: float
    turns: list[Outcome] = field(default_factory=list)
    """The outcomes of the conversation turns (empty when the collection has none)."""


Group = Literal["overall", "direction", "kind", "abstention", "conversation"]
ABSTENTION_METRICS = ("precision", "recall", "f1", "auc")
"""The abstention figures (:class:`~.metrics.Abstention` fields)."""


@dataclass(frozen=True)
class FigureRef:
    """Names one figure of a :class:`Summary`.

    * ``overall`` / ``direction`` (key: ``en→zh``…) / ``kind`` (key: ``factual``…): a metric of
      :data:`~.metrics.FIGURE_METRICS` over the answerable questions of the group;
    * ``abstention``: ``precision``, ``recall``, ``f1`` or ``auc`` over all questions;
    * ``conversation``: a metric of :data:`~.metrics.FIGURE_METRICS` over the turns with evidence (key
      ``""``) or the follow-up turns with evidence (key ``follow-up``), or an abstention metric over all
      turns.
    """

    group: Group
    metric: str
    key: str = ""

    @property
    def label(self) -> str:
        """How the figure is named for people: ``MRR@10``, ``en→zh Hit@5``, ``abstention F1``,
        ``conversation Hit@5``."""
        metric = {"f1": "F1", "auc": "AUC"}.get(self.metric, self.metric)
        if self.group == "abstention":
            return f"abstention {metric}" if self.metric != "auc" else "confidence AUC"
        if self.group == "conversation":
            what = "conversation" if not self.key else f"conversation {self.key}"
            return f"{what} abstention {metric}" if self.metric in ABSTENTION_METRICS else f"{what} {metric}"
        return f"{self.key} {metric}" if self.key else metric

    def questions(self, summary: Summary) -> int | None:
        """How many questions a ranking figure is the mean of (None for abstention figures and AUC, which
        are not means over questions, and for an absent group)."""
        if self.group == "abstention" or self.metric in ABSTENTION_METRICS:
            return None
        if self.group == "conversation":
            conv = summary.conversation
            if conv is None:
                return None
            return (conv.follow_up if self.key == "follow-up" else conv.answered).n
        if self.group == "overall":
            return summary.overall.n
        found = (summary.direction if self.group == "direction" else summary.kind).get(self.key)
        return None if found is None else found.n

    def of(self, summary: Summary) -> float | None:
        """The figure's value in ``summary`` (None when the group is absent or the figure undefined)."""
        if self.group == "abstention":
            value = getattr(summary.abstention, self.metric)
            return None if value is None else float(value)
        if self.group == "conversation":
            conv = summary.conversation
            if conv is None:
                return None
            if self.metric in ABSTENTION_METRICS:
                value = getattr(conv.abstention, self.metric)
                return None if value is None else float(value)
            figures = conv.follow_up if self.key == "follow-up" else conv.answered
            return figures.value(self.metric) if figures.n else None
        if self.group == "overall":
            return summary.overall.value(self.metric)
        groups = summary.direction if self.group == "direction" else summary.kind
        found = groups.get(self.key)
        return None if found is None else found.value(self.metric)


@dataclass(frozen=True)
class Target:
    label: str
    figure: FigureRef
    minimum: float


TARGETS = (
    Target("Hit@5, Chinese questions (zh→zh)", FigureRef("direction", "Hit@5", "zh→zh"), 0.97),
    Target("Hit@5, English questions over Chinese passages (en→zh)", FigureRef("direction", "Hit@5", "en→zh"), 0.92),
    Target("MRR@10, all answerable questions", FigureRef("overall", "MRR@10"), 0.80),
    Target("Abstention F1 (unanswerable = positive)", FigureRef("abstention", "f1"), 0.80),
)


@dataclass(frozen=True)
class TargetResult:
    target: Target
    measured: float | None
    met: bool
    why: str
    """For a target not met: the plain reason, from the data."""


def check_targets(result: ModeResult, threshold: float) -> list[TargetResult]:
    out = []
    for t in TARGETS:
        value = t.figure.of(result.summary)
        met = value is not None and value >= t.minimum - 1e-9
        why = "" if met else _why(t, result.outcomes, threshold)
        out.append(TargetResult(t, value, met, why))
    return out


def _why(t: Target, outcomes: Sequence[Outcome], threshold: float) -> str:
    if t.figure.group == "abstention":
        unans = [o for o in outcomes if not o.question.answerable]
        answered = sum(1 for o in unans if not o.abstained)
        wrong = sum(1 for o in outcomes if o.question.answerable and o.abstained)
        best = best_threshold(outcomes, threshold)
        said = (f"{answered} of {len(unans)} unanswerable questions were answered and {wrong} answerable question(s) "
                f"abstained at threshold {threshold:.3f}")
        if best.abstention.f1 >= t.minimum:
            return f"{said}; threshold {best.threshold:.3f} would reach F1 {best.abstention.f1:.2f}."
        return (f"{said}; the best any threshold on this confidence score reaches is F1 "
                f"{best.abstention.f1:.2f} (threshold {best.threshold:.3f}): the confidences of answerable "
                "and unanswerable questions overlap.")
    if t.figure.group == "direction":
        group = [o for o in outcomes if o.question.answerable and o.question.direction == t.figure.key]
    else:
        group = [o for o in outcomes if o.question.answerable]
    missed = [o for o in group if (o.first_hit or 99) > TOP]
    late = [o for o in group if o.first_hit and o.first_hit > 1]
    if t.figure.metric.startswith("Hit@"):
        ids = ", ".join(o.question.id for o in missed[:12]) + (" …" if len(missed) > 12 else "")
        return (f"{len(missed)} of {len(group)} questions have no relevant passage in the top {TOP} "
                f"({ids}); see the failure list.")
    return (f"the first relevant passage is below rank 1 for {len(late)} of {len(group)} questions and "
            f"missing from the top 10 for {sum(1 for o in group if not o.first_hit)}.")


def threshold_in_effect(settings: Any, mode: str = "hybrid") -> float:
    """The confidence threshold the assistant abstains below, in ``mode``."""
    if mode == "sparse" and hasattr(settings, "abstain_coverage"):
        return float(settings.abstain_coverage)
    value = getattr(settings, "confidence_threshold", None)
    if value is None:
        value = getattr(settings, "abstain_threshold", None)
    return float(value or 0.0)


@dataclass(frozen=True)
class ThresholdChoice:
    """An abstention threshold and what abstaining below it scores."""

    threshold: float
    abstention: Abstention

    def to_json(self) -> dict[str, float | None]:
        return {"threshold": self.threshold, **self.abstention.to_json()}


def best_threshold(outcomes: Sequence[Outcome], current: float) -> ThresholdChoice:
    """The abstention threshold with the best F1 on these outcomes, ``current`` being the one they ran with.

    Abstention is ``confidence < threshold`` unless another rule forced it (an outcome that abstained
    with a confidence at or above ``current``); a whole sweep therefore costs nothing.
    """
    forced = [o.abstained and o.confidence >= current for o in outcomes]
    values = sorted({o.confidence for o in outcomes})
    cuts = [values[0] - 1e-3] + [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)]
    cuts.append(values[-1] + 1e-3)
    best: ThresholdChoice | None = None
    for cut in cuts:
        decided = (_Abstained(o, f or o.confidence < cut) for o, f in zip(outcomes, forced, strict=True))
        scores = abstention(decided)  # type: ignore[arg-type]
        if best is None or scores.f1 > best.abstention.f1 + 1e-12:
            best = ThresholdChoice(round(cut, 4), scores)
    assert best is not None
    return best


@dataclass(frozen=True)
class _Abstained:
    """An outcome seen with a different abstention decision (duck-types what :func:`abstention` reads)."""

    outcome: Outcome
    abstained: bool

    @property
    def question(self) -> Any:
        return self.outcome.question
