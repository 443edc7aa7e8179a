"""Worlds, walks, noisy path integration, values and slot gates of the navigation run (numpy only).

Slot ``t`` holds memory ``t``: its key is the grid rate code of the agent's phase estimate at step
``t`` and its value the sensory code of observation ``t``. Window ``t`` queries the code of the
**next** position (the estimate moved by action ``a_t`` plus path-integration noise,
:mod:`hippocampus.pathint`); memory ``t`` is written (its gate opens) at the start of
window ``t`` and cleared when its environment ends, so window ``t`` sees memories ``0 .. t`` of
its own environment only. The pool has ``pool_size`` slots whatever the walk length, so every seed
runs the same compiled program.
"""
from __future__ import annotations

import numpy as np

__all__ = ["walk", "design_navigation"]


def walk(cfg, world, rng, n_steps):
    """A random walk of ``n_steps`` nodes, or (``n_steps = 0``) until every node has been visited.

    The automatic walk is drawn ``max_steps`` long and cut after the step that completes the
    coverage (the whole ``max_steps`` walk when it never does).
    """
    from hippocampus.environment import walk_flags

    if n_steps > 0:
        return world.random_walk(n_steps, rng, direc_bias=cfg.direc_bias)
    full = world.random_walk(cfg.max_steps, rng, direc_bias=cfg.direc_bias)
    frac = walk_flags(world, full).node_fraction
    t_cover = int(np.argmax(frac >= 1.0)) + 1 if np.any(frac >= 1.0) else cfg.max_steps
    return world.walk_from_actions(int(full.nodes[0]), full.actions[: t_cover - 1])


def design_navigation(cfg, rng) -> dict:
    """Worlds, walks, path-integrated keys/queries, values, gates and bookkeeping of the run.

    Parameters
    ----------
    cfg : NavigationConfig
    rng : numpy.random.Generator
        Draws, in order: object codes, then per environment its object layout, walk and the extra
        action of the last window's query, then the standard-normal path-integration errors
        ``(n_steps, n_modules, 2)`` (scaled by ``cfg.pi_noise``, so every noise level of one seed
        shares the same walk and the same error directions).

    Returns
    -------
    dict
        ``grid, code_scale, codes, envs`` (per environment: ``world, walk, flags, actions, phase,
        pi_error, edge, node``), ``keys (n_pool, d), queries (n_steps, d)`` (of the abstract model
        with correction), ``values (n_pool, sensory_dim), write, clear, env_id, n_steps, n_pool,
        observations``; the noisy walk: ``pi_steps (n_steps, 3M)`` phase increment after each step
        (action plus noise, rad), ``restarts`` ``{step: start phase}``, ``rule``
        (:class:`hippocampus.pathint.CorrectionRule`), ``corrected`` / ``uncorrected`` (results of
        :func:`hippocampus.pathint.closed_loop_walk` per environment, with and without correction)
        and ``corrected_no_clear`` (one memory for both environments).
    """
    from hippocampus.codes import grid_code_scale, sensory_codes
    from hippocampus.environment import (edge_memorizer_predictions, new_environment, node_memorizer_predictions,
                                         walk_flags)
    from hippocampus.pathint import CorrectionRule, action_phases, closed_loop_walk, phase_noise, wave_phases

    code = cfg.code
    grid = code.grid_code()
    codes = sensory_codes(code.n_object_types, code.sensory_dim, code.sensory_active, rng)
    envs = []
    for e, n_steps in enumerate((cfg.n_steps, cfg.n_steps_env2)):
        if e == 1 and n_steps == 0:
            break
        world = new_environment(rng, cfg.width, cfg.width, code.n_object_types)
        w = walk(cfg, world, rng, n_steps)
        flags = walk_flags(world, w)
        # path integration: e_{t+1} = W_{a_t} e_t from the start code; one extra action for the
        # query of the last window (a random valid move from the last node).
        last_moves = world.valid_actions(int(w.nodes[-1]), include_stay=False)
        extra = int(last_moves[int(rng.integers(len(last_moves)))])
        acts = np.append(w.actions, extra)
        start = world.positions[int(w.nodes[0])].astype(float)
        phase = grid.path_integrate(grid.encode(start), acts.tolist())   # (T + 1, 6M)
        true = grid.encode(world.positions[np.append(w.nodes, world.step(int(w.nodes[-1]), extra))]
                           .astype(float))
        envs.append(dict(world=world, walk=w, flags=flags, actions=acts, phase=phase,
                         pi_error=float(np.max(np.abs(phase - true))),
                         edge=edge_memorizer_predictions(w), node=node_memorizer_predictions(w)))
    t_total = sum(len(e["walk"]) for e in envs)
    n_pool = max(cfg.pool_size, t_total)
    d = grid.n_cells
    # noisy path integration: the errors are drawn after the walks, so the walks do not depend on them
    xi = rng.standard_normal((t_total, grid.n_modules, 2))
    pi_steps = (np.concatenate([action_phases(grid, env["actions"]) for env in envs])
                + phase_noise(grid, xi, cfg.pi_noise))
    starts = np.cumsum([0] + [len(env["walk"]) for env in envs])[:-1]
    restarts = {int(t0): wave_phases(grid, env["world"].positions[int(env["walk"].nodes[0])])[0]
                for t0, env in zip(starts, envs)}
    env_id = np.concatenate([np.full(len(env["walk"]), e) for e, env in enumerate(envs)])
    observations = np.concatenate([env["walk"].observations for env in envs]).astype(int)
    rule = CorrectionRule(match_min=cfg.match_min, min_share=cfg.min_share, gain=cfg.correction_gain)
    loop = dict(grid=grid, restarts=restarts, steps=pi_steps, observations=observations, codes=codes, beta=cfg.beta)
    corrected = closed_loop_walk(**loop, rule=rule, groups=env_id)
    uncorrected = closed_loop_walk(**loop, rule=None, groups=env_id)
    corrected_no_clear = closed_loop_walk(**loop, rule=rule, groups=None)
    keys = np.zeros((n_pool, d))       # slots beyond the walk stay empty (gate shut)
    keys[:t_total] = corrected["keys"]
    queries = corrected["queries"]     # window t queries the (moved) estimate of position t + 1
    values = np.zeros((n_pool, code.sensory_dim))
    values[:t_total] = codes[observations]
    write = np.full(n_pool, t_total)   # unused slots: never opened
    write[:t_total] = np.arange(t_total)  # memory t is written (gate opens) at the start of window t
    clear = np.full(n_pool, t_total)   # ... and cleared when its environment ends
    for t0, env in zip(starts, envs):
        n = len(env["walk"])
        clear[t0:t0 + n] = t0 + n
    return dict(grid=grid, code_scale=grid_code_scale(grid), codes=codes, envs=envs, keys=keys,
                queries=queries, values=values, write=write, clear=clear, env_id=env_id, n_steps=t_total,
                n_pool=n_pool, observations=observations, pi_steps=pi_steps, restarts=restarts, rule=rule,
                corrected=corrected, uncorrected=uncorrected, corrected_no_clear=corrected_no_clear)
