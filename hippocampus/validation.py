"""Argument checks that name the parameter, the value and the allowed range.

Every public function and parameter dataclass of the package validates through these helpers, so
users see one style of message, e.g. ``d = 70 is out of range: allowed 0 <= d <= n = 64``.
(`cerebellum.validation` is this module's twin: the two circuit packages may not import each
other, see DESIGN.md.)
"""
from __future__ import annotations

import numbers

import numpy as np
from brian2 import Quantity, get_dimensions
from brian2.units.fundamentalunits import DIMENSIONLESS


def _range_text(name, lo, hi):
    if lo is not None and hi is not None:
        return f"{lo} <= {name} <= {hi}"
    if lo is not None:
        return f"{name} >= {lo}"
    return f"{name} <= {hi}"


def check_int(name: str, value, lo=None, hi=None) -> int:
    """Return ``value`` as a Python int; raise if it is not an integer in ``[lo, hi]``.

    ``lo`` / ``hi`` may be ints or ``(bound, label)`` pairs, so messages can say ``d <= n = 64``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer() and not isinstance(value, bool):
            value = int(value)
        else:
            raise TypeError(f"{name} = {value!r} must be an integer")
    value = int(value)
    lo_v, lo_t = lo if isinstance(lo, tuple) else (lo, lo)
    hi_v, hi_t = hi if isinstance(hi, tuple) else (hi, hi)
    if (lo_v is not None and value < lo_v) or (hi_v is not None and value > hi_v):
        raise ValueError(f"{name} = {value} is out of range: allowed {_range_text(name, lo_t, hi_t)}")
    return value


def check_real(name: str, value, lo=None, hi=None, lo_open=False) -> float:
    """Return ``value`` as a float in ``[lo, hi]`` (``(lo, hi]`` when ``lo_open``)."""
    if isinstance(value, Quantity) and not value.is_dimensionless:
        raise TypeError(f"{name} = {value!r} must be a plain number, not a quantity with units")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} = {value!r} must be a real number")
    value = float(value)
    bad_lo = lo is not None and (value <= lo if lo_open else value < lo)
    if not np.isfinite(value) or bad_lo or (hi is not None and value > hi):
        low = "" if lo is None else f"{lo} {'<' if lo_open else '<='} "
        high = "" if hi is None else f" <= {hi}"
        raise ValueError(f"{name} = {value} is out of range: allowed {low}{name}{high}")
    return value


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


def check_choice(name: str, value, choices) -> str:
    """Check that ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} = {value!r} is not allowed: choose one of {', '.join(map(repr, choices))}")
    return value


def validate_dataclass(instance) -> None:
    """Run the checks stored in each field's ``metadata['check']`` (a callable of name, value)."""
    import dataclasses

    for f in dataclasses.fields(instance):
        check = f.metadata.get("check")
        if check is not None:
            check(f.name, getattr(instance, f.name))


def param(default, check=None):
    """A dataclass field for a parameter, usable with Brian2 quantities.

    Quantities are numpy arrays, which dataclasses refuse as plain defaults ("mutable default"),
    so the default is wrapped in a factory. ``check(name, value)`` is stored in the field metadata
    for :func:`validate_dataclass`.
    """
    import dataclasses

    return dataclasses.field(default_factory=lambda: default, metadata={} if check is None else {"check": check})
