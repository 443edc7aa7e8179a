"""Probe-trial timing per interval and its slope against the interval (numpy)."""
from __future__ import annotations

import numpy as np

from cerebellum.eyeblink_scoring import fit_slope
from protocols.eyeblink.analysis import probe_timing
from protocols.eyeblink.targets import BLOCK_TRIALS, TIMING_TRIALS
from protocols.eyeblink_isi.schedule import phase_label

__all__ = ["pause_series"]


def pause_series(isis_ms, data: dict) -> dict:
    """Probe timing of the last ``TIMING_TRIALS`` trials of each series and the line through the
    PC-minimum times.

    Parameters
    ----------
    isis_ms : sequence of float
        The intervals (ms), in schedule order.
    data : dict
        :func:`protocols.eyeblink.analysis.trial_data` arrays.

    Returns
    -------
    dict
        ``isis_s``, ``pause_time_s`` (PC minimum of the mean probe trace, s after CS onset; nan
        without probes), ``dcn_peak_time_s``, ``pc_recovery_fraction``, ``pause_rate_min_hz``,
        ``pc_baseline_hz``, ``last_block_percent_cr``, ``probe_timing`` (per interval),
        ``slope`` and ``intercept_s`` of the PC-minimum time against the interval.
    """
    phase = data["trial_phase"]
    out = {k: [] for k in ("pause_time_s", "dcn_peak_time_s", "pc_recovery_fraction", "pause_rate_min_hz",
                           "pc_baseline_hz", "last_block_percent_cr", "probe_timing")}
    for v in isis_ms:
        idx = np.nonzero(phase == phase_label(v))[0]
        p = probe_timing(data, idx[-TIMING_TRIALS:])
        nan = float("nan")
        out["probe_timing"].append(p)
        out["pause_time_s"].append(p["pc_min_time"] if p else nan)
        out["dcn_peak_time_s"].append(p["dcn_peak_time"] if p else nan)
        out["pc_recovery_fraction"].append(p["pc_recovery_fraction"] if p else nan)
        out["pause_rate_min_hz"].append(p["pc_min_hz"] if p else nan)
        out["pc_baseline_hz"].append(p["pc_baseline_hz"] if p else nan)
        out["last_block_percent_cr"].append(float(100 * data["cr"][idx[-BLOCK_TRIALS:]].mean()))
    isis_s = np.asarray(isis_ms) / 1000.0
    ok = np.isfinite(out["pause_time_s"])
    slope, intercept = fit_slope(isis_s[ok], np.asarray(out["pause_time_s"])[ok]) if ok.sum() >= 2 and \
        np.unique(isis_s[ok]).size >= 2 else (float("nan"), float("nan"))
    return {"isis_s": isis_s.tolist(), **out, "slope": slope, "intercept_s": intercept}
