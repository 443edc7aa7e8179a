"""Argument checks whose messages name the parameter, the value and the allowed range.

Every public function and parameter dataclass validates through these helpers, so users meet one
style of message, e.g. ``d = 70 is out of range: allowed 0 <= d <= n = 64``. Plain numbers and
arrays only: the unit-aware check is :func:`core.units.check_quantity`.
"""
from __future__ import annotations

import numbers
from collections.abc import Hashable

import numpy as np


def _bound(b):
    """Split a bound given as ``value`` or ``(value, label)``."""
    return b if isinstance(b, tuple) else (b, b)


def _range_text(name, lo, hi):
    if lo is not None and hi is not None:
        return f"{lo} <= {name} <= {hi}"
    if lo is not None:
        return f"{name} >= {lo}"
    return f"{name} <= {hi}"


def _show(value) -> str:
    """``repr`` of a value for messages; numpy scalars are shown as the Python number they hold."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def check_int(name: str, value, lo=None, hi=None) -> int:
    """Return ``value`` as a Python int, raising unless it is an integer in ``[lo, hi]``.

    Integral floats (``3.0``) are accepted; booleans, non-integral numbers and other types are not.
    ``lo`` / ``hi`` may be ints or ``(bound, label)`` pairs, so messages can say ``d <= n = 64``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} = {_show(value)} must be an integer")
    if not isinstance(value, numbers.Integral):
        if not (np.isfinite(float(value)) and float(value).is_integer()):
            raise TypeError(f"{name} = {_show(value)} must be an integer")
    value = int(value)
    lo_v, lo_t = _bound(lo)
    hi_v, hi_t = _bound(hi)
    if (lo_v is not None and value < lo_v) or (hi_v is not None and value > hi_v):
        raise ValueError(f"{name} = {value} is out of range: allowed {_range_text(name, lo_t, hi_t)}")
    return value


def check_real(name: str, value, lo=None, hi=None, lo_open=False, hi_open=False) -> float:
    """Return ``value`` as a finite float in ``[lo, hi]`` (open ends on request).

    Python ints too large for a float (e.g. ``2**2000``) are rejected as out of range.  A Brian2
    quantity with units is refused with a hint (recognised by its ``is_dimensionless`` attribute,
    so this module stays Brian2-free).  ``lo`` / ``hi`` may be ``(bound, label)`` pairs.
    """
    if getattr(value, "is_dimensionless", None) is False:
        raise TypeError(f"{name} = {value!r} must be a plain number, not a quantity with units")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} = {_show(value)} must be a real number")
    try:
        v = float(value)
    except OverflowError:
        v = float("inf")
    lo_v, lo_t = _bound(lo)
    hi_v, hi_t = _bound(hi)
    bad_lo = lo_v is not None and (v <= lo_v if lo_open else v < lo_v)
    bad_hi = hi_v is not None and (v >= hi_v if hi_open else v > hi_v)
    if not np.isfinite(v) or bad_lo or bad_hi:
        low = "" if lo_v is None else f"{lo_t} {'<' if lo_open else '<='} "
        high = "" if hi_v is None else f" {'<' if hi_open else '<='} {hi_t}"
        raise ValueError(f"{name} = {_show(value)} is out of range: allowed {low}{name}{high}"
                         + ("" if low or high else " finite"))
    return v


def check_choice(name: str, value, choices):
    """Check that ``value`` is one of ``choices`` (unhashable values such as arrays never are)."""
    if not isinstance(value, Hashable) or value not in choices:
        raise ValueError(f"{name} = {value!r} is not allowed: choose one of {', '.join(map(repr, choices))}")
    return value


def as_array(name, value, ndims=(1, 2), dtype=float, finite=True) -> np.ndarray:
    """Convert ``value`` to a non-empty array with ``ndim`` in ``ndims``; reject NaN/inf if ``finite``."""
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}: {exc}") from None
    if arr.ndim not in ndims:
        allowed = " or ".join(f"{d}-D" for d in ndims)
        raise ValueError(f"{name} has shape {arr.shape} ({arr.ndim}-D): allowed {allowed}")
    if arr.size == 0:
        raise ValueError(f"{name} has shape {arr.shape}: it must not be empty")
    if finite and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN/inf entries: allowed finite values only")
    return arr


def check_int_array(name: str, values, lo=None, hi=None) -> np.ndarray:
    """Return ``values`` as an int64 array whose entries are integers in ``[lo, hi]``.

    Accepts scalars, sequences and arrays of integers or integral floats.
    """
    arr = np.asarray(values)
    if arr.dtype == object:
        try:
            arr = np.asarray([check_int(name, v) for v in arr.ravel()], dtype=np.int64).reshape(arr.shape)
        except OverflowError:  # pragma: no cover - huge ints
            raise ValueError(f"{name} contains integers too large for int64") from None
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} = {_short(values)} must contain integers (got dtype {arr.dtype})")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            bad = arr[~(np.isfinite(arr) & (arr == np.round(arr)))].ravel()[0].item()
            raise TypeError(f"{name} must contain integers; found {bad!r}")
    arr = arr.astype(np.int64)
    lo_v, lo_t = _bound(lo)
    hi_v, hi_t = _bound(hi)
    if arr.size:
        if lo_v is not None and arr.min() < lo_v:
            raise ValueError(f"{name} = {int(arr.min())} is out of range: allowed {_range_text(name, lo_t, hi_t)}")
        if hi_v is not None and arr.max() > hi_v:
            raise ValueError(f"{name} = {int(arr.max())} is out of range: allowed {_range_text(name, lo_t, hi_t)}")
    return arr


def check_binary_array(name: str, values, n: int | None = None, ndim=(1, 2)) -> np.ndarray:
    """Return ``values`` as a uint8 array of 0/1 with last axis of length ``n``."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of 0/1 values (got dtype {arr.dtype})")
    if arr.ndim not in ndim:
        allowed = " or ".join(str(k) for k in ndim)
        raise ValueError(f"{name} has {arr.ndim} dimensions (shape {arr.shape}): allowed {allowed}")
    if n is not None and arr.shape[-1] != n:
        raise ValueError(f"{name} has length {arr.shape[-1]} along its last axis (shape {arr.shape}): "
                         f"must equal n = {n}")
    if arr.size and not np.all((arr == 0) | (arr == 1)):
        bad = arr[(arr != 0) & (arr != 1)].ravel()[0].item()
        raise ValueError(f"{name} contains {bad!r}: allowed values are 0 and 1")
    return arr.astype(np.uint8)


def check_rng(name: str, rng) -> np.random.Generator:
    """Accept a numpy Generator, an int seed or None."""
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)) and not isinstance(rng, bool):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(f"{name} = {rng!r} must be a numpy Generator, an int seed or None")


def _short(values, limit=60):
    text = repr(values)
    return text if len(text) <= limit else text[: limit - 3] + "..."
