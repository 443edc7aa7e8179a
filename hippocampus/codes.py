"""Codes the spiking memory stores and reads (numpy only): MEC keys/queries and LEC sensory values.

* **Grid keys**: the non-negative grid-cell rate vector of :class:`hippocampus.grid.GridCode`
  (``r = max_rate [R e(x)]_+``) divided by ``max_rate * sqrt(n_modules)``; its norm is 0.975-1
  for every position (``sqrt(n_modules)`` is the exact maximum), so ``k . q`` is close to a cosine.
  Path integration acts on the phase code ``e`` (exact ``W_a``); the rate code is read out after.
* **Pattern keys**: random +-1 patterns (the classical Hopfield contrast) shown on MEC as 0/1
  rates; code ``a / sqrt(d/2)`` (unit norm on average).
* **Sensory values**: each of ``n_types`` objects gets a sparse binary LEC pattern with
  ``active`` of ``dim`` cells on (TEM compresses 45 one-hot objects to a 10-d two-hot code,
  Whittington et al. 2020, Cell 183:1249); decoded by the nearest code (max cosine).
"""
from __future__ import annotations

import numpy as np

__all__ = ["grid_code_scale", "grid_keys", "pattern_codes", "sensory_codes", "decode_objects", "key_separation"]


def grid_code_scale(grid) -> float:
    """Rate-to-code divisor of a grid code: ``sqrt(n_modules)`` (code = rate / (max_rate * scale))."""
    return float(np.sqrt(grid.n_modules))


def grid_keys(grid, positions_or_codes) -> np.ndarray:
    """Non-negative MEC code (rows) of positions ``(n, 2)`` or phase codes ``(n, 6M)``."""
    return grid.rates(positions_or_codes, max_rate=1.0) / grid_code_scale(grid)


def pattern_codes(patterns_pm1) -> np.ndarray:
    """MEC code of +-1 patterns: active bits (+1) fire, code ``(1 + x)/2 / sqrt(d/2)``."""
    x = np.asarray(patterns_pm1, float)
    d = x.shape[-1]
    return (x > 0).astype(float) / np.sqrt(d / 2.0)


def sensory_codes(n_types: int, dim: int, active: int, rng) -> np.ndarray:
    """Distinct sparse binary codes, shape ``(n_types, dim)``, ``active`` ones per row."""
    if not 1 <= active <= dim:
        raise ValueError(f"active = {active} is out of range: allowed 1 <= active <= dim = {dim}")
    codes, seen = [], set()
    for _ in range(100 * n_types):
        row = np.zeros(dim)
        row[rng.choice(dim, active, replace=False)] = 1.0
        key = row.tobytes()
        if key not in seen:
            seen.add(key)
            codes.append(row)
        if len(codes) == n_types:
            return np.array(codes)
    raise ValueError(f"cannot draw {n_types} distinct codes with {active} of {dim} cells active")


def decode_objects(vectors, codes) -> np.ndarray:
    """Object index whose code has the largest cosine with each row of ``vectors`` (-1 for a zero row)."""
    v = np.atleast_2d(np.asarray(vectors, float))
    c = np.asarray(codes, float)
    cn = c / np.linalg.norm(c, axis=1, keepdims=True)
    sim = v @ cn.T
    out = np.argmax(sim, axis=1)
    out[np.linalg.norm(v, axis=1) == 0] = -1
    return out


def key_separation(keys) -> float:
    """Minimum exponent gap of a key set: ``min_i (k_i . k_i - max_{j != i} k_i . k_j)``.

    This is the one separation the project uses (summaries, tests, figures): with query
    ``q = k_i`` the correct memory's score exceeds every other by at least ``beta`` times it.
    Near one-hot retrieval needs ``beta * Delta >= log N + 3`` (Ramsauer et al. 2021, ICLR,
    arXiv:2008.02217).
    """
    k = np.asarray(keys, float)
    sim = k @ k.T
    self_sim = np.diag(sim).copy()
    np.fill_diagonal(sim, -np.inf)
    return float(np.min(self_sim - sim.max(axis=1)))
