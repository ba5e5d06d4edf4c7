"""``assistant eval --tune``: leave-one-collection-out tuning of retrieval settings.

A grid of candidate settings (each a set of changes to the current settings, named by :class:`Settings`
field; fields this version of Settings lacks are skipped and listed) is run on every collection. For each
collection in turn, the candidate with the best mean objective over the *other* collections is chosen,
and its figures on the held-out collection are reported next to the current settings' figures there:
those are held-out figures. The candidate best over all collections is reported too, labelled as tuned
on all collections (not a held-out figure).

Objective (per collection, then averaged over collections with equal weight):
``(MRR@10 + abstention F1) / 2`` in the default mode, MRR@10 over the answerable questions and
abstention F1 (unanswerable = positive) over all of them. It rewards putting the answer first and
abstaining correctly equally; ties keep the candidate listed first (the current settings first).

Query-time candidates run as :meth:`Assistant.variant` over each collection's loaded index, sharing one
:class:`~assistant.embed.CachingEmbedder` (query vectors cached by text, so a candidate only encodes the
texts no earlier one embedded). Index-time candidates (``--tune-chunks``: chunk size and overlap, the
domain pack) build an index per collection under ``<index>/eval/``: minutes each.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core import Assistant
from ..errors import AssistantError, UsageError
from ..settings import Settings
from .collection import Loaded, Pack
from .figures import FigureRef, threshold_in_effect
from .gold import DIRECTIONS
from .harness import Mode, Tick, run_mode
from .metrics import Summary, summarize

OBJECTIVE = "(MRR@10 + abstention F1) / 2, mean over collections"

QUERY_GRID: tuple[dict[str, Any], ...] = (
    {"fusion": "rrf", "rrf_k": 20.0},
    {"fusion": "rrf", "rrf_k": 60.0},
    *({"weight_primary_same": w} for w in (0.5, 1.5)),
    *({"weight_primary_cross": w} for w in (0.5, 1.5)),
    *({"weight_crosslingual_same": w} for w in (0.0, 0.5)),
    *({"weight_crosslingual_cross": w} for w in (0.2, 1.0)),
    *({"weight_sparse_same": w} for w in (0.3, 1.0)),
    *({"weight_sparse_cross": w} for w in (0.3, 1.0)),
    *({"sentence_weight": w} for w in (0.0, 0.3, 0.7)),
    *({"language_shrink": s} for s in (3.0, 30.0)),
    *({"sparse_language_max": s} for s in (0.4, 1.0)),
    *({"sparse_floor": s} for s in (0.0, 0.2, 0.4)),
    *({"bigram_weight": w} for w in (0.25, 1.0)),
    *({"back_matter_penalty": p} for p in (1.0, 4.0)),
    {"expand": False},
    *({"glossary_weight": w} for w in (0.0, 0.5)),
    *({"dictionary_weight": w} for w in (0.0, 0.5, 1.5)),
    *({"gloss_weight": w} for w in (0.5, 0.9)),
    {"dense_gloss": False},
    *({"reverse_weight": w} for w in (0.5, 1.5)),
    *({"min_language_share": s} for s in (0.1, 0.3)),
    *({"abstain_coverage_weight": w} for w in (2.0, 8.0)),
    *({"abstain_crosslingual_weight": w} for w in (0.0, 0.8, 2.0)),
)
"""The query-time candidates: one or two settings changed from the current ones. Abstention thresholds
around the one in effect are added by :func:`query_grid`."""
THRESHOLD_STEPS = (-0.15, -0.1, -0.05, -0.025, 0.025, 0.05, 0.1, 0.15, 0.2)
"""Abstention thresholds tried, as shares of the one in effect (the scale of confidence depends on the
embedder and the abstention features)."""
INDEX_GRID: tuple[dict[str, Any], ...] = (
    {"chunk_size": 128},
    {"chunk_size": 192},
    {"chunk_size": 320},
    {"chunk_overlap": 0},
    {"chunk_overlap": 64},
    {"domain_pack": False},
)
"""The index-time candidates of ``--tune-chunks``: each needs its own index of every collection."""
LEXICAL_GRID: tuple[dict[str, Any], ...] = (
    {"chinese_bigrams": False},
    {"chinese_bigrams": True},
)
"""Index-time candidates of every ``--tune`` that change only the sparse side: their indexes reuse the
cached passage vectors, so they cost a BM25 build per collection. The one equal to the current settings
is dropped."""

OBJECTIVE_FIGURES = (FigureRef("overall", "MRR@10"), FigureRef("abstention", "f1"))
REPORTED = (FigureRef("overall", "Hit@5"), FigureRef("overall", "MRR@10"), FigureRef("abstention", "f1"),
            FigureRef("abstention", "auc"), FigureRef("overall", "Sentence"), FigureRef("conversation", "Hit@5"))
"""The figures reported for each choice (with Hit@5 and MRR@10 of every direction)."""


def objective(summary: Summary) -> float:
    """The tuning objective of one collection's summary: ``(MRR@10 + abstention F1) / 2``."""
    values = [ref.of(summary) or 0.0 for ref in OBJECTIVE_FIGURES]
    return sum(values) / len(values)


@dataclass(frozen=True)
class Candidate:
    """A set of changes to the current settings (empty: the current settings)."""

    changes: dict[str, Any] = field(default_factory=dict)
    index_time: bool = False

    @property
    def label(self) -> str:
        return changes_label(self.changes)


def changes_label(changes: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={_value(v)}" for k, v in changes.items()) or "current settings"


def _value(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _known(settings: Settings, changes: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether ``changes`` apply to this version of Settings (and differ from the current values)."""
    names = {f.name for f in fields(Settings)}
    unknown = sorted(set(changes) - names)
    if unknown:
        return False, f"{changes_label(changes)}: Settings has no {', '.join(unknown)}"
    try:
        changed = settings.with_(**changes)
        changed.validate()
    except (AssistantError, TypeError, ValueError) as exc:
        return False, f"{changes_label(changes)}: {exc}"
    if changed == settings:
        return False, ""
    return True, ""


def query_grid(settings: Settings, grid: Sequence[Mapping[str, Any]] | None = None
               ) -> tuple[list[Candidate], list[str]]:
    """The query-time candidates (``grid``, or :data:`QUERY_GRID` plus thresholds around the one in
    effect), and why any were skipped. Candidates equal to the current settings are dropped."""
    if grid is None:
        current = threshold_in_effect(settings)
        grid = [*QUERY_GRID, *({"abstain_threshold": round(current * (1 + d), 4)} for d in THRESHOLD_STEPS)]
    return _candidates(settings, grid, False)


def index_grid(settings: Settings, grid: Sequence[Mapping[str, Any]] = INDEX_GRID
               ) -> tuple[list[Candidate], list[str]]:
    """The index-time candidates (``grid``: :data:`INDEX_GRID` by default), and why any were skipped."""
    return _candidates(settings, grid, True)


def _candidates(settings: Settings, grid: Sequence[Mapping[str, Any]], index_time: bool
                ) -> tuple[list[Candidate], list[str]]:
    out: list[Candidate] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for changes in grid:
        ok, why = _known(settings, changes)
        if ok and changes_label(changes) in seen:
            continue
        seen.add(changes_label(changes))
        if ok:
            out.append(Candidate(dict(changes), index_time))
        elif why:
            skipped.append(why)
    return out, skipped


def read_grid(path: Path) -> list[dict[str, Any]]:
    """A grid file: a JSON list of change sets (``[{"fusion_alpha": 0.5}, …]``), or an object of field →
    values, each value tried on its own (``{"fusion_alpha": [0.4, 0.5]}``). Raises UsageError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the grid {path}: {exc}") from None
    if isinstance(data, dict) and all(isinstance(v, list) for v in data.values()):
        return [{name: value} for name, values in data.items() for value in values]
    if isinstance(data, list) and all(isinstance(d, dict) for d in data):
        return [dict(d) for d in data]
    raise UsageError(f"{path} must hold a list of {{setting: value}} objects or an object of setting → [values]")


# ------------------------------------------------------------------------------------- selection


def choose(table: Mapping[str, Mapping[str, float]], collections: Sequence[str]) -> tuple[str, float]:
    """The candidate with the best mean objective over ``collections``, and that mean.

    ``table[candidate][collection]`` is the objective of a candidate on a collection; candidates are
    considered in the table's order and a later one wins only when strictly better (by more than 1e-9).
    """
    if not collections:
        raise ValueError("choosing needs at least one collection")
    best: tuple[str, float] | None = None
    for candidate, scores in table.items():
        mean = sum(scores[c] for c in collections) / len(collections)
        if best is None or mean > best[1] + 1e-9:
            best = (candidate, mean)
    if best is None:
        raise ValueError("choosing needs at least one candidate")
    return best


def leave_one_out(table: Mapping[str, Mapping[str, float]], collections: Sequence[str]
                  ) -> dict[str, tuple[str, float]]:
    """For each collection, the candidate chosen on all the others (and its mean objective there)."""
    return {held: choose(table, [c for c in collections if c != held]) for held in collections}


# ------------------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Score:
    """One candidate on one collection."""

    collection: str
    summary: Summary
    seconds: float

    @property
    def objective(self) -> float:
        return objective(self.summary)

    def figures(self) -> dict[FigureRef, float | None]:
        refs = [*REPORTED, *(FigureRef("direction", m, d) for d in DIRECTIONS if d in self.summary.direction
                             for m in ("Hit@5", "MRR@10"))]
        return {ref: ref.of(self.summary) for ref in refs}


@dataclass(frozen=True)
class Fold:
    held_out_name: str
    chosen: Candidate
    train_objective: float
    """The chosen candidate's mean objective on the other collections (tuned on)."""
    held_out: Score
    """The chosen candidate on the held-out collection (a held-out figure)."""
    current: Score
    """The current settings on the held-out collection."""


@dataclass(frozen=True)
class Tuning:
    mode: str
    pack: Pack
    objective_name: str
    collections: tuple[tuple[str, bool], ...]
    """(name, whether the current defaults were tuned on it)."""
    candidates: tuple[Candidate, ...]
    """The current settings first."""
    scores: dict[str, dict[str, Score]]
    """Candidate label → collection → score."""
    folds: tuple[Fold, ...]
    overall: Candidate
    overall_objective: float
    skipped: tuple[str, ...]
    seconds: float
    date: str = field(default_factory=lambda: datetime.now(UTC).astimezone().isoformat(timespec="seconds"))

    def objectives(self) -> dict[str, dict[str, float]]:
        return {cand: {c: s.objective for c, s in by.items()} for cand, by in self.scores.items()}


Open = Callable[[Loaded, Candidate], Assistant]
"""Opens the assistant over a collection for an index-time candidate (its own index)."""


def run(assistants: Sequence[tuple[Loaded, Assistant]], mode: Mode, candidates: Sequence[Candidate],
        skipped: Sequence[str], pack: Pack, status: Callable[[str], None], tick: Callable[[str], Tick],
        open_for: Open | None = None) -> Tuning:
    """Run every candidate on every collection and choose, fold by fold.

    ``assistants`` are the opened assistants of the collections (current settings, sharing one caching
    embedder); index-time candidates are opened with ``open_for``.
    """
    t0 = time.perf_counter()
    names = [loaded.name for loaded, _ in assistants]
    if len(names) < 2:
        raise UsageError("leave-one-collection-out tuning needs at least two collections")
    everyone = [Candidate(), *candidates]
    scores: dict[str, dict[str, Score]] = {}
    for n, candidate in enumerate(everyone, 1):
        status(f"[{n}/{len(everyone)}] {candidate.label}")
        by: dict[str, Score] = {}
        for loaded, assistant in assistants:
            t = time.perf_counter()
            if candidate.index_time:
                if open_for is None:
                    raise UsageError("index-time candidates need an index per collection")
                variant = open_for(loaded, candidate)
            else:
                variant = assistant.variant(**candidate.changes)
            run_as = Mode(mode.name, mode.mode, bool(candidate.changes.get("expand", mode.expand)))
            asked = run_mode(variant, [*loaded.questions, *loaded.turns], run_as,
                             tick(f"{candidate.label} on {loaded.name}"))
            questions, turns = asked[: len(loaded.questions)], asked[len(loaded.questions) :]
            by[loaded.name] = Score(loaded.name, summarize(questions, turns, len(loaded.conversations)),
                                    time.perf_counter() - t)
        scores[candidate.label] = by
    table = {label: {c: s.objective for c, s in by.items()} for label, by in scores.items()}
    by_label = {c.label: c for c in everyone}
    folds = []
    for held, (label, train) in leave_one_out(table, names).items():
        folds.append(Fold(held, by_label[label], train, scores[label][held], scores[everyone[0].label][held]))
    best, best_mean = choose(table, names)
    tuned_on = {loaded.name: loaded.collection.tuned_on for loaded, _ in assistants}
    return Tuning(mode.name, pack, OBJECTIVE, tuple((n, tuned_on[n]) for n in names), tuple(everyone), scores,
                  tuple(folds), by_label[best], best_mean, tuple(skipped), time.perf_counter() - t0)


# ------------------------------------------------------------------------------------- output


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


def to_json(t: Tuning) -> dict[str, Any]:
    def figs(s: Score) -> dict[str, Any]:
        return {"objective": round(s.objective, 4),
                **{ref.label: None if v is None else round(v, 4) for ref, v in s.figures().items()}}

    return {
        "date": t.date,
        "mode": t.mode,
        "pack": t.pack,
        "objective": t.objective_name,
        "collections": [{"name": n, "defaults_tuned_on_it": tuned} for n, tuned in t.collections],
        "seconds": round(t.seconds, 1),
        "skipped": list(t.skipped),
        "folds": [
            {"held_out": f.held_out_name, "chosen": f.chosen.changes, "chosen_label": f.chosen.label,
             "index_time": f.chosen.index_time,
             "train_objective_tuned_on_the_others": round(f.train_objective, 4),
             "held_out_figures": figs(f.held_out), "current_settings_on_held_out": figs(f.current)}
            for f in t.folds
        ],
        "tuned_on_all_collections": {
            "note": "tuned on all collections: not a held-out figure",
            "chosen": t.overall.changes, "chosen_label": t.overall.label,
            "mean_objective": round(t.overall_objective, 4),
            "figures": {c: figs(s) for c, s in t.scores[t.overall.label].items()},
        },
        "candidates": [
            {"changes": c.changes, "label": c.label, "index_time": c.index_time,
             "objective_tuned_on": {n: round(s.objective, 4) for n, s in t.scores[c.label].items()},
             "seconds": round(sum(s.seconds for s in t.scores[c.label].values()), 1)}
            for c in t.candidates
        ],
    }


def markdown(t: Tuning) -> str:
    names = [n for n, _ in t.collections]
    labels = {n: "tuned on" if tuned else "held out" for n, tuned in t.collections}
    seeds_note = [n for n, tuned in t.collections if tuned]
    lines = [
        "# Leave-one-collection-out tuning",
        "",
        f"Generated by `assistant eval --tune` on {t.date}: mode `{t.mode}`, domain pack {t.pack}, "
        f"{len(t.candidates)} candidate settings (the current ones and {len(t.candidates) - 1} changes) on "
        f"{len(names)} collections ({', '.join(names)}), {t.seconds:.0f} s.",
        "",
        f"**Objective:** {t.objective_name}: per collection, MRR@10 over its answerable questions and abstention F1 "
        "(unanswerable = positive) over all its questions, averaged; then the mean over collections, each "
        "weighing the same. Ties keep the current settings.",
        "",
        "**How to read it:** for each fold, a setting is chosen on the *other* collections and then measured "
        "on the held-out one; the held-out columns are therefore held-out figures. The train objective is "
        "measured on the collections the setting was chosen on (tuned on). The current settings are shown on "
        "the held-out collection for comparison"
        + (f"; they were themselves chosen on {', '.join(seeds_note)}, so on that collection they are a "
           "tuned-on figure, and the grid is centred on them." if seeds_note else "."),
        "",
        "## Held-out figures, fold by fold",
        "",
        "| held out | chosen on the other collections | train objective (tuned on) | held-out objective | "
        "Hit@5 | MRR@10 | abstention F1 | confidence AUC | Sentence | conversation Hit@5 | "
        "current settings: objective | Hit@5 | MRR@10 | abstention F1 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in t.folds:
        h, cur = f.held_out.figures(), f.current.figures()
        lines.append(
            f"| {f.held_out_name} | {f.chosen.label} | {f.train_objective:.3f} | **{f.held_out.objective:.3f}** | "
            + " | ".join(_num(h[ref]) for ref in REPORTED)
            + f" | {f.current.objective:.3f} | "
            + " | ".join(_num(cur[ref]) for ref in REPORTED[:3]) + " |")
    mean_held = sum(f.held_out.objective for f in t.folds) / len(t.folds)
    mean_current = sum(f.current.objective for f in t.folds) / len(t.folds)
    lines += ["", f"Mean held-out objective of the leave-one-out choices: **{mean_held:.3f}**, against "
              f"{mean_current:.3f} for the current settings on the same collections.", ""]
    lines += ["### Held-out figures by direction", "",
              "| held out | chosen | " + " | ".join(f"{d} Hit@5 | {d} MRR@10" for d in DIRECTIONS) + " |",
              "|---|---|" + "---:|" * (2 * len(DIRECTIONS))]
    for f in t.folds:
        h = f.held_out.figures()
        cells = [_num(h.get(FigureRef("direction", m, d))) for d in DIRECTIONS for m in ("Hit@5", "MRR@10")]
        lines.append(f"| {f.held_out_name} | {f.chosen.label} | " + " | ".join(cells) + " |")
    overall = t.scores[t.overall.label]
    lines += ["", "## Tuned on all collections: not a held-out figure", "",
              f"The setting best on all {len(names)} collections together: **{t.overall.label}** (mean objective "
              f"{t.overall_objective:.3f}). Its figures below were measured on the questions it was chosen on.", "",
              "| collection | objective | " + " | ".join(ref.label for ref in REPORTED) + " |",
              "|---|---:|" + "---:|" * len(REPORTED)]
    for n in names:
        s = overall[n]
        figs = s.figures()
        lines.append(f"| {n} | {s.objective:.3f} | " + " | ".join(_num(figs[ref]) for ref in REPORTED) + " |")
    lines += ["", "## Every candidate (tuned-on figures)", "",
              "The objective of each candidate on each collection. A row's figures are measured on the "
              "collections the choice is made on, so none of them is a held-out figure.", "",
              "| candidate | " + " | ".join(f"{n} ({labels[n]} for the defaults)" for n in names) + " | mean | s |",
              "|---|" + "---:|" * (len(names) + 2)]
    for c in t.candidates:
        by = t.scores[c.label]
        mean = sum(s.objective for s in by.values()) / len(by)
        kind = " (index)" if c.index_time else ""
        lines.append(f"| {c.label}{kind} | " + " | ".join(f"{by[n].objective:.3f}" for n in names)
                     + f" | {mean:.3f} | {sum(s.seconds for s in by.values()):.0f} |")
    if t.skipped:
        lines += ["", "Skipped (not settings of this version, or invalid values):", "",
                  *(f"- {s}" for s in t.skipped)]
    lines.append("")
    return "\n".join(lines)
