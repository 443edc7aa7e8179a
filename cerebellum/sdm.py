"""Abstract Kanerva Sparse Distributed Memory (SDM) and its softmax-attention approximation.

This module is the theory that the spiking cerebellum is checked against. It is plain
numpy/scipy (never Brian2, see DESIGN.md) so it imports and tests quickly.

Conventions
-----------
* Binary vectors live in ``{0,1}^n`` and are stored **one per row** (``addresses`` has shape
  ``(m, n)``); a query is ``(n,)`` or a batch ``(B, n)`` and outputs keep that batch axis.
* ``d`` is the Hamming radius of the read/write balls ``O_n(v) = {x : H(v, x) <= d}`` (inclusive,
  as in Kanerva 1988; note that ``sdmlib`` uses a strict ``<``).  ``dv`` is the Hamming distance
  between two ball centres (a pattern address and a query).
* ``r`` is the number of neurons ("hard locations"), ``m`` the number of stored patterns.
* Exact integer counts are Python ints; everything large is handled in log space.

Sources
-------
* P. Kanerva, *Sparse Distributed Memory*, MIT Press 1988 (ball sizes; the "lune" form of the
  circle intersection; SNR-optimal activation probability) and Kanerva 1993, "Sparse Distributed
  Memory and Related Models" (Jaeckel's selected-coordinate design, section 3.6).
* T. Bricken & C. Pehlevan, "Attention Approximates Sparse Distributed Memory", NeurIPS 2021,
  arXiv:2111.05498; code ``TrentBrick/attention-approximates-sdm`` @ 4cb44d8
  (``SDM_Circ_Inter_Funcs.py``: ``expected_intersection_lune``, ``fit_beta_regression``,
  ``cosine_to_hamm``, ``cap_intersection``; ``Optimal_d.ipynb``; ``Implementations_Associative_
  Memory.py``: ``update_Binary_Neuron_SDM``).  The three optimal radii for n = 64, r = 2^64,
  m = 1024 stated in the paper (section 2) are d*_SNR = 11, d*_Mem = 5, d*_CD = 15; this module
  recomputes all three (see :func:`optimal_radius`).
* T. Bricken et al., "Sparse Distributed Memory is a Continual Learner", ICLR 2023,
  arXiv:2303.11934; code ``TrentBrick/SDMContinualLearner`` @ 948cac1
  (``py_scripts/utils_SDM_to_Top_k.py``: ``compute_bitdist_critdist``, ``Crit_Dist_optimal``).
* S. Li, "Concise formulas for the area and volume of a hyperspherical cap", Asian J. Math. Stat.
  2011, and Y. Lee & W. C. Kim, "Concise formulas for the surface area of the intersection of two
  hyperspherical caps", KAIST tech. report 2014 (continuous cap intersection).
* Project notes: ``/work/shared/reference/sdm.md`` sections 1-5 (formulas and code quirks).
"""
from __future__ import annotations

import functools
import math
import numbers

import numpy as np
from scipy import integrate, special

from cerebellum._checks import (
    check_binary_array,
    check_choice,
    check_int,
    check_int_array,
    check_real,
    check_rng,
)

__all__ = [
    # geometry of the Hamming ball
    "ball_size",
    "space_fraction",
    "log_space_fraction",
    "radius_for_space_fraction",
    "circle_intersection",
    "log_circle_intersection",
    "expected_intersection",
    "log_expected_intersection",
    # Hamming <-> cosine and the beta fit
    "hamming_to_cosine",
    "cosine_to_hamming",
    "cosine_threshold",
    "softmax",
    "fit_log_linear",
    "fit_beta",
    "fit_beta_and_bias",
    "beta_exponential_approx",
    # optimal radii
    "read_update_distance",
    "critical_distance",
    "optimal_space_fraction",
    "optimal_radius",
    "OPTIMAL_RADIUS_CRITERIA",
    # binary SDM
    "hamming_distances",
    "BinarySDM",
    "intersection_weights",
    "pattern_weights",
    "pattern_view_ratio",
    "pattern_view_read",
    # Jaeckel selected-coordinate design
    "random_selected_coordinates",
    "selected_coordinate_activation",
    "selected_coordinate_intersection",
    "random_contacts",
    "weighted_coordinate_activation",
    "weighted_coordinate_intersection",
    "weighted_coordinate_fraction",
    # continuous SDM
    "cosine_activation",
    "cap_fraction",
    "log_cap_intersection",
    "cap_intersection",
]

OPTIMAL_RADIUS_CRITERIA = ("snr", "capacity", "critical_distance")
_FIT_CONVENTIONS = ("published", "lstsq")
_CD_CONVENTIONS = ("published", "strict")
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
# Hamming <-> cosine, softmax and the beta fit
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


def softmax(x, beta=1.0, axis=-1):
    """Numerically stable ``softmax(beta * x)`` along ``axis``.

    Shared semantics with :func:`hippocampus.attention.softmax` (the two circuit packages may not
    import each other, so each keeps its own copy): ``-inf`` scores are masked (weight exactly 0),
    NaN and ``+inf`` are rejected, a slice that is entirely ``-inf`` gives NaN weights, and the
    maximum is subtracted before exponentiating.  The one difference is the range of ``beta``:
    here ``beta >= 0`` rather than ``beta > 0``, because this softmax is compared against fitted
    betas (:func:`fit_beta`), and a fit over a flat window legitimately returns ``beta = 0`` (uniform
    weights over the unmasked entries; a masked entry stays at weight 0 even then, i.e.
    ``0 * -inf`` is treated as ``-inf``, not NaN).

    Parameters
    ----------
    x : array_like
        Scores (e.g. cosine similarities); finite or ``-inf``.
    beta : float
        Inverse temperature, finite and ``>= 0``.
    axis : int
        Axis to normalise over.
    """
    beta = check_real("beta", beta, lo=0.0)
    x = np.asarray(x, dtype=float)
    if np.any(np.isnan(x)) or np.any(x == np.inf):
        raise ValueError(f"x contains NaN or +inf (shape {x.shape}): allowed finite values or -inf")
    z = np.where(x == -np.inf, -np.inf, beta * np.where(x == -np.inf, 0.0, x))
    zmax = np.max(z, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore"):
        e = np.exp(z - zmax)
        return e / np.sum(e, axis=axis, keepdims=True)


def fit_log_linear(x, values, convention="published"):
    """Fit ``ln(values) ≈ beta * x + bias`` in closed form; zeros in ``values`` are dropped.

    ``convention="published"`` reproduces ``fit_beta_regression`` of Bricken & Pehlevan exactly:
    ``beta = np.cov(x, y)[0][1] / np.var(x)``.  Because ``np.cov`` uses ``ddof=1`` and ``np.var``
    ``ddof=0``, that beta is ``N/(N-1)`` times the ordinary least-squares slope (N = number of
    fitted points); the published betas (e.g. 15.853 for n = 64, d = 11) include this factor.
    ``convention="lstsq"`` returns the plain OLS slope.  In both cases
    ``bias = mean(y) - beta * mean(x)`` (as in the authors' code).

    Parameters
    ----------
    x : array_like
        Abscissae (cosine similarities), 1-D.
    values : array_like
        Non-negative values of the same length (intersection sizes or normalised weights).
    convention : {"published", "lstsq"}

    Returns
    -------
    (float, float)
        ``(beta, bias)``.
    """
    check_choice("convention", convention, _FIT_CONVENTIONS)
    x = np.asarray(x, dtype=float)
    values = np.asarray(values, dtype=float)
    if x.ndim != 1 or values.shape != x.shape:
        raise ValueError(f"x and values must be 1-D arrays of equal length (got shapes {x.shape} "
                         f"and {values.shape})")
    if not np.all(np.isfinite(x)) or np.any(np.isnan(values)) or np.any(values < 0):
        raise ValueError("x must be finite and values must be non-negative numbers")
    keep = values > 0
    x, y = x[keep], np.log(values[keep])
    if x.size < 2 or np.ptp(x) == 0:
        raise ValueError(f"need at least 2 distinct x with values > 0 to fit a slope (got {x.size})")
    return _slope(x, y, convention)


def _slope(x, y, convention):
    """The one beta estimator: ``(beta, bias)`` of ``y ≈ beta x + bias`` (x, y finite 1-D).

    ``"published"``: ``np.cov(x, y)[0][1] / np.var(x)`` (Bricken & Pehlevan's ``fit_beta_regression``,
    ``N/(N-1)`` times OLS); ``"lstsq"``: the OLS slope.  ``bias = mean(y) - beta mean(x)``.
    """
    if convention == "published":
        beta = float(np.cov(x, y)[0][1] / np.var(x))
    else:
        xc = x - x.mean()
        beta = float(np.dot(xc, y - y.mean()) / np.dot(xc, xc))
    return beta, float(np.mean(y) - beta * np.mean(x))


def fit_beta_and_bias(n, d, convention="published", window=None, r=None):
    """Softmax inverse temperature ``beta`` (and bias) that best matches the circle intersection.

    Fits ``ln I(dv) ≈ beta * cos(dv) + bias`` with ``cos = 1 - 2 dv/n`` over the window
    ``dv = 0..d-1`` (the window of Bricken & Pehlevan's ``fit_beta`` and of their 2x2
    intersection-vs-softmax figure; their beta–d–p figure fits ``dv = 1..d``, pass
    ``window=range(1, d + 1)`` for it).  The neuron count ``r`` only shifts the bias.

    Parameters
    ----------
    n : int
        Dimension.
    d : int
        Radius, ``2 <= d <= n`` for the default window (at least two points are needed).
    convention : {"published", "lstsq"}
        See :func:`fit_log_linear`: ``"published"`` keeps the authors' ``N/(N-1)`` factor.
    window : array_like of int, optional
        The distances ``dv`` to fit over (default ``range(d)``).
    r : int or float, optional
        Neuron count; when given the bias is for ``ln(r/2^n I)`` instead of ``ln I``.

    Returns
    -------
    (float, float)
        ``(beta, bias)``.  ``fit_beta_and_bias(64, 11)[0]`` is 15.853 (published convention).
    """
    n, d = _check_nd(n, d)
    check_choice("convention", convention, _FIT_CONVENTIONS)
    if window is None:
        if d < 2:
            raise ValueError(f"d = {d} is out of range: allowed 2 <= d <= n = {n} "
                             f"(the default fit window dv = 0..d-1 needs two points)")
        window = np.arange(d)
    dvs = check_int_array("window", window, lo=0, hi=(n, f"n = {n}")).ravel()
    logs = _log_intersection_table(n, d)[dvs]
    keep = np.isfinite(logs)
    x = 1.0 - 2.0 * dvs[keep] / n
    if x.size < 2 or np.ptp(x) == 0:
        raise ValueError(f"window has {x.size} distinct distance(s) with I(dv) > 0: need at least 2 "
                         f"(I(dv) > 0 only for dv <= 2d = {2 * d})")
    # fit_log_linear on exp(logs) would overflow for n > ~1000: apply the same estimator to logs.
    beta, bias = _slope(x, logs[keep], convention)
    if r is not None:
        bias += _check_r(r) - n * _LOG2
    return beta, bias


def fit_beta(n, d, convention="published", window=None) -> float:
    """Fitted softmax ``beta`` for an SDM of dimension ``n`` and radius ``d``.

    Shorthand for ``fit_beta_and_bias(n, d, convention, window)[0]``; see
    :func:`fit_beta_and_bias`.  Regression anchor: ``fit_beta(64, 11) == 15.853`` (to 3 decimals,
    the value in the title of Bricken & Pehlevan's intersection-vs-softmax figure).
    """
    return fit_beta_and_bias(n, d, convention=convention, window=window)[0]


def beta_exponential_approx(n, d) -> float:
    """Analytic beta from the largest term of the intersection sum: ``(n - 2d)^2 / (4n)``.

    From the exponential bound in Bricken & Pehlevan's ``Exp_Approx_Circle_Intersect.ipynb``
    (sdm.md section 2); it underestimates the fitted beta by a factor of about 2-3.
    """
    n, d = _check_nd(n, d)
    return (n - 2 * d) ** 2 / (4.0 * n)


# ---------------------------------------------------------------------------------------------
# The three optimal radii (Bricken & Pehlevan 2021 appendix B.5; Kanerva 1988)
# ---------------------------------------------------------------------------------------------

def _check_m(m):
    return check_int("m", m, lo=1)


def read_update_distance(n, d, r, m, dv=None):
    """Expected Hamming distance to the target after one SDM read, from distance ``dv``.

    Signal ``S(dv) = r/2^n I(dv)`` (neurons shared by query and target); each of the other
    ``m - 1`` random patterns shares ``I_rand = r/2^n I(n//2)`` neurons, giving the noise
    ``sigma = sqrt(S + (m-1)(I_rand + I_rand^2))``; the fraction of correct bits is
    ``Phi(S / sigma)`` and the new distance ``n (1 - Phi(S / sigma))``
    (``compute_bitdist_critdist`` in Bricken et al.'s ``utils_SDM_to_Top_k.py``, after Kanerva 1988).

    Where ``S = 0`` and ``sigma = 0`` (no neuron shared with the target and ``I_rand = 0``) the
    read is undefined and ``nan`` is returned (the authors' code gives ``nan`` there too).

    Parameters
    ----------
    n, d : int
        Dimension and radius.
    r : int or float
        Number of neurons.
    m : int
        Number of stored patterns, ``m >= 1``.
    dv : array_like of int, optional
        Starting distances; default ``0..n//2``.

    Returns
    -------
    numpy.ndarray
        New expected distances (floats), same shape as ``dv``.
    """
    n, d = _check_nd(n, d)
    m = _check_m(m)
    if dv is None:
        dv = np.arange(n // 2 + 1)
    dvs = check_int_array("dv", dv, lo=0, hi=(n, f"n = {n}"))
    signal = np.atleast_1d(expected_intersection(n, d, dvs, r)).reshape(dvs.shape)
    i_rand = expected_intersection(n, d, n // 2, r)
    sigma = np.sqrt(signal + (m - 1) * (i_rand + i_rand ** 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        snr = signal / sigma
    return n * (1.0 - special.ndtr(snr))


def critical_distance(n, d, r, m, convention="published") -> int:
    """Critical distance: the largest query noise (bits) from which a read still moves closer.

    The one-step map ``f(dv)`` is :func:`read_update_distance` on ``dv = 0..n//2``.

    ``convention="published"`` reproduces ``compute_bitdist_critdist`` (Bricken et al.,
    ``utils_SDM_to_Top_k.py``; drang_interval = 1) exactly, quirks included: the first five
    distances are skipped, the answer is the last distance before the first ``dv >= 5`` with
    ``f(dv) > dv``; when every defined step converges it is the first ``dv`` where ``f`` is ``nan``
    (no signal, no noise), or ``n//2``; and it is reset to 0 if ``f`` is already diverging at half
    that distance.  Requires ``n >= 12``.

    ``convention="strict"`` is the plain definition: the largest ``dv`` such that
    ``f(k) < k`` for every ``1 <= k <= dv``, counting an undefined read (``nan``) as a failure.
    It is at most one bit below the published value.

    **Pitfall (I_rand = 0).** Random patterns add noise only through ``I_rand = I(n//2)``, which is
    exactly 0 whenever ``2d < n//2`` (two balls whose centres are ``n/2`` apart cannot meet).  Then
    ``sigma = sqrt(S)`` and every read with ``S > 0`` converges regardless of ``m``, so for small
    ``d`` the critical distance is simply ``~2d`` (the support of ``I``) and the argmax over ``d``
    (:func:`optimal_radius`) lands on the largest radius with ``I_rand = 0``: ``d = 15`` for
    ``n = 64`` (``2d = 30 < 32``).  The paper's d*_CD = 15 is thus set by this discrete noise
    model, not by a smooth trade-off; with finite ``r`` the Poisson spread of ``I_rand`` would
    matter.

    Parameters
    ----------
    n, d : int
        Dimension and radius.
    r : int or float
        Number of neurons.
    m : int
        Number of stored patterns.
    convention : {"published", "strict"}

    Returns
    -------
    int
    """
    check_choice("convention", convention, _CD_CONVENTIONS)
    n = _check_n(n, lo=12 if convention == "published" else 2)
    f = read_update_distance(n, d, r, m)
    dvals = np.arange(n // 2 + 1)
    if convention == "strict":
        moves_closer = np.where(np.isnan(f), False, f < dvals)
        fails = np.flatnonzero(~moves_closer[1:])
        return int(dvals[-1]) if fails.size == 0 else int(fails[0])
    npp = f - dvals
    defined = ~np.isnan(npp)
    if np.all(npp[defined] < 0.01):
        crit = int(dvals[defined.sum()]) if (~defined).sum() > 1 else int(dvals[-1])
    else:
        crit = int(dvals[np.argmax(npp[5:] > 0) + 5 - 1])
    check = crit // 2
    if f[check] > dvals[check]:
        crit = 0
    return crit


def _capacity_optimal_log_p(r_log: float, z: float) -> float:
    """``ln p`` of the positive root of ``2 r^2 p^3 - 3 r z^2 p^2 - z^2 = 0`` (stationary point of m(p)).

    Solved for ``q = p r``: ``q^2 (2 q - 3 z^2) = z^2 r`` has exactly one positive root, and it lies
    in ``[max(a, 1.5 z^2), a + 1.5 z^2]`` with ``a = (z^2 r / 2)^(1/3)``.  Everything is done in log
    scale, ``u = ln q``: ``phi(u) = 2u + u + ln(2 - 3 z^2 e^-u) - ln(z^2) - ln r = 0`` (increasing in
    u), so neither the ``r^8`` of the closed form in ``Optimal_d.ipynb`` (``memory_derivative``) nor
    ``r`` itself is ever formed and any ``r`` works (e.g. ``2**2000``, where ``p`` underflows).
    """
    c = 1.5 * z * z
    log_z2 = math.log(z * z)
    log_a = (log_z2 - _LOG2 + r_log) / 3.0

    def phi(u):
        t = 2.0 - 2.0 * c * math.exp(-u)
        return -math.inf if t <= 0 else 3.0 * u + math.log(t) - log_z2 - r_log

    lo = max(log_a, math.log(c))
    hi = float(np.logaddexp(log_a, math.log(c)))  # ln(a + c) >= lo
    # bisection on the exact bracket (its width is at most ln 2): ~60 halvings reach full precision
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if phi(mid) < 0:
            lo = mid
        else:
            hi = mid
    return hi - r_log


def _capacity_optimal_p(r_log: float, z: float) -> float:
    """``exp`` of :func:`_capacity_optimal_log_p` (underflows to 0 for astronomically large r)."""
    return math.exp(_capacity_optimal_log_p(r_log, z))


def optimal_space_fraction(n, r, m, criterion, *, p_retrieve=0.5, convention="published",
                           radii=None) -> float:
    """Optimal activation probability ``p*`` for one of the three criteria.

    * ``"snr"`` (Kanerva 1988): maximise ``rho^2(p) = p r / (1 + p m + p^3 m r)``;
      ``p* = (2 m r)^(-1/3)``.
    * ``"capacity"``: maximise the number of patterns storable with per-bit SNR ``z``,
      ``m(p) = [(p r)^2 / z^2 - p r] / [p^2 r + (p^2 r)^2]``, with ``z = Phi^-1(p_retrieve^(1/n))``
      (a whole n-bit pattern is retrieved with probability ``p_retrieve``; ``Optimal_d.ipynb``).
      Independent of ``m``.
    * ``"critical_distance"``: ``p(d*)`` for the ``d*`` of :func:`optimal_radius`.

    Parameters
    ----------
    n : int
        Dimension.
    r : int or float
        Number of neurons.
    m : int
        Number of stored patterns.
    criterion : {"snr", "capacity", "critical_distance"}
    p_retrieve : float
        Whole-pattern retrieval probability for ``"capacity"``, ``0 < p_retrieve < 1``.
    convention, radii
        Passed on for ``"critical_distance"`` (see :func:`optimal_radius`).

    Returns
    -------
    float
    """
    check_choice("criterion", criterion, OPTIMAL_RADIUS_CRITERIA)
    n = _check_n(n)
    r_log = _check_r(r)
    m = _check_m(m)
    if criterion in ("snr", "capacity"):
        return math.exp(_optimal_log_space_fraction(n, r_log, m, criterion, p_retrieve))
    d = optimal_radius(n, r, m, "critical_distance", convention=convention, radii=radii)
    return space_fraction(n, d)


def _optimal_log_space_fraction(n, r_log, m, criterion, p_retrieve) -> float:
    """``ln p*`` for ``"snr"`` / ``"capacity"`` (finite for any r; ``p*`` itself may underflow)."""
    if criterion == "snr":
        return -(math.log(2 * m) + r_log) / 3.0
    p_retrieve = check_real("p_retrieve", p_retrieve, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    z = float(special.ndtri(p_retrieve ** (1.0 / n)))
    return min(0.0, _capacity_optimal_log_p(r_log, z))


def optimal_radius(n, r, m, criterion, *, p_retrieve=0.5, convention="published", radii=None) -> int:
    """Optimal Hamming radius ``d*`` under one criterion (Bricken & Pehlevan 2021, appendix B.5).

    For ``"snr"`` and ``"capacity"`` this is the smallest radius covering ``p*`` of the space
    (:func:`radius_for_space_fraction` of :func:`optimal_space_fraction`), as in ``Optimal_d.ipynb``.
    For ``"critical_distance"`` it is the radius in ``radii`` with the largest
    :func:`critical_distance` (ties go to the smallest radius, like ``np.argmax``).

    For ``n = 64, r = 2**64, m = 1024`` this gives d*_SNR = 11 (p* = 2^-25 ≈ 2.98e-8),
    d*_Mem = 5 (p* ≈ 1.98e-13, z ≈ 2.298) and d*_CD = 15, the values stated in the paper.  See
    :func:`critical_distance` for why d*_CD = 15 is an artefact of ``I_rand = 0``.

    Parameters
    ----------
    n : int
        Dimension.
    r : int or float
        Number of neurons.
    m : int
        Number of stored patterns.
    criterion : {"snr", "capacity", "critical_distance"}
    p_retrieve : float
        See :func:`optimal_space_fraction`.
    convention : {"published", "strict"}
        Critical-distance convention (see :func:`critical_distance`).
    radii : array_like of int, optional
        Candidate radii for ``"critical_distance"``; default ``1..n//2``.  (The authors scan
        ``np.linspace(9, 25, 16).astype(int)`` for n = 64, which gives the same answer.)

    Returns
    -------
    int
    """
    check_choice("criterion", criterion, OPTIMAL_RADIUS_CRITERIA)
    n = _check_n(n)
    if criterion != "critical_distance":
        p = optimal_space_fraction(n, r, m, criterion, p_retrieve=p_retrieve)
        if p > 0:
            return radius_for_space_fraction(n, p)
        # p* underflowed (astronomically large r): compare in log scale instead
        log_p = _optimal_log_space_fraction(n, _check_r(r), _check_m(m), criterion, p_retrieve)
        ds = np.arange(n + 1)
        return int(ds[np.argmax(log_space_fraction(n, ds) >= log_p)])
    _check_r(r)
    _check_m(m)
    check_choice("convention", convention, _CD_CONVENTIONS)
    if radii is None:
        radii = np.arange(1, n // 2 + 1)
    cand = check_int_array("radii", radii, lo=0, hi=(n, f"n = {n}")).ravel()
    if cand.size == 0:
        raise ValueError("radii is empty: give at least one candidate radius")
    crit = [critical_distance(n, int(dd), r, m, convention=convention) for dd in cand]
    return int(cand[int(np.argmax(crit))])


# ---------------------------------------------------------------------------------------------
# Binary SDM: neuron view and pattern view
# ---------------------------------------------------------------------------------------------

#: Upper bound on the elements of one temporary ``(queries, neurons)`` block in the chunked
#: distance, write and read loops (a few MB), so memory stays flat in ``r``.
_BLOCK_ELEMENTS = 1 << 18


def _pack_bits(bits: np.ndarray) -> np.ndarray:
    """Pack 0/1 rows ``(..., n)`` into ``(..., ceil(n / 64))`` uint64 words (zero padded)."""
    packed = np.packbits(np.asarray(bits, dtype=np.uint8), axis=-1)
    pad = (-packed.shape[-1]) % 8
    if pad:
        packed = np.concatenate([packed, np.zeros(packed.shape[:-1] + (pad,), np.uint8)], axis=-1)
    return np.ascontiguousarray(packed).view(np.uint64)


def _unpack_words(words_t: np.ndarray, n: int) -> np.ndarray:
    """Inverse of :func:`_pack_bits` for word-major ``(w, M)`` storage: ``(M, n)`` uint8 0/1."""
    rows = np.ascontiguousarray(words_t.T).view(np.uint8)
    return np.unpackbits(rows, axis=1, count=n)


def _packed_distances(q: np.ndarray, a_t: np.ndarray) -> np.ndarray:
    """Hamming distances ``(B, M)`` (int32) between packed rows ``q (B, w)`` and ``a_t (w, M)``.

    XOR and ``np.bitwise_count`` one 64-bit word at a time into preallocated ``(B, M)`` buffers;
    the word-major layout of ``a_t`` keeps every pass contiguous.
    """
    shape = (q.shape[0], a_t.shape[1])
    out = np.zeros(shape, dtype=np.int32)
    xor = np.empty(shape, dtype=np.uint64)
    cnt = np.empty(shape, dtype=np.uint8)
    for j in range(q.shape[1]):
        np.bitwise_xor(q[:, j, None], a_t[None, j], out=xor)
        np.bitwise_count(xor, out=cnt)
        out += cnt
    return out


def _distance_blocks(q: np.ndarray, a_t: np.ndarray):
    """Yield ``(start, stop, distances)`` over blocks of the columns (rows of the address matrix)
    of word-major packed ``a_t (w, M)``."""
    step = max(1, _BLOCK_ELEMENTS // max(1, q.shape[0]))
    for start in range(0, a_t.shape[1], step):
        stop = min(start + step, a_t.shape[1])
        yield start, stop, _packed_distances(q, a_t[:, start:stop])


def hamming_distances(queries, addresses) -> np.ndarray:
    """Hamming distances between each query row and each address row.

    Computed on packed bits (``np.packbits`` + ``np.bitwise_count``), never in floating point, so
    memory is ``n/8`` bytes per row plus the ``(B, M)`` result.

    Parameters
    ----------
    queries : array_like, shape (n,) or (B, n)
        0/1 vectors.
    addresses : array_like, shape (M, n)
        0/1 vectors.

    Returns
    -------
    numpy.ndarray of int64, shape (M,) or (B, M)
    """
    a = check_binary_array("addresses", addresses, ndim=(2,))
    q = check_binary_array("queries", queries, n=a.shape[1])
    qp, ap = _pack_bits(np.atleast_2d(q)), np.ascontiguousarray(_pack_bits(a).T)
    dist = np.empty((qp.shape[0], a.shape[0]), dtype=np.int64)
    for start, stop, block in _distance_blocks(qp, ap):
        dist[:, start:stop] = block
    return dist[0] if q.ndim == 1 else dist


class BinarySDM:
    """Kanerva's binary SDM, neuron view: ``r`` hard locations with counters.

    * **Write** ``(address, pointer)``: every neuron within Hamming distance ``d`` of ``address``
      adds ``pointer`` to its storage vector ``x_v`` and increments its pattern count ``h``.
    * **Read** ``query``: with ``b = 1[H(query, x_a) <= d]``,
      ``out = g(sum_tau b x_v / sum_tau b h)``, ``g(e) = 1[e > 1/2]`` -- the normalised majority
      rule of ``update_Binary_Neuron_SDM`` in Bricken & Pehlevan's code
      (``((X_v @ q) / (h_v @ q)) > 0.5``).  When no active neuron stores anything the ratio is
      ``nan`` and the bit reads 0 (as ``nan > 0.5`` is false in their code).

    With ``addresses`` equal to all of ``{0,1}^n`` (``r = 2^n``) the read equals the pattern view
    (:func:`pattern_view_read`) exactly; with random addresses the number of neurons shared by two
    balls is Binomial(r, I(dv)/2^n), with mean :func:`expected_intersection`.

    **Scale.** Addresses are kept packed (``n/8`` bytes per neuron), distances are computed with
    XOR + popcount over blocks of neurons, and int32 counters are stored only for neurons that
    have been written to, so ``n = 1000, r = 10^6`` needs 128 MB of addresses, 8 MB of per-neuron
    bookkeeping and ``4 k`` bytes per written neuron.

    Parameters
    ----------
    n : int
        Dimension.
    r : int
        Number of neurons (ignored when ``addresses`` is given, except that it must match).
    d : int
        Radius, ``0 <= d <= n``.
    rng : numpy.random.Generator or int or None
        Source of the random neuron addresses.
    addresses : array_like, shape (r, n), optional
        Explicit neuron addresses (0/1).
    k : int, optional
        Length of the stored pointers (output bits); default ``n`` (autoassociation).  With
        ``k != n`` the memory is hetero-associative, like :func:`pattern_view_read` with
        ``pointers`` of shape ``(m, k)``.

    Attributes
    ----------
    addresses : numpy.ndarray, shape (r, n), uint8
        Unpacked on access (a fresh array; ``r n`` bytes).
    packed_addresses : numpy.ndarray, shape (r, ceil(n / 64)), uint64
        The stored form (kept word-major, ``(ceil(n / 64), r)``, so each XOR pass is contiguous).
    counters : numpy.ndarray, shape (r, k), int32
        Storage vectors ``x_v`` (sums of written pointers); a dense copy built on access (only the
        rows of neurons that were written are stored, see :meth:`counter_rows`).
    n_stored : numpy.ndarray, shape (r,), int32
        ``h``: number of patterns written to each neuron.
    """

    def __init__(self, n, r, d, rng=None, addresses=None, k=None):
        self.n, self.d = _check_nd(n, d)
        self.k = self.n if k is None else check_int("k", k, lo=1)
        if addresses is None:
            self.r = check_int("r", r, lo=1)
            gen = check_rng("rng", rng)
            # random 64-bit words (fast: one draw per 64 address bits), padding bits cleared
            mask = _pack_bits(np.ones(self.n, dtype=np.uint8))
            words = gen.integers(0, np.iinfo(np.uint64).max, size=(mask.size, self.r), dtype=np.uint64,
                                 endpoint=True)
            self._words = words & mask[:, None]
        else:
            addr = check_binary_array("addresses", addresses, n=self.n, ndim=(2,))
            self.r = check_int("r", r, lo=1)
            if addr.shape[0] != self.r:
                raise ValueError(f"addresses has {addr.shape[0]} rows: must equal r = {self.r}")
            self._words = np.ascontiguousarray(_pack_bits(addr).T)
        self.n_stored = np.zeros(self.r, dtype=np.int32)
        # counters are kept only for neurons that have been written to: ``_slot[tau]`` is the row of
        # ``_store`` holding x_tau (-1 = never written, counters all 0).  The store grows by doubling.
        self._slot = np.full(self.r, -1, dtype=np.int32 if self.r < 2**31 else np.int64)
        self._store = np.zeros((min(self.r, 1024), self.k), dtype=np.int32)
        self._n_slots = 0

    def __repr__(self):
        return (f"BinarySDM(n={self.n}, r={self.r}, d={self.d}, k={self.k}, "
                f"patterns written={int(self.n_stored.sum(dtype=np.int64))})")

    @property
    def packed_addresses(self) -> np.ndarray:
        """The stored addresses, ``(r, ceil(n / 64))`` uint64 words (a view of the word-major store)."""
        return self._words.T

    @property
    def addresses(self) -> np.ndarray:
        """Neuron addresses as a fresh ``(r, n)`` uint8 0/1 array (unpacked from the stored bits)."""
        return _unpack_words(self._words, self.n)

    @property
    def counters(self) -> np.ndarray:
        """Storage vectors ``x_v`` as a fresh dense ``(r, k)`` int32 array (zeros where nothing was
        written).  Materialising it costs ``4 r k`` bytes; :meth:`counter_rows` reads a few rows."""
        out = np.zeros((self.r, self.k), dtype=np.int32)
        written = np.flatnonzero(self._slot >= 0)
        out[written] = self._store[self._slot[written]]
        return out

    def counter_rows(self, neurons) -> np.ndarray:
        """Counters ``x_v`` of the given neuron indices, ``(len(neurons), k)`` int32."""
        idx = check_int_array("neurons", neurons, lo=0, hi=(self.r - 1, f"r - 1 = {self.r - 1}")).ravel()
        slots = self._slot[idx]
        out = np.zeros((idx.size, self.k), dtype=np.int32)
        out[slots >= 0] = self._store[slots[slots >= 0]]
        return out

    def _slots_for(self, neurons) -> np.ndarray:
        """Store rows of ``neurons`` (sorted, distinct), allocating rows for first-time writes."""
        slots = self._slot[neurons]
        new = slots < 0
        n_new = int(new.sum())
        if n_new:
            need = self._n_slots + n_new
            if need > self._store.shape[0]:
                grown = np.zeros((min(self.r, max(need, 2 * self._store.shape[0])), self.k), dtype=np.int32)
                grown[: self._n_slots] = self._store[: self._n_slots]
                self._store = grown
            slots[new] = np.arange(self._n_slots, need)
            self._slot[neurons[new]] = slots[new]
            self._n_slots = need
        return slots

    def address_rows(self, start, stop) -> np.ndarray:
        """Addresses of neurons ``start..stop-1`` as a ``(stop - start, n)`` uint8 0/1 array."""
        return _unpack_words(self._words[:, start:stop], self.n)

    def _packed_queries(self, name, query):
        q = check_binary_array(name, query, n=self.n)
        return q, _pack_bits(np.atleast_2d(q))

    def _active_blocks(self, qp):
        """Yield ``(start, stop, active)`` with boolean ``active (B, stop - start)`` per neuron block."""
        for start, stop, dist in _distance_blocks(qp, self._words):
            yield start, stop, dist <= self.d

    def distances(self, query) -> np.ndarray:
        """Hamming distance from ``query`` (``(n,)`` or ``(B, n)``) to every neuron address."""
        q, qp = self._packed_queries("queries", query)
        dist = np.empty((qp.shape[0], self.r), dtype=np.int64)
        for start, stop, block in _distance_blocks(qp, self._words):
            dist[:, start:stop] = block
        return dist[0] if q.ndim == 1 else dist

    def active(self, query) -> np.ndarray:
        """Boolean activations ``H(query, x_a) <= d``: shape ``(r,)`` or ``(B, r)``."""
        q, qp = self._packed_queries("queries", query)
        act = np.empty((qp.shape[0], self.r), dtype=bool)
        for start, stop, block in self._active_blocks(qp):
            act[:, start:stop] = block
        return act[0] if q.ndim == 1 else act

    def write(self, address, pointer=None) -> None:
        """Store ``pointer`` (default: ``address``, autoassociative) at ``address``.

        ``address`` is ``(n,)`` or ``(m, n)``; ``pointer`` is ``(k,)`` or ``(m, k)`` with the same
        leading shape (``k = n`` unless the memory was built with another ``k``).  Only the counter
        rows of neurons active for some written address are touched.
        """
        a, ap = self._packed_queries("address", address)
        if pointer is None:
            if self.k != self.n:
                raise ValueError(f"pointer is required: this memory stores k = {self.k} output bits, "
                                 f"not the n = {self.n} address bits")
            p = a
        else:
            p = check_binary_array("pointer", pointer, n=None)
            if p.shape[:-1] != a.shape[:-1] or p.shape[-1] != self.k:
                want = a.shape[:-1] + (self.k,)
                raise ValueError(f"pointer shape {p.shape} must equal {want} (address shape {a.shape} "
                                 f"with the last axis replaced by k = {self.k})")
        p2 = np.atleast_2d(p).astype(np.int32)
        for start, stop, act in self._active_blocks(ap):
            # (neuron, pattern) pairs, grouped by neuron; integer sums only (exact, no BLAS)
            cols, pats = np.nonzero(act.T)
            if cols.size == 0:
                continue
            rows, first = np.unique(cols, return_index=True)
            neurons = start + rows
            slots = self._slots_for(neurons)  # may grow (replace) self._store: index it afterwards
            self._store[slots] += np.add.reduceat(p2[pats], first, axis=0, dtype=np.int32)
            self.n_stored[neurons] += np.diff(np.append(first, cols.size)).astype(np.int32)

    def read_ratio(self, query) -> np.ndarray:
        """Normalised counter sums ``sum b x_v / sum b h`` (``nan`` where the denominator is 0)."""
        q, qp = self._packed_queries("queries", query)
        num = np.zeros((qp.shape[0], self.k), dtype=np.int64)
        den = np.zeros(qp.shape[0], dtype=np.int64)
        for start, stop, act in self._active_blocks(qp):
            # (query, neuron) pairs grouped by query; never-written neurons add 0 to both sums
            qs, cols = np.nonzero(act)
            slots = self._slot[start + cols]
            has = slots >= 0
            if not has.any():
                continue
            qs, cols, slots = qs[has], cols[has], slots[has]
            uq, first = np.unique(qs, return_index=True)
            num[uq] += np.add.reduceat(self._store[slots], first, axis=0, dtype=np.int64)
            den[uq] += np.add.reduceat(self.n_stored[start + cols], first, dtype=np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = num / den[:, None]
        ratio[den == 0] = np.nan
        return ratio[0] if q.ndim == 1 else ratio

    def read(self, query) -> np.ndarray:
        """Majority read ``1[ratio > 1/2]`` as uint8, shape ``(k,)`` or ``(B, k)``."""
        with np.errstate(invalid="ignore"):
            return (self.read_ratio(query) > 0.5).astype(np.uint8)

    def intersection_count(self, a, b) -> np.ndarray:
        """Number of neurons active for both ``a`` and ``b`` (rows paired if batched)."""
        qa, pa = self._packed_queries("queries", a)
        qb, pb = self._packed_queries("queries", b)
        if qa.shape != qb.shape:
            raise ValueError(f"a and b must have the same shape (activations {qa.shape[:-1] + (self.r,)} vs "
                             f"{qb.shape[:-1] + (self.r,)})")
        total = np.zeros(pa.shape[0], dtype=np.int64)
        for (start, stop, act_a), (_, _, act_b) in zip(self._active_blocks(pa), self._active_blocks(pb)):
            total += np.sum(act_a & act_b, axis=-1)
        return total[0] if qa.ndim == 1 else total


def intersection_weights(dv, n, d) -> np.ndarray:
    """Normalised intersection weights ``I(dv_mu) / sum_nu I(dv_nu)`` along the last axis.

    Computed from ``ln I`` so it works for any ``n``.  Rows whose patterns all lie further than
    ``2d`` from the query (every ``I = 0``) are all ``nan``.

    Parameters
    ----------
    dv : array_like of int, shape (m,) or (B, m)
        Distances from the query to each pattern address.
    n, d : int
        Dimension and radius.
    """
    n, d = _check_nd(n, d)
    dvs = check_int_array("dv", dv, lo=0, hi=(n, f"n = {n}"))
    if dvs.ndim == 0:
        dvs = dvs[None]
    logs = _log_intersection_table(n, d)[dvs]
    top = np.max(logs, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        w = np.exp(logs - np.where(np.isfinite(top), top, 0.0))
        w = w / np.sum(w, axis=-1, keepdims=True)
    return w


def pattern_weights(query, addresses, n, d) -> np.ndarray:
    """Pattern-view read weights ``I(H(query, p_a^mu)) / sum_nu I(H(query, p_a^nu))``.

    Bricken & Pehlevan (2021) show that these weights are approximately
    ``softmax(beta * cos)`` with ``beta`` from :func:`fit_beta`.

    Parameters
    ----------
    query : array_like, shape (n,) or (B, n)
    addresses : array_like, shape (m, n)
        Pattern addresses.
    n, d : int
        Dimension and radius.

    Returns
    -------
    numpy.ndarray, shape (m,) or (B, m)
        ``nan`` rows where no pattern is within ``2d`` of the query.
    """
    n, d = _check_nd(n, d)
    addresses = check_binary_array("addresses", addresses, n=n, ndim=(2,))
    dv = hamming_distances(query, addresses)
    w = intersection_weights(np.atleast_2d(dv), n, d)
    return w[0] if np.ndim(dv) == 1 else w


def pattern_view_ratio(query, addresses, pointers, n, d) -> np.ndarray:
    """Intersection-weighted pointer average ``sum_mu w_mu p_p^mu`` (before the threshold)."""
    n, d = _check_nd(n, d)
    addresses = check_binary_array("addresses", addresses, n=n, ndim=(2,))
    pointers = check_binary_array("pointers", pointers, n=None, ndim=(2,))
    if pointers.shape[0] != addresses.shape[0]:
        raise ValueError(f"pointers has {pointers.shape[0]} rows: must equal the number of addresses "
                         f"({addresses.shape[0]})")
    w = pattern_weights(query, addresses, n, d)
    return w @ pointers.astype(np.float64)


def pattern_view_read(query, addresses, pointers, n, d) -> np.ndarray:
    """SDM read, pattern view: ``g(sum_mu I(dv_mu) p_p^mu / sum_mu I(dv_mu))``, ``g = 1[. > 1/2]``.

    The sums over neurons and over patterns are swapped (Bricken & Pehlevan 2021, section 2;
    ``update_using_cache`` in their code), so no neurons are simulated: the limit ``r = 2^n``.
    A query with no pattern within ``2d`` reads all zeros.

    Parameters
    ----------
    query : array_like, shape (n,) or (B, n)
    addresses : array_like, shape (m, n)
    pointers : array_like, shape (m, k)
        Pointers (``k = n`` for autoassociation).
    n, d : int

    Returns
    -------
    numpy.ndarray of uint8, shape (k,) or (B, k)
    """
    ratio = pattern_view_ratio(query, addresses, pointers, n, d)
    with np.errstate(invalid="ignore"):
        return (ratio > 0.5).astype(np.uint8)


# ---------------------------------------------------------------------------------------------
# Jaeckel's selected-coordinate design (Kanerva 1993 section 3.6)
# ---------------------------------------------------------------------------------------------

def random_selected_coordinates(n, r, k, rng=None):
    """Draw ``r`` selected-coordinate neurons: ``k`` distinct coordinates and their 0/1 values each.

    Returns
    -------
    coords : numpy.ndarray, shape (r, k), int64
    values : numpy.ndarray, shape (r, k), uint8
    """
    n = _check_n(n)
    r = check_int("r", r, lo=1)
    k = check_int("k", k, lo=1, hi=(n, f"n = {n}"))
    gen = check_rng("rng", rng)
    coords = np.argsort(gen.random((r, n)), axis=1)[:, :k].astype(np.int64)
    values = gen.integers(0, 2, size=(r, k), dtype=np.uint8)
    return coords, values


def selected_coordinate_activation(queries, coords, values) -> np.ndarray:
    """Jaeckel's selected-coordinate activation: neuron ``tau`` fires iff the query matches its
    ``k`` sampled values on its ``k`` sampled coordinates.

    A granule cell with a handful of mossy-fibre inputs tests a few address bits rather than a
    Hamming distance (Kanerva 1993, section 3.6); a random query activates each neuron with
    probability ``2^-k``.

    Parameters
    ----------
    queries : array_like, shape (n,) or (B, n)
        0/1 queries.
    coords : array_like of int, shape (r, k)
        Sampled coordinates per neuron, each in ``[0, n)``.
    values : array_like, shape (r, k)
        Required 0/1 values at those coordinates.

    Returns
    -------
    numpy.ndarray of bool, shape (r,) or (B, r)
    """
    shape = np.shape(coords)
    if len(shape) != 2:
        raise ValueError(f"coords has shape {shape}: must be 2-D (r, k)")
    # all k inputs match <=> k unit contacts reach a threshold of k
    return weighted_coordinate_activation(queries, coords, values, np.ones(shape, np.int64), max(1, shape[1]))


def selected_coordinate_intersection(n, k, dv):
    """Probability that a random selected-coordinate neuron is active for two points ``dv`` apart.

    Both points must agree on all ``k`` sampled coordinates and match the sampled values:
    ``C(n - dv, k) / C(n, k) * 2^-k``.  Normalised over patterns, the read weights are therefore
    ``∝ C(n - dv, k)`` (zero for ``dv > n - k``).

    Parameters
    ----------
    n, k : int
        Dimension and number of sampled coordinates, ``1 <= k <= n``.
    dv : int or array_like of int
        Distance(s) between the two points.

    Returns
    -------
    float or numpy.ndarray
    """
    n = _check_n(n)
    k = check_int("k", k, lo=1, hi=(n, f"n = {n}"))
    dvs = check_int_array("dv", dv, lo=0, hi=(n, f"n = {n}"))
    ck = math.comb(n, k)
    out = np.array([math.comb(n - v, k) / ck * 2.0 ** -k for v in dvs.ravel()]).reshape(dvs.shape)
    return float(out) if _is_scalar(dv) else out


# ---------------------------------------------------------------------------------------------
# Selected coordinates with unequal synapses (granule cells with a firing threshold)
# ---------------------------------------------------------------------------------------------

def random_contacts(r, k, contacts_max, rng=None) -> np.ndarray:
    """Synaptic strength of each of the ``k`` inputs of ``r`` neurons, in contacts, uniform on
    ``1 .. contacts_max``; shape (r, k), int64 (``contacts_max = 1``: all inputs equal)."""
    r = check_int("r", r, lo=1)
    k = check_int("k", k, lo=1)
    m = check_int("contacts_max", contacts_max, lo=1, hi=1000)
    gen = check_rng("rng", rng)
    return gen.integers(1, m + 1, size=(r, k)).astype(np.int64)


def weighted_coordinate_activation(queries, coords, values, contacts, theta) -> np.ndarray:
    """Selected coordinates with a threshold: neuron ``tau`` fires iff the contacts of its matching
    inputs sum to at least ``theta``, ``sum_k contacts[tau, k] [q[coords[tau, k]] == values[tau, k]]
    >= theta``.

    With every contact 1 and ``theta = k`` this is :func:`selected_coordinate_activation`. Unequal
    synapses and a threshold are how a granule cell with ``K = 4`` inputs reaches a coding level
    below ``2^-4`` (the threshold sets the coding level, as in Litwin-Kumar et al. 2017).

    Parameters
    ----------
    queries : array_like, shape (n,) or (B, n)
    coords, values : array_like, shape (r, k)
        As in :func:`selected_coordinate_activation`.
    contacts : array_like of int, shape (r, k)
        Strength of each input (>= 1).
    theta : int
        Summed contacts needed to fire, ``1 <= theta``.

    Returns
    -------
    numpy.ndarray of bool, shape (r,) or (B, r)
    """
    q = check_binary_array("queries", queries)
    n = q.shape[-1]
    coords = check_int_array("coords", coords, lo=0, hi=(n - 1, f"n - 1 = {n - 1}"))
    if coords.ndim != 2:
        raise ValueError(f"coords has shape {coords.shape}: must be 2-D (r, k)")
    values = check_binary_array("values", values, n=None, ndim=(2,))
    contacts = check_int_array("contacts", contacts, lo=1)
    for name, arr in (("values", values), ("contacts", contacts)):
        if arr.shape != coords.shape:
            raise ValueError(f"{name} shape {arr.shape} must equal coords shape {coords.shape}")
    theta = check_int("theta", theta, lo=1)
    q2 = np.atleast_2d(q)
    out = np.empty((q2.shape[0], coords.shape[0]), dtype=bool)
    chunk = max(1, 4_000_000 // max(1, coords.size))
    for s in range(0, q2.shape[0], chunk):
        match = q2[s:s + chunk][:, coords] == values[None]
        out[s:s + chunk] = (match * contacts[None]).sum(axis=-1) >= theta
    return out[0] if q.ndim == 1 else out


def _pair_activation_by_flips(contacts_row, theta: int) -> np.ndarray:
    """``P(both active | j of the k inputs see a flipped bit)`` for j = 0..k, one neuron.

    Dynamic programme over inputs with state (flipped so far, drive at a, drive at b); each
    unflipped input matches both points or neither (prob. 1/2 each), a flipped one matches
    exactly one of them. Summing over which inputs are flipped and dividing by ``C(k, j)``
    averages over the uniformly random flipped subset.
    """
    c = [int(x) for x in contacts_row]
    k, top = len(c), int(sum(c))
    table = np.zeros((k + 1, top + 1, top + 1))
    table[0, 0, 0] = 1.0
    for ci in c:
        nxt = 0.5 * table
        nxt[:, ci:, ci:] += 0.5 * table[:, :top + 1 - ci, :top + 1 - ci]
        nxt[1:, ci:, :] += 0.5 * table[:-1, :top + 1 - ci, :]
        nxt[1:, :, ci:] += 0.5 * table[:-1, :, :top + 1 - ci]
        table = nxt
    both = table[:, theta:, theta:].sum(axis=(1, 2))
    return both / np.array([math.comb(k, j) for j in range(k + 1)], dtype=float)


def weighted_coordinate_intersection(n, contacts, theta, dv):
    """Expected fraction of the given neurons active for two points ``dv`` apart.

    For each neuron (row of ``contacts``) with random coordinates and values, the number of its
    ``k`` inputs on flipped bits is hypergeometric, ``C(dv, j) C(n - dv, k - j) / C(n, k)``; the
    joint activation given ``j`` is exact (:func:`_pair_activation_by_flips`). The result is the
    mean over rows, so ``r *`` it is the expected co-activation count of ``r`` such neurons.
    With all contacts 1 and ``theta = k`` it equals :func:`selected_coordinate_intersection`.

    Parameters
    ----------
    n : int
    contacts : array_like of int, shape (r, k)
    theta : int
    dv : int or array_like of int

    Returns
    -------
    float or numpy.ndarray
    """
    n = _check_n(n)
    contacts = check_int_array("contacts", contacts, lo=1)
    if contacts.ndim != 2:
        raise ValueError(f"contacts has shape {contacts.shape}: must be 2-D (r, k)")
    k = contacts.shape[1]
    check_int("k", k, lo=1, hi=(n, f"n = {n}"))
    theta = check_int("theta", theta, lo=1)
    dvs = check_int_array("dv", dv, lo=0, hi=(n, f"n = {n}"))
    # the result depends on a row only through its multiset of contacts
    rows, freq = np.unique(np.sort(contacts, axis=1), axis=0, return_counts=True)
    by_flips = sum(f * _pair_activation_by_flips(row, theta) for row, f in zip(rows, freq)) / contacts.shape[0]
    ck = math.comb(n, k)
    out = np.array([sum(math.comb(v, j) * math.comb(n - v, k - j) / ck * by_flips[j] for j in range(k + 1))
                    for v in dvs.ravel()]).reshape(dvs.shape)
    return float(out) if _is_scalar(dv) else out


def weighted_coordinate_fraction(k, contacts_max, theta) -> float:
    """Coding level of neurons with ``k`` inputs of strength uniform on ``1 .. contacts_max`` and
    threshold ``theta``, for a random address: ``P(sum_k c_k b_k >= theta)``, ``b_k ~ Bernoulli(1/2)``
    (exact, by convolution)."""
    k = check_int("k", k, lo=1)
    m = check_int("contacts_max", contacts_max, lo=1, hi=1000)
    theta = check_int("theta", theta, lo=1)
    term = np.zeros(m + 1)
    term[0] = 0.5
    term[1:] = 0.5 / m
    dist = np.array([1.0])
    for _ in range(k):
        dist = np.convolve(dist, term)
    return float(dist[theta:].sum())


# ---------------------------------------------------------------------------------------------
# Continuous SDM on the unit hypersphere
# ---------------------------------------------------------------------------------------------

def cosine_activation(queries, addresses, threshold) -> np.ndarray:
    """Continuous-SDM activation: ``cos(query, x_a) >= threshold`` (rows L2-normalised here).

    Use ``threshold = cosine_threshold(n, d)`` for the cap matching Hamming radius ``d``.

    Returns
    -------
    numpy.ndarray of bool, shape (M,) or (B, M)
    """
    threshold = check_real("threshold", threshold, lo=-1.0, hi=1.0)
    a = np.asarray(addresses, dtype=float)
    q = np.asarray(queries, dtype=float)
    if a.ndim != 2 or q.ndim not in (1, 2) or q.shape[-1] != a.shape[1]:
        raise ValueError(f"queries shape {q.shape} and addresses shape {a.shape} do not match: need "
                         f"(n,) or (B, n) against (M, n)")
    an = np.linalg.norm(a, axis=1, keepdims=True)
    qn = np.linalg.norm(np.atleast_2d(q), axis=1, keepdims=True)
    if np.any(an == 0) or np.any(qn == 0):
        raise ValueError("queries and addresses must be non-zero vectors")
    cos = (np.atleast_2d(q) / qn) @ (a / an).T
    out = cos >= threshold - 1e-12
    return out[0] if q.ndim == 1 else out


def _check_cap(n, d):
    n = _check_n(n, lo=3)
    d = check_real("d", d, lo=0.0, hi=(n / 2, f"n/2 = {n / 2:g}"), lo_open=True, hi_open=True)
    return n, d, math.acos(1.0 - 2.0 * d / n)


def _log_sphere_area(n) -> float:
    """``ln |S^(n-1)|`` with ``|S^(n-1)| = 2 pi^(n/2) / Gamma(n/2)``."""
    return _LOG2 + 0.5 * n * math.log(math.pi) - special.gammaln(0.5 * n)


def cap_fraction(n, d) -> float:
    """Fraction of the unit sphere ``S^(n-1)`` inside one cap ``cos >= 1 - 2d/n``.

    ``0.5 * I_{sin^2 theta}((n-1)/2, 1/2)`` for a cap of angle ``theta < pi/2`` (Li 2011).
    """
    n, d, theta = _check_cap(n, d)
    return float(0.5 * special.betainc(0.5 * (n - 1), 0.5, math.sin(theta) ** 2))


def log_cap_intersection(n, d, theta_v):
    """Log of the fraction of ``S^(n-1)`` in the intersection of two caps ``theta_v`` apart.

    Both caps have angle ``theta = arccos(1 - 2d/n)`` (the continuous analogue of radius ``d``).
    Lee & Kim (2014): ``A(theta_v) = 2 J_n(theta_v/2, theta)`` for ``theta_v < 2 theta`` (else 0),

    ``J_n(t, theta) = pi^((n-1)/2) / Gamma((n-1)/2) * integral_t^theta sin^(n-2)(phi)
    I_{1 - (tan t / tan phi)^2}((n-2)/2, 1/2) dphi``,

    as in ``cap_intersection`` / ``log_J_n`` of Bricken & Pehlevan's code.  The integrand is
    rescaled by ``sin^(n-2)(theta)`` so large ``n`` does not underflow, and the result is divided by
    ``|S^(n-1)|`` (the authors' code writes ``2 + log J`` for ``log 2 + log J``; the constant
    cancels after normalisation).  Multiply the fraction by ``r`` for expected neuron counts.

    Parameters
    ----------
    n : int
        Dimension, ``n >= 3``.
    d : float
        Equivalent Hamming radius, ``0 < d < n/2`` (cap angle below ``pi/2``).
    theta_v : float or array_like
        Angle(s) between the cap centres in ``[0, pi]`` (``arccos`` of the cosine similarity).

    Returns
    -------
    float or numpy.ndarray
        ``-inf`` where the caps do not meet.
    """
    n, d, theta = _check_cap(n, d)
    tv = np.asarray(theta_v, dtype=float)
    if np.asarray(theta_v).dtype.kind not in "iuf":
        raise TypeError(f"theta_v = {theta_v!r} must be a number or an array of numbers")
    if tv.size and (not np.all(np.isfinite(tv)) or tv.min() < 0 or tv.max() > math.pi + 1e-12):
        bad = tv[~(np.isfinite(tv) & (tv >= 0) & (tv <= math.pi + 1e-12))].ravel()[0].item()
        raise ValueError(f"theta_v = {bad} is out of range: allowed 0 <= theta_v <= pi")
    a, half = 0.5 * (n - 2), 0.5
    log_sin_theta = math.log(math.sin(theta))
    log_const = (_LOG2 + 0.5 * (n - 1) * math.log(math.pi) - special.gammaln(0.5 * (n - 1))
                 + (n - 2) * log_sin_theta - _log_sphere_area(n))
    out = np.empty(tv.shape, dtype=float)
    flat = out.reshape(-1)
    for i, t in enumerate(tv.ravel()):
        if t >= 2 * theta:
            flat[i] = -np.inf
            continue
        tmin = 0.5 * t
        tan_tmin = math.tan(tmin)

        def integrand(phi, tan_tmin=tan_tmin):
            ratio = tan_tmin / math.tan(phi)
            scaled = math.exp((n - 2) * (math.log(math.sin(phi)) - log_sin_theta))
            return scaled * special.betainc(a, half, max(0.0, 1.0 - ratio * ratio))

        # the integrand peaks at phi = theta with width ~ 1/((n-2) cot theta): hint quad there
        width = 1.0 / max(1.0, (n - 2) / math.tan(theta))
        pts = [p for p in (theta - width, theta - 5 * width, theta - 20 * width) if tmin < p < theta]
        val, _ = integrate.quad(integrand, tmin, theta, points=pts or None, limit=200,
                                epsabs=0.0, epsrel=1e-10)
        flat[i] = math.log(val) + log_const if val > 0 else -np.inf
    return float(out) if _is_scalar(theta_v) else out


def cap_intersection(n, d, theta_v):
    """Fraction of ``S^(n-1)`` in the intersection of two caps; ``exp`` of :func:`log_cap_intersection`.

    At ``theta_v = 0`` this is :func:`cap_fraction`; it is 0 for ``theta_v >= 2 arccos(1 - 2d/n)``.
    """
    out = np.exp(log_cap_intersection(n, d, theta_v))
    return float(out) if _is_scalar(theta_v) else out
