"""Figures of a sweep: every numeric target metric, mean ± 95 % CI across seeds, against the swept parameter.

Drawn from ``DIR/sweep.json`` only (``python -m figures --sweep DIR``), one PNG/SVG per target metric
into ``DIR/figures/``: the first grid parameter on the x axis, one line per combination of the
others; without a grid, the value of every seed with the mean ± CI. The target's bounds, when it has
them, are the shaded band; a metric with no numeric value says so on the figure.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from figures._style import plt, save

#: not a registry figure: drawn by ``python -m figures --sweep DIR``.
SWEEP_FIGURE = "sweep_target"


def _bounds(sweep_dir: Path, runs: list[dict], name: str):
    """The target's bounds (lo, hi) from the first complete run's summary."""
    for r in runs:
        path = sweep_dir / "runs" / r["key"] / "summary.json"
        if r["status"] == "complete" and path.is_file():
            t = json.loads(path.read_text()).get("targets", {}).get(name, {})
            return t.get("lo"), t.get("hi"), t.get("unit", "")
    return None, None, ""


def _half_ci(values) -> float:
    """Half width of the Student-t 95 % interval of the mean (0 for a single value)."""
    from scipy.stats import t

    n = len(values)
    return float(t.ppf(0.975, n - 1) * np.std(values, ddof=1) / np.sqrt(n)) if n > 1 else 0.0


def _as_number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def make_sweep(sweep_dir: Path, out_dir: Path | None = None) -> list[Path]:
    sweep_dir = Path(sweep_dir)
    doc = json.loads((sweep_dir / "sweep.json").read_text())
    out_dir = Path(out_dir) if out_dir is not None else sweep_dir / "figures"
    runs = [r for r in doc["runs"] if r["status"] == "complete"]
    grid = list(doc["grid"])
    names = sorted({n for r in runs for n in r["targets"]})
    written = []
    for name in names:
        lo, hi, unit = _bounds(sweep_dir, runs, name)
        fig, ax = plt.subplots(figsize=(5.5, 3.8))
        values = [(r, r["targets"][name]["value"]) for r in runs if name in r["targets"]]
        numeric = [(r, float(v)) for r, v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if not numeric:
            ax.text(0.5, 0.5, f"{name}: no numeric value in these runs", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_axis_off()
        elif grid:
            x_path, others = grid[0], grid[1:]
            groups: dict = {}
            for r, v in numeric:
                label = ", ".join(f"{p.rsplit('.', 1)[-1]}={r['grid'][p]}" for p in others)
                groups.setdefault(label, {}).setdefault(r["grid"][x_path], []).append(v)
            for label, by_x in groups.items():
                xs = sorted(by_x, key=lambda t: (_as_number(t) is None, _as_number(t) or 0.0, str(t)))
                pos = [_as_number(x) if all(_as_number(x) is not None for x in xs) else k for k, x in enumerate(xs)]
                means = [np.mean(by_x[x]) for x in xs]
                half = [_half_ci(by_x[x]) for x in xs]
                ax.errorbar(pos, means, yerr=half, marker="o", capsize=3, label=label or None)
                for p, x in zip(pos, xs):
                    ax.plot([p] * len(by_x[x]), by_x[x], ".", color="0.6", ms=3, zorder=0)
                if any(_as_number(x) is None for x in xs):
                    ax.set_xticks(pos, [str(x) for x in xs])
            ax.set_xlabel(x_path)
            if any(groups):
                ax.legend(fontsize=8)
        else:
            seeds = [r["seed"] for r, _ in numeric]
            vals = [v for _, v in numeric]
            ax.plot(seeds, vals, "o", label="runs")
            m = np.mean(vals)
            half = _half_ci(vals)
            ax.axhline(m, color="k", lw=1, label=f"mean {m:.3g} ± {half:.2g}")
            ax.axhspan(m - half, m + half, color="k", alpha=0.1)
            ax.set_xlabel("seed")
            ax.legend(fontsize=8)
        if numeric and (lo is not None or hi is not None):
            ymin, ymax = ax.get_ylim()
            ax.axhspan(lo if lo is not None else ymin, hi if hi is not None else ymax, color="tab:green", alpha=0.08,
                       label="target")
        passed = sum(r["targets"][name]["pass"] for r, _ in values)
        ax.set_title(f"{doc['protocol']}: {name} ({passed}/{len(values)} runs pass)", fontsize=9)
        ax.set_ylabel(f"{name} [{unit}]" if unit else name)
        stem = "sweep_" + re.sub(r"[^A-Za-z0-9_]+", "_", name)
        written += save(fig, out_dir, stem)
    return written
