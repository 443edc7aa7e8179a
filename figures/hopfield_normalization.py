"""Memory-pool total rate against sum exp(scores): the interneuron population normalises divisively."""
from __future__ import annotations

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "hopfield_normalization"
PROTOCOL = "hopfield-recall"
DESCRIPTION = "memory-pool total rate vs sum exp(scores) (tonic shift and beta sweep)"


def make(out_dir, results_dir):
    summary, params, data = load_results(results_dir)
    scores, rate, block = data["scores"], data["memory_total_rate"], data["block"]
    with np.errstate(over="ignore"):
        z = np.array([np.sum(np.exp(s[np.isfinite(s)])) for s in scores])
    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    for b, label, mk in ((0, "β sweep (exact cues)", "o"), (1, "tonic shift of all scores", "s"),
                         (2, "noisy / partial pattern cues", "^")):
        s = block == b
        if s.any():
            ax.scatter(z[s], rate[s], s=14, marker=mk, alpha=0.7, label=label)
    s1 = block == 1
    if s1.any():  # what the rate would do without normalisation: proportional to sum exp
        k = np.argmin(z[s1])
        zz = np.array([z[s1].min(), z[s1].max()])
        ax.plot(zz, rate[s1][k] * zz / zz[0], ":", color="0.4", lw=1, label="rate ∝ Σexp (no normalisation)")
    nz = summary.get("normalization", {})
    ax.set(xscale="log", yscale="log", xlabel="Σ_μ exp(scores_μ)", ylabel="memory-pool total rate (Hz)",
           title=f"tonic shifts {min(nz.get('shifts', [0])):g}…{max(nz.get('shifts', [0])):g}: "
                 f"Σexp ×{nz.get('sum_exp_scores_ratio', float('nan')):g} → rate "
                 f"×{nz.get('total_rate_ratio', float('nan')):.2f}")
    ax.title.set_fontsize(10)
    lo = max(1.0, np.nanmin(rate[rate > 0]) / 3) if np.any(rate > 0) else 1.0
    ax.set_ylim(lo, np.nanmax(rate) * 3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
