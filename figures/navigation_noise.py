"""Link inference against path-integration noise: spiking and abstract TEM-t with sensory correction,
abstract without, and the node memorisers."""
from __future__ import annotations

import numpy as np

from figures._style import plt, save
from protocols.results import load_results

NAME = "navigation_noise"
PROTOCOL = "navigation-noise"
DESCRIPTION = "environment-1 link-inference accuracy of each predictor against path-integration noise"

# (predictor, label, style)
_PRED = (("spiking", "spiking network, corrected", "o-"),
         ("abstract", "abstract TEM-t, corrected", "s--"),
         ("abstract_uncorrected", "abstract TEM-t, uncorrected", "x-"),
         ("node_memorizer_noisy", "node memoriser (uncorrected estimate)", "v:"),
         ("node_memorizer", "node memoriser (true node)", "d:"),
         ("edge_memorizer", "edge memoriser", "^-."))


def make(out_dir, results_dir):
    summary, params, data = load_results(results_dir)
    x = np.asarray(data["noise_levels"], float)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4))
    for name, label, style in _PRED:
        key = f"link_inference_{name}"
        if key in data:
            ax.plot(x, data[key], style, label=label, ms=5)
    ax.axvline(summary["targets_level"], color="0.6", lw=0.8, ls=":")
    ax.set(xlabel="path-integration noise (SD of phase error per step, module periods)",
           ylabel="link-inference accuracy (environment 1)", ylim=(-0.03, 1.05),
           title=f"seed {params.get('seed')}; dotted: default noise (targets)")
    ax.legend(fontsize=7, loc="lower left")
    for model, style in (("spiking", "o-"), ("abstract", "s--"), ("uncorrected", "x-")):
        key = f"estimate_on_true_node_{model}"
        if key in data:
            bx.plot(x, data[key], style, label=model, ms=5)
    bx.set(xlabel="path-integration noise (module periods per step)", ylabel="steps whose estimate decodes "
           "to the true node", ylim=(-0.03, 1.05), title="grid-phase estimate")
    bx.legend(fontsize=7)
    for a in (ax, bx):
        a.set_xticks(x)
        a.set_xticklabels([f"{v:g}" for v in x], fontsize=8)
        a.title.set_fontsize(9)
        a.xaxis.label.set_fontsize(8)
        a.yaxis.label.set_fontsize(8)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
