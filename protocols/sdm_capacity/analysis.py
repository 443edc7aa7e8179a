"""Recall curves and capacities of an ``sdm-capacity`` run (numpy only).

The spiking read of each query is the deep-nuclear read of ``sdm-recall`` (bit group against
reference group spike counts over the query's read windows); the Purkinje-rate comparison is kept as
the diagnostic of the PF→PC stage. The abstract SDM reads the same queries on the theory's hard
locations (the active sets the wiring and the decoder rule give, never the recorded spikes) with the
pairs stored by the query's checkpoint. The theory curve is Kanerva's (1988) signal/noise of the
counter sum (:func:`cerebellum.sdm.bit_accuracy_from_intersection`).
"""
from __future__ import annotations

import numpy as np

from cerebellum import sdm
from cerebellum import sdm_metrics as M
from core.jsonio import to_jsonable
from core.spikes import window_counts
from core.targets import targets_summary
from core.units import in_unit
from protocols.sdm_capacity import targets as T
from protocols.sdm_capacity.design import CapacityQueries, capacity_from_curve, recall_accuracy
from protocols.sdm_recall.analysis import Recording, query_reads
from protocols.sdm_recall.design import Schedule

__all__ = ["analyse", "abstract_bits", "shared_curve"]


def abstract_bits(theory_write, theory_read, pointers, queries: CapacityQueries, m_values) -> np.ndarray:
    """Abstract SDM read of every query with only the pairs stored by its checkpoint.

    Parameters
    ----------
    theory_write : (M, r) bool
        Theory active sets of the stored addresses.
    theory_read : (q, r) bool
        Theory active sets of the queries.
    pointers : (M, n_out) 0/1
    queries : CapacityQueries
    m_values : sequence of int

    Returns
    -------
    (q, n_out) uint8
        ``sum_mu c[q, mu] p[mu, j] / sum_mu c[q, mu] > 1/2`` over ``mu < m_k`` (0 where no stored
        pair shares a location with the query).
    """
    counts = M.coactivation(theory_write, theory_read).astype(float)
    stored = np.asarray(m_values)[queries.checkpoint]
    counts[np.arange(counts.shape[1])[None, :] >= stored[:, None]] = 0.0  # pairs not yet written
    return M.abstract_reads(counts, pointers)["bits"]


def shared_curve(circuit_params, contacts) -> np.ndarray:
    """Expected hard locations shared by two addresses at distance ``0 .. n`` (cells).

    Dense: ``r/2^n I(n, d, dv)`` (Kanerva 1988); biological: ``r`` times the exact selected-coordinate
    intersection for the realised contacts and threshold (Jaeckel 1989).
    """
    cp = circuit_params
    dv = np.arange(cp.n + 1)
    if cp.mode == "dense":
        return np.asarray(sdm.expected_intersection(cp.n, cp.d, dv, cp.r), dtype=float)
    return cp.r * np.asarray(sdm.weighted_coordinate_intersection(cp.n, contacts, cp.grc_theta, dv), dtype=float)


def analyse(config, rec: Recording, sch: Schedule, addresses, pointers, queries: CapacityQueries) -> tuple[dict, dict]:
    """Recall curves, capacities and targets of a run.

    Returns
    -------
    summary : dict
        JSON-ready numbers, with ``all_pass`` and ``targets``.
    data : dict of array
        The arrays of ``data.npz``.
    """
    cp = config.circuit
    n_out, r, period, V = cp.n_out, cp.r, sch.period, sch.read_volleys
    m_values = np.asarray(config.m_values, np.int64)
    distances = np.asarray(config.distances, np.int64)
    K = len(m_values)
    gi, gt = rec.spikes["grc"]
    rw = period * V
    reads = query_reads(cp, rec, sch, in_unit(config.dt, "second"))
    pc_rate_read, pc_rate_ref = reads.pc_rate_read, reads.pc_rate_ref
    bits_pc = M.bits_from_rates(pc_rate_read, pc_rate_ref)
    count_bit, count_ref, bits_dcn = reads.dcn_count_bit, reads.dcn_count_ref, reads.dcn_bits

    theory_write = np.asarray(rec.expected_write, bool)
    theory_read = np.asarray(rec.expected_read, bool)
    bits_abs = abstract_bits(theory_write, theory_read, pointers, queries, m_values)
    recall_spiking = recall_accuracy(bits_dcn, pointers, queries, K, distances)
    recall_spiking_pc = recall_accuracy(bits_pc, pointers, queries, K, distances)
    recall_abstract = recall_accuracy(bits_abs, pointers, queries, K, distances)
    shared = shared_curve(cp, rec.contacts)
    i_rand = shared[cp.n // 2]
    recall_theory = sdm.bit_accuracy_from_intersection(shared[distances], i_rand, m_values)
    # the same model with the noise of random pairs averaged over their binomial distances
    spread = sdm.random_pair_noise(shared)
    recall_theory_spread = sdm.bit_accuracy_from_intersection(shared[distances], i_rand, m_values, spread)
    j0 = int(np.flatnonzero(distances == 0)[0]) if np.any(distances == 0) else None

    def capacity(curve):
        return capacity_from_curve(m_values, curve[:, j0], T.RECALL_LEVEL) if j0 is not None else 0

    cap_s, cap_pc, cap_a = capacity(recall_spiking), capacity(recall_spiking_pc), capacity(recall_abstract)
    cap_t = sdm.capacity_from_intersection(shared[0], i_rand, T.RECALL_LEVEL)
    cap_t_spread = sdm.capacity_from_intersection(shared[0], i_rand, T.RECALL_LEVEL, spread)
    censored = {"spiking": bool(cap_s == m_values[-1]), "abstract": bool(cap_a == m_values[-1])}
    claims = T.targets(capacity_spiking=cap_s, capacity_abstract=cap_a, capacity_theory=cap_t, censored=censored)

    # diagnostics: spiking granule sets against the theory sets, PF weights at their bounds
    active_write = window_counts(gi, gt, sch.write_start, period, r) > 0
    active_read = window_counts(gi, gt, sch.read_start, rw, r) > 0
    jac = np.concatenate([M.jaccard_rows(active_write, theory_write), M.jaccard_rows(active_read, theory_read)])
    # the abstract read on the recorded granule sets (cells that fired in each window) separates the
    # granule code from the PF->PC and nuclear stages
    bits_rec = abstract_bits(active_write, active_read, pointers, queries, m_values)
    recall_recorded = recall_accuracy(bits_rec, pointers, queries, K, distances)
    w = rec.pf_weights
    at_floor = float(np.mean(w <= 1e-12))
    summary = {
        "mode": cp.mode, "n": cp.n, "n_out": n_out, "r": r,
        "m_values": m_values.tolist(), "query_distances": distances.tolist(),
        "queries_per_checkpoint_and_distance": config.queries, "read_volleys": V,
        **targets_summary(claims),
        "capacity": {"spiking": cap_s, "abstract": cap_a, "theory": cap_t, "spiking_purkinje_rate_read": cap_pc,
                     "abstract_recorded_granule_sets": capacity(recall_recorded),
                     "theory_distance_spread": cap_t_spread,
                     "censored": censored, "recall_level": T.RECALL_LEVEL,
                     "note": "capacity = largest checkpoint m up to which every checkpoint keeps the level at "
                             "distance 0; a censored capacity reached the last checkpoint (a lower bound)"},
        "recall": {"spiking_dcn": recall_spiking, "spiking_purkinje_rate": recall_spiking_pc,
                   "abstract_theory_locations": recall_abstract, "theory_signal_noise": recall_theory,
                   "abstract_recorded_granule_sets": recall_recorded,
                   "theory_distance_spread": recall_theory_spread},
        "theory": {"shared_locations_at_distance_0": float(shared[0]),
                   "shared_locations_random_pair": float(i_rand),
                   "noise_per_pair_distance_spread": spread,
                   "model": "Phi(S / sqrt(S + (m - 1)(I_rand + I_rand^2))), Kanerva 1988; distance_spread: "
                            "(m - 1) E[X^2] over binomial(n, 1/2) distances of random pairs"},
        "jaccard_spiking_vs_theory_sets_mean": float(jac.mean()),
        "weights": {"fraction_at_zero": at_floor, "w0_in_A_plus": float(rec.w0 / rec.A_plus),
                    "note": "weights at 0 are clipped counters (net LTD beyond w0): the abstract read has none"},
        "mf_noise": {"background_hz": in_unit(config.mf_background, "Hz"),
                     "jitter_ms": in_unit(config.mf_jitter, "ms")},
        "synaptic_events_note": "includes r PF->PC synapse updates per CF event per Purkinje cell",
        "calibration": rec.calibration,
    }
    data = {"m_values": m_values, "query_distances": distances,
            "recall_spiking": recall_spiking, "recall_spiking_pc": recall_spiking_pc,
            "recall_abstract": recall_abstract, "recall_theory": recall_theory,
            "recall_abstract_recorded": recall_recorded, "recall_theory_spread": recall_theory_spread,
            "capacity_theory_spread": np.array(cap_t_spread, np.int64),
            "capacity_spiking": np.array(cap_s, np.int64), "capacity_abstract": np.array(cap_a, np.int64),
            "capacity_theory": np.array(cap_t, np.int64), "recall_level": np.array(T.RECALL_LEVEL),
            "shared_theory": shared,
            "addresses": np.asarray(addresses, np.uint8), "pointers": np.asarray(pointers, np.uint8),
            "queries": queries.queries, "query_target": queries.target, "query_distance": queries.distance,
            "query_checkpoint": queries.checkpoint,
            "bits_spiking_dcn": bits_dcn, "bits_spiking": bits_pc, "bits_abstract_theory": bits_abs,
            "bits_abstract_recorded": bits_rec,
            "dcn_count_bit": count_bit, "dcn_count_reference": count_ref,
            "pc_rate_read": pc_rate_read, "pc_rate_reference": pc_rate_ref,
            "theory_active_write": theory_write, "theory_active_read": theory_read,
            "granule_active_write": active_write, "granule_active_read": active_read,
            "mf_background_hz": np.array(in_unit(config.mf_background, "Hz")),
            "mf_jitter_ms": np.array(in_unit(config.mf_jitter, "ms"))}
    if cp.mode == "dense":
        data["granule_addresses"] = rec.granule_addresses
        data["radius"] = np.array(cp.d)
    else:
        data["mf_to_grc"] = rec.mf_to_grc
        data["grc_contacts"] = rec.contacts
    return to_jsonable(summary), data
