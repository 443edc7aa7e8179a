"""MBON learning curves per trial, CS+ weights, and the generalisation curve against the SDM read."""
from __future__ import annotations

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "fly_conditioning"
PROTOCOL = "fly-conditioning"
DESCRIPTION = ("MBON rate per trial (CS+, CS-, probes) through pre-test, training, test, extinction and retest; "
               "mean KC->MBON weight of the CS+ code; MBON drop vs similarity to CS+ with the abstract SDM read")

_PHASE_SHADE = {"training": "#fde0dd", "extinction": "#e0f3db"}


def make(out_dir, results_dir):
    summary, _, data = load_results(results_dir)
    names = [str(p) for p in data["phase_names"]]
    phase = data["trial_phase"]
    odour, dan, rate = data["odour"], data["dan"].astype(bool), data["mbon_rate"]
    cs_p, cs_m = int(data["cs_plus"]), int(data["cs_minus"])
    trial = np.arange(len(odour))
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4), gridspec_kw={"width_ratios": [2.2, 1.2, 1.3]})
    ax = axes[0]
    for p, name in enumerate(names):
        sel = np.flatnonzero(phase == p)
        if name in _PHASE_SHADE and len(sel):
            ax.axvspan(sel[0] - 0.5, sel[-1] + 0.5, color=_PHASE_SHADE[name], lw=0)
        if len(sel):
            ax.text(sel.mean(), 1.0, name, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8)
    probe = (odour != cs_p) & (odour != cs_m)
    ax.plot(trial[probe], rate[probe], "o", color="0.6", ms=3.5, label="morph probes")
    for o, colour, label in ((cs_p, "C3", "CS+"), (cs_m, "C0", "CS-")):
        sel = odour == o
        ax.plot(trial[sel], rate[sel], "o-", color=colour, ms=4, lw=1, label=label)
    ax.plot(trial[dan], rate[dan], "v", color="k", ms=6, mfc="none", label="with DAN")
    ax.set(xlabel="trial", ylabel="MBON rate in read window (Hz)", ylim=(0, None))
    ax.legend(fontsize=8, loc="lower right")
    bx = axes[1]
    w = data["w_out"]
    codes = data["kc_code_spiking"]
    for o, colour, label in ((cs_p, "C3", "CS+ code"), (cs_m, "C0", "CS- code")):
        bx.plot(trial, w[:, codes[o]].mean(axis=1), color=colour, label=label)
    rest = ~codes.any(axis=0)
    bx.plot(trial, w[:, rest].mean(axis=1), color="0.5", ls="--", label="KCs in no code")
    bx.set(xlabel="trial", ylabel="mean KC→MBON weight factor (trial start)", ylim=(0, 1.05))
    bx.legend(fontsize=8)
    cx = axes[2]
    sim, drop = data["similarity"], data["drop"]
    order = np.argsort(sim)
    cx.plot(sim[order], drop[order], "o-", color="k", label="spiking MBON drop")
    cx.plot(sim[order], data["predicted_drop_measured_code"][order], "s--", color="C2",
            label="SDM read, measured KC codes")
    cx.plot(sim[order], data["predicted_drop_flyhash"][order], "^:", color="C1", label="SDM read, FlyHash codes")
    cx.plot(sim[cs_m], drop[cs_m], "o", color="C0", ms=9, mfc="none", label="CS-")
    sdm = summary["sdm"]
    cx.set(xlabel="input similarity to CS+ (PN correlation)", ylabel="relative MBON drop, test vs pre-test",
           title=f"Spearman {summary['generalisation']['spearman_similarity_vs_drop']:.2f}; "
                 f"r(SDM) {sdm['pearson_measured_code']:.2f} / {sdm['pearson_flyhash']:.2f}")
    cx.axhline(0, color="0.5", lw=0.8)
    cx.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
