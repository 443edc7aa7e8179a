"""Metrics of the fly-hash protocol from the KC spike counts (numpy only).

The spiking KC code of a presentation is the set of KCs with at least ``min_spikes`` spikes in
its read window (one fixed criterion for every odour; how many pass is set by the APL loop). It
is compared with the abstract FlyHash (top-k of ``projection @ odour``, same projection) and with
a dense Gaussian projection without sparsification. The FlyHash hash length ``k`` is the mean
spiking code size over the unit-concentration odours: one ``k`` for every odour, as in FlyHash,
at the sparseness the APL loop reaches; FlyHash with each odour's own spiking code size is
reported as a diagnostic.
"""
from __future__ import annotations

import numpy as np

from core.jsonio import rounded
from mushroom_body.theory import (dense_projection, fly_hash, input_similarity, mean_average_precision,
                                  pairwise_overlap, spearman, top_k, true_neighbours)

__all__ = ["compute_metrics"]


def _top_k_per_row(values: np.ndarray, ks: np.ndarray) -> np.ndarray:
    """Boolean mask of the ``ks[r]`` largest entries of each row ``r`` of ``values``."""
    out = np.zeros(values.shape, dtype=bool)
    for r, k in enumerate(ks):
        out[r] = top_k(values[r:r + 1], int(k))[0]
    return out


def compute_metrics(cfg, design: dict, projection: np.ndarray, counts: np.ndarray,
                    rng: np.random.Generator) -> tuple[dict, dict, dict]:
    """Every metric of the run.

    Parameters
    ----------
    cfg : FlyHashConfig
    design : dict
        From :func:`protocols.fly_hash.design.design_odours`.
    projection : int array (n_kc, n_pn)
    counts : int array (n_presentations, n_kc)
        KC spikes in each read window.
    rng : numpy.random.Generator
        For the dense projection.

    Returns
    -------
    summary : dict (rounded, for reading), measures : dict (unrounded, for targets), data : dict of arrays
    """
    odours = design["odours"]
    n_kc = projection.shape[0]
    active = counts >= cfg.min_spikes
    frac = active.mean(axis=1)
    conc, pres_odour = design["present_conc"], design["present_odour"]
    unit = np.isclose(conc, 1.0)
    row = np.full(len(odours), -1)
    row[pres_odour[unit]] = np.flatnonzero(unit)
    spk = active[row]                                          # (n_odours, n_kc), unit concentration
    k_nominal = max(1, round(cfg.top_fraction * n_kc))
    k_matched = max(1, round(float(spk.sum(axis=1).mean())))
    abstract = fly_hash(odours, projection, k_matched)
    abstract_nominal = fly_hash(odours, projection, k_nominal)
    sim = input_similarity(odours)
    ov_spk, ov_abs = pairwise_overlap(spk), pairwise_overlap(abstract)
    ov_nom = pairwise_overlap(abstract_nominal)
    iu = np.triu_indices(len(odours), 1)
    rho = spearman(ov_spk[iu], ov_abs[iu])
    rho_input = spearman(ov_spk[iu], sim[iu])
    relevant = true_neighbours(sim, cfg.n_neighbours)
    centred = odours - odours.mean(axis=1, keepdims=True)
    dense = dense_projection(centred, k_matched, rng)
    dist = np.linalg.norm(dense[:, None, :] - dense[None, :, :], axis=2)
    map_spk = mean_average_precision(ov_spk, relevant)
    map_abs = mean_average_precision(ov_abs, relevant)
    map_nom = mean_average_precision(ov_nom, relevant)
    map_dense = mean_average_precision(-dist, relevant)
    # diagnostic: FlyHash with each odour's own spiking code size (the APL sets it online, so it varies)
    own_k = _top_k_per_row(odours @ projection.T.astype(float), spk.sum(axis=1))
    ov_own = pairwise_overlap(own_k)
    rho_own = spearman(ov_spk[iu], ov_own[iu])
    map_own = mean_average_precision(ov_own, relevant)
    agreement = (spk & abstract).sum(axis=1) / np.maximum(abstract.sum(axis=1), 1)
    # the same base odour at other concentrations against its unit-concentration code
    conc_rows = []
    for k in np.flatnonzero(~unit):
        a, b = active[k], spk[pres_odour[k]]
        conc_rows.append((conc[k], (a & b).sum() / np.sqrt(max(a.sum() * b.sum(), 1))))
    conc_levels = sorted(set(np.round(conc, 6).tolist()))
    per_conc = {f"{c:g}": {"mean": rounded(frac[np.isclose(conc, c)].mean()),
                           "min": rounded(frac[np.isclose(conc, c)].min()),
                           "max": rounded(frac[np.isclose(conc, c)].max())} for c in conc_levels}
    bins = np.linspace(-0.4, 1.0, 15)
    which = np.digitize(sim[iu], bins)
    curve = [{"similarity": rounded(sim[iu][which == b].mean(), 3), "n_pairs": int((which == b).sum()),
              "overlap_spiking": rounded(ov_spk[iu][which == b].mean()),
              "overlap_abstract": rounded(ov_abs[iu][which == b].mean())}
             for b in range(1, len(bins) + 1) if (which == b).any()]
    summary = {
        "active_fraction": {"mean": rounded(frac.mean()), "min": rounded(frac.min()), "max": rounded(frac.max()),
                            "per_concentration": per_conc,
                            "criterion": f">= {cfg.min_spikes} spikes in the {cfg.read} read window"},
        "hash_length": {"k_matched": k_matched, "k_nominal": k_nominal, "n_kc": n_kc},
        "overlap": {"spearman_spiking_vs_abstract": rounded(rho), "spearman_spiking_vs_input": rounded(rho_input),
                    "spearman_spiking_vs_abstract_own_k": rounded(rho_own),
                    "pairs": int(len(iu[0])), "curve": curve,
                    "code_agreement_mean": rounded(agreement.mean()), "code_agreement_min": rounded(agreement.min())},
        "nearest_neighbours": {"n_neighbours": cfg.n_neighbours, "map_spiking": rounded(map_spk),
                               "map_abstract_matched_k": rounded(map_abs), "map_abstract_nominal_k": rounded(map_nom),
                               "map_abstract_own_k": rounded(map_own),
                               "map_dense_projection": rounded(map_dense), "difference": rounded(map_spk - map_abs)},
        "concentration_invariance": {f"{c:g}": rounded(np.mean([o for cc, o in conc_rows if np.isclose(cc, c)]))
                                     for c in sorted(set(cc for cc, _ in conc_rows))},
    }
    measures = {"spearman": rho, "map_difference": map_spk - map_abs, "active_fraction_min": float(frac.min()),
                "active_fraction_max": float(frac.max()), "map_spiking": map_spk, "map_abstract": map_abs}
    data = {"odours": odours, "projection": projection.astype(np.int8), "kc_counts": counts.astype(np.int32),
            "kc_active_spiking": spk, "kc_active_abstract": abstract, "kc_active_abstract_nominal": abstract_nominal,
            "kc_active_all": active, "input_similarity": sim, "overlap_spiking": ov_spk, "overlap_abstract": ov_abs,
            "active_fraction": frac, "present_odour": pres_odour, "present_conc": conc,
            "family": design["family"], "mix": design["mix"], "relevant": relevant,
            "dense_projection": dense, "k_matched": np.int64(k_matched)}
    return summary, measures, data
