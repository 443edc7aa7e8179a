"""Keys, values, cues and the window schedule of the hopfield-recall protocol (numpy only).

Two pools of slots, each ``n_slots`` long:

* pool A (slots ``0 .. n_memories-1``): grid keys of distinct random positions of a
  ``world_width``^2 world with LEC object values; used by the beta-sweep (block 0) and
  normalisation (block 1) queries;
* pool B (slots ``n_slots .. n_slots+n_memories-1``): random +-1 patterns shown on MEC as their
  active bits, with LEC object values; used by the recall block (block 2).

Pool A's gates are open from the start until the recall block begins, pool B's from then on;
unused slots are never opened. ``target`` is the memory index (``0 .. n_memories-1``) in the
pool in use.
"""
from __future__ import annotations

import numpy as np

__all__ = ["BLOCKS", "design_queries", "scores"]

#: Block index -> label of the simulation segment.
BLOCKS = {0: "beta sweep", 1: "normalisation", 2: "recall vs noise"}


def design_queries(cfg, rng) -> dict:
    """Every key, value, query and per-window label of the run.

    Parameters
    ----------
    cfg : HopfieldRecallConfig
    rng : numpy.random.Generator
        Draws, in order: object codes, positions, patterns, objects, query orders, cue noise.

    Returns
    -------
    dict
        ``grid, code_scale, keys (2 n_slots, d), values (2 n_slots, sensory_dim), objects,
        objects_code, patterns, positions, active, write, clear, pool, mem_slots (q, m), partial``
        and per window ``query, cues, block, beta, shift, target, noise, partial_fraction``.
    """
    from hippocampus.codes import grid_code_scale, grid_keys, pattern_codes, sensory_codes
    from hippocampus.grid import world_positions

    code = cfg.code
    grid = code.grid_code()
    d = grid.n_cells
    m, ns = cfg.n_memories, cfg.n_slots
    objects_code = sensory_codes(code.n_object_types, code.sensory_dim, code.sensory_active, rng)

    pos = world_positions(cfg.world_width)[rng.choice(cfg.world_width ** 2, m, replace=False)]
    keys = np.zeros((2 * ns, d))
    keys[:m] = grid_keys(grid, pos)
    patterns = rng.choice([-1.0, 1.0], size=(m, d))
    keys[ns:ns + m] = pattern_codes(patterns)
    obj = np.full(2 * ns, -1)
    obj[:m] = rng.integers(code.n_object_types, size=m)
    obj[ns:ns + m] = rng.integers(code.n_object_types, size=m)
    values = np.zeros((2 * ns, code.sensory_dim))
    values[obj >= 0] = objects_code[obj[obj >= 0]]

    # one list per per-window field (block, query code, beta, shift, target memory, flipped
    # fraction, silenced fraction, +-1 cue)
    col = {k: [] for k in ("block", "query", "beta", "shift", "target", "noise", "partial_fraction", "cue")}

    def add(block, query, beta, shift, target, noise=0.0, partial=0.0, cue=None):
        for k, v in zip(col, (block, query, beta, shift, target, noise, partial,
                              np.zeros(d) if cue is None else cue)):
            col[k].append(v)

    for b in cfg.betas:
        for mu in rng.permutation(m):
            add(0, keys[mu], b, 0.0, mu)
    norm_targets = rng.choice(m, min(2, m), replace=False)
    for sh in cfg.shifts:
        for mu in norm_targets:
            add(1, keys[mu], cfg.beta, sh, mu)
    recall = []
    for f in cfg.noise_levels:
        for mu in range(m):
            for _ in range(cfg.cues_per_memory):
                cue = patterns[mu].copy()
                cue[rng.choice(d, int(round(f * d)), replace=False)] *= -1
                recall.append((mu, f, 0.0, cue))
    for f in cfg.partial_levels:
        for mu in range(m):
            for _ in range(cfg.cues_per_memory):
                cue = patterns[mu].copy()
                on = np.flatnonzero(cue > 0)
                cue[rng.choice(on, int(round(f * len(on))), replace=False)] = -1.0  # silenced cells
                recall.append((mu, 0.0, f, cue))
    for k in rng.permutation(len(recall)):
        mu, f, pf, cue = recall[k]
        add(2, pattern_codes(cue), cfg.recall_beta, 0.0, mu, f, pf, cue)

    arr = {k: np.array(v) for k, v in col.items()}
    n = len(arr["block"])
    arr["beta"] = arr["beta"].astype(float)
    arr["shift"] = arr["shift"].astype(float)
    n_ab = int(np.sum(arr["block"] < 2))
    write = np.full(2 * ns, n)
    clear = np.full(2 * ns, n)
    write[:m], clear[:m] = 0, n_ab
    write[ns:ns + m] = n_ab
    w_idx = np.arange(n)[:, None]
    active = (w_idx >= write[None, :]) & (w_idx < clear[None, :])
    pool = (arr["block"] == 2).astype(int)
    mem_slots = np.where(pool[:, None] == 1, ns, 0) + np.arange(m)[None, :]   # (q, m) slot of memory mu
    return dict(grid=grid, code_scale=grid_code_scale(grid), keys=keys, values=values, objects=obj,
                objects_code=objects_code, patterns=patterns, positions=pos, active=active, write=write,
                clear=clear, pool=pool, mem_slots=mem_slots, partial=arr["partial_fraction"] > 0,
                query=arr["query"], cues=arr["cue"], **{k: arr[k] for k in ("block", "beta", "shift", "target",
                                                                             "noise", "partial_fraction")})


def scores(design) -> np.ndarray:
    """Exponent ``beta k . q + shift`` of each query for each memory of the pool in use, shape
    (queries, n_memories): exactly what the circuit computes for the scheduled query code."""
    s = design["beta"][:, None] * (design["query"] @ design["keys"].T) + design["shift"][:, None]
    return np.take_along_axis(s, design["mem_slots"], axis=1)
