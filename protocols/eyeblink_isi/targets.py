"""What an ``eyeblink-isi`` run must show: the learned Purkinje pause follows the US when the CS–US
interval changes (Jirenhed & Hesslow 2011; Medina et al. 2000)."""
from __future__ import annotations

from core.targets import Target
from protocols.eyeblink.targets import PAUSE_TOLERANCE_S

__all__ = ["targets", "SLOPE_RANGE", "PAUSE_TOLERANCE_S"]

#: Slope of pause time against interval.
SLOPE_RANGE = (0.8, 1.2)


def targets(isis_ms, series: dict) -> dict[str, Target]:
    """Slope claim and one pause-at-the-US claim per interval (``isis_ms``, ms), from the measures of
    :func:`protocols.eyeblink_isi.analysis.pause_series`."""
    lo, hi = SLOPE_RANGE
    slope = series["slope"]
    out = {"isi_slope": Target(slope, lo=lo, hi=hi, description=f"pause-minimum time vs ISI slope within {lo}-{hi}",
                               passed=lo <= slope <= hi)}
    for v, p in zip(isis_ms, series["pause_time_s"]):
        isi = v / 1000.0
        out[f"pause_within_50ms_isi_{v:g}"] = Target(
            p, lo=isi - PAUSE_TOLERANCE_S, hi=isi + PAUSE_TOLERANCE_S, unit="s",
            description=f"|pause - {isi:g} s| <= {PAUSE_TOLERANCE_S} s", passed=abs(p - isi) <= PAUSE_TOLERANCE_S)
    return out
