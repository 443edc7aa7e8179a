"""Noisy path integration on grid-module phases and its sensory correction (numpy only).

Phase state
-----------
The estimate of the agent's position is held as the ``3 M`` wave phases ``theta_mj = k_mj . x_m``
of the grid code (:class:`hippocampus.grid.GridCode`: module ``m``, wave ``j``); the phase code is
``e = [cos theta_mj, sin theta_mj] / sqrt(3 M)`` and the grid-cell rates are read out from it as
for any code. Every module keeps its own position ``x_m``: the modules are separate attractor
networks and drift independently (Burak & Fiete 2009, PLoS Comput. Biol. 5:e1000291).

Noise
-----
Each step adds the action's displacement and an error ``delta_m ~ N(0, (sigma lambda_m)^2 I_2)``
to every module's position (grid-node units), so ``sigma`` (``pi_noise``) is the SD of the phase
error per step and per spatial dimension **in units of the module's period** ``lambda_m``: after
``n`` steps without correction a module's phase has wandered by ``sigma sqrt(n)`` periods. Grid
cells drift without landmarks and are re-anchored by them (Hardcastle, Ganguli & Giocomo 2015,
Neuron 86:827; Burak & Fiete 2009).

Sensory correction (TEM-t inference step)
-----------------------------------------
After the noisy update, the query ``q`` (grid rate code of the estimate) attends over the stored
memories; the attention is restricted to the memories that match the current observation and
whose key matches the query (``k . q >= match_min``): the attention over conjunctive keys
``[grid code; observation]`` with the sensory part taken as exact. When these memories carry at
least ``min_share`` of the attention, each wave phase is replaced by the attention-weighted
circular mean of their stored phases (for ``gain < 1`` the direction of the ``gain``-weighted
blend of the two unit vectors; ``gain = 1`` replaces). Otherwise the path-integrated estimate
stands (Whittington, Warren & Behrens 2022, ICLR, arXiv:2112.04035, inference of the position from
memory; Hardcastle et al. 2015).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CorrectionRule", "wave_phases", "wave_scales", "phase_code", "phase_noise", "action_phases",
           "circular_mean", "blend_phase", "wrap", "closed_loop_walk", "decode_nodes"]


@dataclass(frozen=True)
class CorrectionRule:
    """The sensory-correction rule shared by the abstract model and the spiking circuit.

    Attributes
    ----------
    match_min : float
        Smallest key-query overlap ``k . q`` (code units; 1 for a perfect match of the grid rate
        code) of a memory that may re-anchor the estimate.
    min_share : float
        Smallest share of the attention (abstract: softmax weight; spiking: memory spikes in the
        read window) on matching memories for the estimate to be re-anchored, in (0, 1].
    gain : float
        Fraction of the wrapped phase difference applied, in (0, 1] (1: replace).
    """

    match_min: float = 0.65
    min_share: float = 0.5
    gain: float = 1.0


def wave_phases(grid, positions) -> np.ndarray:
    """Wave phases ``k_mj . x`` (rad) of positions, shape ``(n, 3 M)``."""
    return np.atleast_2d(np.asarray(positions, float)) @ grid.wave_vectors.reshape(-1, 2).T


def wave_scales(grid) -> np.ndarray:
    """Period ``lambda_m`` (grid-node units) of the module of each wave, shape ``(3 M,)``."""
    return np.repeat(grid.scales, 3)


def phase_code(grid, phases) -> np.ndarray:
    """Unit-norm grid phase code of wave phases ``(..., 3 M)`` (:meth:`GridCode.encode_phases`)."""
    return grid.encode_phases(phases)


def action_phases(grid, actions) -> np.ndarray:
    """Phase increments ``k_mj . dx_a`` (rad) of each action index, shape ``(len(actions), 3 M)``."""
    from hippocampus.environment import ACTION_DISPLACEMENTS

    dx = ACTION_DISPLACEMENTS[np.asarray(actions, int)].astype(float)
    return dx @ grid.wave_vectors.reshape(-1, 2).T


def phase_noise(grid, standard_normal, sigma: float) -> np.ndarray:
    """Phase errors (rad) of ``sigma``-scaled module displacement errors.

    Parameters
    ----------
    grid : GridCode
    standard_normal : array_like, shape (n_steps, n_modules, 2)
        Independent N(0, 1) draws (one 2-D error per module and step).
    sigma : float
        SD of the error per step and dimension, in units of each module's period.

    Returns
    -------
    numpy.ndarray, shape (n_steps, 3 M)
        ``k_mj . delta_m`` with ``delta_m = sigma lambda_m xi_m`` (grid-node units).
    """
    xi = np.asarray(standard_normal, float)
    delta = sigma * grid.scales[None, :, None] * xi                  # (n, M, 2) grid-node units
    return np.einsum("nmd,mjd->nmj", delta, grid.wave_vectors).reshape(len(xi), -1)


def wrap(phase):
    """Phase wrapped to ``(-pi, pi]`` (rad)."""
    return np.angle(np.exp(1j * np.asarray(phase, float)))


def blend_phase(phase, target, gain):
    """Phase moved towards ``target`` (rad): the direction of ``(1 - gain) e^(i phase) + gain e^(i target)``
    (``gain = 1`` gives ``target``; the spiking circuit blends its unit vectors the same way)."""
    z = (1.0 - gain) * np.exp(1j * np.asarray(phase, float)) + gain * np.exp(1j * np.asarray(target, float))
    return np.angle(z)


def circular_mean(phases, weights) -> np.ndarray:
    """Weighted circular mean (rad) of rows of phases ``(k, 3 M)``, per column."""
    w = np.asarray(weights, float)[:, None]
    z = np.sum(w * np.exp(1j * np.asarray(phases, float)), axis=0)
    return np.angle(z)


def decode_nodes(grid, phases, positions) -> np.ndarray:
    """Index of the node (row of ``positions``) whose grid code best matches each phase estimate."""
    return np.argmax(phase_code(grid, phases) @ grid.encode(np.asarray(positions, float)).T, axis=-1)


def closed_loop_walk(grid, restarts, steps, observations, codes, beta, rule: CorrectionRule | None,
                     groups=None):
    """Abstract TEM-t on a noisy walk, with or without sensory correction.

    Step ``t`` writes memory ``t`` (key: grid rate code of the estimate of position ``t``, value:
    code of observation ``t``), moves the estimate by ``steps[t]`` (path integration plus noise),
    predicts observation ``t + 1`` by softmax attention of the moved estimate over memories
    ``0 .. t`` of its group, then (with ``rule``) corrects the estimate with observation ``t + 1``.

    Parameters
    ----------
    grid : GridCode
    restarts : dict
        ``{step: phase (3 M,)}``: the estimate is set to ``phase`` (rad) at ``step``; step 0 must
        be one (the agent knows where it starts each environment).
    steps : array_like, shape (T, 3 M)
        Phase increment (rad) applied after step ``t``: action plus noise.
    observations : array_like of int, shape (T,)
    codes : array_like, shape (n_types, d_v)
        Sensory code of each object type.
    beta : float
        Inverse temperature of the attention.
    rule : CorrectionRule or None
        ``None``: no correction (dead reckoning).
    groups : array_like of int, shape (T,), optional
        Group of each step (environment); memories of other groups are not attended and no
        correction crosses a group boundary. ``None``: one group.

    Returns
    -------
    dict
        ``estimate (T, 3M)`` phase estimate of position ``t`` (after correction), ``query (T, 3M)``
        moved estimate of window ``t`` (position ``t + 1``), ``keys (T, d)``, ``queries (T, d)``
        (grid rate codes), ``decoded (T,)`` object decoded in window ``t`` (prediction for
        ``t + 1``; -1 none), ``corrected (T,)`` whether the estimate of position ``t`` is a
        re-anchored one.
    """
    from core.softmax import softmax
    from hippocampus.codes import decode_objects, grid_keys

    steps = np.asarray(steps, float)
    obs = np.asarray(observations, int)
    t_len = len(obs)
    groups = np.zeros(t_len, int) if groups is None else np.asarray(groups, int)
    est = np.zeros_like(steps)
    qph = np.zeros_like(steps)
    keys = np.zeros((t_len, grid.n_cells))
    queries = np.zeros((t_len, grid.n_cells))
    pred_vec = np.zeros((t_len, codes.shape[1]))
    corrected = np.zeros(t_len, bool)
    values = np.asarray(codes, float)[obs]
    if 0 not in restarts:
        raise ValueError("restarts has no entry for step 0: allowed a dict with the start phase at step 0")
    th, lo = None, 0
    for t in range(t_len):
        if t in restarts:
            th = np.asarray(restarts[t], float).copy()
        if t > 0 and groups[t] != groups[t - 1]:
            lo = t
        est[t] = th
        keys[t] = grid_keys(grid, phase_code(grid, th))
        th = th + steps[t]
        qph[t] = th
        q = grid_keys(grid, phase_code(grid, th))
        queries[t] = q
        overlap = keys[lo:t + 1] @ q
        a = softmax(overlap, beta)
        pred_vec[t] = a @ values[lo:t + 1]
        last = t + 1 == t_len or groups[t + 1] != groups[t]
        if rule is not None and not last:
            match = (obs[lo:t + 1] == obs[t + 1]) & (overlap >= rule.match_min)
            share = a[match].sum()
            if match.any() and share >= rule.min_share:
                target = circular_mean(est[lo:t + 1][match], a[match])
                th = blend_phase(th, target, rule.gain)
                corrected[t + 1] = True
    decoded = decode_objects(pred_vec, codes)
    return dict(estimate=est, query=qph, keys=keys, queries=queries, decoded=decoded, corrected=corrected)
