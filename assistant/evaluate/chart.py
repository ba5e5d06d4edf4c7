"""The quality chart: Hit@5 and MRR@10 per collection × language direction, every mode (one PNG)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .figures import TARGETS, FigureRef
from .gold import DIRECTIONS
from .harness import DEFAULT_MODE, MODES
from .suite import CollectionRun

COLORS = ("#bdd7e7", "#6baed6", "#2171b5", "#e6550d", "#756bb1")
"""Per mode, in the order of :data:`MODES`: the default stands out."""
METRICS = ("Hit@5", "MRR@10")


def groups(run: CollectionRun) -> list[str]:
    summary = run.result().summary
    return ["all", *(d for d in DIRECTIONS if d in summary.direction)]


def draw(runs: Sequence[CollectionRun], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    cols = max(len(runs), 1)
    fig, axes = plt.subplots(len(METRICS), cols, figsize=(3.6 * cols + 1, 7.2), sharey=True, squeeze=False)
    order = [m.name for m in MODES]
    for c, run in enumerate(runs):
        names = groups(run)
        width = 0.8 / max(len(run.results), 1)
        for r, metric in enumerate(METRICS):
            ax = axes[r][c]
            for i, result in enumerate(run.results):
                values = []
                for g in names:
                    ref = FigureRef("overall", metric) if g == "all" else FigureRef("direction", metric, g)
                    values.append(ref.of(result.summary) or 0.0)
                xs = [j + (i - (len(run.results) - 1) / 2) * width for j in range(len(names))]
                label = f"{result.name} (default)" if result.name == DEFAULT_MODE else result.name
                color = COLORS[order.index(result.name) % len(COLORS)] if result.name in order else COLORS[-1]
                bars = ax.bar(xs, values, width, label=label, color=color,
                              edgecolor="black" if result.name == DEFAULT_MODE else "none", linewidth=0.7)
                if result.name == DEFAULT_MODE:
                    ax.bar_label(bars, fmt="%.2f", fontsize=6, padding=1)
            for t in TARGETS:
                if t.figure.metric != metric:
                    continue
                group = "all" if t.figure.group == "overall" else t.figure.key
                if group in names:
                    j = names.index(group)
                    ax.hlines(t.minimum, j - 0.45, j + 0.45, colors="crimson", linestyles="dashed", linewidth=1)
            summary = run.result().summary
            counts = [summary.overall.n if g == "all" else summary.direction[g].n for g in names]
            ax.set_xticks(range(len(names)))
            ax.set_xticklabels([f"{g}\n(n={n})" for g, n in zip(names, counts, strict=True)], fontsize=7.5)
            ax.set_ylim(0, 1.1)
            ax.grid(axis="y", alpha=0.3)
            if r == 0:
                ax.set_title(run.title, fontsize=9)
            if c == 0:
                ax.set_ylabel(metric)
    handles, labels = axes[0][0].get_legend_handles_labels()
    handles.append(Line2D([], [], color="crimson", linestyle="dashed"))
    labels.append("target")
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    fig.suptitle("Retrieval per collection and language direction (tuned on: the defaults were chosen there; "
                 "held out: they were not)", fontsize=10)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
