"""Purkinje simple-spike rate across trials: heat map (trials x time since CS onset).

Reads ``pc_rate`` (trials x bins, Hz, mean over Purkinje cells), ``time``, ``isi`` and
``trial_phase`` from an ``eyeblink`` run. The learned pause appears as a dark band ending at the
US (dashed line); phase boundaries are marked on the trial axis.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "eyeblink_pc_heatmap"
PROTOCOL = "eyeblink"
DESCRIPTION = "Purkinje rate heat map across acquisition, extinction and reacquisition trials"


def make(out_dir, results_dir) -> list[Path]:
    _, _, data = load_results(results_dir)
    t = data["time"] * 1000
    rate = data["pc_rate"]
    if t.size >= 2 and t[1] - t[0] < 10:  # show 10-ms bins: 5-ms bins of 20 PCs are mostly noise
        k = int(round(10 / (t[1] - t[0])))
        n = t.size // k * k
        t = t[:n].reshape(-1, k).mean(axis=1)
        rate = rate[:, :n].reshape(rate.shape[0], -1, k).mean(axis=2)
    phase = data["trial_phase"].astype(str)
    isi = float(data["isi"][0]) * 1000
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    bw = t[1] - t[0]
    im = ax.imshow(rate, aspect="auto", origin="lower", cmap="magma", interpolation="nearest",
                   extent=[t[0] - bw / 2, t[-1] + bw / 2, 0.5, rate.shape[0] + 0.5],
                   vmin=0, vmax=np.percentile(rate, 99))
    ax.grid(False)
    ax.axvline(0, color="w", lw=1)
    ax.axvline(isi, color="c", lw=1.2, ls="--")
    ax.text(3, 1.5, "CS on", ha="left", va="bottom", fontsize=8, color="w")
    ax.text(isi + 3, 1.5, "US", ha="left", va="bottom", fontsize=8, color="c")
    edges = np.nonzero(phase[1:] != phase[:-1])[0]
    for e in edges:
        ax.axhline(e + 1, color="w", lw=0.8, ls=":")
    starts = np.r_[0, edges + 1]
    for s in starts:
        ax.text(t[-1] - 5, s + 1.5, phase[s], color="w", ha="right", va="bottom", fontsize=8)
    ax.set_xlabel("time from CS onset (ms)")
    ax.set_ylabel("trial")
    ax.set_title("Purkinje simple-spike rate (mean over PCs, 10-ms bins)", pad=8)
    fig.colorbar(im, ax=ax, label="rate (Hz)")
    return save(fig, out_dir, NAME)
