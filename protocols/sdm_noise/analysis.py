"""Metrics of one ``sdm-noise`` condition, from the arrays of its ``sdm-recall`` run (numpy only).

Three numbers come from the spiking run as ``sdm-recall`` scores it: the Jaccard index of spiking vs
theory granule active sets (writes and reads pooled), the fraction of granule cells active in a read,
and the deep-nuclear read against the abstract SDM on the theory's hard locations, for queries within
the critical distance.

The reference curve is the abstract SDM under the same input noise (:func:`abstract_noisy_read`):
its address in every window is the set of mossy fibres that actually spiked within
``address_window`` of the volley onset (the jittered volley and any background spike), decoded by the
same rule as the theory sets — a granule cell is active iff the summed strength of its active inputs
reaches its threshold — and read by the same majority rule. Both agreements are measured against
the one noise-free abstract read (``bits_abstract_theory``), so the gap between the curves is what
the spiking implementation adds to what the noise itself costs an ideal decoder.
"""
from __future__ import annotations

import numpy as np

from cerebellum import sdm_metrics as M
from cerebellum.sdm_address_code import granule_fibres
from protocols.sdm_recall.design import VOLLEY_OFFSET

__all__ = ["ROW_KEYS", "delivered_fibres", "granule_decoder", "decode", "abstract_noisy_read", "condition_row"]

#: Per-condition arrays of ``data.npz`` (one row per condition), in the order they are written.
ROW_KEYS = ("background_hz", "jitter_ms", "mode", "jaccard", "active_fraction", "bit_agreement",
            "bit_agreement_abstract_noisy", "jaccard_abstract_noisy", "bit_agreement_pc_rates",
            "critical_distance", "queries_within", "simulated_time_s", "loop_time_s", "synaptic_events")


def delivered_fibres(mf_i, mf_t, onsets, half_width_s: float, n_fibres: int) -> np.ndarray:
    """Mossy fibres with at least one spike within ``half_width_s`` of each volley onset.

    Parameters
    ----------
    mf_i, mf_t : arrays
        Fibre index and time (s) of every mossy-fibre spike delivered (volleys and background).
    onsets : (w,) float
        Volley onsets (s).
    half_width_s : float
        Half-width of the window ``[onset - h, onset + h)`` (s).
    n_fibres : int

    Returns
    -------
    (w, n_fibres) bool
    """
    i = np.asarray(mf_i, np.int64)
    t = np.asarray(mf_t, float)
    onsets = np.asarray(onsets, float)
    out = np.zeros((onsets.size, n_fibres), bool)
    order = np.argsort(t, kind="stable")
    i, t = i[order], t[order]
    lo = np.searchsorted(t, onsets - half_width_s, side="left")
    hi = np.searchsorted(t, onsets + half_width_s, side="left")
    for k, (a, b) in enumerate(zip(lo, hi)):
        out[k, i[a:b]] = True
    return out


def granule_decoder(arrays: dict, mode: str, n: int, d: int | None = None, grc_theta: int | None = None):
    """The fibres, strengths and threshold of every granule cell's decoder, from the saved wiring.

    Dense: a cell listens to the ``n`` fibres of its address and fires with ``n - d`` or more of them
    (Hamming distance ``<= d``). Biological: ``K`` fibres with ``grc_contacts`` units each, threshold
    ``grc_theta``.

    Returns
    -------
    fibres : (r, k) int, strength : (r, k) int, threshold : int
    """
    if mode == "dense":
        g = np.asarray(arrays["granule_addresses"])
        fibres = granule_fibres(np.broadcast_to(np.arange(n), g.shape), g, n)
        return fibres, np.ones_like(fibres), int(n - d)
    return np.asarray(arrays["mf_to_grc"], np.int64), np.asarray(arrays["grc_contacts"], np.int64), int(grc_theta)


def decode(fibres_active, fibres, strength, threshold: int) -> np.ndarray:
    """Granule active sets: summed strength of the active inputs ``>= threshold``.

    Parameters
    ----------
    fibres_active : (w, n_fibres) bool
    fibres, strength : (r, k) int
    threshold : int

    Returns
    -------
    (w, r) bool
    """
    x = np.asarray(fibres_active, bool)
    return (x[:, fibres] * strength).sum(axis=-1) >= threshold


def abstract_noisy_read(arrays: dict, mode: str, n: int, half_width_s: float, d: int | None = None,
                        grc_theta: int | None = None) -> dict:
    """The abstract SDM whose addresses are the noisy mossy-fibre input of every window.

    Write ``mu`` stores pointer ``mu`` at the locations its delivered input activates; each read
    volley ``v`` of query ``q`` activates the locations of its own delivered input, and the read sums
    the co-activation over the query's volleys (as the Purkinje count runs over all of them):
    ``c[q, mu] = sum_v |R[q, v] & W[mu]|``, bits by the majority rule of
    :func:`cerebellum.sdm_metrics.abstract_reads`.

    Parameters
    ----------
    arrays : dict
        ``data.npz`` of an ``sdm-recall`` run: ``spikes_mf_i``, ``spikes_mf_t``, ``epochs_kind``,
        ``epochs_start_s``, ``epochs_pattern``, ``pointers``, ``queries``, ``theory_active_write``,
        ``theory_active_read`` and the decoder wiring (:func:`granule_decoder`).
    mode : {"dense", "biological"}
    n : int
        Address bits (``2 n`` fibres).
    half_width_s : float
        Address window half-width (s).
    d, grc_theta : int
        Dense radius / biological threshold.

    Returns
    -------
    dict
        ``bits`` (q, n_out) uint8, ``coactivation`` (q, m), ``active_write`` (m, r) and
        ``active_read`` (q * read_volleys, r) bool, ``jaccard`` (mean over write windows and read
        volleys of the noisy sets vs the theory sets).
    """
    kind = np.asarray(arrays["epochs_kind"]).astype(str)
    start = np.asarray(arrays["epochs_start_s"], float)
    pattern = np.asarray(arrays["epochs_pattern"], np.int64)
    fibres, strength, threshold = granule_decoder(arrays, mode, n, d, grc_theta)

    def sets(which):
        sel = kind == which
        x = delivered_fibres(arrays["spikes_mf_i"], arrays["spikes_mf_t"], start[sel] + VOLLEY_OFFSET, half_width_s,
                             2 * n)
        return decode(x, fibres, strength, threshold), pattern[sel]

    write, write_pattern = sets("write")
    read, read_pattern = sets("read")
    m = len(arrays["pointers"])
    q = len(arrays["queries"])
    active_write = np.zeros((m, write.shape[1]), bool)
    active_write[write_pattern] = write
    counts = np.zeros((q, m), np.int64)
    np.add.at(counts, read_pattern, read.astype(np.int64) @ active_write.T.astype(np.int64))
    jac = np.concatenate([M.jaccard_rows(active_write, arrays["theory_active_write"]),
                          M.jaccard_rows(read, np.asarray(arrays["theory_active_read"])[read_pattern])])
    return {"bits": M.abstract_reads(counts, arrays["pointers"])["bits"], "coactivation": counts,
            "active_write": active_write, "active_read": read, "jaccard": float(jac.mean())}


def condition_row(summary: dict, arrays: dict, mode: str, background_hz: float, jitter_ms: float,
                  half_width_s: float, n: int, d: int | None, grc_theta: int | None) -> dict:
    """One row of ``data.npz``: the condition and its metrics.

    Parameters
    ----------
    summary, arrays : dict
        ``summary.json`` and ``data.npz`` of the condition's ``sdm-recall`` run.
    mode, background_hz, jitter_ms
        The condition.
    half_width_s, n, d, grc_theta
        As in :func:`abstract_noisy_read`.
    """
    noisy = abstract_noisy_read(arrays, mode, n, half_width_s, d, grc_theta)
    within = np.asarray(arrays["query_distance"]) <= int(arrays["critical_distance"])
    theory = np.asarray(arrays["bits_abstract_theory"])
    agree_noisy = float(np.mean(noisy["bits"][within] == theory[within])) if within.any() else float("nan")
    return {"background_hz": float(background_hz), "jitter_ms": float(jitter_ms), "mode": mode,
            "jaccard": summary["end_to_end"]["jaccard_mean"],
            "active_fraction": summary["activity"]["grc_active_fraction_read_mean"],
            "bit_agreement": summary["dcn_readout"]["bit_agreement_with_abstract_theory_within_critical"],
            "bit_agreement_abstract_noisy": agree_noisy,
            "jaccard_abstract_noisy": noisy["jaccard"],
            "bit_agreement_pc_rates": summary["end_to_end"]["bit_agreement_within_critical"],
            "critical_distance": int(arrays["critical_distance"]), "queries_within": int(within.sum())}
