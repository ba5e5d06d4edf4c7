"""Everything ``assistant eval`` writes into the results folder, and reading it back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import failures as fail
from . import markdown, report
from .figures import ModeResult

REPORT_JSON = "report.json"
REPORT_MD = "report.md"
CHART = "quality.png"
RUN = "run.trec"
FAILURES = "failures.md"
TUNING_JSON = "tuning.json"
TUNING_MD = "tuning.md"


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_all(out: Path, data: dict[str, Any], results: Sequence[ModeResult],
              failures: Sequence[fail.Failure]) -> list[Path]:
    """report.json, quality.png, report.md, run.trec and failures.md; returns the paths written."""
    from .chart import draw

    out.mkdir(parents=True, exist_ok=True)
    data = {**data, "failure_list": [asdict(f) for f in failures]}
    report.write_json(data, out / REPORT_JSON)
    draw(results, data["default_mode"], out / CHART)
    (out / FAILURES).write_text(fail.markdown(failures, data["failures"]["mode"]), encoding="utf-8")
    report.write_trec(results, out / RUN)
    render_report(out, data)
    return [out / n for n in (REPORT_JSON, REPORT_MD, CHART, RUN, FAILURES)]


def render_report(out: Path, data: dict[str, Any]) -> Path:
    """(Re)write report.md from report data, including tuning.json when it is there."""
    failures = [_failure(f) for f in data.get("failure_list", [])]
    chart = CHART if (out / CHART).exists() else None
    text = markdown.render(data, failures, read_json(out / TUNING_JSON), chart)
    (out / REPORT_MD).write_text(text, encoding="utf-8")
    return out / REPORT_MD


def _failure(d: dict[str, Any]) -> fail.Failure:
    shown = tuple(fail.Shown(**s) for s in d["retrieved"])
    return fail.Failure(**{**d, "expected": tuple(d["expected"]), "retrieved": shown})


def write_tuning(out: Path, tuning: dict[str, Any]) -> list[Path]:
    from .tune import markdown as tuning_markdown

    out.mkdir(parents=True, exist_ok=True)
    report.write_json(tuning, out / TUNING_JSON)
    (out / TUNING_MD).write_text(tuning_markdown(tuning), encoding="utf-8")
    written = [out / TUNING_JSON, out / TUNING_MD]
    data = read_json(out / REPORT_JSON)
    if data and "modes" in data:
        written.append(render_report(out, data))  # the report's "what each choice was worth" section
    return written
