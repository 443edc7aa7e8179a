"""Purkinje readout against the abstract SDM read, and recall curves (spiking vs abstract)."""
from __future__ import annotations

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "sdm_readout"
PROTOCOL = "sdm-recall"
DESCRIPTION = "PC depression vs pattern-view read from recorded co-activation; recall curve vs query distance"


def make(out_dir, results_dir):
    summary, params, data = load_results(results_dir)
    c = data["coactivation"].astype(float)
    p = data["pointers"].astype(float)
    total = c.sum(axis=1)
    bipolar = 2 * (c @ p) - total[:, None]
    dep = data["pc_rate_reference"][:, None] - data["pc_rate_read"]
    dist = np.broadcast_to(data["query_distance"][:, None], dep.shape)
    ro = summary["readout"]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    ax = axes[0]
    sc = ax.scatter(bipolar.ravel(), dep.ravel(), c=dist.ravel(), s=8, cmap="viridis")
    fig.colorbar(sc, ax=ax, label="query distance")
    ax.axhline(0, color="0.5", lw=0.8)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set(xlabel="abstract bipolar read Σμ cμ(2pμj − 1)", ylabel="reference − PC rate (Hz)",
           title=f"Pearson {ro['pearson_bipolar']:.3f}")
    bx = axes[1]
    ok = total > 0
    ratio = data["abstract_ratio"][ok]
    norm = dep[ok] / total[ok, None]
    bx.scatter(ratio.ravel(), norm.ravel(), c=dist[ok].ravel(), s=8, cmap="viridis")
    bx.axvline(0.5, color="0.5", lw=0.8)
    bx.axhline(0, color="0.5", lw=0.8)
    bx.set(xlabel="abstract pattern-view read Σ cμ pμj / Σ cμ", ylabel="(reference − PC rate) / Σ cμ (Hz)",
           title=f"Pearson {ro['pearson_ratio']:.3f}, bits agree {ro['bit_agreement']:.3f}")
    cx = axes[2]
    curves = summary["recall_curve"]
    style = {"spiking": ("o-", "spiking circuit"), "abstract_same_locations": ("s--", "abstract SDM, same locations"),
             "abstract_limit": ("^:", "abstract pattern view (r → 2ⁿ)")}
    for key, (fmt, label) in style.items():
        cx.plot(curves[key]["distance"], curves[key]["fraction_correct"], fmt, label=label)
    cx.set(xlabel="query distance from stored address", ylabel="fraction of correct pointer bits",
           ylim=(0.3, 1.03), title=f"{summary['mode']} mode, m = {summary['m']} stored")
    cx.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
