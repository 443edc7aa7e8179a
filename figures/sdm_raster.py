"""Raster of one write window and one read window of the cerebellar SDM circuit."""
from __future__ import annotations


from figures._style import plt, save
from protocols.results import load_results

NAME = "sdm_raster"
PROTOCOL = "sdm-recall"
DESCRIPTION = "spikes of MF, GrC (first 400), GoC, PC, IO and DCN in the first write and the first read window"

POPS = (("mf", "mossy fibres", "C0"), ("grc", "granule cells\n(first 400)", "C1"), ("goc", "Golgi", "C4"),
        ("pc", "Purkinje", "C3"), ("io", "inferior olive", "C2"), ("dcn", "DCN", "C5"))


def make(out_dir, results_dir):
    summary, params, data = load_results(results_dir)
    wins = data["raster_windows"]
    fig, axes = plt.subplots(len(POPS), 2, figsize=(11, 9), sharex="col",
                             gridspec_kw={"height_ratios": [2, 3, 1, 3, 1.5, 1.5]})
    for col, (title, (a, b)) in enumerate(zip(("write (plasticity on)", "read (plasticity off)"), wins)):
        for row, (key, label, color) in enumerate(POPS):
            ax = axes[row, col]
            i, t = data[f"raster_{key}_i"], data[f"raster_{key}_t"]
            sel = (t >= a) & (t < b)
            ax.plot((t[sel] - a) * 1e3, i[sel], "|", ms=4 if key in ("mf", "grc", "io") else 3, color=color)
            top = int(i.max()) + 1 if i.size else 1
            ax.set_ylim(-0.5, top + 0.5)
            ax.grid(False)
            if col == 0:
                ax.set_ylabel(label, fontsize=8)
            if row == 0:
                ax.set_title(title)
        axes[-1, col].set_xlabel("time in window (ms)")
    fig.suptitle(f"sdm-recall, {summary['mode']} mode: one volley per window; CFs ≈ eligibility peak later",
                 fontsize=10)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
