"""Validation of the grid-code (MEC) and sensory-code (LEC) settings shared by the protocols.

Both hippocampal protocols carry the same code fields (``n_modules, base_scale, scale_ratio,
cells_per_module, n_object_types, sensory_dim, sensory_active``); one checker keeps their
allowed ranges identical and rejects settings that would only fail later (a non-square
``cells_per_module``, too few distinct sensory codes).
"""
from __future__ import annotations

from math import comb, isqrt

from hippocampus.validation import check_int, check_real


def check_code_fields(cfg) -> None:
    """Validate the grid/sensory code fields of a protocol config (raises ValueError/TypeError)."""
    check_int("n_modules", cfg.n_modules, lo=1, hi=20)
    check_real("base_scale", cfg.base_scale, lo=0.0, lo_open=True, hi=1000.0)
    check_real("scale_ratio", cfg.scale_ratio, lo=0.0, lo_open=True, hi=10.0)
    check_int("cells_per_module", cfg.cells_per_module, lo=1, hi=400)
    if isqrt(cfg.cells_per_module) ** 2 != cfg.cells_per_module:
        raise ValueError(f"cells_per_module = {cfg.cells_per_module} is not allowed: use a perfect square "
                         f"(1, 4, 9, 16, ...)")
    check_int("n_object_types", cfg.n_object_types, lo=2, hi=10000)
    check_int("sensory_dim", cfg.sensory_dim, lo=2, hi=10000)
    check_int("sensory_active", cfg.sensory_active, lo=1, hi=(cfg.sensory_dim, f"sensory_dim = {cfg.sensory_dim}"))
    n_codes = comb(cfg.sensory_dim, cfg.sensory_active)
    if n_codes < cfg.n_object_types:
        raise ValueError(f"sensory_dim = {cfg.sensory_dim} with sensory_active = {cfg.sensory_active} gives only "
                         f"{n_codes} distinct codes: allowed C(sensory_dim, sensory_active) >= n_object_types = "
                         f"{cfg.n_object_types}")


def check_time_grid(name, value, grid_ms=0.1) -> None:
    """Reject times that are not a multiple of the simulation step (read windows would drift)."""
    from brian2 import ms

    n = float(value / ms) / grid_ms
    if abs(n - round(n)) > 1e-6:
        raise ValueError(f"{name} = {value} is not allowed: use a multiple of {grid_ms} ms (the time step dt)")
