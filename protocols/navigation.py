"""TEM-t navigation: predict the next observation by path integration (MEC) and attention (memory).

The walk is drawn with numpy before the simulation (``hippocampus.environment``), so the whole
protocol is one compiled program with a fixed pool of memory slots, one per step:

* window ``t`` (length ``settle + read``) belongs to step ``t``: at its start, memory ``t`` is
  written one-shot -- slot ``t``'s gate opens (bias ``SLOT_OFF`` -> 0); its key is the grid code
  of the current position (path-integrated from the start with the exact action matrices ``W_a``)
  and its value the LEC code of the object just observed (the LEC population shows it);
* during window ``t`` MEC shows the query: the path-integrated grid code of the **next** position
  (``W_{a_t} e_t``); the read-out's decoded object is the prediction for step ``t + 1``. Memory
  ``t + 1`` does not exist yet, so the prediction is causal (as ``causal_tem_attention``).
* **Second environment** (new object layout, same geometry, hence the same grid codes): at the
  switch every slot of environment 1 is **gated off** (bias back to ``SLOT_OFF``; the memories are
  cleared from the read-out's point of view), so old memories cannot intrude. The abstract
  counterfactual without clearing is reported next to it.

Predictors on the same walk: spiking network, abstract TEM-t attention
(``causal_tem_attention`` with the same keys, values and beta), edge memoriser, node memoriser.
Targets (issue #6): link-inference accuracy abstract >= 0.98, spiking >= 0.95, edge memoriser 0.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from hippocampus.params import MemoryCircuitParams
from hippocampus.validation import check_int, check_quantity, check_real

NAME = "navigation"
DESCRIPTION = "TEM-t in spikes: zero-shot link inference by path integration + attention, 4 predictors"


def _qfield(value):
    return field(default_factory=lambda: value)


def _default_circuit():
    # Fewer copies than hopfield-recall: only the argmax matters here and slots = steps (~1000).
    return MemoryCircuitParams(copies=4, mec_copies=20)


@dataclass(frozen=True)
class NavigationConfig:
    """All parameters of the navigation protocol.

    Parameters
    ----------
    width : int
        World side in nodes (default 11).
    n_steps : int
        Steps in environment 1; 0 = until every node has been visited (capped by ``max_steps``).
    max_steps : int
        Cap of the automatic walk length.
    n_steps_env2 : int
        Steps in the second environment (0 = none).
    beta : float
        Inverse temperature of the attention (rate keys have min separation ~0.40; beta 20 gives
        beta * Delta ~ 8).
    direc_bias : float
        Probability of going straight (TEM 0.25).
    n_modules, base_scale, scale_ratio, cells_per_module : grid code
    n_object_types, sensory_dim, sensory_active : objects and their LEC code
    settle, read : time
        Settling time and read window of each step.
    """

    circuit: MemoryCircuitParams = _qfield(_default_circuit())
    width: int = 11
    n_steps: int = 0
    max_steps: int = 2000
    n_steps_env2: int = 200
    beta: float = 20.0
    direc_bias: float = 0.25
    n_modules: int = 5
    base_scale: float = 2.0
    scale_ratio: float = 1.42
    cells_per_module: int = 9
    n_object_types: int = 45
    sensory_dim: int = 40
    sensory_active: int = 4
    settle: object = _qfield(None)
    read: object = _qfield(None)

    def __post_init__(self):
        from brian2 import ms

        if self.settle is None:
            object.__setattr__(self, "settle", 50 * ms)
        if self.read is None:
            object.__setattr__(self, "read", 40 * ms)
        if not isinstance(self.circuit, MemoryCircuitParams):
            raise TypeError(f"circuit = {self.circuit!r} must be a MemoryCircuitParams")
        check_int("width", self.width, lo=2, hi=50)
        check_int("max_steps", self.max_steps, lo=2, hi=20000)
        check_int("n_steps", self.n_steps, lo=0, hi=(self.max_steps, f"max_steps = {self.max_steps}"))
        check_int("n_steps_env2", self.n_steps_env2, lo=0, hi=20000)
        check_real("beta", self.beta, lo=0.0, lo_open=True, hi=1000.0)
        check_real("direc_bias", self.direc_bias, lo=0.0, hi=1.0)
        check_int("n_modules", self.n_modules, lo=1, hi=20)
        check_real("base_scale", self.base_scale, lo=0.0, lo_open=True)
        check_real("scale_ratio", self.scale_ratio, lo=0.0, lo_open=True)
        check_int("cells_per_module", self.cells_per_module, lo=1, hi=400)
        check_int("n_object_types", self.n_object_types, lo=2, hi=10000)
        check_int("sensory_dim", self.sensory_dim, lo=2, hi=10000)
        check_int("sensory_active", self.sensory_active, lo=1,
                  hi=(self.sensory_dim, f"sensory_dim = {self.sensory_dim}"))
        check_quantity("settle", self.settle, ms, lo=0 * ms, hi=10000 * ms)
        check_quantity("read", self.read, ms, lo=0 * ms, hi=10000 * ms, lo_open=True)


def add_arguments(parser) -> None:
    g = parser.add_argument_group("navigation")
    g.add_argument("--width", type=int, help="world side in nodes (default 11)")
    g.add_argument("--steps", type=int, help="steps in environment 1 (default 0 = until every node is visited)")
    g.add_argument("--steps-env2", type=int, help="steps in the second environment (default 200, 0 = none)")
    g.add_argument("--beta", type=float, help="inverse temperature (default 20)")
    g.add_argument("--copies", type=int, help="memory neurons per slot (default 4)")


def make_config(args) -> NavigationConfig:
    kw = {}
    for name, attr in (("width", "width"), ("steps", "n_steps"), ("steps_env2", "n_steps_env2"), ("beta", "beta")):
        v = getattr(args, name)
        if v is not None:
            kw[attr] = v
    circuit = _default_circuit()
    if args.copies is not None:
        circuit = dataclasses.replace(circuit, copies=args.copies)
    return NavigationConfig(circuit=circuit, **kw)


# ---------------------------------------------------------------------------------------------
# design (numpy only)
# ---------------------------------------------------------------------------------------------

def _walk(cfg, world, rng, n_steps):
    from hippocampus.environment import walk_flags

    if n_steps > 0:
        return world.random_walk(n_steps, rng, direc_bias=cfg.direc_bias)
    walk = world.random_walk(cfg.max_steps, rng, direc_bias=cfg.direc_bias)
    frac = walk_flags(world, walk).node_fraction
    t_cover = int(np.argmax(frac >= 1.0)) + 1 if np.any(frac >= 1.0) else cfg.max_steps
    return world.walk_from_actions(int(walk.nodes[0]), walk.actions[: t_cover - 1])


def design_navigation(cfg: NavigationConfig, rng):
    """Worlds, walks, path-integrated keys/queries, values, gates and bookkeeping of the run."""
    from hippocampus.codes import grid_code_scale, grid_keys, sensory_codes
    from hippocampus.environment import (edge_memorizer_predictions, new_environment,
                                         node_memorizer_predictions, walk_flags)
    from hippocampus.grid import GridCode
    grid = GridCode(n_modules=cfg.n_modules, base_scale=cfg.base_scale, scale_ratio=cfg.scale_ratio,
                    cells_per_module=cfg.cells_per_module)
    codes = sensory_codes(cfg.n_object_types, cfg.sensory_dim, cfg.sensory_active, rng)
    envs = []
    for e, n_steps in enumerate((cfg.n_steps, cfg.n_steps_env2)):
        if e == 1 and n_steps == 0:
            break
        world = new_environment(rng, cfg.width, cfg.width, cfg.n_object_types)
        walk = _walk(cfg, world, rng, n_steps)
        flags = walk_flags(world, walk)
        # path integration: e_{t+1} = W_{a_t} e_t from the start code; one extra action for the
        # query of the last window (a random valid move from the last node).
        last_moves = world.valid_actions(int(walk.nodes[-1]), include_stay=False)
        extra = int(last_moves[int(rng.integers(len(last_moves)))])
        acts = np.append(walk.actions, extra)
        start = world.positions[int(walk.nodes[0])].astype(float)
        phase = grid.path_integrate(grid.encode(start), acts.tolist())   # (T + 1, 6M)
        true = grid.encode(world.positions[np.append(walk.nodes, world.step(int(walk.nodes[-1]), extra))]
                           .astype(float))
        envs.append(dict(world=world, walk=walk, flags=flags, actions=acts, phase=phase,
                         pi_error=float(np.max(np.abs(phase - true))),
                         edge=edge_memorizer_predictions(walk), node=node_memorizer_predictions(walk)))
    t_total = sum(len(e["walk"]) for e in envs)
    d = grid.n_cells
    keys = np.zeros((t_total, d))
    queries = np.zeros((t_total, d))
    values = np.zeros((t_total, cfg.sensory_dim))
    write = np.arange(t_total)        # memory t is written at the start of window t
    clear = np.full(t_total, t_total)  # ... and cleared when its environment ends
    env_id = np.zeros(t_total, int)
    t0 = 0
    for e, env in enumerate(envs):
        n = len(env["walk"])
        k = grid_keys(grid, env["phase"])                 # rate code of the path-integrated phase code
        keys[t0:t0 + n] = k[:n]
        queries[t0:t0 + n] = k[1:n + 1]                   # window t queries the next position
        values[t0:t0 + n] = codes[env["walk"].observations]
        clear[t0:t0 + n] = t0 + n
        env_id[t0:t0 + n] = e
        t0 += n
    return dict(grid=grid, code_scale=grid_code_scale(grid), codes=codes, envs=envs, keys=keys,
                queries=queries, values=values, write=write, clear=clear, env_id=env_id)


def abstract_predictions(design, beta, clear_between_envs=True):
    """Abstract TEM-t predictions (object indices, -1 at step 0) per environment or across both."""
    from hippocampus.attention import causal_tem_attention
    from hippocampus.codes import decode_objects

    keys, values, env_id = design["keys"], design["values"], design["env_id"]
    out = np.full(len(keys), -1)
    groups = [np.flatnonzero(env_id == e) for e in np.unique(env_id)] if clear_between_envs else [np.arange(len(keys))]
    for idx in groups:
        pred = causal_tem_attention(keys[idx], values[idx], beta)
        dec = decode_objects(np.nan_to_num(pred), design["codes"])
        dec[0] = -1
        out[idx] = dec
    return out


# ---------------------------------------------------------------------------------------------
# metrics
# ---------------------------------------------------------------------------------------------

def _acc(pred, obs, mask):
    return float(np.mean(pred[mask] == obs[mask])) if mask.any() else float("nan")


def _curve(x, correct, bins):
    out = []
    for lo, hi in zip(bins[:-1], bins[1:]):
        s = (x > lo) & (x <= hi)
        out.append(float(np.mean(correct[s])) if s.any() else float("nan"))
    return out


def _r(x):
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def navigation_metrics(data, n_object_types):
    """Accuracies per predictor on link-inference steps, all revisits, first visits; learning curves."""
    obs = data["observation"]
    preds = {"spiking": data["predicted_spiking"], "abstract": data["predicted_abstract"],
             "edge_memorizer": data["predicted_edge"], "node_memorizer": data["predicted_node"]}
    summary = {}
    bins = np.linspace(0, 1, 11)
    for e in np.unique(data["env"]):
        s = data["env"] == e
        li, rv = data["link_inference"] & s, data["revisit"] & s
        first = s & ~data["revisit"] & (np.arange(len(obs)) > np.flatnonzero(s)[0])
        env_sum = {"steps": int(s.sum()), "link_inference_steps": int(li.sum()), "revisit_steps": int(rv.sum()),
                   "link_inference_accuracy": {k: _r(_acc(p, obs, li)) for k, p in preds.items()},
                   "revisit_accuracy": {k: _r(_acc(p, obs, rv)) for k, p in preds.items()},
                   "first_visit_accuracy": {k: _r(_acc(p, obs, first)) for k, p in preds.items()},
                   "chance": round(1.0 / n_object_types, 4)}
        curves = {"bins": [round(b, 2) for b in bins]}
        for name, mask in (("revisits", rv), ("link_inference", li)):
            for frac in ("nodes", "edges"):
                x = data[f"frac_{frac}_visited"]
                curves[f"{name}_by_{frac}_fraction"] = {
                    k: [_r(v) for v in _curve(x[mask], (p == obs)[mask], bins)] for k, p in preds.items()}
        env_sum["curves"] = curves
        summary[f"env{int(e) + 1}"] = env_sum
    return summary


# ---------------------------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------------------------

def run(config: NavigationConfig, sim, seed: int):
    from brian2 import Network, second

    from hippocampus.codes import decode_objects
    from hippocampus.network import Schedule, build_memory_circuit, circuit_synaptic_events
    from protocols.engine import RunOutput

    rng = np.random.default_rng(seed)
    des = design_navigation(config, rng)
    n = len(des["keys"])
    period = config.settle + config.read
    sensory = (des["values"] > 0).astype(float)
    schedule = Schedule(period=period, query=des["queries"], beta=np.full(n, config.beta), write=des["write"],
                        clear=des["clear"],
                        shift=np.zeros(n), settle=config.settle, sensory=sensory)
    circuit = build_memory_circuit(config.circuit, des["keys"], des["values"], des["code_scale"], schedule)
    net = Network(*circuit.objects)
    for e, env in enumerate(des["envs"]):
        sim.run(net, len(env["walk"]) * period, f"environment {e + 1}")
    sim.execute()

    counts = circuit.window_slot_counts()
    readout = circuit.window_readout_rates()
    events = circuit_synaptic_events(circuit)
    # window t predicts step t + 1 of the same environment
    dec = decode_objects(readout, des["codes"])
    dec[counts.sum(axis=1) == 0] = -1
    pred_spk = np.full(n, -1)
    pred_spk[1:] = dec[:-1]
    env_id = des["env_id"]
    starts = np.flatnonzero(np.diff(np.append(-1, env_id)) != 0)
    pred_spk[starts] = -1
    grid = des["grid"]
    # measured rate maps: one MEC cell per module; 8 memory slots (place-cell-like)
    mec_cells = np.arange(grid.n_modules) * grid.cells_per_module * config.circuit.mec_copies
    mec_rates = circuit.window_mec_rates(mec_cells)
    read_s = float(config.read / second)

    cat = lambda key: np.concatenate([env[key] for env in des["envs"]])  # noqa: E731
    walks = [env["walk"] for env in des["envs"]]
    nodes = np.concatenate([w.nodes for w in walks])
    width = config.width
    next_nodes = np.concatenate([np.append(w.nodes[1:], env["world"].step(int(w.nodes[-1]), int(env["actions"][-1])))
                                 for w, env in zip(walks, des["envs"])])
    n_nodes = width * width
    slot_sel = np.linspace(0, len(walks[0]) - 1, 8).astype(int)
    place_maps = np.full((len(slot_sel), n_nodes), np.nan)
    grid_maps = np.full((grid.n_modules, n_nodes), np.nan)
    env1 = env_id == 0
    for node in range(n_nodes):
        s = (next_nodes == node) & env1
        if s.any():
            grid_maps[:, node] = mec_rates[s].mean(axis=0)
            # rate of slot k while querying this node, only after slot k was written
            for r, k in enumerate(slot_sel):
                sk = s & (np.arange(n) >= k)
                if sk.any():
                    place_maps[r, node] = counts[sk, k].mean() / read_s
    data = {
        "position": np.stack([nodes % width, nodes // width], axis=1),
        "node": nodes,
        "action": np.concatenate([env["actions"][:-1].tolist() + [-1] for env in des["envs"]]).astype(int),
        "observation": np.concatenate([w.observations for w in walks]),
        "predicted_spiking": pred_spk,
        "predicted_abstract": abstract_predictions(des, config.beta, clear_between_envs=True),
        "predicted_abstract_no_clear": abstract_predictions(des, config.beta, clear_between_envs=False),
        "predicted_edge": cat("edge"),
        "predicted_node": cat("node"),
        "revisit": np.concatenate([env["flags"].node_visited for env in des["envs"]]),
        "link_inference": np.concatenate([env["flags"].link_inference for env in des["envs"]]),
        "frac_nodes_visited": np.concatenate([env["flags"].node_fraction for env in des["envs"]]),
        "frac_edges_visited": np.concatenate([env["flags"].edge_fraction for env in des["envs"]]),
        "env": env_id,
        "memory_total_rate": counts.sum(axis=1) / read_s,
        "place_maps": place_maps, "place_map_slots": slot_sel, "grid_maps": grid_maps,
        "objects_env1": des["envs"][0]["world"].objects,
    }
    if len(des["envs"]) > 1:
        data["objects_env2"] = des["envs"][1]["world"].objects
    summary = navigation_metrics(data, config.n_object_types)
    e1 = summary["env1"]["link_inference_accuracy"]
    summary["targets"] = {
        "abstract_link_inference": e1["abstract"], "target_abstract": 0.98,
        "spiking_link_inference": e1["spiking"], "target_spiking": 0.95,
        "edge_memorizer_link_inference": e1["edge_memorizer"], "target_edge": 0.0,
        "pass": bool(e1["abstract"] is not None and e1["abstract"] >= 0.98 and e1["spiking"] >= 0.95
                     and e1["edge_memorizer"] == 0.0),
    }
    if len(des["envs"]) > 1:
        s2 = env_id == 1
        objs1 = des["envs"][0]["world"].objects
        objs2 = des["envs"][1]["world"].objects
        # env-2 revisits (the env-2 memory of the node exists) of nodes also visited in env 1 whose
        # object differs between the environments: predicting the env-1 object is an intrusion.
        differs = s2 & data["revisit"] & np.isin(nodes, walks[0].nodes) & (objs1[nodes] != objs2[nodes])

        def rate(pred, objs):
            return _r(np.mean(pred[differs] == objs[nodes[differs]])) if differs.any() else None

        summary["environment_switch"] = {
            "memory_handling": "gate: every environment-1 slot is cleared (bias back to SLOT_OFF) at the switch",
            "env2_revisits_of_env1_nodes_with_changed_object": int(differs.sum()),
            "intrusion_rate_spiking_gated": rate(data["predicted_spiking"], objs1),
            "intrusion_rate_abstract_cleared": rate(data["predicted_abstract"], objs1),
            "intrusion_rate_abstract_not_cleared": rate(data["predicted_abstract_no_clear"], objs1),
            "accuracy_spiking_gated": rate(data["predicted_spiking"], objs2),
            "accuracy_abstract_not_cleared": rate(data["predicted_abstract_no_clear"], objs2),
            "env1_slot_spikes_after_switch": int(counts[s2][:, :len(walks[0])].sum()),
        }
    summary["path_integration_max_error"] = max(env["pi_error"] for env in des["envs"])
    summary["settings"] = {"steps_env1": len(walks[0]), "steps_env2": len(walks[1]) if len(walks) > 1 else 0,
                           "memory_slots": n, "memory_neurons": n * config.circuit.copies,
                           "mec_cells": grid.n_cells * config.circuit.mec_copies, "beta": config.beta,
                           "period_ms": float(period / second * 1000), "key_synapses": int(len(circuit.key_sources)),
                           "mean_memory_spikes_per_read_window": round(float(counts.sum(axis=1).mean()), 1)}
    return RunOutput(summary=summary, data=data, synaptic_events=events)
