"""Fitted softmax beta against the SDM radius d (n = 64), with the space fraction and optimal radii.

After the beta-d-p figure of Bricken & Pehlevan (NeurIPS 2021, arXiv:2111.05498;
``Softmax_Circle_Approx.ipynb`` cell 17): beta from the log-linear fit of the circle intersection
(published convention, window ``dv = 0..d-1``; the notebook's ``dv = 1..d`` window dashed), the
analytic exponential bound ``(n-2d)^2/(4n)``, the space fraction ``p(d)`` on a twin log axis and
the three optimal radii for ``r = 2^64, m = 1024`` computed by :func:`cerebellum.sdm.optimal_radius`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from cerebellum import sdm
from figures._style import plt, save

NAME = "beta_vs_radius"
PROTOCOL = None
DESCRIPTION = "fitted softmax beta vs SDM radius d (n=64) with space fraction and optimal radii"

N, R, M = 64, 2**64, 1024


def make(out_dir, results_dir=None) -> list[Path]:
    radii = np.arange(3, N // 2)
    beta = np.array([sdm.fit_beta(N, int(d)) for d in radii])
    beta_shift = np.array([sdm.fit_beta(N, int(d), window=range(1, int(d) + 1)) for d in radii])
    beta_approx = np.array([sdm.beta_exponential_approx(N, int(d)) for d in radii])
    frac = sdm.space_fraction(N, radii)
    optimal = {c: sdm.optimal_radius(N, R, M, c) for c in sdm.OPTIMAL_RADIUS_CRITERIA}
    labels = {"capacity": r"$d^*_{\mathrm{Mem}}$", "snr": r"$d^*_{\mathrm{SNR}}$",
              "critical_distance": r"$d^*_{\mathrm{CD}}$"}
    colors = {"capacity": "C4", "snr": "C3", "critical_distance": "C2"}

    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    ax.plot(radii, beta, "o-", color="C0", ms=3.5, label="fitted β (dv = 0..d-1, published)")
    beta_shift = np.where(beta_shift > 0, beta_shift, np.nan)  # log axis
    ax.plot(radii, beta_shift, "--", color="C0", lw=1, alpha=0.8, label="fitted β (dv = 1..d)")
    ax.plot(radii, beta_approx, ":", color="0.3", lw=1.2, label="exponential bound (n-2d)²/(4n)")
    ax.set_yscale("log")
    ax.set_xlabel("Hamming radius d")
    ax.set_ylabel("softmax β (log scale)")
    ax.set_xlim(radii[0] - 0.5, radii[-1] + 0.5)

    twin = ax.twinx()
    twin.plot(radii, frac, color="C1", lw=1.4, label="space fraction p(d)")
    twin.set_yscale("log")
    twin.set_ylabel("space fraction p(d) = |O(d)| / 2ⁿ", color="C1")
    twin.tick_params(axis="y", colors="C1")
    twin.spines["right"].set_visible(True)
    twin.grid(False)

    ymax = ax.get_ylim()[1]
    for crit, d in optimal.items():
        b = sdm.fit_beta(N, d)
        ax.axvline(d, color=colors[crit], lw=1, ls="-.", alpha=0.9)
        ax.plot([d], [b], "s", color=colors[crit], ms=7, zorder=5)
        ax.annotate(f"{labels[crit]} = {d}\nβ = {b:.1f}", (d, b), xytext=(6, 10),
                    textcoords="offset points", fontsize=8, color=colors[crit])
    ax.set_ylim(top=ymax * 2.5)  # room for the labels
    lines = ax.get_legend_handles_labels()
    lines2 = twin.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="lower left", fontsize=8)
    ax.set_title(f"fitted β vs radius: n = {N}; optimal radii for r = $2^{{{N}}}$, m = {M}", fontsize=11)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
