"""Parameters of ``eyeblink-isi``: the shared conditioning parameters plus a series of CS–US intervals."""
from __future__ import annotations

from dataclasses import dataclass

from core.params import derived, param
from protocols.eyeblink.config import ConditioningConfig

__all__ = ["EyeblinkIsiConfig"]


@dataclass(frozen=True)
class EyeblinkIsiConfig(ConditioningConfig):
    """Independent acquisitions, one per CS–US interval, in one run.

    Parameters
    ----------
    dt, circuit, trial : see :class:`protocols.eyeblink.config.ConditioningConfig` (the same
        circuit and trial parameters as ``eyeblink``)
    acquisition : int
        Paired trials per interval (the pause is read from the last 10).
    isis : tuple of float
        CS–US intervals in ms (at least two distinct values, for a slope).

    Every trial lasts as long as a trial at the longest interval, so the series share one period.
    """

    acquisition: int = param(200, "paired trials per CS-US interval (the pause is read from the last 10)",
                             lo=10, hi=10_000)
    isis: tuple = param((150.0, 250.0, 400.0), "CS-US intervals of the series, in ms", lo=20, hi=1000)

    def __post_init__(self):
        super().__post_init__()
        if len(self.isis) < 2 or len(set(self.isis)) < 2:
            raise ValueError(f"isis = {self.isis!r} is out of range: give at least 2 distinct intervals (ms) "
                             "for a slope")

    @derived("trial.cs_onset", "trial.us_duration", "trial.probe_extension", "trial.probe_every",
             "trial.post_cs", "isis")
    def period(self) -> float:
        """trial length in s, cs_onset + max(isis) + max(us_duration, probe_extension if probes) + post_cs"""
        return self.trial.period_s(max(self.isis) / 1000.0)
