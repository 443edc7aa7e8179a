"""Granular-layer time code: similarity-index matrix, similarity vs lag, active fraction.

Reads ``grc_similarity`` (bins x bins, split-half normalised inner products of GrC population
vectors in 10-ms bins after CS onset) and ``grc_active_fraction`` of an ``eyeblink`` run, plus
the time-code numbers in ``summary.json``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from cerebellum.time_code_metrics import similarity_vs_lag
from figures._style import plt, save
from protocols.results import load_results

NAME = "granular_similarity"
PROTOCOL = "eyeblink"
DESCRIPTION = "GrC population similarity-index matrix during the CS, similarity vs lag, active fraction"


def make(out_dir, results_dir) -> list[Path]:
    summary, _, data = load_results(results_dir)
    if "grc_similarity" not in data:  # no GrCs recorded or fewer than 2 CS trials: nothing to draw
        return []
    sim = data["grc_similarity"]
    n = sim.shape[0]
    ext = n * 10
    tc = summary.get("time_code") or {}
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), layout="constrained",
                             gridspec_kw=dict(width_ratios=[1.15, 1, 1]))
    ax = axes[0]
    im = ax.imshow(sim, origin="lower", cmap="viridis", vmin=0, vmax=1, extent=[0, ext, 0, ext])
    ax.grid(False)
    ax.set_xlabel("time from CS onset t2 (ms)")
    ax.set_ylabel("t1 (ms)")
    ax.set_title("similarity index C(t1, t2)")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02)
    lags, mean = similarity_vs_lag(sim, 0.01)
    ax = axes[1]
    ax.plot(lags * 1000, mean, "o-", ms=3)
    ax.axhline(0.5, color="0.5", ls="--", lw=0.8)
    ax.axvline(200, color="0.5", ls=":", lw=0.8)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("lag (ms)")
    ax.set_ylabel("mean C(t, t + lag)")
    ax.set_title(f"reproducibility (lag 0) {tc.get('reproducibility_index', float('nan')):.2f}, "
                 f"lag 200 ms {tc.get('similarity_at_lag', float('nan')):.2f}", fontsize=9)
    ax = axes[2]
    frac = data["grc_active_fraction"] * 100
    ax.bar(np.arange(frac.size) * 10 + 5, frac, width=9)
    ax.axhspan(1, 10, color="C2", alpha=0.12, lw=0)
    ax.set_xlabel("time from CS onset (ms)")
    ax.set_ylabel("% GrCs active per 10-ms bin")
    ax.set_title(f"{tc.get('n_cells', '?')} GrCs, {tc.get('n_trials', '?')} trials", fontsize=9)
    return save(fig, out_dir, NAME)
