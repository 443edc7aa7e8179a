"""Pause time per interval and its slope against the interval (numpy)."""
from __future__ import annotations

import numpy as np

from cerebellum.eyeblink_scoring import fit_slope, pause_time
from protocols.eyeblink.targets import BLOCK_TRIALS
from protocols.eyeblink_isi.schedule import phase_label

__all__ = ["pause_series"]


def pause_series(isis_ms, data: dict, us_duration: float) -> dict:
    """Purkinje pause of the last 10 trials of each series and the least-squares line through them.

    Parameters
    ----------
    isis_ms : sequence of float
        The intervals (ms), in schedule order.
    data : dict
        :func:`protocols.eyeblink.analysis.trial_data` arrays.
    us_duration : float
        US length (s); the pause is searched from CS onset to the end of the US.

    Returns
    -------
    dict
        ``isis_s``, ``pause_time_s`` (minimum of the mean smoothed PC rate, s after CS onset),
        ``pause_rate_min_hz``, ``pc_baseline_hz``, ``last_block_percent_cr``, ``slope`` and
        ``intercept_s`` of pause time against interval.
    """
    phase = data["trial_phase"]
    pauses, mins, bases, crs = [], [], [], []
    for v in isis_ms:
        idx = np.nonzero(phase == phase_label(v))[0][-BLOCK_TRIALS:]
        t_min, r_min, base = pause_time(data["time"], data["pc_rate"][idx], t_stop=v / 1000.0 + us_duration)
        pauses.append(t_min)
        mins.append(r_min)
        bases.append(base)
        crs.append(float(100 * data["cr"][idx].mean()))
    isis_s = np.asarray(isis_ms) / 1000.0
    slope, intercept = fit_slope(isis_s, pauses)
    return {"isis_s": isis_s.tolist(), "pause_time_s": pauses, "pause_rate_min_hz": mins, "pc_baseline_hz": bases,
            "last_block_percent_cr": crs, "slope": slope, "intercept_s": intercept}
