"""% conditioned responses per 10-trial block across acquisition, extinction and reacquisition.

Reads ``cr`` and ``trial_phase`` from an ``eyeblink`` run; the 70 % acquisition and 20 %
extinction criteria are drawn as dashed lines.
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


def make(out_dir, results_dir=None) -> list[Path]:
    if results_dir is None:
        raise ValueError("eyeblink_cr_blocks needs a results directory of the eyeblink protocol")
    summary, _, data = load_results(results_dir)
    blocks = block_percent(data["cr"], data["trial_phase"].astype(str), 10)
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
    return save(fig, out_dir, NAME)
