"""Equivalence metrics between the spiking SDM circuit and the abstract SDM (numpy only).

Everything here works on recorded arrays (no Brian2), so tests can check the metrics without
simulating. Inputs follow the ``sdm-recall`` ``data.npz`` names: ``addresses`` (m, n),
``pointers`` (m, n_out), ``queries`` (q, n), ``query_distance`` (q,), ``query_target`` (q,),
``granule_active_write`` (m, r), ``granule_active_read`` (q, r), PC rates in Hz.

Functions
---------
``jaccard_rows(a, b)``
    Per-row Jaccard index of two boolean matrices (1 where both rows are empty).
``coactivation(active_write, active_read)``
    ``c[q, mu] = |active_read[q] ∩ active_write[mu]|`` (the recorded co-activation counts).
``coactivation_check(counts, dv, expected, r)``
    Mean co-activation per distance against theory with a binomial 3-sigma test.
``abstract_reads(counts, pointers)``
    Pattern-view read from co-activation counts: ratio ``e``, bipolar sum ``S``, bits.
``readout_metrics(rate_read, rate_ref, counts, pointers)``
    Pearson and bit agreement of the PC readout against the abstract read.
``attention_link(counts, dv, n, weights_fn, beta)``
    Normalised co-activation weights vs ``softmax(beta cos)`` and vs the abstract weights.
``recall_curve(bits, pointers, query_target, query_distance)``
    Fraction of correct bits per query distance.
``pearson(x, y)``
    Pearson correlation (nan when either side is constant; from :mod:`core.stats`).
``bits_from_rates(rate_read, rate_ref)``
    Spiking read: bit 1 where a bit's Purkinje cells fire less than the reference cells.
``curve_weights(curve, dv)``
    Abstract pattern weights from an intersection curve, normalised per query.
``nuclear_readout_metrics(dcn_bits, pc_bits, theory_bits, count_bit, count_ref, query_distance, critical)``
    Agreement of the deep-nuclear spike-count read with the Purkinje-rate read and with the
    abstract SDM on the theory's locations.
"""
from __future__ import annotations

import math

import numpy as np

from cerebellum import sdm
from core.softmax import softmax
from core.stats import pearson

__all__ = ["jaccard_rows", "coactivation", "coactivation_check", "abstract_reads", "readout_metrics",
           "attention_link", "recall_curve", "pearson", "bits_from_rates", "curve_weights", "nuclear_readout_metrics"]


def _bool2(name, x):
    a = np.asarray(x)
    if a.ndim != 2:
        raise ValueError(f"{name} has shape {a.shape}: must be 2-D")
    return a.astype(bool)


def jaccard_rows(a, b) -> np.ndarray:
    """Jaccard index ``|a ∩ b| / |a ∪ b|`` of each row pair (1.0 where both rows are empty)."""
    a, b = _bool2("a", a), _bool2("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape (got {a.shape} and {b.shape})")
    inter = np.sum(a & b, axis=1)
    union = np.sum(a | b, axis=1)
    return np.where(union > 0, inter / np.maximum(union, 1), 1.0)


def coactivation(active_write, active_read) -> np.ndarray:
    """Co-activation counts ``c[q, mu] = |active_read[q] ∩ active_write[mu]|`` (int64, (q, m))."""
    w, r = _bool2("active_write", active_write), _bool2("active_read", active_read)
    if w.shape[1] != r.shape[1]:
        raise ValueError(f"active_write and active_read must have the same number of cells "
                         f"(got {w.shape[1]} and {r.shape[1]})")
    return r.astype(np.int64) @ w.T.astype(np.int64)


def coactivation_check(counts, dv, expected, r: int, min_expected: float = 10.0,
                       min_fraction: float = 0.95) -> dict:
    """Compare co-activation counts with theory: binomial 3 sigma per pair and per distance.

    Each count ``|A(query) ∩ A(address)|`` is one Binomial(``r``, ``E/r``) draw, ``E`` the theory,
    ``sigma = sqrt(r (E/r)(1 - E/r))``. For every distance whose ``E >= min_expected``: the mean
    count over its pairs must lie within ``E ± 3 sigma``; over all tested pairs at least
    ``min_fraction`` of the counts must lie within ``E ± 3 sigma`` (≈ 99.7 % for a true binomial).
    The per-pair fraction is the binding test. The per-distance mean test above uses the
    single-count sigma, so it is ``sqrt(pairs)`` times looser than a test of the mean; the strict
    version (``z_iid = (mean - E) / (sigma / sqrt(pairs))``, exact for independent pairs — pairs that
    share a query or address are weakly correlated through shared hard locations) is reported as
    ``strict_mean_pass`` / ``max_abs_z_iid`` without gating ``pass``.

    Parameters
    ----------
    counts : (q, m) int
        Co-activation counts.
    dv : (q, m) int
        Hamming distance between query ``q`` and stored address ``mu``.
    expected : callable
        ``expected(dv_array) -> mean count`` (e.g. ``(r/2^n) I(n, d, dv)``).
    r : int
        Number of granule cells (binomial size).

    Returns
    -------
    dict
        ``rows`` (per distance: ``dv, pairs, mean, expected, sigma, z (mean in single-count sigmas),
        z_iid, tested, ok, ok_strict, frac_pairs_within_3sigma``), ``fraction_within_3sigma`` (tested
        pairs), ``n_tested``, ``max_abs_z``, ``pass``, ``max_abs_z_iid``, ``strict_mean_pass``.
    """
    counts = np.asarray(counts, dtype=float)
    dv = np.asarray(dv)
    if counts.shape != dv.shape:
        raise ValueError(f"counts and dv must have the same shape (got {counts.shape} and {dv.shape})")
    rows = []
    inside = total = 0
    for v in np.unique(dv):
        sel = counts[dv == v]
        e = float(expected(np.array([v]))[0])
        p = min(max(e / r, 0.0), 1.0)
        sigma = math.sqrt(r * p * (1 - p))
        mean = float(sel.mean())
        if sigma > 0:
            z = (mean - e) / sigma
            z_iid = z * math.sqrt(sel.size)
            within = np.abs(sel - e) <= 3 * sigma
        else:
            z = z_iid = 0.0 if mean == e else math.inf
            within = sel == e
        tested = e >= min_expected
        if tested:
            inside += int(within.sum())
            total += int(sel.size)
        rows.append({"dv": int(v), "pairs": int(sel.size), "mean": mean, "expected": e, "sigma": sigma,
                     "z": z, "z_iid": z_iid, "tested": bool(tested),
                     "ok": bool(abs(z) <= 3) if tested else None,
                     "ok_strict": bool(abs(z_iid) <= 3) if tested else None,
                     "frac_pairs_within_3sigma": float(within.mean())})
    tested = [row for row in rows if row["tested"]]
    frac = inside / total if total else float("nan")
    return {"rows": rows, "n_tested": len(tested), "tested_pairs": total, "fraction_within_3sigma": frac,
            "pass": bool(tested) and all(row["ok"] for row in tested) and frac >= min_fraction,
            "max_abs_z": max((abs(row["z"]) for row in tested), default=float("nan")),
            "max_abs_z_iid": max((abs(row["z_iid"]) for row in tested), default=float("nan")),
            "strict_mean_pass": bool(tested) and all(row["ok_strict"] for row in tested)}


def abstract_reads(counts, pointers) -> dict:
    """Pattern-view SDM read computed from co-activation counts.

    ``e[q, j] = sum_mu c[q, mu] p[mu, j] / sum_mu c[q, mu]`` (nan where the sum is 0),
    ``S[q, j] = sum_mu c[q, mu] (2 p[mu, j] - 1)`` (bipolar counter sum, what the PF→PC weights
    store with LTD:LTP = 2:1), ``bits = e > 1/2`` (0 where undefined), ``total = sum_mu c``.
    """
    c = np.asarray(counts, dtype=float)
    p = np.asarray(pointers, dtype=float)
    if c.ndim != 2 or p.ndim != 2 or c.shape[1] != p.shape[0]:
        raise ValueError(f"counts (q, m) and pointers (m, n_out) do not match: {c.shape} vs {p.shape}")
    total = c.sum(axis=1)
    num = c @ p
    with np.errstate(invalid="ignore", divide="ignore"):
        e = np.where(total[:, None] > 0, num / total[:, None], np.nan)
    bits = np.where(np.isfinite(e), e > 0.5, False)
    return {"ratio": e, "bipolar": 2 * num - total[:, None], "bits": bits.astype(np.uint8), "total": total}


def bits_from_rates(rate_read, rate_ref) -> np.ndarray:
    """Spiking read: bit ``j`` is 1 when PC ``j`` fires less than the unwritten reference PC."""
    rate_read = np.asarray(rate_read, dtype=float)
    rate_ref = np.asarray(rate_ref, dtype=float)
    if rate_ref.shape != rate_read.shape[:1]:
        raise ValueError(f"rate_ref has shape {rate_ref.shape}: must be ({rate_read.shape[0]},)")
    return (rate_read < rate_ref[:, None]).astype(np.uint8)


def readout_metrics(rate_read, rate_ref, counts, pointers, min_total: float = 1.0) -> dict:
    """PC readout against the pattern-view read computed from the recorded co-activation.

    The spiking readout of bit ``j`` for query ``q`` is the depression ``rate_ref[q] -
    rate_read[q, j]`` (Hz) of PC ``j`` relative to the unwritten reference PC on the same input.

    Returns
    -------
    dict
        ``pearson_bipolar``: Pearson(depression, bipolar sum ``S``) over all (q, j);
        ``pearson_ratio``: Pearson(depression / total, ratio ``e``) over queries with
        ``total >= min_total``; ``bit_agreement``: spiking bits vs ``e > 1/2`` on those queries;
        ``bit_agreement_all``: over all queries (undefined reads count as 0);
        ``bit_ties``: compared bits with an exact abstract tie (``S = 0``, ``e = 1/2``: the majority
        rule has no answer, the spiking bit is a coin flip) and ``bit_agreement_defined``: agreement
        on the other bits.
    """
    rate_read = np.asarray(rate_read, dtype=float)
    ab = abstract_reads(counts, pointers)
    if rate_read.shape != ab["ratio"].shape:
        raise ValueError(f"rate_read has shape {rate_read.shape}: must be {ab['ratio'].shape}")
    dep = np.asarray(rate_ref, dtype=float)[:, None] - rate_read
    bits = bits_from_rates(rate_read, rate_ref)
    ok = ab["total"] >= min_total
    out = {
        "pearson_bipolar": pearson(dep, ab["bipolar"]),
        "pearson_ratio": pearson(dep[ok] / ab["total"][ok, None], ab["ratio"][ok]) if ok.sum() > 1 else float("nan"),
        "bit_agreement": float(np.mean(bits[ok] == ab["bits"][ok])) if ok.any() else float("nan"),
        "bit_agreement_all": float(np.mean(bits == ab["bits"])),
        "queries_with_overlap": int(ok.sum()),
    }
    tie = np.isclose(ab["bipolar"], 0.0) & ok[:, None]
    defined = ok[:, None] & ~tie
    out["bit_ties"] = int(tie.sum())
    out["bit_agreement_defined"] = float(np.mean(bits[defined] == ab["bits"][defined])) if defined.any() \
        else float("nan")
    return out


def nuclear_readout_metrics(dcn_bits, pc_bits, theory_bits, count_bit, count_ref, query_distance,
                            critical: int) -> dict:
    """The deep-nuclear read against the Purkinje-rate read and the abstract SDM.

    Parameters
    ----------
    dcn_bits : (q, n_out) 0/1
        Read from nuclear spike counts (:func:`cerebellum.sdm_nuclei.dcn_bits`).
    pc_bits : (q, n_out) 0/1
        Purkinje-rate read (:func:`bits_from_rates`).
    theory_bits : (q, n_out) 0/1
        Abstract SDM read on the theory's hard locations.
    count_bit, count_ref : (q, n_out) int
        Spikes of each bit's nuclear bit and reference group in the read window.
    query_distance : (q,) int
        Hamming distance (bits) of each query from its target address.
    critical : int
        Critical distance (bits): queries at most this far are scored against the theory.

    Returns
    -------
    dict
        ``bit_agreement_with_pc_rates`` (all bits: isolates the nuclear stage),
        ``bit_agreement_with_abstract_theory_within_critical`` (nan without such queries),
        ``bit_agreement_with_abstract_theory_all``, ``queries_within``, ``count_ties`` (bits whose
        two groups fired equally often: read as 0) and ``count_difference_mean_abs`` (mean
        ``|count_bit - count_ref|``, spikes).
    """
    dcn = np.asarray(dcn_bits).astype(np.uint8)
    pc = np.asarray(pc_bits).astype(np.uint8)
    theory = np.asarray(theory_bits).astype(np.uint8)
    if not dcn.shape == pc.shape == theory.shape:
        raise ValueError(f"dcn_bits {dcn.shape}, pc_bits {pc.shape} and theory_bits {theory.shape} must have "
                         "the same shape")
    within = np.asarray(query_distance) <= critical
    agree = dcn == theory
    diff = np.asarray(count_bit, dtype=np.int64) - np.asarray(count_ref, dtype=np.int64)
    return {"bit_agreement_with_pc_rates": float(np.mean(dcn == pc)),
            "bit_agreement_with_abstract_theory_within_critical":
                float(agree[within].mean()) if within.any() else float("nan"),
            "bit_agreement_with_abstract_theory_all": float(agree.mean()),
            "queries_within": int(within.sum()),
            "count_ties": int(np.sum(diff == 0)),
            "count_difference_mean_abs": float(np.mean(np.abs(diff)))}


def curve_weights(curve, dv) -> np.ndarray:
    """Abstract pattern weights from an intersection curve: ``curve[dv]`` normalised over the stored
    patterns of each query (a query that overlaps no pattern gives nan).

    Parameters
    ----------
    curve : array_like, shape (n + 1,)
        Expected co-activation (any units) at every distance 0..n, e.g.
        :func:`cerebellum.sdm.weighted_coordinate_intersection` over ``np.arange(n + 1)``.
    dv : int array, shape (q, m)
        Query-to-pattern distances.
    """
    w = np.asarray(curve, dtype=float)[np.atleast_2d(np.asarray(dv))]
    with np.errstate(invalid="ignore"):
        return w / w.sum(axis=-1, keepdims=True)


def attention_link(counts, dv, n: int, abstract_weights, beta: float) -> dict:
    """Normalised co-activation weights against ``softmax(beta cos)`` and the abstract weights.

    Parameters
    ----------
    counts : (q, m)
        Recorded co-activation counts.
    dv : (q, m)
        Query-to-address distances.
    n : int
    abstract_weights : (q, m)
        Abstract normalised weights (``I/sum I`` or selected-coordinate weights).
    beta : float

    Returns
    -------
    dict
        Mean total-variation distances ``0.5 sum |w - w'|`` over queries with any co-activation:
        ``spiking_vs_softmax``, ``abstract_vs_softmax``, ``spiking_vs_abstract``, and ``beta``.
    """
    c = np.asarray(counts, dtype=float)
    tot = c.sum(axis=1)
    ok = tot > 0
    w_spk = c[ok] / tot[ok, None]
    cos = sdm.hamming_to_cosine(np.asarray(dv)[ok], n)
    w_soft = softmax(cos, beta, axis=-1)
    w_abs = np.asarray(abstract_weights, dtype=float)[ok]
    good = np.all(np.isfinite(w_abs), axis=1)

    def tv(a, b):
        return float(np.mean(0.5 * np.abs(a - b).sum(axis=1))) if len(a) else float("nan")

    return {"beta": float(beta), "queries": int(ok.sum()),
            "spiking_vs_softmax": tv(w_spk, w_soft),
            "abstract_vs_softmax": tv(w_abs[good], w_soft[good]),
            "spiking_vs_abstract": tv(w_spk[good], w_abs[good])}


def recall_curve(bits, pointers, query_target, query_distance) -> dict:
    """Fraction of correct bits (read vs the target's pointer) per query distance.

    Returns ``{"distance": [...], "fraction_correct": [...], "queries": [...]}``.
    """
    bits = np.asarray(bits)
    target = np.asarray(pointers)[np.asarray(query_target)]
    if bits.shape != target.shape:
        raise ValueError(f"bits has shape {bits.shape}: must be {target.shape}")
    correct = np.mean(bits == target, axis=1)
    dist = np.asarray(query_distance)
    ds = np.unique(dist)
    return {"distance": ds.tolist(), "fraction_correct": [float(correct[dist == v].mean()) for v in ds],
            "queries": [int(np.sum(dist == v)) for v in ds]}
