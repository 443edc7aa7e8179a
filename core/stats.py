"""Small statistics shared by the circuits' metrics (numpy only)."""
from __future__ import annotations

import numpy as np

__all__ = ["pearson"]


def pearson(x, y) -> float:
    """Pearson correlation of two equally long arrays (nan if either is constant)."""
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same size (got {x.size} and {y.size})")
    if x.size < 2 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])
