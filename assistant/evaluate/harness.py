"""Run the gold questions through the assistant, mode by mode."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core import Assistant
from .gold import Question
from .metrics import Outcome, Retrieved, judge

DEPTH = 10


@dataclass(frozen=True)
class Mode:
    """A retrieval configuration compared in the report."""

    name: str
    mode: str
    expand: bool


MODES = (
    Mode("sparse", "sparse", False),
    Mode("dense", "dense", False),
    Mode("hybrid", "hybrid", False),
    Mode("hybrid+xling", "hybrid", True),
)
DEFAULT_MODE = "hybrid+xling"


def run_mode(assistant: Assistant, questions: Sequence[Question], mode: Mode) -> list[Outcome]:
    variant = assistant.variant(expand=mode.expand)
    outcomes: list[Outcome] = []
    for q in questions:
        answer = variant.ask(q.question, k=DEPTH, mode=mode.mode)
        retrieved = [
            Retrieved(c.passage.doc, c.passage.start, c.passage.end, c.score, c.passage.text, c.passage.section)
            for c in answer.citations
        ]
        outcomes.append(judge(Outcome(q, retrieved, answer.abstained, answer.confidence)))
    return outcomes
