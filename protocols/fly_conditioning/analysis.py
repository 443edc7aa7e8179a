"""Metrics of the fly-conditioning protocol from MBON and KC spike counts (numpy only).

The MBON response of a trial is the mean MBON rate in its read window. The drop of a probe is
``1 - test / pretest`` of its MBON rate. The abstract prediction is the SDM view of the compartment
(:func:`mushroom_body.theory.sdm_write_depress`, :func:`mushroom_body.theory.sdm_read`): the KCs are
hard locations, each paired CS+ trial scales the weights of the CS+ code by ``1 - d``, and a probe's
predicted drop is ``1 - sdm_read`` of its code. The codes are either the spiking KC codes measured in
the pre-test (KCs with at least ``min_spikes`` spikes) or FlyHash codes (top-k of the same
projection, ``k`` = mean measured code size). ``d`` is the one free scale of the abstract model: it
is set so that the abstract CS+ drop equals the spiking one, ``(1 - d)^n_training = 1 - drop(CS+)``;
the correlations over probes test the *shape* of the generalisation, which ``d`` does not set.
"""
from __future__ import annotations

import numpy as np

from core.jsonio import rounded
from core.stats import pearson
from mushroom_body.theory import fly_hash, input_similarity, pairwise_overlap, sdm_read, sdm_write_depress, spearman
from protocols.fly_conditioning.design import PHASES

__all__ = ["compute_metrics", "probe_rates", "sdm_prediction"]


def probe_rates(trials: dict, mbon_rate: np.ndarray, phase: str, n_probes: int) -> np.ndarray:
    """MBON rate of each probe odour in the test block ``phase`` (one trial per probe), shape (n_probes,)."""
    out = np.full(n_probes, np.nan)
    sel = np.flatnonzero(trials["trial_phase"] == PHASES.index(phase))
    out[trials["odour"][sel]] = mbon_rate[sel]
    return out


def sdm_prediction(codes: np.ndarray, cs_plus: int, n_writes: int, cs_plus_drop: float) -> tuple[np.ndarray, float]:
    """Predicted relative drop of every odour after ``n_writes`` paired CS+ writes, and the depression ``d``.

    ``d`` makes the predicted CS+ drop equal ``cs_plus_drop`` (clipped to [0, 1)).
    """
    target = float(np.clip(cs_plus_drop, 0.0, 1.0 - 1e-9))
    d = 1.0 - (1.0 - target) ** (1.0 / n_writes)
    w = sdm_write_depress(codes, np.full(n_writes, cs_plus), d)
    return 1.0 - sdm_read(codes, w), d


def compute_metrics(cfg, design: dict, trials: dict, projection: np.ndarray, mbon_rate: np.ndarray,
                    kc_counts: np.ndarray) -> tuple[dict, dict, dict]:
    """Every metric of the run.

    Parameters
    ----------
    cfg : FlyConditioningConfig
    design, trials : dict
        From :mod:`protocols.fly_conditioning.design`.
    projection : int array (n_kc, n_pn)
    mbon_rate : float array (n_trials,), Hz
        Mean MBON rate in each trial's read window.
    kc_counts : int array (n_trials, n_kc)
        KC spikes in each trial's read window.

    Returns
    -------
    summary : dict (rounded, for reading), measures : dict (unrounded, for targets), data : dict of arrays
    """
    odours = design["odours"]
    n_probes = len(odours)
    cs_p, cs_m = design["cs_plus"], design["cs_minus"]
    pre = probe_rates(trials, mbon_rate, "pretest", n_probes)
    post = probe_rates(trials, mbon_rate, "test", n_probes)
    re = probe_rates(trials, mbon_rate, "retest", n_probes)
    drop = 1.0 - np.divide(post, pre, out=np.ones(n_probes), where=pre > 0)
    drop_re = 1.0 - np.divide(re, pre, out=np.ones(n_probes), where=pre > 0)
    lost = pre[cs_p] - post[cs_p]
    recovery = (re[cs_p] - post[cs_p]) / lost if lost > 0 else float("nan")
    similarity = input_similarity(odours)[cs_p]
    gen_rho = spearman(similarity, drop)
    # the spiking KC code of each probe, measured in the pre-test (before any learning)
    pre_rows = np.flatnonzero(trials["trial_phase"] == PHASES.index("pretest"))
    codes = np.zeros((n_probes, projection.shape[0]), dtype=bool)
    codes[trials["odour"][pre_rows]] = kc_counts[pre_rows] >= cfg.min_spikes
    k = max(1, round(float(codes.sum(axis=1).mean())))
    abstract = fly_hash(odours, projection, k)
    pred_meas, d_meas = sdm_prediction(codes, cs_p, cfg.n_training, drop[cs_p])
    pred_fh, d_fh = sdm_prediction(abstract, cs_p, cfg.n_training, drop[cs_p])
    r_meas, r_fh = pearson(drop, pred_meas), pearson(drop, pred_fh)
    discrimination = 1.0 - drop / drop[cs_p] if drop[cs_p] > 0 else np.full(n_probes, np.nan)
    overlap_meas = pairwise_overlap(codes)[cs_p]
    overlap_fh = pairwise_overlap(abstract)[cs_p]
    probes = [{"odour": int(o), "mix": rounded(design["mix"][o], 3), "similarity": rounded(similarity[o], 3),
               "mbon_pretest_hz": rounded(pre[o], 2), "mbon_test_hz": rounded(post[o], 2),
               "mbon_retest_hz": rounded(re[o], 2), "drop": rounded(drop[o]), "drop_retest": rounded(drop_re[o]),
               "predicted_drop_measured_code": rounded(pred_meas[o]), "predicted_drop_flyhash": rounded(pred_fh[o]),
               "kc_overlap_with_cs_plus": rounded(overlap_meas[o], 3)}
              for o in np.argsort(-similarity)]
    phases = {}
    for p_i, name in enumerate(PHASES):
        for role, o in (("cs_plus", cs_p), ("cs_minus", cs_m)):
            sel = (trials["trial_phase"] == p_i) & (trials["odour"] == o)
            if sel.any():
                phases.setdefault(name, {})[f"{role}_mbon_hz"] = [rounded(r, 2) for r in mbon_rate[sel]]
    summary = {
        "cs_plus": {"pretest_hz": rounded(pre[cs_p], 2), "test_hz": rounded(post[cs_p], 2),
                    "retest_hz": rounded(re[cs_p], 2), "drop": rounded(drop[cs_p]),
                    "extinction_recovery": rounded(recovery)},
        "cs_minus": {"pretest_hz": rounded(pre[cs_m], 2), "test_hz": rounded(post[cs_m], 2),
                     "retest_hz": rounded(re[cs_m], 2), "drop": rounded(drop[cs_m])},
        "generalisation": {"spearman_similarity_vs_drop": rounded(gen_rho), "probes": probes},
        "sdm": {"pearson_measured_code": rounded(r_meas), "pearson_flyhash": rounded(r_fh),
                "depression_per_write_measured_code": rounded(d_meas), "depression_per_write_flyhash": rounded(d_fh),
                "k_flyhash": k, "code_size_min": int(codes.sum(axis=1).min()),
                "code_size_max": int(codes.sum(axis=1).max()),
                "code_agreement_cs_plus": rounded((codes[cs_p] & abstract[cs_p]).sum() / max(k, 1))},
        "learning_curves": phases,
    }
    measures = {"cs_plus_drop": float(drop[cs_p]), "cs_minus_drop": float(drop[cs_m]),
                "extinction_recovery": float(recovery), "generalisation_spearman": gen_rho,
                "sdm_pearson_measured": r_meas, "sdm_pearson_flyhash": r_fh}
    data = {"odours": odours, "mix": design["mix"], "projection": projection.astype(np.int8),
            "cs_plus": np.int64(cs_p), "cs_minus": np.int64(cs_m),
            "trial_phase": trials["trial_phase"], "phase_names": np.array(PHASES), "odour": trials["odour"],
            "dan": trials["dan"], "mbon_rate": mbon_rate, "kc_counts": kc_counts.astype(np.int32),
            "similarity": similarity, "drop": drop, "drop_retest": drop_re, "discrimination": discrimination,
            "kc_code_spiking": codes, "kc_code_flyhash": abstract,
            "predicted_drop_measured_code": pred_meas, "predicted_drop_flyhash": pred_fh}
    return summary, measures, data
