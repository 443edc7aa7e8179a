"""% conditioned responses per 10-trial block across acquisition, extinction and reacquisition.

Reads ``cr`` and ``trial_phase`` from an ``eyeblink`` run; the 70 % acquisition and 20 %
extinction criteria are drawn as dashed lines. When the run recorded ``mf_dcn_weight`` (mean MF→DCN
weight at the start of each trial, nS) a second panel shows it: the nuclear store that outlasts
extinction and makes reacquisition faster (savings).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from cerebellum.eyeblink_scoring import block_percent
from figures._style import plt, save
from protocols.results import load_results

NAME = "eyeblink_cr_blocks"
PROTOCOL = "eyeblink"
DESCRIPTION = "% CR per 10-trial block across the three phases"
COLORS = {"acquisition": "C0", "extinction": "C3", "reacquisition": "C2"}


def make(out_dir, results_dir) -> list[Path]:
    summary, _, data = load_results(results_dir)
    blocks = block_percent(data["cr"], data["trial_phase"].astype(str), 10)
    has_w = "mf_dcn_weight" in data
    if has_w:
        fig, (ax, axw) = plt.subplots(2, 1, figsize=(7.5, 6.0), height_ratios=(3, 2), layout="constrained")
    else:
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
    x = np.arange(1, len(blocks) + 1)
    for ph in dict.fromkeys(b["phase"] for b in blocks):
        idx = [k for k, b in enumerate(blocks) if b["phase"] == ph]
        ax.plot(x[idx], [blocks[k]["percent_cr"] for k in idx], "o-", color=COLORS.get(ph, "0.3"), label=ph)
    ax.axhline(70, color="0.4", ls="--", lw=0.8)
    ax.axhline(20, color="0.6", ls=":", lw=0.8)
    ax.set_ylim(-3, 103)
    ax.set_xlabel("10-trial block")
    ax.set_ylabel("% CR")
    ax.set_xticks(x)
    ax.set_title(f"Conditioned responses (ISI {1000 * float(data['isi'][0]):.0f} ms)")
    ax.legend(loc="center right")
    if has_w:
        phase = data["trial_phase"].astype(str)
        w = 1000 * np.asarray(data["mf_dcn_weight"], float)  # nS -> pS
        # trial k spans block position k/10 .. (k+1)/10, so both panels share the block axis
        pos = 0.5 + (np.arange(w.size) + 0.5) / 10
        for ph in dict.fromkeys(phase):
            m = phase == ph
            axw.plot(pos[m], w[m], color=COLORS.get(ph, "0.3"), lw=1.5)
        axw.set_xlim(ax.get_xlim())
        axw.set_xticks(x)
        axw.set_xlabel("10-trial block")
        axw.set_ylabel("MF→DCN weight (pS)")
        axw.set_title("Nuclear store: mean MF→DCN weight at trial start")
    return save(fig, out_dir, NAME)
