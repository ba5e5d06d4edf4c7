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
from .figures import TargetResult, best_threshold, threshold_in_effect
from .gold import Question
from .harness import DEFAULT_MODE, DEPTH, mode_named
from .suite import CollectionRun

RELEVANCE = (
    "Relevance is judged by character-span overlap in the original file, never by passage id: a retrieved "
    "passage is relevant to a gold evidence span when it covers at least half of the span, or the span "
    "covers at least half of the passage. The items ir-measures scores are the evidence spans, so "
    "Recall@5 is the share of a question's evidence spans covered by the top 5. Ranking figures are over "
    "answerable questions; abstention (unanswerable = positive class) is over all questions; the confidence "
    "AUC is scikit-learn's roc_auc_score of the answer's confidence, answerable = positive. Answer-sentence "
    "accuracy (Sentence) is the share of answerable questions whose highlighted sentence (the answer's "
    "first statement, else the best sentence of citation [1]) shares at least one character of the original "
    "file with a gold quote; the sentence's span in the passage text is mapped back to the file through the "
    "passage's offsets. Conversation turns are asked with the earlier questions of their conversation as "
    "history. run.trec lists what each mode retrieved (qid = `collection/id`, docno = `doc:start-end` of "
    "the passage); there is no qrels file because evidence spans and passages do not share ids."
)


def settings_json(settings: Settings) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(settings).items()
            if k not in ("seeds", "index", "glossary")}


def gold_json(run: CollectionRun) -> dict[str, Any]:
    questions: Sequence[Question] = run.loaded.questions
    answerable = [q for q in questions if q.answerable]
    c = run.loaded.collection
    return {
        "path": str(c.gold),
        "documents_folder": str(c.documents),
        "readme": str(c.readme) if c.readme else None,
        "questions": len(questions),
        "answerable": len(answerable),
        "unanswerable": len(questions) - len(answerable),
        "evidence_spans": sum(len(q.evidence) for q in questions),
        "by_direction": dict(sorted(Counter(q.direction for q in questions).items())),
        "by_kind": dict(sorted(Counter(q.kind for q in questions).items())),
        "conversations": len(run.loaded.conversations),
        "turns": len(run.loaded.turns),
    }


def build(runs: Sequence[CollectionRun], settings: Settings, targets: Sequence[Sequence[TargetResult]],
          failure_counts: Sequence[dict[str, int]], seconds: float) -> dict[str, Any]:
    """``report.json``: one entry per collection (and domain pack), every mode's figures in it."""
    entries = []
    for run, found, counts in zip(runs, targets, failure_counts, strict=True):
        main = run.result(DEFAULT_MODE)
        threshold = threshold_in_effect(run.settings, mode_named(main.name).mode)
        entries.append({
            "collection": run.name,
            "label": run.loaded.collection.label,
            "pack": run.pack,
            "documents": run.documents,
            "passages": run.passages,
            "gold": gold_json(run),
            "modes": {
                r.name: {"retrieval": mode_named(r.name).mode, "expand": mode_named(r.name).expand,
                         "seconds": round(r.seconds, 1), **_rounded(r.summary.to_json())}
                for r in run.results
            },
            "targets": [
                {"target": t.target.label, "figure": t.target.figure.label, "minimum": t.target.minimum,
                 "measured": None if t.measured is None else round(t.measured, 4), "met": t.met, "why": t.why}
                for t in found
            ],
            "abstention_threshold": round(threshold, 4),
            "abstention_best_threshold_tuned_on_this_collection": _rounded(
                best_threshold(main.outcomes, threshold).to_json()),
            "failures": {"mode": main.name, **counts},
        })
    return {
        "date": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "default_mode": DEFAULT_MODE,
        "depth": DEPTH,
        "labels": {"tuned on": "the current default settings were chosen on this collection's questions",
                   "held out": "the current default settings were not chosen on this collection"},
        "collections": entries,
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


def trec_lines(runs: Sequence[CollectionRun]) -> list[str]:
    """Standard TREC run lines ``qid Q0 docno rank score tag``: qid ``collection/id`` (conversation turns
    too), one tag per mode (``mode@pack-off`` with the domain pack off)."""
    lines = []
    for run in runs:
        for r in run.results:
            tag = _SPACE.sub("_", r.name if run.pack == "on" else f"{r.name}@pack-off")
            for o in (*r.outcomes, *r.turns):
                qid = _SPACE.sub("_", f"{run.name}/{o.question.id}")
                for rank, p in enumerate(o.retrieved, 1):
                    lines.append(f"{qid} Q0 {docno(p.doc, p.start, p.end)} {rank} {p.score:.6f} {tag}")
    return lines


def write_trec(runs: Sequence[CollectionRun], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(trec_lines(runs)) + "\n", encoding="utf-8")
