"""Physical units: checks on Brian2 quantities and exact text for them, with Brian2 imported late.

Parameters are declared with a unit *name* (``"ms"``, ``"nS"``, ``"pA"``, ...) so declarations and
the command line's name checks need no Brian2; the functions that build or inspect a quantity
import it when they are called.
"""
from __future__ import annotations

import math

from core.checks import check_real

#: SI base name and Brian2 unit names with their prefixes, for unit names the user may type.
_PREFIXES = {"": 1.0, "k": 1e3, "M": 1e6, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15}


def unit(name: str):
    """The Brian2 unit called ``name`` (``"ms"``, ``"nS"``, ``"Hz"``, ``"1"`` for dimensionless)."""
    import brian2.units as units

    if name in ("1", ""):
        return 1.0
    try:
        return getattr(units, name)
    except AttributeError:
        raise ValueError(f"unknown unit {name!r}") from None


def unit_names() -> frozenset[str]:
    """Names of every Brian2 unit and constant a ``--set`` value may use (Brian2 imported here)."""
    import brian2.units as units

    return frozenset(k for k, v in vars(units).items() if not k.startswith("_") and not callable(v))


def is_quantity(value) -> bool:
    """True for a Brian2 quantity that carries a physical dimension (checked without Brian2)."""
    return getattr(value, "is_dimensionless", True) is False


def in_unit(value, unit_name: str) -> float:
    """``value`` (a Brian2 quantity) as a float in ``unit_name``."""
    return float(value / unit(unit_name))


def check_quantity(name: str, value, unit_name, lo=None, hi=None, lo_open=False, hi_open=False):
    """Check that ``value`` has the dimensions of ``unit_name`` and lies in ``[lo, hi]``.

    Parameters
    ----------
    name : str
        Parameter name for the message.
    value : brian2.Quantity
    unit_name : str or brian2 unit
        Unit whose dimensions ``value`` must have; bounds are in this unit.
    lo, hi : float, Quantity or None
        Bounds (plain numbers are in ``unit_name``).

    Returns
    -------
    brian2.Quantity
        ``value`` unchanged.
    """
    from brian2 import Quantity, get_dimensions

    u = unit(unit_name) if isinstance(unit_name, str) else unit_name
    label = unit_name if isinstance(unit_name, str) else repr(unit_name)
    expected = get_dimensions(u)
    if not isinstance(value, Quantity) or get_dimensions(value) != expected:
        if expected.is_dimensionless:
            return check_real(name, value, lo, hi, lo_open, hi_open)
        raise TypeError(f"{name} = {short_repr(value)} must have units of {label} (e.g. 1*{label})")

    def bound(b):
        return None if b is None else (float(b / u) if isinstance(b, Quantity) else float(b))

    v = float(value / u)
    lo_v, hi_v = bound(lo), bound(hi)
    bad_lo = lo_v is not None and (v <= lo_v if lo_open else v < lo_v)
    bad_hi = hi_v is not None and (v >= hi_v if hi_open else v > hi_v)
    if not math.isfinite(v) or bad_lo or bad_hi:
        low = "" if lo_v is None else f"{lo_v:g} {label} {'<' if lo_open else '<='} "
        high = "" if hi_v is None else f" {'<' if hi_open else '<='} {hi_v:g} {label}"
        raise ValueError(f"{name} = {v:g} {label} is out of range: allowed {low}{name}{high}"
                         + ("" if low or high else " finite"))
    return value


def quantity_text(value, unit_name: str) -> str:
    """Text that parses back to exactly ``value``: ``"0.29*nS"``, or SI units where needed.

    ``x * unit`` with ``x = value / unit`` does not always give back the same float (two roundings),
    so the SI value is used whenever the declared unit would not round-trip.
    """
    from brian2 import Quantity, get_unit

    u = unit(unit_name)
    v = float(value / u)
    if float(Quantity(v) * u) == float(value):
        return f"{v!r}*{unit_name}"
    base = get_unit(value.dim)
    return f"{float(value)!r}*{base!r}"


def short_repr(value, limit: int = 60) -> str:
    """``repr`` cut to ``limit`` characters for messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_multiple_of_dt(name: str, value, dt) -> None:
    """Reject a time that is not a whole number of integration steps ``dt`` (read windows would drift).

    Parameters
    ----------
    name : str
        Parameter name for the message.
    value, dt : Quantity [time]
    """
    steps = in_unit(value, "ms") / in_unit(dt, "ms")
    if abs(steps - round(steps)) > 1e-6:
        raise ValueError(f"{name} = {in_unit(value, 'ms'):g} ms is not allowed: use a multiple of "
                         f"dt = {in_unit(dt, 'ms'):g} ms (the integration time step)")
