"""Recall against stored pairs: spiking circuit, abstract SDM on the same hard locations, theory."""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullFormatter, ScalarFormatter

from figures._style import plt, save
from protocols.results import load_results

NAME = "sdm_capacity"
PROTOCOL = "sdm-capacity"
DESCRIPTION = ("fraction of correct pointer bits vs stored pairs m at each query distance: deep-nuclear read, "
               "abstract SDM on the theory's hard locations, Kanerva signal/noise; capacities marked")


def make(out_dir, results_dir):
    summary, params, data = load_results(results_dir)
    m = data["m_values"]
    dist = data["query_distances"]
    level = float(data["recall_level"])
    caps = {"spiking": int(data["capacity_spiking"]), "abstract": int(data["capacity_abstract"]),
            "theory": int(data["capacity_theory"])}
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    ax = axes[0]
    j0 = int(np.flatnonzero(dist == 0)[0]) if np.any(dist == 0) else 0
    ax.plot(m, data["recall_spiking"][:, j0], "o-", color="C0", label="spiking, deep-nuclear read")
    ax.plot(m, data["recall_spiking_pc"][:, j0], "x:", color="C0", alpha=0.6, label="spiking, Purkinje-rate read")
    ax.plot(m, data["recall_abstract"][:, j0], "s--", color="C1", label="abstract SDM, same hard locations")
    if "recall_abstract_recorded" in data:
        ax.plot(m, data["recall_abstract_recorded"][:, j0], "d-.", color="C2", alpha=0.8,
                label="abstract SDM, recorded granule sets")
    ax.plot(m, data["recall_theory"][:, j0], "-", color="0.4", label="theory (signal/noise, I_rand at n/2)")
    if "recall_theory_spread" in data:
        ax.plot(m, data["recall_theory_spread"][:, j0], "-", color="0.7",
                label="theory, random-pair distances spread")
    ax.axhline(level, color="0.6", lw=0.8)
    if "capacity_theory_spread" in data:
        caps["theory, distance spread"] = int(data["capacity_theory_spread"])
    for (key, cap), color in zip(caps.items(), ("C0", "C1", "0.4", "0.7")):
        if 0 < cap <= 10 * m[-1]:  # a theory without random-pair noise has no bound
            ax.axvline(cap, color=color, lw=0.8, ls="--", alpha=0.7)
    ax.set(xscale="log", xlabel="stored pairs m", ylabel="fraction of correct pointer bits", ylim=(0.4, 1.02),
           title=f"distance {int(dist[j0])}: capacity spiking {caps['spiking']}, abstract {caps['abstract']}, "
                 f"theory {caps['theory']}" + (f" (spread {caps['theory, distance spread']})"
                                              if "theory, distance spread" in caps else ""))
    ax.legend(fontsize=8, loc="lower left")
    bx = axes[1]
    for j, dv in enumerate(dist):
        color = plt.cm.viridis(j / max(1, len(dist) - 1))
        bx.plot(m, data["recall_spiking"][:, j], "o-", color=color, label=f"d = {int(dv)} spiking")
        bx.plot(m, data["recall_abstract"][:, j], "s--", color=color, alpha=0.7, label=f"d = {int(dv)} abstract")
        bx.plot(m, data["recall_theory"][:, j], ":", color=color, alpha=0.7)
    bx.axhline(level, color="0.6", lw=0.8)
    bx.set(xscale="log", xlabel="stored pairs m", ylabel="fraction of correct pointer bits", ylim=(0.4, 1.02),
           title=f"{summary['mode']} mode, r = {summary['r']}, n = {summary['n']} (dotted: theory)")
    bx.legend(fontsize=7, ncol=2, loc="lower left")
    for a in axes:  # plain numbers on the log axis, at the checkpoints
        a.set_xticks(m)
        a.xaxis.set_major_formatter(ScalarFormatter())
        a.xaxis.set_minor_formatter(NullFormatter())
    fig.tight_layout()
    return save(fig, out_dir, NAME)
