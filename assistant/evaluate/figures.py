"""The figures of one evaluation: per-mode results, the quality targets, and the abstention trade-off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .metrics import Abstention, Outcome, Summary, abstention

TOP = 5
"""A question is a miss when no relevant passage is in the top ``TOP``."""


@dataclass(frozen=True)
class ModeResult:
    name: str
    outcomes: list[Outcome]
    summary: Summary
    seconds: float


Group = Literal["overall", "direction", "kind", "abstention"]


@dataclass(frozen=True)
class FigureRef:
    """Names one figure of a :class:`Summary`: a ranking metric of a group of questions, or abstention F1."""

    group: Group
    metric: str
    """A ranking metric (``Hit@5``…), or ``f1`` / ``precision`` / ``recall`` for abstention."""
    key: str = ""
    """The direction or kind, for those groups."""

    @property
    def label(self) -> str:
        """How the figure is named in reports and in ``expected.json``: ``overall.MRR@10``,
        ``direction.en→zh.Hit@5``, ``overall.abstain_f1``."""
        if self.group == "abstention":
            return f"overall.abstain_{self.metric}"
        return f"{self.group}.{self.key}.{self.metric}" if self.key else f"{self.group}.{self.metric}"

    def of(self, summary: Summary) -> float | None:
        """The figure's value in ``summary`` (None when the group is absent)."""
        if self.group == "abstention":
            return float(getattr(summary.abstention, self.metric))
        if self.group == "overall":
            return summary.overall.value(self.metric)
        groups = summary.direction if self.group == "direction" else summary.kind
        figures = groups.get(self.key)
        return None if figures is None else figures.value(self.metric)


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

    def to_json(self) -> dict[str, float]:
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
