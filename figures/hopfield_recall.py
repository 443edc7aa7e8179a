"""Recall accuracy against cue noise: spiking vs abstract modern vs classical Hopfield."""
from __future__ import annotations

from figures._style import plt, save
from protocols.results import load_results

NAME = "hopfield_recall"
PROTOCOL = "hopfield-recall"
DESCRIPTION = "recall accuracy vs cue noise (spiking, abstract modern, classical) and capacity sweep"


def make(out_dir, results_dir):
    summary, params, data = load_results(results_dir)
    r = summary["recall_vs_noise"]
    acc = r["accuracy"]
    f = [float(k) for k in acc]
    fig, (ax, px, bx) = plt.subplots(1, 3, figsize=(13.5, 4))
    ax.plot(f, [acc[k]["spiking"] for k in acc], "o-", label="spiking memory (argmax spike count)")
    ax.plot(f, [acc[k]["abstract_modern"] for k in acc], "s--", label="abstract modern Hopfield")
    ax.plot(f, [acc[k].get("abstract_sampled_same_spike_count") for k in acc], "x:", color="C4",
            label="softmax sampled, same spike count")
    ax.plot(f, [acc[k]["classical"] for k in acc], "^-", label=f"classical Hopfield (d = {r['feature_neurons_d']})")
    ax.set(xlabel="cue noise (fraction of bits flipped)", ylabel="recall accuracy", ylim=(-0.03, 1.03),
           title=f"{r['n_memories']} memories, β = {r['beta']:g}")
    ax.legend(fontsize=8)
    pc = r.get("partial_cue_accuracy", {})
    if pc:
        fp = [float(k) for k in pc]
        px.plot(fp, [pc[k]["spiking"] for k in pc], "o-", label="spiking memory")
        px.plot(fp, [pc[k]["abstract_modern"] for k in pc], "s--", label="abstract modern Hopfield")
        px.plot(fp, [pc[k].get("abstract_sampled_same_spike_count") for k in pc], "x:", color="C4",
                label="softmax sampled, same spike count")
        px.plot(fp, [pc[k]["classical"] for k in pc], "^-", label="classical Hopfield")
        for x, k in zip(fp, pc):
            if pc[k].get("mean_spikes") is not None:  # the pool fires less for weak matches
                px.annotate(f"{pc[k]['mean_spikes']:.0f} spikes", (x, pc[k]["spiking"]), textcoords="offset points",
                            xytext=(4, -12), fontsize=7, color="C0")
        px.legend(fontsize=8)
    px.set(xlabel="partial cue (fraction of active cells silenced)", ylabel="recall accuracy", ylim=(-0.03, 1.03),
           title="partial cues (ties / no spikes = miss)")
    cap = r["capacity_sweep"]
    bx.plot(cap["memories"], cap["modern"], "s--", label="modern (softmax)")
    bx.plot(cap["memories"], cap["classical"], "^-", label="classical (Hebbian)")
    bx.axvline(r["classical_capacity_0.14d"], color="0.5", ls=":", label="0.14 d")
    bx.set(xlabel="stored memories", ylabel="recall accuracy", ylim=(-0.03, 1.03),
           title=f"capacity at equal feature neurons (noise {cap['noise']:g}, abstract)")
    bx.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, out_dir, NAME)
