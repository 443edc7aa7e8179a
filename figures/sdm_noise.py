"""The cerebellar SDM under mossy-fibre noise (``sdm-noise`` run).

One row per granule decoder (dense, biological), against the background rate, one colour per
jitter: the Jaccard index of spiking vs theory granule active sets (solid; the noisy abstract
SDM's sets dotted), the nuclear read's agreement with the noise-free abstract SDM on queries within
the critical distance (solid; the abstract SDM under the same noise dashed), and the fraction of
granule cells active in a read. Grey lines: the ``sdm-recall`` thresholds.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "sdm_noise"
PROTOCOL = "sdm-noise"
DESCRIPTION = "SDM Jaccard, nuclear bit agreement and coding level vs mossy-fibre background and jitter, " \
              "with the abstract SDM under the same noise"


def make(out_dir, results_dir) -> list[Path]:
    summary, _, data = load_results(results_dir)
    modes = [m for m in ("dense", "biological") if m in set(data["mode"].astype(str))]
    jitters = np.unique(data["jitter_ms"])
    thresholds = summary.get("recall_thresholds", {})
    fig, axes = plt.subplots(len(modes), 3, figsize=(13, 3.9 * len(modes)), squeeze=False, layout="constrained")
    for row, mode in zip(axes, modes):
        for k, jit in enumerate(jitters):
            sel = (data["mode"].astype(str) == mode) & (data["jitter_ms"] == jit)
            order = np.argsort(data["background_hz"][sel])
            x = data["background_hz"][sel][order]
            colour = f"C{k}"
            row[0].plot(x, data["jaccard"][sel][order], "o-", color=colour, label=f"jitter {jit:g} ms")
            row[0].plot(x, data["jaccard_abstract_noisy"][sel][order], ":", color=colour)
            row[1].plot(x, data["bit_agreement"][sel][order], "o-", color=colour, label=f"jitter {jit:g} ms")
            row[1].plot(x, data["bit_agreement_abstract_noisy"][sel][order], "s--", ms=4, mfc="none", color=colour)
            row[2].plot(x, data["active_fraction"][sel][order], "o-", color=colour, label=f"jitter {jit:g} ms")
        for ax, key in ((row[0], "jaccard"), (row[1], "bit_agreement")):
            if key in thresholds:
                ax.axhline(thresholds[key], color="0.5", lw=0.8, ls="-.")
            ax.set_ylim(-0.02, 1.02)
        row[0].set_ylabel(f"{mode}\nJaccard vs theory sets")
        row[1].set_ylabel("bit agreement with abstract SDM")
        row[2].set_ylabel("GrC fraction active in a read")
        row[0].set_title("solid: spiking; dotted: abstract, same noise", fontsize=8)
        row[1].set_title("solid: nuclear read; dashed: abstract, same noise", fontsize=8)
        row[2].set_title("spiking", fontsize=8)
        for ax in row:
            ax.set_xlabel("mossy-fibre background (Hz)")
        row[2].legend(fontsize=8, loc="upper left")
    return save(fig, out_dir, NAME)
