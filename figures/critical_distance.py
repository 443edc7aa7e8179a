"""SDM critical distance against the radius d (n = 64, m = 1024, r = 2^64).

After ``Crit_Dist_optimal`` in ``TrentBrick/SDMContinualLearner`` (``utils_SDM_to_Top_k.py``) and
Bricken & Pehlevan (NeurIPS 2021, appendix B.5): left, the critical distance per radius (published
convention and the strict first-failure definition of :func:`cerebellum.sdm.critical_distance`),
with the region where random patterns share no neuron (``I_rand = 0``, ``2d < n/2``) shaded;
right, the one-step read map ``f(dv)`` for a few radii against the identity.

Note: where the read becomes undefined (``I_rand = 0`` and no signal beyond ``dv = 2d``, so
``f = nan``), the published convention returns the first undefined distance, ``2d + 1`` (e.g. 31
at d = 15), not the last distance that still converges (``2d``).  That is why the published curve
sits one bit above the support-limit line ``min(2d, n/2)`` for ``d <= 15``; the strict convention
counts the undefined read as a failure and stays on the line.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from cerebellum import sdm
from figures._style import plt, save

NAME = "critical_distance"
PROTOCOL = None
DESCRIPTION = "SDM critical distance vs radius d (n=64, m=1024, r=2^64) and the one-step read map"

N, R, M = 64, 2**64, 1024


def make(out_dir, results_dir=None) -> list[Path]:
    radii = np.arange(1, N // 2 + 1)
    published = np.array([sdm.critical_distance(N, int(d), R, M) for d in radii])
    strict = np.array([sdm.critical_distance(N, int(d), R, M, convention="strict") for d in radii])
    best = sdm.optimal_radius(N, R, M, "critical_distance")

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.3), gridspec_kw=dict(width_ratios=[1.15, 1]))
    last_zero = max(int(d) for d in radii if sdm.expected_intersection(N, int(d), N // 2, R) == 0)
    ax.axvspan(0.5, last_zero + 0.5, color="0.9", lw=0)
    ax.text(1.2, N // 2 - 1.5, f"I_rand = 0 (2d < n/2):\nrandom patterns add no noise",
            fontsize=8, color="0.3", va="top")
    ax.plot(radii, published, "o-", ms=4, color="C0", label="published convention")
    ax.plot(radii, strict, "s--", ms=3, lw=1, color="C1", alpha=0.8, label="strict (first failure)")
    ax.plot(radii, np.minimum(2 * radii, N // 2), ":", color="0.4", lw=1, label="support limit min(2d, n/2)")
    ax.text(radii[-1], 3, "published = 2d + 1 where the read\nbecomes undefined (31 at d = 15),\n"
            "hence one bit above the support line", fontsize=7.5, color="C0", ha="right", va="bottom")
    ax.axvline(best, color="C2", lw=1, ls="-.")
    ax.annotate(rf"$d^*_{{\mathrm{{CD}}}}$ = {best}", (best, published[best - 1]), xytext=(10, -26),
                textcoords="offset points",
                fontsize=9, color="C2")
    ax.set_xlabel("Hamming radius d")
    ax.set_ylabel("critical distance (bits)")
    ax.set_xlim(0.5, radii[-1] + 0.5)
    ax.set_ylim(-1, N // 2 + 1)
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.93), fontsize=8)
    ax.set_title("critical distance vs radius", fontsize=10)

    dv = np.arange(N // 2 + 1)
    for d, color in zip((15, 16, 17, 18, 20), ("C2", "C0", "C3", "C4", "C5")):
        f = sdm.read_update_distance(N, d, R, M, dv)
        note = " (I_rand = 0: f = 0 up to 2d, then undefined)" if d == 15 else ""
        ax2.plot(dv, f, "o-", ms=2.5, lw=1.2, color=color, label=f"d = {d}{note}")
    ax2.plot(dv, dv, color="0.3", lw=0.8, ls="--", label="no change (f = dv)")
    ax2.set_xlabel("query distance to target dv (bits)")
    ax2.set_ylabel("expected distance after one read f(dv)")
    ax2.set_xlim(0, N // 2)
    ax2.set_ylim(-0.5, N // 2 + 1)
    ax2.legend(fontsize=8, loc="upper left")
    ax2.set_title("one-step read map (gaps: no signal and no noise)", fontsize=10)
    fig.suptitle(f"SDM critical distance: n = {N}, m = {M}, r = $2^{{{N}}}$", fontsize=11)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
