"""Granule co-activation against circle-intersection theory and its softmax approximation."""
from __future__ import annotations

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "sdm_granule_intersection"
PROTOCOL = "sdm-recall"
DESCRIPTION = "spiking GrC co-activation vs (r/2^n) I(n,d,dv) (or the selected-coordinate expectation) vs softmax(beta cos)"


def make(out_dir, results_dir):
    summary, params, data = load_results(results_dir)
    rows = summary["coactivation"]["rows"]
    n = summary["n"]
    dv = np.array([row["dv"] for row in rows])
    mean = np.array([row["mean"] for row in rows])
    exp = np.array([row["expected"] for row in rows])
    sig = np.array([row["sigma"] for row in rows])
    tested = np.array([row["tested"] for row in rows])
    beta = summary["attention_link"]["beta"]
    if summary["mode"] == "dense":
        theory = "(r/2ⁿ)·I(n, d, dv)"
    elif summary.get("contacts_max", 1) == 1:
        theory = "r·C(n−dv, K)/C(n, K)·2⁻ᴷ"
    else:
        theory = f"selected coords, K = {summary['K']}, θ = {summary['grc_theta']} (realised synapses)"
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4))
    ax.fill_between(dv, np.maximum(exp - 3 * sig, 0), exp + 3 * sig, color="C0", alpha=0.2, label="theory ± 3σ (one count)")
    ax.plot(dv, exp, "-", color="C0", label=theory)
    ax.plot(dv[tested], mean[tested], "o", color="C3", label="spiking (tested: E ≥ 10)")
    ax.plot(dv[~tested], mean[~tested], "o", mfc="none", color="C3", label="spiking (E < 10)")
    co = summary["coactivation"]
    title = f"{summary['mode']} mode, r = {summary['r']}: {100 * co['fraction_within_3sigma']:.1f}% of counts in ±3σ"
    if "max_abs_z_iid" in co:  # strict test of each dv's mean (σ/√pairs), reported only
        title += f"\nmax |z| of dv means: {co['max_abs_z_iid']:.2f}"
    ax.set(xlabel="Hamming distance query ↔ stored address (dv)", ylabel="co-active granule cells", title=title)
    ax.legend(fontsize=8)
    ok = exp > 0
    i0 = exp[dv == dv.min()][0]
    m0 = mean[dv == dv.min()][0]
    cos = 1 - 2 * dv / n
    soft = np.exp(beta * (cos - 1))
    bx.semilogy(dv[ok], exp[ok] / i0, "-", color="C0", label="theory (normalised)")
    bx.semilogy(dv[ok & (mean > 0)], mean[ok & (mean > 0)] / m0, "o", color="C3", label="spiking (normalised)")
    bx.semilogy(dv, soft, "--", color="C2", label=f"softmax shape exp(β(cos−1)), β = {beta:.2f}")
    link = summary["attention_link"]
    bx.set(xlabel="dv", ylabel="weight relative to dv = 0", ylim=(max(1e-4, soft.min() / 2), 2),
           title=f"TV error vs softmax: spiking {link['spiking_vs_softmax']:.3f}, abstract {link['abstract_vs_softmax']:.3f}")
    bx.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
