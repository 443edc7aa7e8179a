"""The softmax used everywhere in the project: ``exp(beta x_i) / sum_j exp(beta x_j)``."""
from __future__ import annotations

import numpy as np

from core.checks import check_real

__all__ = ["softmax"]


def softmax(x, beta=1.0, axis=-1):
    """Numerically stable ``softmax(beta * x)`` along ``axis``.

    Parameters
    ----------
    x : array_like
        Scores (dimensionless); finite or ``-inf``. A ``-inf`` entry is masked (weight exactly 0,
        also at ``beta = 0``); NaN and ``+inf`` are rejected; a slice that is entirely ``-inf``
        gives NaN weights.
    beta : float, optional
        Inverse temperature, ``beta >= 0``; ``beta = 0`` gives uniform weights over the unmasked
        entries (a fitted ``beta`` over a flat window can be 0).
    axis : int, optional
        Axis to normalise over.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``; non-negative, summing to 1 along ``axis``.
    """
    beta = check_real("beta", beta, lo=0.0)
    x = np.asarray(x, dtype=float)
    if np.any(np.isnan(x)) or np.any(x == np.inf):
        raise ValueError(f"x contains NaN or +inf (shape {x.shape}): allowed finite values or -inf")
    with np.errstate(invalid="ignore"):
        z = np.where(np.isneginf(x), -np.inf, beta * x)
        zmax = np.max(z, axis=axis, keepdims=True)
        e = np.exp(z - zmax)
        return e / np.sum(e, axis=axis, keepdims=True)
