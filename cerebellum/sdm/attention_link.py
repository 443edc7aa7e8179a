"""The link between an SDM read and softmax attention: intersection weights and the fitted ``beta``.

In the pattern view of an SDM read every stored pattern is weighted by the circle intersection,
``I(dv_mu) / sum_nu I(dv_nu)`` (:func:`intersection_weights`).  Bricken & Pehlevan (2021) show
that ``ln I(dv)`` is close to linear in the cosine similarity ``cos = 1 - 2 dv / n`` over the
distances that matter, so these weights are approximately ``softmax(beta cos)``.  This module
holds the :func:`softmax`, the closed-form log-linear fit of ``beta`` (:func:`fit_beta`, in the
authors' convention with its ``N/(N-1)`` factor, or plain least squares) and the analytic
largest-term approximation :func:`beta_exponential_approx`.  Regression anchor:
``fit_beta(64, 11) == 15.853`` (to 3 decimals).

Sources
-------
* T. Bricken & C. Pehlevan, "Attention Approximates Sparse Distributed Memory", NeurIPS 2021,
  arXiv:2111.05498; code ``TrentBrick/attention-approximates-sdm`` @ 4cb44d8
  (``SDM_Circ_Inter_Funcs.py``: ``fit_beta_regression``; ``Exp_Approx_Circle_Intersect.ipynb``).
* P. Kanerva, *Sparse Distributed Memory*, MIT Press 1988 (the circle intersection).
"""
from __future__ import annotations

import numpy as np

from core.checks import check_choice, check_int_array, check_real
from core.softmax import softmax  # noqa: F401 - part of this module's API
from cerebellum.sdm.geometry import _LOG2, _check_nd, _check_r, _log_intersection_table

__all__ = [
    "softmax",
    "fit_log_linear",
    "fit_beta",
    "fit_beta_and_bias",
    "beta_exponential_approx",
    "intersection_weights",
]

_FIT_CONVENTIONS = ("published", "lstsq")


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

    From the exponential bound in Bricken & Pehlevan's ``Exp_Approx_Circle_Intersect.ipynb``;
    it underestimates the fitted beta by a factor of about 2-3.
    """
    n, d = _check_nd(n, d)
    return (n - 2 * d) ** 2 / (4.0 * n)


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
