"""The regression gate: the default mode's figures against the committed ``evals/expected.json``.

A figure fails when it falls below ``expected - tolerance``; one above ``expected + tolerance`` is
reported as an improvement, with a hint to update the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .figures import FigureRef
from .metrics import Summary

TOLERANCE = 0.02
OVERALL = ("Hit@1", "Hit@5", "MRR@10", "nDCG@10", "Recall@5")
PER_DIRECTION = ("Hit@5", "MRR@10")


class ExpectedError(ValueError):
    """The expected-figures file is missing or malformed."""


def gated_figures(summary: Summary) -> list[FigureRef]:
    """The figures the gate watches: the overall ranking figures, Hit@5 and MRR@10 of every direction,
    and abstention F1."""
    refs = [FigureRef("overall", m) for m in OVERALL]
    refs += [FigureRef("direction", m, d) for d in summary.direction for m in PER_DIRECTION]
    refs.append(FigureRef("abstention", "f1"))
    return refs


def gated(summary: Summary) -> dict[str, float]:
    """The watched figures by label, rounded to 4 places."""
    out = {ref.label: ref.of(summary) for ref in gated_figures(summary)}
    return {k: round(v, 4) for k, v in out.items() if v is not None}


def expected_document(summary: Summary, mode: str, questions: int, tolerance: float = TOLERANCE
                      ) -> dict[str, Any]:
    return {
        "about": "Expected retrieval figures of `assistant eval` (default mode) on evals/gold.jsonl. "
                 "`assistant eval --check` and tests/test_eval_gate.py fail when a figure falls below "
                 "expected - tolerance. Regenerate with `assistant eval --update-expected` after an "
                 "intended change, and commit.",
        "mode": mode,
        "questions": questions,
        "updated": date.today().isoformat(),
        "tolerance": tolerance,
        "figures": gated(summary),
    }


def write_expected(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def load_expected(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExpectedError(f"no expected figures at {path}; write them with `assistant eval --update-expected`") \
            from None
    except (OSError, ValueError) as exc:
        raise ExpectedError(f"cannot read expected figures {path}: {exc}") from None
    figures = data.get("figures") if isinstance(data, dict) else None
    tolerance = data.get("tolerance", TOLERANCE) if isinstance(data, dict) else None
    if (not isinstance(figures, dict) or not isinstance(tolerance, (int, float))
            or not all(isinstance(v, (int, float)) for v in figures.values())):
        raise ExpectedError(f"{path} is not an expected-figures file (needs 'figures' and 'tolerance')")
    return dict(data)


@dataclass(frozen=True)
class Comparison:
    name: str
    expected: float
    measured: float | None
    tolerance: float

    @property
    def status(self) -> str:
        """``drop`` (fails the gate), ``better``, ``ok`` or ``missing`` (fails the gate)."""
        if self.measured is None:
            return "missing"
        if self.measured < self.expected - self.tolerance - 1e-9:
            return "drop"
        if self.measured > self.expected + self.tolerance + 1e-9:
            return "better"
        return "ok"

    @property
    def failed(self) -> bool:
        return self.status in ("drop", "missing")


def compare(expected: dict[str, Any], summary: Summary) -> list[Comparison]:
    tolerance = float(expected.get("tolerance", TOLERANCE))
    current = gated(summary)
    return [Comparison(name, float(value), current.get(name), tolerance)
            for name, value in expected["figures"].items()]


def failed(comparisons: list[Comparison]) -> bool:
    return any(c.failed for c in comparisons)
