"""The eval report as data (``report.json``), the TREC run file, and the settings it was made with."""

from __future__ import annotations

import json
import os
import platform
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..settings import Settings
from .figures import ModeResult, TargetResult, best_threshold, threshold_in_effect
from .gold import Question
from .harness import DEPTH, mode_named

RELEVANCE = (
    "Relevance is judged by character-span overlap in the original file, never by passage id: a retrieved "
    "passage is relevant to a gold evidence span when it covers at least half of the span, or the span "
    "covers at least half of the passage. The items ir-measures scores are the evidence spans, so "
    "Recall@5 is the share of a question's evidence spans covered by the top 5. Ranking figures are over "
    "answerable questions; abstention (unanswerable = positive class) is over all questions. "
    "run.trec lists what each mode retrieved (docno = `doc:start-end` of the passage); there is no qrels "
    "file because evidence spans and passages do not share ids."
)


def settings_json(settings: Settings) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(settings).items()}


def gold_json(path: Path, questions: Sequence[Question]) -> dict[str, Any]:
    answerable = [q for q in questions if q.answerable]
    return {
        "path": str(path),
        "questions": len(questions),
        "answerable": len(answerable),
        "unanswerable": len(questions) - len(answerable),
        "evidence_spans": sum(len(q.evidence) for q in questions),
        "by_direction": dict(sorted(Counter(q.direction for q in questions).items())),
        "by_kind": dict(sorted(Counter(q.kind for q in questions).items())),
    }


def build(results: Sequence[ModeResult], default: str, settings: Settings, gold: dict[str, Any],
          targets: Sequence[TargetResult], failure_counts: dict[str, int], seconds: float) -> dict[str, Any]:
    by_name = {r.name: r for r in results}
    main = by_name.get(default, results[0])
    return {
        "date": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "gold": gold,
        "default_mode": default,
        "depth": DEPTH,
        "modes": {
            r.name: {
                "retrieval": mode_named(r.name).mode,
                "expand": mode_named(r.name).expand,
                "seconds": round(r.seconds, 1),
                **_rounded(r.summary.to_json()),
            }
            for r in results
        },
        "targets": [
            {"target": t.target.label, "figure": t.target.figure.label, "minimum": t.target.minimum,
             "measured": None if t.measured is None else round(t.measured, 4), "met": t.met, "why": t.why}
            for t in targets
        ],
        "targets_mode": main.name,
        "abstention_threshold": round(threshold_in_effect(settings, mode_named(main.name).mode), 4),
        "abstention_best_threshold": _rounded(
            best_threshold(main.outcomes, threshold_in_effect(settings, mode_named(main.name).mode)).to_json()),
        "failures": {"mode": main.name, **failure_counts},
        "settings": settings_json(settings),
        "relevance": RELEVANCE,
        "seconds": round(seconds, 1),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
    }


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def write_json(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


_SPACE = re.compile(r"\s+")


def docno(doc: str, start: int, end: int) -> str:
    """A TREC docno for a passage: ``doc:start-end`` (whitespace in the file name replaced by ``_``)."""
    return f"{_SPACE.sub('_', doc)}:{start}-{end}"


def trec_lines(results: Sequence[ModeResult]) -> list[str]:
    """Standard TREC run lines ``qid Q0 docno rank score tag``, one tag per mode."""
    lines = []
    for r in results:
        tag = _SPACE.sub("_", r.name)
        for o in r.outcomes:
            for rank, p in enumerate(o.retrieved, 1):
                lines.append(f"{o.question.id} Q0 {docno(p.doc, p.start, p.end)} {rank} {p.score:.6f} {tag}")
    return lines


def write_trec(results: Sequence[ModeResult], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(trec_lines(results)) + "\n", encoding="utf-8")
