"""Scoring of eyeblink conditioning from Purkinje and nuclear spike trains (pure numpy).

Rates are binned per trial relative to CS onset (:func:`core.spikes.binned_population_rate`) and
smoothed with a Gaussian; the motor output is the smoothed DCN rate minus its pre-CS baseline, the
eyelid read-out of cerebellar models of conditioning (Medina et al. 2000).
A trial has a **conditioned response (CR)** when the output crosses ``threshold`` (Hz above
baseline) before the US, not during the first ``exclusion`` after CS onset (no startle / alpha
response), and stays above threshold for at least ``min_fraction`` of the samples from the
crossing to the US. The **CR onset** is the first sample of the rise that stays above half the
threshold up to the crossing. The **Purkinje pause** time is the time of the minimum of the
trial-averaged, smoothed PC simple-spike rate during the CS (Jirenhed, Bengtsson & Hesslow 2007).

Units: seconds and hertz throughout.
"""
from __future__ import annotations

import numpy as np

__all__ = ["smooth", "score_crs", "block_percent", "trials_to_criterion", "pause_time",
           "fit_slope", "timed_response", "stable_after_criterion"]


def _positive(name, v):
    v = float(v)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} = {v} is out of range: allowed {name} > 0")
    return v


def smooth(rates, bin_width: float, sigma: float):
    """Gaussian smoothing along the last axis (``sigma`` in s; edges padded by reflection)."""
    rates = np.asarray(rates, dtype=float)
    bin_width = _positive("bin_width", bin_width)
    sigma = float(sigma)
    if sigma < 0 or not np.isfinite(sigma):
        raise ValueError(f"sigma = {sigma} is out of range: allowed sigma >= 0")
    if sigma == 0:
        return rates.copy()
    s = sigma / bin_width
    half = int(np.ceil(3 * s))
    k = np.exp(-0.5 * (np.arange(-half, half + 1) / s) ** 2)
    k /= k.sum()
    pad = [(0, 0)] * (rates.ndim - 1) + [(half, half)]
    padded = np.pad(rates, pad, mode="reflect" if rates.shape[-1] > half else "edge")
    out = np.apply_along_axis(lambda r: np.convolve(r, k, mode="valid"), -1, padded)
    return out


def score_crs(time, dcn_rate, isi, threshold: float = 15.0, exclusion: float = 0.1,
              min_fraction: float = 0.75, sigma: float = 0.02):
    """Conditioned responses per trial from the DCN rate.

    Parameters
    ----------
    time : array (n_bins,)
        Bin centres relative to CS onset (s); must include bins before 0 (baseline).
    dcn_rate : array (n_trials, n_bins)
        Mean DCN rate per trial (Hz).
    isi : float or array (n_trials,)
        CS→US interval (s) of each trial (also for CS-alone trials: the scoring window).
    threshold : float
        Hz above the pre-CS baseline.
    exclusion : float
        A crossing earlier than this after CS onset is not a CR (s); capped at ``isi / 2``.
    min_fraction : float in (0, 1]
        Fraction of samples from the crossing to the US that must stay above threshold.
    sigma : float
        Gaussian smoothing (s).

    Returns
    -------
    dict with ``cr`` (bool), ``onset`` (s after CS onset, nan without CR), ``crossing`` (s, nan),
    ``baseline`` (Hz), ``output`` (smoothed rate minus baseline, Hz)
    """
    time = np.asarray(time, dtype=float)
    rate = np.atleast_2d(np.asarray(dcn_rate, dtype=float))
    if rate.shape[1] != time.size:
        raise ValueError(f"dcn_rate has {rate.shape[1]} bins but time has {time.size}")
    if not (time < 0).any():
        raise ValueError("time must include bins before CS onset (time < 0) for the baseline")
    threshold = _positive("threshold", threshold)
    if not 0 < min_fraction <= 1:
        raise ValueError(f"min_fraction = {min_fraction} is out of range: allowed 0 < min_fraction <= 1")
    if exclusion < 0:
        raise ValueError(f"exclusion = {exclusion} is out of range: allowed exclusion >= 0")
    n = rate.shape[0]
    isi = np.broadcast_to(np.asarray(isi, dtype=float), (n,))
    if (isi <= 0).any():
        raise ValueError(f"isi must be > 0 s (got minimum {isi.min()})")
    bw = float(np.median(np.diff(time))) if time.size > 1 else 1.0
    sm = smooth(rate, bw, sigma)
    baseline = sm[:, time < 0].mean(axis=1)
    out = sm - baseline[:, None]
    cr = np.zeros(n, bool)
    onset = np.full(n, np.nan)
    crossing = np.full(n, np.nan)
    for k in range(n):
        win = np.nonzero((time >= 0) & (time < isi[k]))[0]
        above = out[k, win] > threshold
        if not above.any():
            continue
        c = int(np.argmax(above))
        crossing[k] = time[win[c]]
        if time[win[c]] < min(exclusion, isi[k] / 2):
            continue
        if above[c:].mean() < min_fraction:
            continue
        cr[k] = True
        # onset: start of the rise — the last sample before the crossing still below half the
        # threshold (a Gaussian-smoothed trace rises monotonically from far earlier, so the
        # a "monotonic rise" criterion would be set by the smoothing kernel, not by the response)
        b = win[c]
        while b > win[0] and out[k, b - 1] > 0.5 * threshold:
            b -= 1
        onset[k] = time[b]
    return {"cr": cr, "onset": onset, "crossing": crossing, "baseline": baseline, "output": out}


def block_percent(cr, phase, block: int = 10):
    """% CR per ``block`` consecutive trials inside each phase (in schedule order).

    Returns
    -------
    list of dict ``{"phase", "block", "first_trial", "n_trials", "percent_cr"}`` (trial indices 0-based)
    """
    cr = np.asarray(cr, dtype=bool)
    phase = np.asarray(phase)
    if cr.shape != phase.shape:
        raise ValueError(f"cr and phase must have the same shape (got {cr.shape}, {phase.shape})")
    if int(block) != block or block < 1:
        raise ValueError(f"block = {block} is out of range: allowed integer block >= 1")
    out = []
    k = 0
    while k < cr.size:
        label = phase[k]
        end = k
        while end < cr.size and phase[end] == label:
            end += 1
        for b, s in enumerate(range(k, end, block)):
            e = min(s + block, end)
            out.append({"phase": str(label), "block": b + 1, "first_trial": int(s), "n_trials": int(e - s),
                        "percent_cr": float(100.0 * cr[s:e].mean())})
        k = end
    return out


def trials_to_criterion(cr, criterion: float = 0.7, window: int = 10):
    """Trials until the CR rate over the last ``window`` trials first reaches ``criterion``.

    Returns the 1-based trial count (>= ``window``) or ``None`` if never reached.
    """
    cr = np.asarray(cr, dtype=float)
    if int(window) != window or window < 1:
        raise ValueError(f"window = {window} is out of range: allowed integer window >= 1")
    if not 0 < criterion <= 1:
        raise ValueError(f"criterion = {criterion} is out of range: allowed 0 < criterion <= 1")
    if cr.size < window:
        return None
    run = np.convolve(cr, np.ones(window), mode="valid") / window
    hit = np.nonzero(run >= criterion - 1e-12)[0]
    return int(hit[0] + window) if hit.size else None


def pause_time(time, pc_rate, t_stop: float, t_start: float = 0.0, sigma: float = 0.01):
    """Time (s after CS onset) of the minimum of the trial-averaged, smoothed PC rate.

    Parameters
    ----------
    time : array (n_bins,)
    pc_rate : array (n_trials, n_bins) or (n_bins,)
    t_start, t_stop : float
        Search window (s after CS onset), normally the CS.
    sigma : float
        Gaussian smoothing (s).

    Returns
    -------
    (t_min, rate_min, baseline) : floats (s, Hz, Hz); baseline = mean rate before CS onset
    """
    time = np.asarray(time, dtype=float)
    r = np.asarray(pc_rate, dtype=float)
    mean = r.mean(axis=0) if r.ndim == 2 else r
    if mean.size != time.size:
        raise ValueError(f"pc_rate has {mean.size} bins but time has {time.size}")
    if not t_stop > t_start:
        raise ValueError(f"t_stop = {t_stop} is out of range: allowed t_stop > t_start = {t_start}")
    bw = float(np.median(np.diff(time)))
    sm = smooth(mean, bw, sigma)
    win = np.nonzero((time >= t_start) & (time < t_stop))[0]
    if win.size == 0:
        raise ValueError(f"no bins in the pause window [{t_start}, {t_stop}) s")
    k = win[np.argmin(sm[win])]
    base = float(sm[time < 0].mean()) if (time < 0).any() else float("nan")
    return float(time[k]), float(sm[k]), base


def fit_slope(x, y):
    """Least-squares slope and intercept of ``y`` against ``x`` (>= 2 distinct x)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.size < 2 or np.unique(x).size < 2:
        raise ValueError("fit_slope needs x and y of equal length with >= 2 distinct x values")
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept)


def timed_response(time, pc_rate, dcn_rate, cs_duration: float, sigma: float = 0.02) -> dict:
    """Timing of the response on CS-alone probe trials: a timed pause, not a ramp.

    The trial-averaged rates are smoothed (Gaussian ``sigma``, s); within the probe CS, up to
    ``2 sigma`` before its offset (so the smoothing does not carry the rebound after CS offset
    into the window), ``[0, cs_duration - 2 sigma)``, the PC minimum and the DCN peak are located, and the PC recovery after the
    minimum is the rise from the minimum to the highest rate between the minimum and CS offset, as
    a fraction of the pause depth (pre-CS baseline minus minimum). A ramp that stops at CS offset
    has recovery ~0; a pause that ends before the CS does has recovery ~1.

    Parameters
    ----------
    time : array (n_bins,)
        Bin centres relative to CS onset (s), including pre-CS bins.
    pc_rate, dcn_rate : arrays (n_trials, n_bins) or (n_bins,)
        Purkinje / DCN rates (Hz) of probe trials.
    cs_duration : float
        Probe CS length (s).

    Returns
    -------
    dict
        ``pc_min_time``, ``pc_min_hz``, ``pc_baseline_hz``, ``pc_depth_hz``, ``pc_recovery_hz``,
        ``pc_recovery_fraction`` (nan when the depth is <= 0), ``dcn_peak_time``,
        ``dcn_peak_hz``, ``dcn_baseline_hz``.
    """
    time = np.asarray(time, dtype=float)
    cs_duration = _positive("cs_duration", cs_duration)
    bw = float(np.median(np.diff(time)))
    pc = np.asarray(pc_rate, dtype=float)
    dcn = np.asarray(dcn_rate, dtype=float)
    pc = smooth(pc.mean(axis=0) if pc.ndim == 2 else pc, bw, sigma)
    dcn = smooth(dcn.mean(axis=0) if dcn.ndim == 2 else dcn, bw, sigma)
    if pc.size != time.size or dcn.size != time.size:
        raise ValueError(f"rates must have {time.size} bins like time")
    win = np.nonzero((time >= 0) & (time < cs_duration - 2 * sigma))[0]
    pre = time < 0
    if win.size < 2 or not pre.any():
        raise ValueError("time must cover the pre-CS baseline and at least 2 bins of the probe CS")
    k = win[np.argmin(pc[win])]
    base = float(pc[pre].mean())
    depth = base - float(pc[k])
    after = win[win >= k]
    rec = float(pc[after].max() - pc[k])
    d = win[np.argmax(dcn[win])]
    return {"pc_min_time": float(time[k]), "pc_min_hz": float(pc[k]), "pc_baseline_hz": base,
            "pc_depth_hz": depth, "pc_recovery_hz": rec,
            "pc_recovery_fraction": rec / depth if depth > 0 else float("nan"),
            "dcn_peak_time": float(time[d]), "dcn_peak_hz": float(dcn[d]), "dcn_baseline_hz": float(dcn[pre].mean())}


def stable_after_criterion(cr, criterion_trial, block: int = 10) -> float | None:
    """Lowest % CR of the ``block``-trial blocks of the phase (aligned to its first trial) that start
    at or after the trial where the criterion was reached (``criterion_trial``, a 1-based count,
    i.e. 0-based index ``criterion_trial - 1``); None without criterion or without a later block
    (a last partial block counts when at least half a block long)."""
    if criterion_trial is None:
        return None
    cr = np.asarray(cr, dtype=float)
    out = []
    first = -(-(int(criterion_trial) - 1) // block) * block
    for s in range(first, cr.size, block):
        e = min(s + block, cr.size)
        if e - s >= max(1, block // 2):
            out.append(100.0 * cr[s:e].mean())
    return float(min(out)) if out else None
