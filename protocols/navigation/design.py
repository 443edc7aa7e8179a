"""Worlds, walks, path-integrated keys and queries, values and slot gates of the navigation run (numpy only).

Slot ``t`` holds memory ``t``: its key is the grid rate code of the path-integrated position at
step ``t`` and its value the sensory code of observation ``t``. Window ``t`` queries the code of
the **next** position (``W_{a_t} e_t``); memory ``t`` is written (its gate opens) at the start of
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
        action of the last window's query.

    Returns
    -------
    dict
        ``grid, code_scale, codes, envs`` (per environment: ``world, walk, flags, actions, phase,
        pi_error, edge, node``), ``keys (n_pool, d), queries (n_steps, d), values (n_pool,
        sensory_dim), write, clear, env_id, n_steps, n_pool, observations``.
    """
    from hippocampus.codes import grid_code_scale, grid_keys, sensory_codes
    from hippocampus.environment import (edge_memorizer_predictions, new_environment, node_memorizer_predictions,
                                         walk_flags)

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
    keys = np.zeros((n_pool, d))       # slots beyond the walk stay empty (no key synapses, gate shut)
    queries = np.zeros((t_total, d))
    values = np.zeros((n_pool, code.sensory_dim))
    write = np.full(n_pool, t_total)   # unused slots: never opened
    write[:t_total] = np.arange(t_total)  # memory t is written (gate opens) at the start of window t
    clear = np.full(n_pool, t_total)   # ... and cleared when its environment ends
    env_id = np.zeros(t_total, int)
    observations = np.zeros(t_total, int)
    t0 = 0
    for e, env in enumerate(envs):
        n = len(env["walk"])
        k = grid_keys(grid, env["phase"])                 # rate code of the path-integrated phase code
        keys[t0:t0 + n] = k[:n]
        queries[t0:t0 + n] = k[1:n + 1]                   # window t queries the next position
        values[t0:t0 + n] = codes[env["walk"].observations]
        observations[t0:t0 + n] = env["walk"].observations
        clear[t0:t0 + n] = t0 + n
        env_id[t0:t0 + n] = e
        t0 += n
    return dict(grid=grid, code_scale=grid_code_scale(grid), codes=codes, envs=envs, keys=keys,
                queries=queries, values=values, write=write, clear=clear, env_id=env_id, n_steps=t_total,
                n_pool=n_pool, observations=observations)
