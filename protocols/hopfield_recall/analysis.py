"""Metrics of the hopfield-recall protocol from the spike counts (numpy only).

``counts`` (queries x memories) are memory-neuron spikes per memory in each read window, summed
over copies; ``readout_counts`` (queries x value dimensions) read-out spikes; ``intensity`` the
read-out neurons' noise-free Poisson intensity (a diagnostic, not spikes). The abstract reference
of every query is ``softmax(scores)`` with ``scores = beta k . q + shift``
(:func:`protocols.hopfield_recall.design.scores`).
"""
from __future__ import annotations

import numpy as np

from core.jsonio import rounded

__all__ = ["compute_metrics", "interneuron_summary", "transition_beta", "effective_memories", "cosine"]


def transition_beta(betas, top, level=0.5) -> float:
    """beta at which the mean top weight first reaches ``level`` (log-interpolated).

    Returns ``betas[0]`` when the first point is already at or above ``level``, NaN when no point is.
    """
    betas = np.asarray(betas, float)
    top = np.asarray(top, float)
    for k in range(1, len(betas)):
        if top[k - 1] < level <= top[k]:
            f = (level - top[k - 1]) / (top[k] - top[k - 1])
            return float(np.exp(np.log(betas[k - 1]) + f * (np.log(betas[k]) - np.log(betas[k - 1]))))
    return float("nan") if top[0] < level else float(betas[0])


def effective_memories(weights) -> float:
    """Mean perplexity ``exp(entropy)`` of the rows of ``weights`` (1: one memory, N: uniform)."""
    w = np.clip(weights, 1e-300, 1)
    return float(np.exp(-np.sum(np.where(w > 1e-300, w * np.log(w), 0.0), axis=1)).mean())


def cosine(a, b) -> np.ndarray:
    """Row-wise cosine of two arrays of the same shape (0 for a zero row)."""
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)


def interneuron_summary(inh_counts, counts, block, read_s) -> dict:
    """Activity of the interneuron population in the read windows.

    Parameters
    ----------
    inh_counts : int array (queries, n_interneurons)
        Interneuron spikes in each read window.
    counts : int array (queries, n_memories)
        Memory spikes in each read window.
    block : int array (queries,)
        Block of each query.
    read_s : float
        Read window (s).

    Returns
    -------
    dict
        Mean rate per interneuron (Hz) over all read windows and per block, the pool rate of the
        memory neurons (Hz) per block, and the fraction of (window, interneuron) pairs with at
        least one spike.
    """
    inh_counts = np.asarray(inh_counts)
    pv_rate = inh_counts.sum(axis=1) / (read_s * max(inh_counts.shape[1], 1))
    mem_rate = np.asarray(counts).sum(axis=1) / read_s
    blocks = sorted(set(np.asarray(block).tolist()))
    return {
        "n_interneurons": int(inh_counts.shape[1]),
        "mean_rate_hz": rounded(pv_rate.mean(), 2),
        "mean_rate_hz_per_block": {str(b): rounded(pv_rate[block == b].mean(), 2) for b in blocks},
        "memory_pool_rate_hz_per_block": {str(b): rounded(mem_rate[block == b].mean(), 1) for b in blocks},
        "fraction_active_in_read_window": rounded(float(np.mean(inh_counts > 0)), 3),
    }


def compute_metrics(cfg, design, counts, readout_counts, intensity, read_s, rng) -> tuple[dict, dict, dict]:
    """Every equivalence metric of the run.

    Parameters
    ----------
    cfg : HopfieldRecallConfig
    design : dict
        From :func:`protocols.hopfield_recall.design.design_queries`.
    counts : int array (queries, n_memories)
    readout_counts : int array (queries, sensory_dim)
    intensity : float array (queries, sensory_dim), Hz
    read_s : float
        Read window (s).
    rng : numpy.random.Generator
        For the sampled-softmax reference, the classical network and the capacity sweep.

    Returns
    -------
    summary : dict
        Sections ``shares``, ``normalization`` (when the run has shifts), ``readout``,
        ``beta_sweep``, ``recall_vs_noise`` (when the run has recall cues); rounded for reading.
    measures : dict
        The unrounded numbers the targets are judged on (:func:`protocols.hopfield_recall.targets.targets`).
    data : dict of array
        Per-query arrays for ``data.npz``.
    """
    from core.softmax import softmax
    from hippocampus.attention import expected_multinomial_tv, total_variation
    from hippocampus.codes import decode_objects
    from hippocampus.recall import argmax_unique, capacity_sweep, classical_recall_accuracy, sampled_argmax_accuracy
    from protocols.hopfield_recall.design import scores as design_scores

    scores = design_scores(design)
    n = scores.shape[0]
    p = softmax(scores, axis=-1)
    totals = counts.sum(axis=1)
    shares = counts / np.maximum(totals, 1)[:, None]
    tv = np.array([total_variation(shares[q], p[q]) if totals[q] else 1.0 for q in range(n)])
    etv = np.array([expected_multinomial_tv(p[q], max(int(totals[q]), 1)) for q in range(n)])
    block, beta = design["block"], design["beta"]
    vals_q = design["values"][design["mem_slots"]]                    # (q, m, d_v)
    abstract_out = np.einsum("qm,qmd->qd", p, vals_q)
    summary, measures = {}, {}

    # 1. spike shares vs softmax
    sel = block == 0
    at_default = sel & np.isclose(beta, cfg.beta)
    ratio = float(tv[sel].mean() / etv[sel].mean())
    per_beta = {f"{b:g}": {"tv": rounded(tv[sel & np.isclose(beta, b)].mean()),
                          "expected_multinomial_tv": rounded(etv[sel & np.isclose(beta, b)].mean()),
                          "mean_spikes": rounded(totals[sel & np.isclose(beta, b)].mean(), 1)} for b in cfg.betas}
    tv_default = float(tv[at_default].mean()) if at_default.any() else None
    summary["shares"] = {
        "tv_mean": rounded(tv[sel].mean()), "expected_multinomial_tv_mean": rounded(etv[sel].mean()),
        "tv_over_multinomial": rounded(ratio, 3),
        "tv_at_default_beta": rounded(tv_default) if at_default.any() else None,
        "expected_multinomial_tv_at_default_beta": rounded(etv[at_default].mean()) if at_default.any() else None,
        "per_beta": per_beta,
        "mean_spikes_per_query": rounded(totals[sel].mean(), 1),
    }
    measures.update(tv_over_multinomial=ratio, tv_at_default_beta=tv_default)

    # 2. normalisation: tonic shifts down and up; every pair of shift levels counts
    sel = block == 1
    rate = totals / read_s
    if sel.any():
        lse = np.log(np.sum(np.exp(scores), axis=1))
        shifts = design["shift"][sel]
        levels = sorted(set(shifts.tolist()))
        r_lv = np.array([rate[sel][shifts == sh].mean() for sh in levels])
        z_lv = np.array([np.exp(lse[sel][shifts == sh].mean()) for sh in levels])
        rate_ratio = float(r_lv.max() / r_lv.min())
        z_ratio = float(z_lv.max() / z_lv.min())
        lv = np.array(levels)

        def part(mask):
            return rounded(float(r_lv[mask].max() / r_lv[mask].min()), 3) if mask.sum() > 1 else None

        summary["normalization"] = {
            "shifts": levels, "total_rate_hz": [rounded(r, 1) for r in r_lv],
            "sum_exp_scores_ratio": rounded(z_ratio, 1), "total_rate_ratio": rounded(rate_ratio, 3),
            "total_rate_ratio_upward_shifts": part(lv >= 0), "total_rate_ratio_downward_shifts": part(lv <= 0),
            "log_rate_slope_vs_log_sum_exp": rounded(float(np.polyfit(np.log(z_lv), np.log(r_lv), 1)[0]), 3),
            "tv_mean_normalization_block": rounded(tv[sel].mean()),
            "expected_multinomial_tv_normalization_block": rounded(etv[sel].mean()),
        }
        measures.update(total_rate_ratio=rate_ratio, sum_exp_scores_ratio=z_ratio)

    # 3. read-out vs softmax attention: from read-out SPIKE COUNTS (and, diagnostic, from intensity)
    sel = block < 2
    cos = cosine(readout_counts.astype(float), abstract_out)
    cos_int = cosine(intensity, abstract_out)
    codes = design["objects_code"]
    obj_q = design["objects"][design["mem_slots"]]                     # (q, m) object of memory mu
    dec_spk = decode_objects(readout_counts.astype(float), codes)
    dec_int = decode_objects(intensity, codes)
    abstract_argmax_obj = obj_q[np.arange(n), np.argmax(p, axis=1)]
    dec_abs = decode_objects(abstract_out, codes)
    agree, agree_int = dec_spk == abstract_argmax_obj, dec_int == abstract_argmax_obj
    summary["readout"] = {
        "source": "read-out neuron spike counts in the read window (readout_copies cells per value dimension)",
        "cosine_mean": rounded(cos[sel].mean()), "cosine_p05": rounded(np.percentile(cos[sel], 5)),
        "cosine_min": rounded(cos[sel].min()),
        "argmax_agreement": rounded(agree[sel].mean()),
        "mean_readout_spikes_per_query": rounded(readout_counts[sel].sum(axis=1).mean(), 1),
        "intensity_cosine_mean": rounded(cos_int[sel].mean()),
        "intensity_argmax_agreement": rounded(agree_int[sel].mean()),
        "intensity_note": "noise-free Poisson intensity of the read-out cells (diagnostic, not spikes)",
        "abstract_decode_vs_argmax_memory": rounded(np.mean(dec_abs[sel] == abstract_argmax_obj[sel])),
    }
    measures.update(readout_cosine=float(cos[sel].mean()), readout_argmax_agreement=float(agree[sel].mean()))

    # 4. beta sweep: blended (metastable) -> single-memory retrieval
    sel = block == 0
    top_spk = [float(shares[sel & np.isclose(beta, b)].max(axis=1).mean()) for b in cfg.betas]
    top_abs = [float(p[sel & np.isclose(beta, b)].max(axis=1).mean()) for b in cfg.betas]
    neff_spk = [effective_memories(shares[sel & np.isclose(beta, b)]) for b in cfg.betas]
    neff_abs = [effective_memories(p[sel & np.isclose(beta, b)]) for b in cfg.betas]
    b_spk, b_abs = transition_beta(cfg.betas, top_spk), transition_beta(cfg.betas, top_abs)
    max_diff = float(np.max(np.abs(np.array(top_spk) - np.array(top_abs))))
    rel = abs(b_spk / b_abs - 1) if np.isfinite(b_spk) and np.isfinite(b_abs) else float("inf")
    summary["beta_sweep"] = {
        "betas": list(cfg.betas), "top_share_spiking": [rounded(x) for x in top_spk],
        "top_weight_abstract": [rounded(x) for x in top_abs],
        "effective_memories_spiking": [rounded(x, 3) for x in neff_spk],
        "effective_memories_abstract": [rounded(x, 3) for x in neff_abs],
        "transition_beta_spiking": rounded(b_spk, 3), "transition_beta_abstract": rounded(b_abs, 3),
        "transition_beta_relative_difference": rounded(rel, 3),
        "max_abs_top_difference": rounded(max_diff),
    }
    measures.update(top_weight_difference=max_diff, transition_beta_difference=rel)

    # 5. recall vs cue noise (ties = misses for every model)
    sel = block == 2
    extra = {}
    if sel.any():
        targets = design["target"]
        spk_correct = argmax_unique(counts) == targets
        abs_correct = argmax_unique(p) == targets
        smp_acc = np.zeros(n)
        smp_acc[sel] = sampled_argmax_accuracy(p[sel], totals[sel], targets[sel], rng)
        pats = design["patterns"]
        cls_correct = np.zeros(n, bool)
        cls_correct[sel] = classical_recall_accuracy(pats, design["cues"][sel], targets[sel], rng)
        obj_target = obj_q[np.arange(n), targets]
        ties = int(np.sum(sel & (argmax_unique(counts) == -1) & (totals > 0)))

        def row(s):
            return {"spiking": rounded(spk_correct[s].mean()), "abstract_modern": rounded(abs_correct[s].mean()),
                    "abstract_sampled_same_spike_count": rounded(smp_acc[s].mean()),
                    "classical": rounded(cls_correct[s].mean()), "mean_spikes": rounded(totals[s].mean(), 1),
                    "zero_spike_queries": int(np.sum(totals[s] == 0)),
                    "spiking_readout_decode": rounded(np.mean(dec_spk[s] == obj_target[s]))}

        rows = {f"{f:g}": row(sel & ~design["partial"] & np.isclose(design["noise"], f)) for f in cfg.noise_levels}
        prows = {f"{f:g}": row(sel & design["partial"] & np.isclose(design["partial_fraction"], f))
                 for f in cfg.partial_levels}
        allrows = list(rows.values()) + list(prows.values())
        d = pats.shape[1]
        modern_cap, classical_cap = capacity_sweep(cfg.capacity_memories, d, cfg.recall_beta, rng)
        summary["recall_vs_noise"] = {
            "n_memories": cfg.n_memories, "feature_neurons_d": d, "beta": cfg.recall_beta,
            "classical_capacity_0.14d": round(0.14 * d, 2), "accuracy": rows, "partial_cue_accuracy": prows,
            "tie_rule": "a query whose top spike count (or weight) is tied counts as a miss",
            "spiking_tied_queries": ties,
            "spiking_vs_abstract_max_abs_difference": rounded(max(
                abs(r["spiking"] - r["abstract_modern"]) for r in allrows)),
            "spiking_vs_sampled_abstract_max_abs_difference": rounded(max(
                abs(r["spiking"] - r["abstract_sampled_same_spike_count"]) for r in allrows)),
            "note": ("weak (partial) cues drive the pool little (few spikes per read window): the spiking "
                     "network is then limited by spike count; 'abstract_sampled_same_spike_count' is the "
                     "softmax sampled with the same number of spikes (numpy Monte Carlo)"),
            "capacity_sweep": {"noise": 0.1, "memories": list(cfg.capacity_memories),
                               "modern": [rounded(x, 3) for x in modern_cap],
                               "classical": [rounded(x, 3) for x in classical_cap], "computed_in": "numpy (abstract)"},
        }
        extra = dict(recall_spiking=spk_correct, recall_abstract=abs_correct, recall_classical=cls_correct,
                     recall_sampled_abstract=smp_acc, capacity_memories=np.array(cfg.capacity_memories),
                     capacity_modern=modern_cap, capacity_classical=classical_cap)

    data = dict(tv=tv, expected_tv=etv, softmax=p, readout_abstract=abstract_out, cosine=cos,
                cosine_intensity=cos_int, decoded_spiking=dec_spk, abstract_argmax_object=abstract_argmax_obj,
                **extra)
    return summary, measures, data
