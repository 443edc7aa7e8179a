"""Measures of the granular-layer time code (pure numpy).

A sustained conditioned stimulus (CS) should drive a granule-cell (GrC) population whose active set
changes with time since CS onset and repeats from trial to trial (the similarity and
reproducibility indices of Yamazaki & Tanaka 2007). Everything here works on spike times already
cut into trials:

* :func:`population_vectors` — spike counts per (trial, time bin, cell);
* :func:`similarity_matrix` — normalised inner product ``C(t1, t2)`` of population vectors;
  computed across two disjoint halves of the trials so that Poisson noise cannot fake a decay;
* :func:`similarity_vs_lag` — the mean of ``C(t, t + lag)`` over ``t``;
* :func:`reproducibility_index` — ``C(t, t)`` averaged over ``t`` (split halves agree?);
* :func:`single_trial_reproducibility` — each trial against the mean of all the others;
* :func:`active_fraction` — fraction of cells with at least one spike per bin and trial;
* :func:`time_code_summary` — the numbers a protocol reports.

Units: times and bins in seconds.
"""
from __future__ import annotations

import numpy as np

__all__ = ["population_vectors", "similarity_matrix", "similarity_vs_lag", "reproducibility_index",
           "single_trial_reproducibility", "active_fraction", "time_code_summary"]


def _check_positive(name, value):
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} = {value} is out of range: allowed {name} > 0")
    return value


def population_vectors(spike_i, spike_t, n_cells: int, trial_onsets, duration: float,
                       bin_width: float = 0.01) -> np.ndarray:
    """Spike counts in bins after each trial onset.

    Parameters
    ----------
    spike_i : int array (n_spikes,)
        Cell index of each spike, ``0 <= i < n_cells``.
    spike_t : float array (n_spikes,)
        Spike times (s).
    n_cells : int
        Population size.
    trial_onsets : float array (n_trials,)
        CS onset of each trial (s).
    duration : float
        Window after each onset (s); split into ``floor(duration / bin_width)`` bins.
    bin_width : float
        Bin width (s), default 10 ms.

    Returns
    -------
    numpy.ndarray, shape (n_trials, n_bins, n_cells), int32
    """
    spike_i = np.asarray(spike_i, dtype=np.int64)
    spike_t = np.asarray(spike_t, dtype=float)
    if spike_i.shape != spike_t.shape:
        raise ValueError(f"spike_i and spike_t must have the same shape (got {spike_i.shape}, {spike_t.shape})")
    n_cells = int(n_cells)
    if n_cells < 1:
        raise ValueError(f"n_cells = {n_cells} is out of range: allowed n_cells >= 1")
    if spike_i.size and (spike_i.min() < 0 or spike_i.max() >= n_cells):
        raise ValueError(f"spike_i has indices in [{spike_i.min()}, {spike_i.max()}]: allowed 0 <= i < {n_cells}")
    onsets = np.atleast_1d(np.asarray(trial_onsets, dtype=float))
    if onsets.ndim != 1 or onsets.size == 0:
        raise ValueError("trial_onsets must be a non-empty 1-D array of times (s)")
    duration = _check_positive("duration", duration)
    bin_width = _check_positive("bin_width", bin_width)
    n_bins = int(np.floor(duration / bin_width + 1e-9))
    if n_bins < 1:
        raise ValueError(f"duration = {duration} is out of range: allowed duration >= bin_width = {bin_width}")
    out = np.zeros((onsets.size, n_bins, n_cells), dtype=np.int32)
    order = np.argsort(spike_t, kind="stable")
    ts, iis = spike_t[order], spike_i[order]
    for k, t0 in enumerate(onsets):
        lo, hi = np.searchsorted(ts, [t0, t0 + n_bins * bin_width])
        b = np.floor((ts[lo:hi] - t0) / bin_width + 1e-9).astype(np.int64)
        keep = (b >= 0) & (b < n_bins)
        np.add.at(out[k], (b[keep], iis[lo:hi][keep]), 1)
    return out


def _halves(pv: np.ndarray):
    pv = np.asarray(pv, dtype=float)
    if pv.ndim != 3:
        raise ValueError(f"pv must have shape (trials, bins, cells); got {pv.shape}")
    if pv.shape[0] < 2:
        raise ValueError(f"pv has {pv.shape[0]} trial(s): allowed n_trials >= 2 (split halves)")
    # Interleaved halves (odd/even trials) so slow drifts affect both halves alike.
    return pv[0::2].mean(axis=0), pv[1::2].mean(axis=0)


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    na = np.linalg.norm(a, axis=1)
    nb = np.linalg.norm(b, axis=1)
    dots = a @ b.T
    denom = np.outer(na, nb)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(denom > 0, dots / np.where(denom > 0, denom, 1.0), np.nan)
    return c


def similarity_matrix(pv: np.ndarray) -> np.ndarray:
    """Similarity index ``C(t1, t2)`` between population vectors at two times.

    ``C(t1, t2) = <A(t1), B(t2)> / (|A(t1)| |B(t2)|)`` where ``A`` and ``B`` are the trial-averaged
    population vectors of the even and odd trials, symmetrised ``(C + C^T) / 2``. Using two disjoint
    halves keeps single-trial Poisson noise out of both the diagonal and the off-diagonal, so the
    fall-off with ``|t1 - t2|`` measures the time code, not noise. Bins where a half has no spike
    give ``nan``.

    Parameters
    ----------
    pv : array (n_trials >= 2, n_bins, n_cells)

    Returns
    -------
    numpy.ndarray (n_bins, n_bins), values in [0, 1] for non-negative counts
    """
    a, b = _halves(pv)
    c = _cosine(a, b)
    return 0.5 * (c + c.T)


def similarity_vs_lag(sim: np.ndarray, bin_width: float = 0.01):
    """Mean similarity ``C(t, t + lag)`` over ``t`` for every lag.

    Returns
    -------
    lags : numpy.ndarray (n_bins,), s
    mean : numpy.ndarray (n_bins,)
    """
    sim = np.asarray(sim, dtype=float)
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1]:
        raise ValueError(f"sim must be a square matrix; got shape {sim.shape}")
    bin_width = _check_positive("bin_width", bin_width)
    n = sim.shape[0]
    mean = np.array([np.nanmean(np.diagonal(sim, k)) if np.isfinite(np.diagonal(sim, k)).any() else np.nan
                     for k in range(n)])
    return np.arange(n) * bin_width, mean


def reproducibility_index(pv: np.ndarray) -> float:
    """Mean over bins of ``C(t, t)``: how well two disjoint halves of the trials agree."""
    return float(np.nanmean(np.diagonal(similarity_matrix(pv))))


def single_trial_reproducibility(pv: np.ndarray) -> float:
    """Mean over trials of the bin-averaged cosine between one trial and the mean of all others.

    Parameters
    ----------
    pv : array (n_trials >= 2, n_bins, n_cells)

    Returns
    -------
    float
        Bins where either vector is empty are left out; ``nan`` if no trial has such a bin.
    """
    pv = np.asarray(pv)
    if pv.ndim != 3 or pv.shape[0] < 2:
        raise ValueError(f"pv must have shape (trials >= 2, bins, cells); got {pv.shape}")
    m = pv.mean(axis=0)
    st = []
    for k in range(pv.shape[0]):
        other = (m * pv.shape[0] - pv[k]) / (pv.shape[0] - 1)
        a, b = pv[k].astype(float), other
        na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
        ok = (na > 0) & (nb > 0)
        st.append(np.mean((a * b).sum(1)[ok] / (na[ok] * nb[ok])) if ok.any() else np.nan)
    return float(np.nanmean(st))


def active_fraction(pv: np.ndarray) -> np.ndarray:
    """Fraction of cells with >= 1 spike in each (trial, bin); shape (n_trials, n_bins)."""
    pv = np.asarray(pv)
    if pv.ndim != 3:
        raise ValueError(f"pv must have shape (trials, bins, cells); got {pv.shape}")
    return (pv > 0).mean(axis=2)


def time_code_summary(pv: np.ndarray, bin_width: float = 0.01, lag: float = 0.2) -> dict:
    """Similarity at ``lag``, the similarity curve, reproducibility and active fractions.

    Parameters
    ----------
    pv : array (n_trials >= 2, n_bins, n_cells)
        Population vectors during the CS.
    bin_width : float
        Bin width of ``pv`` (s).
    lag : float
        Lag (s) at which the similarity is reported (``0 < lag < n_bins * bin_width``).

    Returns
    -------
    dict (JSON-ready)
        ``similarity_at_lag``, ``lag_s``, ``similarity_vs_lag`` (None where undefined),
        ``reproducibility_index``, and the trial-averaged fraction of active cells per bin:
        ``active_fraction_mean``, ``active_fraction_min``, ``active_fraction_max``.
    """
    bin_width = _check_positive("bin_width", bin_width)
    sim = similarity_matrix(pv)
    lags, mean = similarity_vs_lag(sim, bin_width)
    k = int(round(lag / bin_width))
    if not 0 < k < len(lags):
        raise ValueError(f"lag = {lag} is out of range: allowed 0 < lag < {len(lags) * bin_width} (window)")
    s_lag = float(mean[k])
    ri = float(np.nanmean(np.diagonal(sim)))
    frac = active_fraction(pv).mean(axis=0)
    return {
        "similarity_at_lag": s_lag,
        "lag_s": float(lags[k]),
        "similarity_vs_lag": [None if not np.isfinite(x) else float(x) for x in mean],
        "reproducibility_index": ri,
        "active_fraction_mean": float(frac.mean()),
        "active_fraction_min": float(frac.min()),
        "active_fraction_max": float(frac.max()),
    }
