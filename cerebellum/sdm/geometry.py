"""Exact geometry of Hamming balls in ``{0,1}^n``: the counts that every SDM read is built from.

* :func:`ball_size` ``|O_n(d)| = sum_{k<=d} C(n, k)`` and :func:`space_fraction`
  ``p(d) = |O_n(d)| / 2^n``, the probability that a read or write activates a given random neuron
  (Kanerva 1988);
* :func:`circle_intersection` ``I(dv)``, the number of points within ``d`` of two centres ``dv``
  apart, by Kanerva's lune form (Kanerva 1988, appendix B), and :func:`expected_intersection`
  ``r I(dv) / 2^n``, the expected number of the ``r`` random neurons in it; exact integers, with log
  versions that never overflow;
* :func:`hamming_to_cosine` / :func:`cosine_to_hamming` / :func:`cosine_threshold`, the
  ``cos = 1 - 2 dv / n`` correspondence that links the binary SDM to attention (Bricken &
  Pehlevan 2021).

The exact integer tables are cached per ``n`` and per ``(n, d)`` (one cache each, shared by every
module of the package).  The argument checks used by the other modules of :mod:`cerebellum.sdm`
live here too, as this is the module they all import.

Sources
-------
* P. Kanerva, *Sparse Distributed Memory*, MIT Press 1988.
* T. Bricken & C. Pehlevan, "Attention Approximates Sparse Distributed Memory", NeurIPS 2021,
  arXiv:2111.05498; code ``TrentBrick/attention-approximates-sdm`` @ 4cb44d8
  (``SDM_Circ_Inter_Funcs.py``: ``expected_intersection_lune``, ``hamm_radius_to_space_frac``,
  ``space_frac_to_hamm_radius``, ``hamm_to_cosine``, ``cosine_to_hamm``).
"""
from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from core.checks import check_int, check_int_array, check_real

__all__ = [
    "ball_size",
    "space_fraction",
    "log_space_fraction",
    "radius_for_space_fraction",
    "circle_intersection",
    "log_circle_intersection",
    "expected_intersection",
    "log_expected_intersection",
    "hamming_to_cosine",
    "cosine_to_hamming",
    "cosine_threshold",
]

_LOG2 = math.log(2.0)


# ---------------------------------------------------------------------------------------------
# Small argument helpers
# ---------------------------------------------------------------------------------------------

def _check_n(n, lo=1):
    return check_int("n", n, lo=lo)


def _check_nd(n, d, n_lo=1):
    n = _check_n(n, n_lo)
    d = check_int("d", d, lo=0, hi=(n, f"n = {n}"))
    return n, d


def _check_r(r):
    """Neuron count: a positive real (Python ints of any size are allowed, e.g. ``2**64``)."""
    if isinstance(r, (bool, np.bool_)) or not isinstance(r, numbers.Real):
        raise TypeError(f"r = {r!r} must be a positive number (the number of neurons)")
    if isinstance(r, numbers.Integral):
        if r <= 0:
            raise ValueError(f"r = {r} is out of range: allowed r > 0")
        return math.log(int(r))
    v = float(r)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"r = {r!r} is out of range: allowed 0 < r < inf")
    return math.log(v)


def _is_scalar(x) -> bool:
    return np.ndim(x) == 0


# ---------------------------------------------------------------------------------------------
# Hamming-ball geometry (exact, cached)
# ---------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _ball_sizes(n: int) -> tuple[int, ...]:
    """Cumulative sums ``|O_n(d)| = sum_{k<=d} C(n, k)`` for d = 0..n (exact Python ints)."""
    out, acc = [], 0
    for k in range(n + 1):
        acc += math.comb(n, k)
        out.append(acc)
    return tuple(out)


@functools.lru_cache(maxsize=512)
def _intersection_table(n: int, d: int) -> tuple[int, ...]:
    """Exact ``I(dv)`` for dv = 0..n by Kanerva's lune form with a running lune sum.

    ``I(dv) = |O_n(d)| - sum_{j odd, j <= dv} C(j-1, (j-1)/2) C(n-j, d-(j-1)/2)`` (Kanerva 1988,
    appendix B; ``expected_intersection_lune`` in Bricken & Pehlevan's code).  Each term is
    computed once, so the whole table costs O(n) big-integer binomials.
    """
    ball = _ball_sizes(n)[d]
    table, lune = [], 0
    for dv in range(n + 1):
        if dv % 2 == 1:
            h = (dv - 1) // 2
            k = d - h
            if k >= 0:
                lune += math.comb(dv - 1, h) * math.comb(n - dv, k)
        table.append(ball - lune)
    return tuple(table)


@functools.lru_cache(maxsize=512)
def _log_intersection_table(n: int, d: int) -> np.ndarray:
    """``ln I(dv)`` for dv = 0..n (``-inf`` where the intersection is empty); read-only array."""
    arr = np.array([math.log(v) if v > 0 else -np.inf for v in _intersection_table(n, d)])
    arr.setflags(write=False)
    return arr


def ball_size(n, d) -> int:
    """Number of points of ``{0,1}^n`` within Hamming distance ``d`` of a point: ``sum_{k<=d} C(n,k)``.

    Parameters
    ----------
    n : int
        Dimension, ``n >= 1``.
    d : int
        Radius, ``0 <= d <= n``.

    Returns
    -------
    int
        The exact ball size ``|O_n(d)|`` (Kanerva 1988).
    """
    n, d = _check_nd(n, d)
    return _ball_sizes(n)[d]


def space_fraction(n, d):
    """Fraction of ``{0,1}^n`` within Hamming radius ``d``: ``p(d) = |O_n(d)| / 2^n``.

    Equals the binomial CDF ``P[Bin(n, 1/2) <= d]`` used by ``hamm_radius_to_space_frac`` in
    Bricken & Pehlevan's code; here it is an exact ratio of integers, correctly rounded to a float.
    It is the probability that a read or write activates a given random neuron.

    Parameters
    ----------
    n : int
        Dimension, ``n >= 1``.
    d : int or array_like of int
        Radius (or radii), ``0 <= d <= n``.

    Returns
    -------
    float or numpy.ndarray
        ``p(d)``, with the shape of ``d``.
    """
    n = _check_n(n)
    ds = check_int_array("d", d, lo=0, hi=(n, f"n = {n}"))
    sizes = _ball_sizes(n)
    total = 1 << n
    out = np.array([sizes[k] / total for k in ds.ravel()], dtype=float).reshape(ds.shape)
    return float(out) if _is_scalar(d) else out


def log_space_fraction(n, d):
    """Natural log of :func:`space_fraction` (finite for every ``n``, never underflows)."""
    n = _check_n(n)
    ds = check_int_array("d", d, lo=0, hi=(n, f"n = {n}"))
    sizes = _ball_sizes(n)
    out = np.array([math.log(sizes[k]) - n * _LOG2 for k in ds.ravel()]).reshape(ds.shape)
    return float(out) if _is_scalar(d) else out


def radius_for_space_fraction(n, p) -> int:
    """Smallest radius ``d`` whose ball covers at least the fraction ``p`` of ``{0,1}^n``.

    This is the binomial quantile ``int(scipy.stats.binom.ppf(p, n, 0.5))`` used by
    ``space_frac_to_hamm_radius`` in Bricken & Pehlevan's code, computed exactly.

    Parameters
    ----------
    n : int
        Dimension.
    p : float
        Target space fraction, ``0 < p <= 1``.

    Returns
    -------
    int
        ``min{d : p(d) >= p}``.
    """
    n = _check_n(n)
    p = check_real("p", p, lo=0.0, hi=1.0, lo_open=True)
    sizes = _ball_sizes(n)
    total = 1 << n
    lo, hi = 0, n  # p(n) = 1 >= p always
    while lo < hi:  # binary search on the exact, increasing p(d)
        mid = (lo + hi) // 2
        if sizes[mid] / total >= p:
            hi = mid
        else:
            lo = mid + 1
    return lo


def circle_intersection(n, d, dv):
    """Exact number of points of ``{0,1}^n`` within ``d`` of two centres ``dv`` apart.

    ``I(dv) = |O_n(d; a) ∩ O_n(d; b)|`` with ``H(a, b) = dv``, computed with Kanerva's lune form
    (Kanerva 1988 appendix B; Bricken & Pehlevan's ``expected_intersection_lune`` say it agrees
    with their double-sum form).  The whole table for ``dv = 0..n`` is built once per ``(n, d)``
    from exact integer binomials and cached, so ``n = 1000`` takes milliseconds.

    Properties: ``I(dv) > 0`` iff ``dv <= 2d``; ``I(2k-1) == I(2k)`` (the curve is a staircase of
    equal pairs); ``I(0) = |O_n(d)|``.

    Parameters
    ----------
    n : int
        Dimension, ``n >= 1``.
    d : int
        Radius, ``0 <= d <= n``.
    dv : int or array_like of int
        Distance(s) between the centres, ``0 <= dv <= n``.

    Returns
    -------
    int or numpy.ndarray
        A Python int for scalar ``dv``; otherwise an object array (same shape as ``dv``) of
        exact Python ints.

    Examples
    --------
    >>> list(circle_intersection(10, 3, range(11)))
    [176, 92, 92, 50, 50, 20, 20, 0, 0, 0, 0]
    """
    n, d = _check_nd(n, d)
    dvs = check_int_array("dv", dv, lo=0, hi=(n, f"n = {n}"))
    table = _intersection_table(n, d)
    if _is_scalar(dv):
        return table[int(dvs)]
    out = np.empty(dvs.shape, dtype=object)
    flat = out.reshape(-1)
    for i, k in enumerate(dvs.ravel()):
        flat[i] = table[k]
    return out


def log_circle_intersection(n, d, dv):
    """Natural log of :func:`circle_intersection` as floats (``-inf`` where it is empty)."""
    n, d = _check_nd(n, d)
    dvs = check_int_array("dv", dv, lo=0, hi=(n, f"n = {n}"))
    out = _log_intersection_table(n, d)[dvs]
    return float(out) if _is_scalar(dv) else out


def log_expected_intersection(n, d, dv, r):
    """Log of the expected number of neurons in the intersection: ``ln(r / 2^n * I(dv))``.

    Computed as ``ln r - n ln 2 + ln I(dv)`` so that ``n = 1000``, ``r = 10^6`` (where ``2^n`` and
    ``I`` overflow a float) is exact to rounding (Bricken & Pehlevan's code also works in log space).

    Parameters
    ----------
    n, d : int
        Dimension and radius.
    dv : int or array_like of int
        Distance(s) between pattern address and query.
    r : int or float
        Number of neurons (random hard locations), ``r > 0``; Python ints of any size (``2**64``)
        are accepted exactly.

    Returns
    -------
    float or numpy.ndarray
        ``-inf`` where ``I(dv) = 0``.
    """
    log_r = _check_r(r)
    logs = log_circle_intersection(n, d, dv)
    return logs + (log_r - int(n) * _LOG2)


def expected_intersection(n, d, dv, r):
    """Expected number of the ``r`` random neurons in the intersection, ``r / 2^n * I(dv)``.

    For integral ``r`` (``10**6``, ``1e6``, ``2**64``) this is the correctly rounded float of the
    exact rational ``r I / 2^n`` (so ``r = 2^n`` gives ``I(dv)`` exactly); otherwise it is the ``exp``
    of :func:`log_expected_intersection`.
    """
    log_r = _check_r(r)
    n, d = _check_nd(n, d)
    dvs = check_int_array("dv", dv, lo=0, hi=(n, f"n = {n}"))
    r_int = _integral_value(r)
    if r_int is None:
        out = np.exp(_log_intersection_table(n, d)[dvs] + (log_r - n * _LOG2))
    else:  # exact, correctly rounded ratio of Python ints
        table, total = _intersection_table(n, d), 1 << n
        vals = []
        for k in dvs.ravel():
            try:
                vals.append((r_int * table[k]) / total)
            except OverflowError:
                vals.append(np.inf)
        out = np.array(vals, dtype=float).reshape(dvs.shape)
    return float(out) if _is_scalar(dv) else out


def _integral_value(r):
    """``r`` as a Python int when it is integral (``2**64``, ``1e6``), else None."""
    if isinstance(r, numbers.Integral):
        return int(r)
    v = float(r)
    return int(v) if v.is_integer() else None


# ---------------------------------------------------------------------------------------------
# Hamming <-> cosine
# ---------------------------------------------------------------------------------------------

def hamming_to_cosine(dv, n):
    """Cosine similarity of two ``{0,1}^n`` vectors (as ±1 vectors) at Hamming distance ``dv``.

    ``cos = 1 - 2 dv / n`` (``hamm_to_cosine`` in Bricken & Pehlevan's code).

    Parameters
    ----------
    dv : float or array_like
        Hamming distance(s), ``0 <= dv <= n`` (need not be integers).
    n : int
        Dimension.

    Returns
    -------
    float or numpy.ndarray
    """
    n = _check_n(n)
    arr = np.asarray(dv, dtype=float) if not isinstance(dv, (bool, np.bool_)) else None
    if arr is None or np.asarray(dv).dtype.kind not in "iuf":
        raise TypeError(f"dv = {dv!r} must be a number or an array of numbers")
    if arr.size and (not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > n):
        bad = arr[~(np.isfinite(arr) & (arr >= 0) & (arr <= n))].ravel()[0].item()
        raise ValueError(f"dv = {bad} is out of range: allowed 0 <= dv <= n = {n}")
    out = 1.0 - 2.0 * arr / n
    return float(out) if _is_scalar(dv) else out


def cosine_to_hamming(c, n, tol=1e-9):
    """Hamming distance for a cosine similarity: ``floor(n (1 - c) / 2)``.

    **Flooring convention.** Bricken & Pehlevan's ``cosine_to_hamm`` floors ``n (1 - c) / 2``
    directly, so a cosine that is a hair *above* an exact grid value (floating-point error, e.g.
    ``1 - 2*3/10``) maps one bit too low, and an off-grid cosine is biased towards the query by up
    to one bit.  Here ``tol`` is added before flooring so that
    ``cosine_to_hamming(hamming_to_cosine(k, n), n) == k`` exactly; ``tol=0`` reproduces the
    authors' code bit for bit.  Their torch branch also nudges cosines in ``(1, 1 + 1e-4)`` down;
    here cosines within ``1e-9`` outside ``[-1, 1]`` are clipped and anything further is an error.

    Parameters
    ----------
    c : float or array_like
        Cosine similarity(ies) in ``[-1, 1]``.
    n : int
        Dimension.
    tol : float
        Non-negative tolerance added before flooring (default ``1e-9``).

    Returns
    -------
    int or numpy.ndarray of int64
    """
    n = _check_n(n)
    tol = check_real("tol", tol, lo=0.0, hi=0.5)
    if isinstance(c, (bool, np.bool_)) or np.asarray(c).dtype.kind not in "iuf":
        raise TypeError(f"c = {c!r} must be a number or an array of numbers")
    arr = np.asarray(c, dtype=float)
    slack = 1e-9
    if arr.size and (not np.all(np.isfinite(arr)) or arr.min() < -1 - slack or arr.max() > 1 + slack):
        bad = arr[~(np.isfinite(arr) & (arr >= -1 - slack) & (arr <= 1 + slack))].ravel()[0].item()
        raise ValueError(f"c = {bad} is out of range: allowed -1 <= c <= 1")
    arr = np.clip(arr, -1.0, 1.0)
    out = np.clip(np.floor(n * (1.0 - arr) / 2.0 + tol), 0, n).astype(np.int64)
    return int(out) if _is_scalar(c) else out


def cosine_threshold(n, d) -> float:
    """Cosine equivalent of a Hamming radius: a neuron is active iff ``cos >= 1 - 2d/n``."""
    n = _check_n(n)
    d = check_real("d", d, lo=0.0, hi=(n, f"n = {n}"))
    return 1.0 - 2.0 * d / n
