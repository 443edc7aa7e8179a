"""MEC hexagonal grid code with exact path integration (numpy only).

Code
----
Module ``m = 0 .. M-1`` has spatial period (grid scale) ``lambda_m = base_scale * scale_ratio**m``
and orientation ``theta_m``; its three wave vectors are ``k_mj`` at angles ``theta_m + j pi/3``
(``j = 0, 1, 2``) with ``|k_mj| = 4 pi / (sqrt(3) lambda_m)``.  The code of position ``x`` is

    ``e(x) = [cos(k_mj . x), sin(k_mj . x)]_{m, j} / sqrt(3 M)``,

a unit vector of dimension ``6 M`` laid out module by module, wave by wave, as ``(cos, sin)``
pairs.  The kernel is ``e(x) . e(y) = (1/(3M)) sum_mj cos(k_mj . (x - y))``, so similarity
depends only on the displacement.

Path integration
----------------
A displacement ``dx`` rotates each ``(cos, sin)`` pair by the phase ``k_mj . dx``, so
``W_a = blockdiag R(k_mj . dx_a)`` (2 x 2 rotations) gives ``e(x + dx_a) = W_a e(x)`` exactly;
``W_a`` is orthogonal and ``W_N W_S = I``.  (Gao et al. 2019, ICLR, "Learning grid cells as vector
representation of self-position coupled with matrix representation of self-motion"; Gao et al.
2021, NeurIPS, rotation Lie group; Dorrell et al. 2023, ICLR, multiple hexagonal modules.)

Firing rates
------------
The code has signed entries; the non-negative grid-cell rates used by the spiking model come from
phase-tuned populations: cell ``i`` of module ``m`` with spatial
phase ``phi_i`` fires at

    ``r_i(x) = max_rate * [sum_j cos(k_mj . (x - phi_i))]_+ / 3``,

which peaks at ``max_rate`` on a hexagonal lattice of period ``lambda_m`` through ``phi_i``.  Since
``cos(k . (x - phi)) = cos(k . x) cos(k . phi) + sin(k . x) sin(k . phi)``, the rates are a fixed
linear read-out of the code followed by rectification: ``r = max_rate [R e(x)]_+``
(:attr:`GridCode.readout`).  By default each module has ``cells_per_module = 9`` cells whose
phases tile the module's unit cell on a 3 x 3 lattice.

Units
-----
Positions, scales and displacements are in **grid-node units** (adjacent nodes of
:mod:`hippocampus.environment` are 1 apart); angles in radians; rates in Hz as plain floats
(no Brian2 units here).  Module scale ratio about 1.42 and 4-5 modules follow Stensola et al. 2012
(*Nature* 492:72); ``sqrt(e) ~ 1.65`` is the optimum of Wei, Prentice & Balasubramanian 2015 (*eLife*
4:e08362).

Defaults and separation
-----------------------
Default orientations are spread by the golden ratio over the 60-deg symmetry range,
``theta_m = frac(m * 0.618...) * pi/3``, which separates positions better than equal orientations.
Measured for the default code (5 modules, ``base_scale 2``, ratio 1.42, dimension 30) on the 121
nodes of an 11 x 11 world: minimal separation ``1 - max off-diagonal cosine = 0.532``; mean
attention on the correct memory 0.461 / 0.978 / 0.99997 at ``beta = 5 / 10 / 20``
(all orientations 0 instead: 0.312; random orientations: 0.34-0.61, mean 0.48).
"""
from __future__ import annotations

import numpy as np

from core.checks import as_array as _as_array
from core.checks import check_int as _check_int
from core.checks import check_real as _check_real
from hippocampus.environment import ACTION_DISPLACEMENTS, ACTIONS, action_index
# world_positions is defined next to GridWorld (whose .positions uses it) and re-exported here:
# environment cannot import grid, which imports environment.
from hippocampus.environment import world_positions

__all__ = ["GOLDEN_FRACTION", "GridCode", "default_orientations", "world_positions"]

#: ``(sqrt(5) - 1) / 2``, used to spread module orientations.
GOLDEN_FRACTION = (np.sqrt(5.0) - 1.0) / 2.0


def default_orientations(n_modules):
    """Golden-ratio spread of module orientations, ``frac(m * 0.618...) * pi/3`` (rad)."""
    n_modules = _check_int("n_modules", n_modules, lo=1)
    return np.mod(np.arange(n_modules) * GOLDEN_FRACTION, 1.0) * (np.pi / 3)


class GridCode:
    """Hexagonal multi-module grid code with exact, orthogonal path-integration matrices.

    Parameters
    ----------
    n_modules : int, optional
        Number of modules ``M`` (``>= 1``); the code has dimension ``6 M``.
    base_scale : float, optional
        Grid period of module 0 in grid-node units (``> 0``).
    scale_ratio : float, optional
        Ratio of successive module periods (``> 0``; 1.42 measured, 1.4-1.7 realistic).
    orientations : array_like, shape (M,), or None, optional
        Module orientations ``theta_m`` in rad; ``None`` uses :func:`default_orientations`.
    cells_per_module : int, optional
        Grid cells per module for :meth:`rates` (``>= 1``).  With ``phase_layout="lattice"`` it must
        be a perfect square ``n^2`` (phases on an ``n x n`` lattice over the unit cell).
    phase_layout : {"lattice", "random"}, optional
        Cell phases on a regular lattice over each module's unit cell, or uniform random (uses
        ``rng``).
    rng : numpy.random.Generator or int or None, optional
        Only used for ``phase_layout="random"``.

    Attributes
    ----------
    dim : int
        Code dimension ``6 M``.
    scales : numpy.ndarray, shape (M,)
        Grid periods ``lambda_m`` (grid-node units).
    wave_vectors : numpy.ndarray, shape (M, 3, 2)
        ``k_mj`` in rad per grid-node unit.
    phases : numpy.ndarray, shape (M, cells_per_module, 2)
        Spatial phase ``phi_i`` of each grid cell (grid-node units).
    readout : numpy.ndarray, shape (M * cells_per_module, 6 M)
        Linear map with ``rates = max_rate * [readout @ code]_+``.
    """

    def __init__(self, n_modules=5, base_scale=2.0, scale_ratio=1.42, orientations=None,
                 cells_per_module=9, phase_layout="lattice", rng=None):
        self.n_modules = _check_int("n_modules", n_modules, lo=1)
        self.base_scale = _check_real("base_scale", base_scale, lo=0.0, lo_open=True)
        self.scale_ratio = _check_real("scale_ratio", scale_ratio, lo=0.0, lo_open=True)
        if orientations is None:
            theta = default_orientations(self.n_modules)
        else:
            theta = _as_array("orientations", orientations, ndims=(1,))
            if theta.shape != (self.n_modules,):
                raise ValueError(f"orientations has shape {theta.shape}: "
                                 f"allowed (n_modules,) = ({self.n_modules},)")
        self.orientations = theta.copy()
        self.cells_per_module = _check_int("cells_per_module", cells_per_module, lo=1)
        if phase_layout not in ("lattice", "random"):
            raise ValueError(f"phase_layout = {phase_layout!r} is not allowed: choose 'lattice' or 'random'")
        self.phase_layout = phase_layout

        m = np.arange(self.n_modules)
        self.scales = self.base_scale * self.scale_ratio ** m
        kmag = 4.0 * np.pi / (np.sqrt(3.0) * self.scales)                       # (M,)
        ang = self.orientations[:, None] + np.arange(3)[None, :] * np.pi / 3     # (M, 3)
        self.wave_vectors = kmag[:, None, None] * np.stack([np.cos(ang), np.sin(ang)], axis=-1)
        self._k = self.wave_vectors.reshape(-1, 2)                                # (3M, 2)
        self.dim = 6 * self.n_modules
        self._norm = 1.0 / np.sqrt(3.0 * self.n_modules)

        # Real-space lattice vectors of each module: lengths lambda_m at theta_m + 30 deg and + 90 deg,
        # so k_mj . a is a multiple of 2 pi for all j.
        a1 = self.scales[:, None] * np.stack([np.cos(self.orientations + np.pi / 6),
                                              np.sin(self.orientations + np.pi / 6)], axis=-1)
        a2 = self.scales[:, None] * np.stack([np.cos(self.orientations + np.pi / 2),
                                              np.sin(self.orientations + np.pi / 2)], axis=-1)
        self.lattice_vectors = np.stack([a1, a2], axis=1)                        # (M, 2, 2)
        c = self.cells_per_module
        if phase_layout == "lattice":
            side = int(round(np.sqrt(c)))
            if side * side != c:
                raise ValueError(f"cells_per_module = {c} is not allowed with phase_layout='lattice': "
                                 f"allowed perfect squares (1, 4, 9, 16, ...)")
            u, v = np.meshgrid(np.arange(side) / side, np.arange(side) / side, indexing="ij")
            frac = np.stack([u.ravel(), v.ravel()], axis=-1)                     # (c, 2)
            frac = np.broadcast_to(frac, (self.n_modules, c, 2))
        else:
            gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(
                None if rng is None else _check_int("rng", rng, lo=0))
            frac = gen.random((self.n_modules, c, 2))
        self.phases = np.einsum("mcu,mud->mcd", frac, self.lattice_vectors)

        # readout: cell (m, i) row has, for wave j of module m, (cos(k.phi), sin(k.phi)) * sqrt(3M)/3.
        ro = np.zeros((self.n_modules * c, self.dim))
        for mi in range(self.n_modules):
            ph = self.phases[mi] @ self.wave_vectors[mi].T                       # (c, 3)
            block = np.stack([np.cos(ph), np.sin(ph)], axis=-1).reshape(c, 6)
            ro[mi * c:(mi + 1) * c, 6 * mi:6 * (mi + 1)] = block / (3.0 * self._norm)
        self.readout = ro

    def __repr__(self):
        return (f"GridCode(n_modules={self.n_modules}, base_scale={self.base_scale}, "
                f"scale_ratio={self.scale_ratio}, dim={self.dim})")

    # -- code -------------------------------------------------------------------------------
    def _positions(self, positions, name="positions"):
        pos = _as_array(name, positions, ndims=(1, 2))
        if pos.shape[-1] != 2:
            raise ValueError(f"{name} has shape {pos.shape}: allowed (2,) or (n, 2) positions (x, y)")
        return pos

    def encode(self, positions):
        """Unit-norm grid code of position(s).

        Parameters
        ----------
        positions : array_like, shape (2,) or (n, 2)
            Positions ``(x, y)`` in grid-node units.

        Returns
        -------
        numpy.ndarray, shape (6 M,) or (n, 6 M)
            Codes ``e(x)`` (one per row), each of Euclidean norm 1.
        """
        pos = self._positions(positions)
        return self.encode_phases(pos @ self._k.T)

    def encode_phases(self, phases):
        """Unit-norm grid code of wave phases.

        Parameters
        ----------
        phases : array_like, shape (..., 3 M)
            Phases ``k_mj . x_m`` (rad) of the ``3 M`` plane waves; each module may hold its own
            position (a drifting estimate), so any phases are allowed.

        Returns
        -------
        numpy.ndarray, shape (..., 6 M)
            ``[cos, sin]`` of every wave, scaled to Euclidean norm 1 (layout of :meth:`encode`).
        """
        phase = np.asarray(phases, float)
        code = np.stack([np.cos(phase), np.sin(phase)], axis=-1)                 # (..., 3M, 2)
        return code.reshape(*phase.shape[:-1], self.dim) * self._norm

    def _displacement(self, action):
        if isinstance(action, str) or np.ndim(action) == 0:
            return ACTION_DISPLACEMENTS[action_index(action)].astype(float)
        d = _as_array("action", action, ndims=(1,))
        if d.shape != (2,):
            raise ValueError(f"action has shape {d.shape}: allowed a name {ACTIONS}, an index, or a "
                             f"displacement of shape (2,)")
        return d

    def action_matrix(self, action):
        """Path-integration matrix ``W_a = blockdiag R(k_mj . dx_a)`` with ``e(x + dx_a) = W_a e(x)``.

        Parameters
        ----------
        action : str, int or array_like, shape (2,)
            ``"N"``, ``"E"``, ``"S"``, ``"W"``, ``"stay"`` (or index 0..4, see
            :mod:`hippocampus.environment`), or any displacement ``(dx, dy)`` in grid-node units.

        Returns
        -------
        numpy.ndarray, shape (6 M, 6 M)
            Orthogonal block-diagonal matrix of 2 x 2 rotations.
        """
        dx = self._displacement(action)
        phi = self._k @ dx                                                        # (3M,)
        c, s = np.cos(phi), np.sin(phi)
        w = np.zeros((self.dim, self.dim))
        i = np.arange(0, self.dim, 2)
        w[i, i] = c
        w[i, i + 1] = -s
        w[i + 1, i] = s
        w[i + 1, i + 1] = c
        return w

    def action_matrices(self):
        """Dict ``{name: W_a}`` for all actions in :data:`hippocampus.environment.ACTIONS`."""
        return {a: self.action_matrix(a) for a in ACTIONS}

    def path_integrate(self, code, actions):
        """Apply the action matrices in sequence, starting from ``code``.

        Parameters
        ----------
        code : array_like, shape (6 M,)
            Start code (e.g. ``encode(x0)``).
        actions : sequence
            Actions (names, indices or displacements), applied in order.

        Returns
        -------
        numpy.ndarray, shape (len(actions) + 1, 6 M)
            Row 0 is the start code, row ``t`` the code after ``t`` actions.
        """
        e = _as_array("code", code, ndims=(1,))
        if e.shape != (self.dim,):
            raise ValueError(f"code has shape {e.shape}: allowed ({self.dim},) = (6 * n_modules,)")
        cache = {}
        out = [e]
        for a in actions:
            key = a if isinstance(a, (str, int, np.integer)) else None
            if key is None:
                w = self.action_matrix(a)
            else:
                if key not in cache:
                    cache[key] = self.action_matrix(a)
                w = cache[key]
            out.append(w @ out[-1])
        return np.array(out)

    # -- rates ------------------------------------------------------------------------------
    @property
    def n_cells(self) -> int:
        """Number of grid cells, ``n_modules * cells_per_module``."""
        return self.n_modules * self.cells_per_module

    def rates(self, x, max_rate=1.0):
        """Non-negative grid-cell firing rates ``max_rate * [readout @ e]_+``.

        Parameters
        ----------
        x : array_like, shape (..., 6 M) or (..., 2)
            Codes (last axis ``6 M``) or positions ``(x, y)`` in grid-node units (last axis 2).
        max_rate : float, optional
            Peak rate (Hz, plain float, ``> 0``), reached at a cell's firing-field centres.

        Returns
        -------
        numpy.ndarray, shape (..., n_cells)
            Rates in ``[0, max_rate]`` (Hz), module by module, ``cells_per_module`` cells each.
        """
        arr = _as_array("x", x, ndims=(1, 2))
        max_rate = _check_real("max_rate", max_rate, lo=0.0, lo_open=True)
        if arr.shape[-1] == 2:
            arr = self.encode(arr)
        elif arr.shape[-1] != self.dim:
            raise ValueError(f"x has shape {arr.shape}: allowed last axis 2 (positions) or "
                             f"6 * n_modules = {self.dim} (codes)")
        return max_rate * np.maximum(arr @ self.readout.T, 0.0)

    # -- separation -------------------------------------------------------------------------
    def similarity_matrix(self, positions):
        """Cosine similarity ``e(x_i) . e(x_j)`` of all pairs of positions, shape ``(n, n)``."""
        pos = self._positions(positions)
        e = np.atleast_2d(self.encode(pos))
        return e @ e.T

    def min_separation(self, width=11, height=None):
        """``Delta_min = 1 - max_{i != j} e(x_i) . e(x_j)`` over the nodes of a ``width x height`` world.

        With unit-norm codes this is the smallest Ramsauer separation of the stored keys; softmax
        retrieval is near one-hot when ``beta * Delta_min >~ log N + 3`` (Ramsauer et al. 2021, ICLR,
        arXiv:2008.02217).

        Parameters
        ----------
        width : int, optional
            World width in nodes (default 11).
        height : int or None, optional
            World height; ``None`` means square.

        Returns
        -------
        float
        """
        pos = world_positions(width, height)
        if pos.shape[0] < 2:
            raise ValueError(f"width x height = {pos.shape[0]} node: allowed at least 2 nodes")
        s = self.similarity_matrix(pos)
        np.fill_diagonal(s, -np.inf)
        return float(1.0 - s.max())
