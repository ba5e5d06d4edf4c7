"""Everything ``assistant eval`` writes into the results folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from ..settings import Settings
from . import failures as fail
from . import markdown, report
from .figures import TargetResult
from .suite import CollectionRun
from .tune import Tuning

REPORT_JSON = "report.json"
REPORT_MD = "report.md"
CHART = "quality.png"
RUN = "run.trec"
FAILURES = "failures.md"
TUNING_JSON = "tuning.json"
TUNING_MD = "tuning.md"


def write_all(out: Path, runs: Sequence[CollectionRun], settings: Settings,
              targets: Sequence[Sequence[TargetResult]], failures: Sequence[Sequence[fail.Failure]],
              seconds: float) -> list[Path]:
    """report.json, quality.png (the pack-on runs, else the pack-off ones), report.md, run.trec and
    failures.md; returns the paths written."""
    from .chart import draw

    out.mkdir(parents=True, exist_ok=True)
    counts = [fail.counts(f) for f in failures]
    data = report.build(runs, settings, targets, counts, seconds)
    for entry, found in zip(data["collections"], failures, strict=True):
        entry["failure_list"] = [asdict(f) for f in found]
    report.write_json(data, out / REPORT_JSON)
    shown = [r for r in runs if r.pack == "on"] or list(runs)
    draw(shown, out / CHART)
    groups = [(run.title, found) for run, found in zip(runs, failures, strict=True)]
    mode = runs[0].result().name if runs else ""
    (out / FAILURES).write_text(fail.markdown(groups, mode), encoding="utf-8")
    report.write_trec(runs, out / RUN)
    text = markdown.render(runs, settings, targets, counts, seconds, out, CHART, (out / TUNING_MD).exists(),
                           data["date"])
    (out / REPORT_MD).write_text(text, encoding="utf-8")
    return [out / n for n in (REPORT_JSON, REPORT_MD, CHART, RUN, FAILURES)]


def write_tuning(out: Path, tuning: Tuning) -> list[Path]:
    from .tune import markdown as tuning_markdown
    from .tune import to_json

    out.mkdir(parents=True, exist_ok=True)
    report.write_json(to_json(tuning), out / TUNING_JSON)
    (out / TUNING_MD).write_text(tuning_markdown(tuning), encoding="utf-8")
    return [out / TUNING_JSON, out / TUNING_MD]
