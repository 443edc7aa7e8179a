"""Metrics of an ``sdm-recall`` run against the abstract SDM on the same data (numpy only).

Everything here works on recorded arrays (:class:`Recording`), so it runs without Brian2.
Metrics (see :mod:`cerebellum.sdm_metrics`): Jaccard of spiking vs abstract active sets;
co-activation vs ``(r/2^n) I(n, d, dv)`` (dense; Kanerva 1988) or, in biological mode, the exact
expectation for the realised synapse strengths and threshold
(:func:`cerebellum.sdm.weighted_coordinate_intersection`; ``r C(n-dv, K)/C(n, K) 2^-K`` with equal
synapses, Jaeckel 1989) with a binomial 3-sigma test; Purkinje readout vs the pattern-view read
computed from the recorded co-activation (Pearson, bit agreement: the PF→PC stage); end to end, the
spiking sets and read vs the theory's sets from the wiring and decoder rule and the abstract SDM read
on them, for queries within the critical distance (:func:`end_to_end`); the deep-nuclear read
(spike counts of each bit's nuclear bit and reference groups) against the abstract read on the
theory's locations and against the Purkinje-rate read (the nuclear stage alone); normalised co-activation vs
``softmax(beta cos)`` (Bricken & Pehlevan 2021); recall curves (spiking vs abstract on the same
stored data).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cerebellum import sdm
from cerebellum import sdm_metrics as M
from cerebellum.sdm_nuclei import dcn_bits, dcn_group_counts
from core.jsonio import to_jsonable
from core.spikes import grid_window_starts, window_counts
from core.targets import targets_summary
from core.units import in_unit
from protocols.sdm_recall import targets as T
from protocols.sdm_recall.design import Patterns, Schedule

__all__ = ["Recording", "QueryReads", "query_reads", "purkinje_group_means", "analyse", "raster"]

#: Populations whose spikes are recorded.
POPULATIONS = ("grc", "pc", "io", "dcn", "goc")
#: Granule cells shown in the raster (the first ones).
RASTER_GRC = 400
#: Start of the baseline count inside the first window (no volley, background only) (s): after the initial
#: transient.
BASELINE_START = 0.05


@dataclass
class Recording:
    """What a run leaves behind, as numpy arrays (times in s, conductances in siemens).

    Attributes
    ----------
    spikes : dict of str -> (i, t)
        Spikes of ``grc``, ``pc``, ``io``, ``dcn`` and ``goc`` (cell index, time in s).
    pc_group : (n_pc,) int
        Pointer bit of every Purkinje cell (``n_out`` for the unwritten reference cells).
    expected_write, expected_read : (m, r), (q, r) bool
        Abstract active sets of the addresses and queries on the realised connectivity.
    granule_addresses : (r, n) uint8 or None
        Dense mode: the hard-location addresses.
    mf_to_grc : (r, K) int or None
        Biological mode: the fibre of every granule-cell input.
    contacts : (r, K) int or None
        Biological mode: synapse strengths in units of the calibrated weight.
    pf_weights : (n_pf,) float
        PF→PC weights at the end of the run (siemens).
    A_plus, w0, w_max : float
        The rule's LTP step, initial weight and upper bound (siemens).
    pf_delay : float
        PF→PC conduction delay (s).
    golgi_count : int
    calibration : dict
        :func:`cerebellum.sdm_circuit.calibrate`.
    """

    spikes: dict
    pc_group: np.ndarray
    expected_write: np.ndarray
    expected_read: np.ndarray
    granule_addresses: np.ndarray | None
    mf_to_grc: np.ndarray | None
    contacts: np.ndarray | None
    pf_weights: np.ndarray
    A_plus: float
    w0: float
    w_max: float
    pf_delay: float
    golgi_count: int
    calibration: dict


def purkinje_group_means(counts, pc_group, n_out: int) -> np.ndarray:
    """Mean count of each pointer bit's Purkinje cells and of the reference cells.

    Parameters
    ----------
    counts : (windows, cells) array
        Spike counts per window and Purkinje cell.
    pc_group : (cells,) int
        Bit of each Purkinje cell (``n_out`` for the reference cells).
    n_out : int

    Returns
    -------
    (windows, n_out + 1) float
    """
    return np.stack([counts[:, pc_group == b].mean(axis=1) for b in range(n_out + 1)], axis=1)


@dataclass(frozen=True)
class QueryReads:
    """The two spiking reads of every query.

    Attributes
    ----------
    pc_rate_read : (q, n_out) float
        Mean rate (Hz) of each bit's Purkinje cells over the query's read windows.
    pc_rate_ref : (q,) float
        Mean rate (Hz) of the reference Purkinje cells over the same windows.
    dcn_count_bit, dcn_count_ref : (q, n_out) int
        Spikes of each bit's nuclear bit group and reference group over the read windows, shifted by
        the Purkinje→nuclear delay.
    dcn_bits : (q, n_out) uint8
        The nuclear read: 1 where the bit group fired more.
    """

    pc_rate_read: np.ndarray
    pc_rate_ref: np.ndarray
    dcn_count_bit: np.ndarray
    dcn_count_ref: np.ndarray
    dcn_bits: np.ndarray


def query_reads(cp, rec: Recording, sch: Schedule, dt_s: float) -> QueryReads:
    """Purkinje rates and nuclear counts of every query, over its ``read_volleys`` windows from the
    parallel-fibre arrival of its first volley.

    Parameters
    ----------
    cp : SDMCircuitParams
    rec : Recording
    sch : Schedule
        ``read_start`` holds the first window of every query.
    dt_s : float
        Integration time step (s): the nuclear windows are put on its grid.
    """
    n_out = cp.n_out
    rw = sch.period * sch.read_volleys
    read_t0 = sch.read_start + sch.volley_offset + rec.pf_delay
    pi, pt = rec.spikes["pc"]
    di, dt_ = rec.spikes["dcn"]
    pc_counts = window_counts(pi, pt, read_t0, rw, (n_out + 1) * cp.pcs_per_bit)
    pc_rates = purkinje_group_means(pc_counts, rec.pc_group, n_out) / rw
    # the nuclei see the Purkinje spikes delay_pc_dcn later: the same read window, shifted
    dcn_t0 = grid_window_starts(read_t0 + in_unit(cp.delay_pc_dcn, "second"), dt_s)
    count_bit, count_ref = dcn_group_counts(window_counts(di, dt_, dcn_t0, rw, 2 * n_out * cp.dcn_per_group),
                                            n_out, cp.dcn_per_group)
    return QueryReads(pc_rates[:, :n_out], pc_rates[:, n_out], count_bit, count_ref, dcn_bits(count_bit, count_ref))


def analyse(config, rec: Recording, sch: Schedule, pat: Patterns) -> tuple[dict, dict]:
    """Every metric of a run.

    Returns
    -------
    summary : dict
        JSON-ready numbers, with ``all_pass`` and ``targets``.
    data : dict of array
        The arrays of ``data.npz``.
    """
    cp = config.circuit
    n, r, n_out, period = cp.n, cp.r, cp.n_out, sch.period
    addresses, pointers, queries = pat.addresses, pat.pointers, pat.queries
    gi, gt = rec.spikes["grc"]
    pi, pt = rec.spikes["pc"]
    ii, it = rec.spikes["io"]
    di, dt_ = rec.spikes["dcn"]
    oi, ot = rec.spikes["goc"]
    write_counts = window_counts(gi, gt, sch.write_start, period, r)
    active_write = write_counts > 0
    V = sch.read_volleys
    active_read = window_counts(gi, gt, sch.read_start, period * V, r) > 0
    per_volley = np.stack([window_counts(gi, gt, sch.read_start + v * period, period, r) > 0 for v in range(V)])
    read_consistent = float(np.mean(np.all(per_volley == per_volley[:1], axis=0)))
    rw = period * V
    n_pc = (n_out + 1) * cp.pcs_per_bit
    n_dcn = 2 * n_out * cp.dcn_per_group
    reads = query_reads(cp, rec, sch, in_unit(config.dt, "second"))
    pc_rate_read, pc_rate_ref = reads.pc_rate_read, reads.pc_rate_ref
    dcn_count_bit, dcn_count_ref, dcn_bits_read = reads.dcn_count_bit, reads.dcn_count_ref, reads.dcn_bits
    base_len = period - BASELINE_START
    pc_rate_baseline = purkinje_group_means(window_counts(pi, pt, np.array([BASELINE_START]), base_len, n_pc),
                                            rec.pc_group, n_out)[0] / base_len
    dcn_rate_read = dcn_count_bit / (cp.dcn_per_group * rw)
    dcn_rate_baseline = float(window_counts(di, dt_, np.array([BASELINE_START]), base_len, n_dcn).mean() / base_len)
    io_write = window_counts(ii, it, sch.write_start, period, n_out)

    # abstract counterparts from the realised connectivity
    exp_write, exp_read = rec.expected_write, rec.expected_read
    jw = M.jaccard_rows(active_write, exp_write)
    jr = M.jaccard_rows(active_read, exp_read)
    counts = M.coactivation(active_write, active_read)
    dv = sdm.hamming_distances(queries, addresses)
    if cp.mode == "dense":
        def expected(v):
            return sdm.expected_intersection(n, cp.d, v, r)
        abstract_w = sdm.intersection_weights(dv, n, cp.d)
        beta = sdm.fit_beta(n, cp.d)
        beta_note = "fit_beta(n, d), published convention, window dv = 0..d-1"
        limit_bits = sdm.pattern_view_read(queries, addresses, pointers, n, cp.d)
    else:
        # one exact intersection curve over every distance serves all the comparisons below
        curve = np.asarray(sdm.weighted_coordinate_intersection(n, rec.contacts, cp.grc_theta, np.arange(n + 1)))

        def expected(v):
            return r * curve[np.asarray(v)]
        abstract_w = M.curve_weights(curve, dv)
        window = np.arange(0, n // 2 + 1)
        ok = curve[window] > 0
        beta, _ = sdm.fit_log_linear(sdm.hamming_to_cosine(window[ok], n), curve[window][ok])
        beta_note = ("log-linear fit of the selected-coordinate intersection (realised contacts, "
                     "threshold) over dv = 0..n/2 where it is > 0 (published convention)")
        with np.errstate(invalid="ignore"):
            limit_bits = ((abstract_w @ pointers.astype(float)) > 0.5).astype(np.uint8)
    coact = M.coactivation_check(counts, dv, expected, r, min_expected=T.COACTIVATION_MIN_EXPECTED,
                                 min_fraction=T.COACTIVATION_WITHIN_3SIGMA_MIN)
    readout = M.readout_metrics(pc_rate_read, pc_rate_ref, counts, pointers)
    # bit-group rate of the nuclei (report only): disinhibited where the PCs were depressed
    readout["dcn_pearson_bipolar"] = M.pearson(dcn_rate_read, M.abstract_reads(counts, pointers)["bipolar"])
    link = M.attention_link(counts, dv, n, abstract_w, beta)
    link["beta_note"] = beta_note
    spk_bits = M.bits_from_rates(pc_rate_read, pc_rate_ref)
    theory_read = M.abstract_reads(M.coactivation(exp_write, exp_read), pointers)
    finite_bits = theory_read["bits"]
    if cp.mode == "dense":
        critical = sdm.critical_distance(n, cp.d, r, config.m, convention="strict")
    else:
        critical = sdm.critical_distance_from_intersection(n, r * curve[: n // 2 + 1], config.m)
    e2e = end_to_end(jw, jr, spk_bits, theory_read, pat.query_distance, critical)
    dcn_readout = M.nuclear_readout_metrics(dcn_bits_read, spk_bits, finite_bits, dcn_count_bit, dcn_count_ref,
                                            pat.query_distance, critical)
    dcn_readout.update(rate_bit_group_mean_hz=float(dcn_rate_read.mean()),
                       rate_reference_group_mean_hz=float(dcn_count_ref.mean() / (cp.dcn_per_group * rw)),
                       rate_baseline_hz=dcn_rate_baseline)
    target, distance = pat.query_target, pat.query_distance
    curves = {"spiking": M.recall_curve(spk_bits, pointers, target, distance),
              "abstract_same_locations": M.recall_curve(finite_bits, pointers, target, distance),
              "abstract_limit": M.recall_curve(limit_bits, pointers, target, distance)}
    curve_gap = float(np.max(np.abs(np.array(curves["spiking"]["fraction_correct"])
                                    - np.array(curves["abstract_same_locations"]["fraction_correct"]))))
    frac_w = active_write.mean(axis=1)
    frac_r = active_read.mean(axis=1)
    w = rec.pf_weights / rec.A_plus
    wmax = float(rec.w_max / rec.A_plus)
    n_ones = pointers.sum(axis=1)
    goc_rate = oi.size / (sch.total * rec.golgi_count)
    biological = cp.mode == "biological"
    claims = T.targets(mode=cp.mode, jaccard_write=float(jw.mean()), jaccard_read=float(jr.mean()), end_to_end=e2e,
                       coactivation=coact, readout=readout, dcn_readout=dcn_readout,
                       pc_baseline_hz=float(pc_rate_baseline[:n_out].mean()),
                       active_fraction=float(frac_r.mean()) if biological else None,
                       active_fraction_theory=cp.expected_active_fraction if biological else None,
                       K=cp.K if biological else None, contacts_max=cp.contacts_max if biological else None)
    summary = {
        "mode": cp.mode, "n": n, "n_out": n_out, "r": r, "m": config.m, "queries": int(len(queries)),
        "radius" if cp.mode == "dense" else "K": cp.d if cp.mode == "dense" else cp.K,
        **({"contacts_max": cp.contacts_max, "grc_theta": cp.grc_theta} if biological else {}),
        **targets_summary(claims),
        "jaccard": {"write_mean": float(jw.mean()), "write_min": float(jw.min()),
                    "read_mean": float(jr.mean()), "read_min": float(jr.min()),
                    "exact_windows": int(np.sum(jw == 1) + np.sum(jr == 1)),
                    "windows": int(jw.size + jr.size)},
        "end_to_end": e2e,
        "dcn_readout": dcn_readout,
        "mf_noise": {"background_hz": in_unit(config.mf_background, "Hz"),
                     "jitter_ms": in_unit(config.mf_jitter, "ms")},
        "coactivation": coact,
        "readout": readout,
        "attention_link": link,
        "recall_curve": curves,
        "recall_curve_max_gap_spiking_vs_abstract": curve_gap,
        "activity": {
            "grc_active_fraction_write_mean": float(frac_w.mean()),
            "grc_active_fraction_read_mean": float(frac_r.mean()),
            "grc_active_fraction_read_range": [float(frac_r.min()), float(frac_r.max())],
            "grc_expected_fraction": cp.expected_active_fraction,
            "grc_read_identical_across_volleys": read_consistent,
            "grc_spikes_per_active_cell_write": float(write_counts.sum() / max(1, active_write.sum())),
            "goc_rate_hz": goc_rate,
            "pc_rate_baseline_mean_hz": float(pc_rate_baseline[:n_out].mean()),
            "pc_rate_read_mean_hz": float(pc_rate_read.mean()),
            "pc_rate_reference_mean_hz": float(pc_rate_ref.mean()),
            "dcn_rate_read_mean_hz": float(dcn_rate_read.mean()),
            "io_spikes_per_cf_bit": float(io_write.sum() / max(1, n_ones.sum())),
            "io_spikes_without_teacher": int(np.sum(io_write[pointers == 0])),
        },
        "weights": {"A_plus_nS": float(rec.A_plus / 1e-9),
                    "w0_in_A_plus": float(rec.w0 / rec.A_plus),
                    "fraction_at_bounds": float(np.mean((w <= 1e-9) | (w >= wmax - 1e-9))),
                    "min_in_A_plus": float(w.min()), "max_in_A_plus": float(w.max()),
                    "note": "weights at w_min = 0 are clipped counters (net LTD > w0_steps): a deviation "
                            "from Kanerva's unbounded bipolar counters that the abstract read ignores"},
        "synaptic_events_note": "includes r PF->PC synapse updates per CF event per Purkinje cell "
                                "(one on_post pass) besides spike deliveries",
        "calibration": rec.calibration,
    }
    data = {"addresses": addresses, "pointers": pointers, "queries": queries, "query_target": target,
            "query_distance": distance, "granule_active_write": active_write,
            "granule_active_read": active_read, "pc_rate_read": pc_rate_read,
            "pc_rate_baseline": pc_rate_baseline[:n_out], "pc_rate_reference": pc_rate_ref,
            "dcn_rate_read": dcn_rate_read, "coactivation": counts,
            "expected_active_write": exp_write, "expected_active_read": exp_read,
            "abstract_ratio": M.abstract_reads(counts, pointers)["ratio"],
            "theory_active_write": exp_write.astype(bool), "theory_active_read": exp_read.astype(bool),
            "bits_abstract_theory": finite_bits, "bits_spiking": spk_bits, "bits_spiking_dcn": dcn_bits_read,
            "dcn_count_bit": dcn_count_bit, "dcn_count_reference": dcn_count_ref,
            "critical_distance": np.array(critical, dtype=np.int64),
            "mf_background_hz": np.array(in_unit(config.mf_background, "Hz")),
            "mf_jitter_ms": np.array(in_unit(config.mf_jitter, "ms"))}
    if cp.mode == "dense":
        data["granule_addresses"] = rec.granule_addresses
        data["radius"] = np.array(cp.d)
    else:
        data["mf_to_grc"] = rec.mf_to_grc
        data["grc_contacts"] = rec.contacts
    data.update(raster(rec, sch))
    return to_jsonable(summary), data


def end_to_end(jaccard_write, jaccard_read, spiking_bits, theory_read: dict, query_distance,
               critical: int) -> dict:
    """The spiking circuit against the abstract SDM on the theory's hard locations.

    The theory's active sets come from the wiring and the decoder rule alone (Hamming ball or
    weighted selected coordinates with the threshold), never from recorded spikes, so this tests
    the granule decode and the PF→PC read together.

    Parameters
    ----------
    jaccard_write, jaccard_read : (m,), (q,) float
        Jaccard index of spiking vs theory active sets of every write and read window.
    spiking_bits : (q, n_out) uint8
        Purkinje read (:func:`cerebellum.sdm_metrics.bits_from_rates`).
    theory_read : dict
        :func:`cerebellum.sdm_metrics.abstract_reads` of the theory co-activation.
    query_distance : (q,) int
        Hamming distance (bits) of each query from its target address.
    critical : int
        Critical distance (bits): queries at most this far from their target are scored.

    Returns
    -------
    dict
        ``jaccard_mean`` (writes and reads pooled), ``critical_distance``, ``queries_within``,
        ``bit_agreement_within_critical`` (nan without such queries), ``bit_agreement_all`` and
        ``bit_ties_within_critical`` (theory ties ``e = 1/2``: there the spiking bit is a coin flip).
    """
    within = np.asarray(query_distance) <= critical
    bits = np.asarray(theory_read["bits"])
    agree = np.asarray(spiking_bits) == bits
    ties = np.isclose(theory_read["ratio"], 0.5)
    return {"jaccard_mean": float(np.concatenate([jaccard_write, jaccard_read]).mean()),
            "critical_distance": int(critical), "queries_within": int(within.sum()),
            "bit_agreement_within_critical": float(agree[within].mean()) if within.any() else float("nan"),
            "bit_agreement_all": float(agree.mean()),
            "bit_ties_within_critical": int(ties[within].sum())}


def raster(rec: Recording, sch: Schedule) -> dict:
    """Spikes of the first write and the first read window (granule cells: the first 400)."""
    wins = np.array([[sch.write_start[0], sch.write_start[0] + sch.period],
                     [sch.read_start[0], sch.read_start[0] + sch.period]])
    out = {"raster_windows": wins}
    pops = {"mf": (sch.mf_i, sch.mf_t), **{k: rec.spikes[k] for k in ("grc", "goc", "pc", "io", "dcn")}}
    for name, (i, t) in pops.items():
        sel = np.zeros(t.shape, bool)
        for a, b in wins:
            sel |= (t >= a) & (t < b)
        if name == "grc":
            sel &= i < RASTER_GRC
        out[f"raster_{name}_i"] = i[sel]
        out[f"raster_{name}_t"] = t[sel]
    return out
