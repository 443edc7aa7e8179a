"""Targets: a measured value, the range it must fall in, and whether it does.

Every protocol reports its claims as :class:`Target` s under ``summary["targets"]`` and their
conjunction as ``summary["all_pass"]``, so a failed claim is visible, with its number, in the output.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Target", "targets_summary"]


@dataclass(frozen=True)
class Target:
    """One claim checked on a run.

    Parameters
    ----------
    value : number, dict or None
        What was measured (None when it could not be measured: the target fails).
    lo, hi : float or None
        Inclusive bounds on ``value`` (None: unbounded on that side).
    unit : str
        Unit of ``value`` and the bounds (``"s"``, ``"Hz"``, ``"%"``, ``""``).
    description : str
        The claim in words.
    passed : bool or None
        For claims that are not a range on one number (e.g. a test over many counts): the verdict,
        computed by the caller. None means: derived from ``value``, ``lo`` and ``hi``.
    details : dict
        Further numbers behind the verdict (shown, not used to decide).
    """

    value: Any
    lo: float | None = None
    hi: float | None = None
    unit: str = ""
    description: str = ""
    passed: bool | None = None
    details: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the claim holds."""
        if self.passed is not None:
            return bool(self.passed)
        try:
            v = float(self.value)
        except (TypeError, ValueError):
            return False
        if not math.isfinite(v):
            return False
        return (self.lo is None or v >= self.lo) and (self.hi is None or v <= self.hi)

    def to_json(self) -> dict:
        """``{"value", "lo", "hi", "unit", "description", "pass", ...details}``."""
        return {"value": self.value, "lo": self.lo, "hi": self.hi, "unit": self.unit,
                "description": self.description, "pass": self.ok, **self.details}


def targets_summary(targets: dict[str, Target]) -> dict:
    """``{"all_pass": bool, "targets": {name: json}}`` for a protocol's summary."""
    return {"all_pass": all(t.ok for t in targets.values()),
            "targets": {name: t.to_json() for name, t in targets.items()}}
