"""Mean Purkinje, DCN and olive rates on CS-alone probe trials early vs late in acquisition, and on
the last extinction trials.

Reads ``time``, ``pc_rate``, ``dcn_rate``, ``io_rate``, ``probe``, ``cs_duration``, ``isi`` and
``trial_phase`` of an ``eyeblink`` run. Probe trials (CS = ISI + 300 ms, no US) show whether the
learned response is timed: a PC pause and DCN peak at the ISI that end before CS offset, rather
than a ramp up to it. Rates are smoothed with a 10-ms Gaussian (olive: 50 ms).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from cerebellum.eyeblink_scoring import smooth
from figures._style import plt, save
from protocols.results import load_results

NAME = "eyeblink_traces"
PROTOCOL = "eyeblink"
DESCRIPTION = "Probe-trial PC, DCN and IO traces early vs late in acquisition (timed pause, not a ramp)"


def make(out_dir, results_dir) -> list[Path]:
    _, _, data = load_results(results_dir)
    t = data["time"]
    bw = float(t[1] - t[0])
    phase = data["trial_phase"].astype(str)
    isi = float(data["isi"][0])
    probe = data["probe"] if "probe" in data else np.zeros(phase.size, bool)
    acq = np.nonzero(phase == "acquisition")[0]
    ext = np.nonzero(phase == "extinction")[0]
    acq_probes = acq[probe[acq]]
    sets = []
    if acq_probes.size:
        sets += [("probes, first 5 of acquisition", acq_probes[:5], "C0"),
                 ("probes, last 5 of acquisition", acq_probes[-5:], "C3")]
    elif acq.size:  # no probe trials: paired trials (CS ends with the US)
        sets += [("acquisition, first 10", acq[:10], "C0"), ("acquisition, last 10", acq[-10:], "C3")]
    if ext.size:
        sets.append(("extinction, last 10 (CS alone)", ext[-10:], "0.5"))
    cs_end = float(data["cs_duration"][sets[1][1]].min()) if sets and "cs_duration" in data else isi + 0.02
    keys = [("pc_rate", "Purkinje cells", 0.01), ("dcn_rate", "DCN (output)", 0.01)]
    if "io_rate" in data:
        keys.append(("io_rate", "inferior olive", 0.05))
    fig, axes = plt.subplots(len(keys), 1, figsize=(7, 2.4 * len(keys) + 0.6), sharex=True)
    for (key, title, sigma), ax in zip(keys, axes):
        for label, idx, color in sets:
            ax.plot(t * 1000, smooth(data[key][idx].mean(axis=0), bw, sigma), color=color, label=label)
        ax.axvspan(0, cs_end * 1000, color="0.93", lw=0, zorder=0)
        ax.axvline(isi * 1000, color="c", ls="--", lw=1)
        ax.set_ylabel("rate (Hz)")
        ax.set_title(title, fontsize=10)
    axes[0].legend(fontsize=8, loc="lower left")
    axes[-1].set_xlabel("time from CS onset (ms); grey = probe CS, dashed = ISI (US on paired trials)")
    return save(fig, out_dir, NAME)
