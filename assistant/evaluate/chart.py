"""The quality chart: Hit@5 and MRR@10 per mode, overall and per language direction (one PNG)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .figures import TARGETS, FigureRef, ModeResult
from .harness import MODES

COLORS = ("#bdd7e7", "#6baed6", "#2171b5", "#e6550d", "#756bb1")
"""Per mode, in the order of :data:`MODES`: the default stands out."""


def groups(results: Sequence[ModeResult]) -> list[str]:
    directions = sorted({d for r in results for d in r.summary.direction})
    return ["overall", *directions]


def draw(results: Sequence[ModeResult], default: str, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    names = groups(results)
    metrics = ("Hit@5", "MRR@10")
    fig, axes = plt.subplots(1, len(metrics), figsize=(11, 4.2), sharey=True)
    width = 0.8 / max(len(results), 1)
    order = [m.name for m in MODES]
    for ax, metric in zip(axes, metrics, strict=True):
        for i, r in enumerate(results):
            values = []
            for g in names:
                ref = FigureRef("overall", metric) if g == "overall" else FigureRef("direction", metric, g)
                values.append(ref.of(r.summary) or 0.0)
            xs = [j + (i - (len(results) - 1) / 2) * width for j in range(len(names))]
            label = f"{r.name} (default)" if r.name == default else r.name
            color = COLORS[order.index(r.name) % len(COLORS)] if r.name in order else COLORS[-1]
            bars = ax.bar(xs, values, width, label=label, color=color,
                          edgecolor="black" if r.name == default else "none", linewidth=0.8)
            ax.bar_label(bars, fmt="%.2f", fontsize=6.5, padding=1)
        for t in TARGETS:
            if t.figure.metric != metric:
                continue
            group = "overall" if t.figure.group == "overall" else t.figure.key
            if group in names:
                j = names.index(group)
                ax.hlines(t.minimum, j - 0.45, j + 0.45, colors="crimson", linestyles="dashed", linewidth=1.2)
        ax.set_xticks(range(len(names)))
        first = results[0].summary
        counts = [first.overall.n if g == "overall" else first.direction[g].n if g in first.direction else 0
                  for g in names]
        ax.set_xticklabels([f"{g}\n(n={n})" for g, n in zip(names, counts, strict=True)])
        ax.set_title(metric)
        ax.set_ylim(0, 1.08)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("score")
    handles, labels = axes[0].get_legend_handles_labels()
    handles.append(Line2D([], [], color="crimson", linestyle="dashed"))
    labels.append("target")
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    fig.suptitle("Retrieval quality on the gold set, by mode and language direction")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
