"""Argument checks that name the parameter, the value and the allowed range.

Every public function and parameter dataclass of the package validates through these helpers, so
users see one style of message, e.g. ``d = 70 is out of range: allowed 0 <= d <= n = 64``.
``check_int``, ``check_real`` and ``check_choice`` come from :mod:`cerebellum._checks`
(Brian2-free, so the abstract maths can use them too); only the unit-aware ``check_quantity`` and
the dataclass helper ``param`` is defined here.
(`hippocampus.validation` is this module's twin: the two circuit packages may not import each
other, see DESIGN.md.)
"""
from __future__ import annotations

import numpy as np
from brian2 import Quantity, get_dimensions
from brian2.units.fundamentalunits import DIMENSIONLESS

# The plain checks have one implementation, in the Brian2-free ._checks (re-exported here).
from core.checks import _range_text, check_choice, check_int, check_real  # noqa: F401


def check_quantity(name: str, value, unit, lo=None, hi=None, lo_open=False) -> Quantity:
    """Check that ``value`` has the dimensions of ``unit`` and lies in ``[lo, hi]`` (same unit)."""
    expected = get_dimensions(unit)
    if not isinstance(value, Quantity) or get_dimensions(value) != expected:
        if expected is DIMENSIONLESS:
            return check_real(name, value, lo, hi, lo_open)
        raise TypeError(f"{name} = {value!r} must have units of {unit!r} (e.g. {float(1)} * {unit!r})")
    v = float(value / unit)
    lo_v = None if lo is None else float(lo / unit)
    hi_v = None if hi is None else float(hi / unit)
    bad_lo = lo_v is not None and (v <= lo_v if lo_open else v < lo_v)
    if not np.isfinite(v) or bad_lo or (hi_v is not None and v > hi_v):
        low = "" if lo is None else f"{lo!r} {'<' if lo_open else '<='} "
        high = "" if hi is None else f" <= {hi!r}"
        raise ValueError(f"{name} = {value!r} is out of range: allowed {low}{name}{high}")
    return value


def param(default):
    """A dataclass field for a parameter, usable with Brian2 quantities.

    Quantities are numpy arrays, which dataclasses refuse as plain defaults ("mutable default"),
    so the default is wrapped in a factory.
    """
    import dataclasses

    return dataclasses.field(default_factory=lambda: default)
