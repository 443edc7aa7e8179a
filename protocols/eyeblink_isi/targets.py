"""What an ``eyeblink-isi`` run must show: on probe trials the learned Purkinje pause and the CR
peak follow the US when the CS–US interval changes, and the pause ends before CS offset
(Jirenhed & Hesslow 2011; Medina et al. 2000)."""
from __future__ import annotations

import numpy as np

from core.targets import Target
from protocols.eyeblink.targets import PAUSE_TOLERANCE_S, probe_targets

__all__ = ["targets", "SLOPE_RANGE", "PAUSE_TOLERANCE_S"]

#: Slope of the probe PC-minimum time against the interval.
SLOPE_RANGE = (0.8, 1.2)


def targets(isis_ms, series: dict) -> dict[str, Target]:
    """Slope claim and the probe-timing claims per interval (``isis_ms``, ms), from the measures of
    :func:`protocols.eyeblink_isi.analysis.pause_series`."""
    lo, hi = SLOPE_RANGE
    slope = series["slope"]
    out = {"isi_slope": Target(slope, lo=lo, hi=hi, description=f"probe PC-minimum time vs ISI slope within "
                               f"{lo}-{hi}", passed=bool(np.isfinite(slope)) and lo <= slope <= hi)}
    for v, p in zip(isis_ms, series["probe_timing"]):
        out.update(probe_targets(p, v / 1000.0, suffix=f"_isi_{v:g}"))
    return out
