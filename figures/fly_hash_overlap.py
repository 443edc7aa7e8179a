"""Fly mushroom body: the spiking Kenyon-cell code against FlyHash on the same projection."""
from __future__ import annotations

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "fly_hash_overlap"
PROTOCOL = "fly-hash"
DESCRIPTION = ("KC-code overlap vs input similarity (spiking, FlyHash), spiking vs FlyHash overlap per odour pair, "
               "and the KC active fraction per presentation and concentration")


def _upper(m: np.ndarray) -> np.ndarray:
    """Off-diagonal upper-triangle entries of a square matrix (one per odour pair)."""
    return m[np.triu_indices(m.shape[0], k=1)]


def make(out_dir, results_dir):
    summary, _, data = load_results(results_dir)
    sim = _upper(data["input_similarity"])
    spk, abstract = _upper(data["overlap_spiking"]), _upper(data["overlap_abstract"])
    fig, axes = plt.subplots(1, 3, figsize=(13.0, 3.9))

    ax = axes[0]
    edges = np.linspace(sim.min(), sim.max(), 13)
    centre = 0.5 * (edges[1:] + edges[:-1])
    bins = np.clip(np.digitize(sim, edges) - 1, 0, len(centre) - 1)
    for values, label, colour in ((spk, "spiking KCs", "C0"), (abstract, "FlyHash (top-k)", "C1")):
        mean = np.array([values[bins == b].mean() if np.any(bins == b) else np.nan for b in range(len(centre))])
        ax.plot(centre, mean, "o-", color=colour, label=label, ms=4)
    ax.set(xlabel="input similarity (Pearson of PN vectors)", ylabel="KC-code overlap |A∩B|/√(|A||B|), pair mean",
           title="overlap follows input similarity")
    ax.legend(fontsize=8)

    ax = axes[1]
    ax.plot(abstract, spk, ".", ms=2, alpha=0.3, color="C0")
    top = max(spk.max(), abstract.max())
    ax.plot([0, top], [0, top], ":", color="0.4", lw=1)
    rho = summary["overlap"]["spearman_spiking_vs_abstract"]
    nn = summary["nearest_neighbours"]
    ax.set(xlabel="FlyHash overlap", ylabel="spiking overlap",
           title=f"Spearman {rho:.3f} over {len(spk)} pairs; mAP {nn['map_spiking']:.3f} vs {nn['map_abstract_matched_k']:.3f}")
    ax.title.set_fontsize(9)

    ax = axes[2]
    frac = np.asarray(data["active_fraction"], float)
    conc = np.asarray(data["present_conc"], float)
    levels = np.unique(conc)
    ax.boxplot([frac[conc == c] * 100 for c in levels], tick_labels=[f"{c:g}×" for c in levels])
    ax.axhspan(5, 15, color="0.9", zorder=0, label="target 5–15 %")
    ax.set(xlabel="odour concentration", ylabel="KCs active (%)", title="APL feedback sets sparseness online")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return save(fig, out_dir, NAME)
