"""Circle intersection vs softmax: SDM read weights against attention weights (n = 64, d = 11).

Redraws the headline panel of Bricken & Pehlevan (NeurIPS 2021, arXiv:2111.05498;
``Softmax_Circle_Approx.ipynb`` in ``TrentBrick/attention-approximates-sdm``): the normalised
binary intersection ``I(dv)/sum I``, the continuous cap intersection ``A/sum A`` and
``softmax(beta cos)`` with beta fitted on ``dv = 0..d-1`` (published convention), on linear and
log axes.  Pure theory: computed by :mod:`cerebellum.sdm`.

Note: the paper's figure title quotes p = 1e-8, the space-fraction quantile its radius came from
(d = 11 is the smallest radius with p(d) >= 1e-8); the exact space fraction at d = 11 is
p(d) = 5.0e-08, which is what this title shows.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from cerebellum import sdm
from figures._style import plt, save

NAME = "circle_vs_softmax"
PROTOCOL = None
DESCRIPTION = "SDM intersection weights (binary, continuous) vs fitted softmax, n=64, d=11"

N, D = 64, 11


def curves(n: int = N, d: int = D) -> dict:
    """The three normalised weight curves over ``dv = 0..n`` and the fitted betas."""
    dv = np.arange(n + 1)
    cos = sdm.hamming_to_cosine(dv, n)
    binary = sdm.intersection_weights(dv, n, d)
    cap = sdm.cap_intersection(n, d, np.arccos(np.clip(cos, -1, 1)))
    cap = cap / cap.sum()
    beta = sdm.fit_beta(n, d)
    beta_cap, _ = sdm.fit_log_linear(cos[:d], cap[:d])
    soft = sdm.softmax(cos, beta)
    return dict(dv=dv, binary=binary, cap=cap, softmax=soft, beta=beta, beta_cap=beta_cap)


def make(out_dir, results_dir=None) -> list[Path]:
    c = curves()
    dv = c["dv"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    series = [
        ("binary", f"binary SDM  I(dv) / ΣI", dict(color="C0", marker="o", ms=3.5, lw=1.4, drawstyle="default")),
        ("cap", f"continuous SDM  A / ΣA  (fitted β = {c['beta_cap']:.2f})", dict(color="C2", lw=1.6)),
        ("softmax", f"softmax(β cos), β = {c['beta']:.3f}", dict(color="C3", lw=1.6, ls="--")),
    ]
    xmax = 2 * D + 4
    for ax, log in zip(axes, (False, True)):
        for key, label, style in series:
            y = c[key].astype(float)
            if log:
                y = np.where(y > 0, y, np.nan)
            ax.plot(dv, y, label=label, **style)
        ax.axvspan(-0.5, D - 0.5, color="0.85", alpha=0.5, lw=0, label=f"fit window dv < d = {D}")
        ax.axvline(2 * D, color="0.4", lw=0.8, ls=":")
        ax.set_xlim(-0.5, xmax if not log else N)
        ax.set_xlabel("Hamming distance dv between query and pattern address")
        if log:
            ax.set_yscale("log")
            ax.set_ylim(1e-16, 1.5)
            ax.set_ylabel("normalised weight (log scale)")
            ax.text(2 * D + 0.8, 1e-3, "binary support ends\nat dv = 2d", fontsize=8, color="0.3")
            ax.set_title("log scale")
        else:
            ax.set_ylabel("normalised weight")
            ax.set_title("linear scale")
    axes[0].legend(loc="upper right", fontsize=8)
    fig.suptitle(f"SDM read weights ≈ softmax:  n = {N}, d = {D} (p(d) = {sdm.space_fraction(N, D):.1e}),"
                 f"  fitted binary β = {c['beta']:.3f}", fontsize=11)
    fig.text(0.5, 0.005, f"the paper's title quotes p = 1e-8, the quantile d = {D} came from; exact "
             f"p(d = {D}) = {sdm.space_fraction(N, D):.1e}", ha="center", va="bottom", fontsize=7.5,
             color="0.35")
    fig.tight_layout(rect=(0, 0.035, 1, 1))
    return save(fig, out_dir, NAME)
