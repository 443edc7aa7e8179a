"""Continuous SDM on the unit hypersphere ``S^(n-1)``: spherical caps in place of Hamming balls.

Neurons and queries are directions in ``R^n``; a neuron is active when its cosine with the query
is at least ``1 - 2d/n`` (:func:`~cerebellum.sdm.geometry.cosine_threshold`), a cap of angle
``arccos(1 - 2d/n)``, the continuous analogue of Hamming radius ``d``.  The module gives the
activation test (:func:`cosine_activation`), the fraction of the sphere in one cap
(:func:`cap_fraction`), and the fraction in the intersection of two caps ``theta_v`` apart
(:func:`cap_intersection`, in log space so that large ``n`` does not underflow): the continuous
counterpart of the circle intersection, used by Bricken & Pehlevan (2021) for continuous SDM.
Multiply a fraction by ``r`` for an expected neuron count.

Sources
-------
* T. Bricken & C. Pehlevan, "Attention Approximates Sparse Distributed Memory", NeurIPS 2021,
  arXiv:2111.05498; code ``TrentBrick/attention-approximates-sdm`` @ 4cb44d8
  (``SDM_Circ_Inter_Funcs.py``: ``cap_intersection``, ``log_J_n``).
* S. Li, "Concise formulas for the area and volume of a hyperspherical cap", Asian J. Math. Stat.
  2011 (cap area).
* Y. Lee & W. C. Kim, "Concise formulas for the surface area of the intersection of two
  hyperspherical caps", KAIST tech. report 2014 (cap intersection).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import integrate, special

from core.checks import check_real
from cerebellum.sdm.geometry import _LOG2, _check_n, _is_scalar

__all__ = [
    "cosine_activation",
    "cap_fraction",
    "log_cap_intersection",
    "cap_intersection",
]

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
