"""Spike-count shares of the memory neurons against softmax(scores), with the multinomial band."""
from __future__ import annotations

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "hopfield_shares"
PROTOCOL = "hopfield-recall"
DESCRIPTION = "memory-neuron spike shares vs softmax(beta k.q): scatter with the multinomial 95% band"


def make(out_dir, results_dir):
    summary, params, data = load_results(results_dir)
    sel = data["block"] == 0
    p = data["softmax"][sel]
    counts = data["spike_counts"][sel]
    n = np.maximum(counts.sum(axis=1, keepdims=True), 1)
    shares = counts / n
    fig, (ax, rx, bx) = plt.subplots(1, 3, figsize=(14, 4.2))
    betas = data["beta"][sel]
    cmap = plt.get_cmap("viridis")
    ub = np.unique(betas)
    x = np.linspace(0, 1, 200)
    nbar = float(np.median(n))
    sd = np.sqrt(x * (1 - x) / nbar)
    # band first, underneath the points
    ax.fill_between(x, np.clip(x - 1.96 * sd, 0, 1), np.clip(x + 1.96 * sd, 0, 1), color="0.85", zorder=0,
                    label=f"multinomial 95% (n = {nbar:.0f} spikes)")
    rx.fill_between(x, -1.96 * sd, 1.96 * sd, color="0.85", zorder=0, label="multinomial 95%")
    ax.plot([0, 1], [0, 1], "k--", lw=0.8, zorder=1)
    rx.axhline(0, color="k", lw=0.8, ls="--", zorder=1)
    for k, b in enumerate(ub):
        s = betas == b
        c = cmap(k / max(len(ub) - 1, 1))
        ax.scatter(p[s].ravel(), shares[s].ravel(), s=6, alpha=0.7, color=c, label=f"β = {b:g}", zorder=2)
        rx.scatter(p[s].ravel(), (shares[s] - p[s]).ravel(), s=6, alpha=0.7, color=c, zorder=2)
    ax.set(xlabel="softmax(scores) (abstract attention weight)", ylabel="spike-count share",
           title="memory neurons sample the softmax")
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    rx.set(xlabel="softmax(scores)", ylabel="spike share − softmax", title="residuals (band: n = median spikes)")
    rx.legend(fontsize=7, loc="upper right")
    sh = summary["shares"]
    pb = sh["per_beta"]
    bs = [float(b) for b in pb]
    bx.plot(bs, [pb[b]["tv"] for b in pb], "o-", label="spiking TV(shares, softmax)")
    bx.plot(bs, [pb[b]["expected_multinomial_tv"] for b in pb], "s--", label="expected multinomial TV")
    limit = summary["targets"]["tv_over_multinomial"]["hi"]
    bx.plot(bs, [limit * pb[b]["expected_multinomial_tv"] for b in pb], ":", color="0.5",
            label=f"{limit:g} × multinomial (target)")
    bx.set(xscale="log", xlabel="β", ylabel="total-variation distance",
           title=f"TV / multinomial = {sh['tv_over_multinomial']:.2f}; β={summary['settings']['beta']:g}: "
                 + ("TV n/a" if sh["tv_at_default_beta"] is None else f"TV {sh['tv_at_default_beta']:.3f}"))
    bx.title.set_fontsize(9)
    bx.set_xticks(bs, [f"{b:g}" for b in bs])
    bx.minorticks_off()
    bx.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
