"""Mean Purkinje and DCN rate traces early vs late in acquisition (and after extinction).

Reads ``time``, ``pc_rate``, ``dcn_rate``, ``isi`` and ``trial_phase`` of an ``eyeblink`` run:
first and last 10 acquisition trials, last 10 extinction trials, smoothed with a 10-ms Gaussian.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from cerebellum.eyeblink_scoring import smooth
from figures._style import plt, save
from protocols.results import load_results

NAME = "eyeblink_traces"
PROTOCOL = "eyeblink"
DESCRIPTION = "Mean PC and DCN traces early vs late in acquisition"


def make(out_dir, results_dir) -> list[Path]:
    _, _, data = load_results(results_dir)
    t = data["time"]
    bw = float(t[1] - t[0])
    phase = data["trial_phase"].astype(str)
    isi = float(data["isi"][0])
    acq = np.nonzero(phase == "acquisition")[0]
    ext = np.nonzero(phase == "extinction")[0]
    sets = []
    if acq.size:
        sets += [("acquisition, first 10", acq[:10], "C0"), ("acquisition, last 10", acq[-10:], "C3")]
    if ext.size:
        sets.append(("extinction, last 10", ext[-10:], "0.5"))
    fig, axes = plt.subplots(2, 1, figsize=(7, 5.5), sharex=True)
    for key, ax, title in ((("pc_rate"), axes[0], "Purkinje cells"), ("dcn_rate", axes[1], "DCN (output)")):
        for label, idx, color in sets:
            ax.plot(t * 1000, smooth(data[key][idx].mean(axis=0), bw, 0.01), color=color, label=label)
        ax.axvspan(0, (isi + 0.02) * 1000, color="0.93", lw=0, zorder=0)
        ax.axvline(isi * 1000, color="c", ls="--", lw=1)
        ax.set_ylabel("rate (Hz)")
        ax.set_title(title, fontsize=10)
    axes[0].legend(fontsize=8, loc="lower left")
    axes[1].set_xlabel("time from CS onset (ms); grey = CS, dashed = US")
    return save(fig, out_dir, NAME)
