"""Purkinje pause time against the CS–US interval (``eyeblink-isi`` run).

Left: PC-minimum time on probe trials vs ISI with the identity line and the least-squares fit
(target slope 0.8–1.2). Right: mean PC rate of the probe trials among the last 50 trials of each
ISI series (CS = ISI + 300 ms, no US), ISIs dashed.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from cerebellum.eyeblink_scoring import smooth
from figures._style import plt, save
from protocols.results import load_results

NAME = "eyeblink_isi"
PROTOCOL = "eyeblink-isi"
DESCRIPTION = "Probe-trial Purkinje pause time vs ISI (150/250/400 ms) and the probe PC traces per ISI"


def make(out_dir, results_dir) -> list[Path]:
    summary, _, data = load_results(results_dir)
    isis = data["isis"] * 1000
    pause = data["pause_time"] * 1000
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    lim = [0, isis.max() * 1.15]
    ax.plot(lim, lim, ":", color="0.5", label="pause = ISI")
    ax.fill_between(lim, np.array(lim) - 50, np.array(lim) + 50, color="0.9", lw=0, label="±50 ms")
    ax.plot(isis, pause, "o", ms=7, color="C3", label="pause minimum")
    xs = np.array(lim)
    ax.plot(xs, summary["slope"] * xs + summary["intercept_s"] * 1000, "-", color="C3", lw=1,
            label=f"fit slope {summary['slope']:.2f}")
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_xlabel("ISI (ms)")
    ax.set_ylabel("probe PC rate minimum (ms after CS onset)")
    ax.legend(fontsize=8, loc="upper left")
    t = data["time"]
    bw = float(t[1] - t[0])
    phase = data["trial_phase"].astype(str)
    for k, v in enumerate(isis):
        idx = np.nonzero(phase == f"isi {v:g} ms")[0][-50:]
        if "probe" in data and data["probe"][idx].any():
            idx = idx[data["probe"][idx]]
        ax2.plot(t * 1000, smooth(data["pc_rate"][idx].mean(axis=0), bw, 0.01), color=f"C{k}", label=f"ISI {v:g} ms")
        ax2.axvline(v, color=f"C{k}", ls="--", lw=0.8)
    ax2.set_xlabel("time from CS onset (ms)")
    ax2.set_ylabel("PC rate (Hz), probe trials")
    ax2.legend(fontsize=8)
    return save(fig, out_dir, NAME)
