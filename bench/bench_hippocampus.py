"""Benchmark the spiking hippocampal memory: run time and synaptic events/s vs number of slots.

``python bench/bench_hippocampus.py [--slots 64,256,1024] [--copies 4] [--seconds 5] [--dt-ms 0.1]
[--device standalone]``

Each size builds one program (grid-code keys of random positions, all slots in use, one query per
100 ms; cpp_standalone unless ``--device runtime``) and reports build time, simulation wall time,
simulated time, synaptic events and events per second (single thread).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def bench(n_slots: int, copies: int, seconds: float, seed: int = 0, dt_ms: float = 0.1,
          device: str = "standalone") -> dict:
    from brian2 import Network, ms

    from hippocampus.codes import grid_code_scale, grid_keys, sensory_codes
    from hippocampus.grid import GridCode, world_positions
    from hippocampus.network import WindowSchedule, build_memory_circuit
    from hippocampus.params import MemoryCircuitParams
    from protocols.engine import Simulation, synaptic_events

    rng = np.random.default_rng(seed)
    grid = GridCode()
    pos = world_positions(11)[rng.integers(121, size=n_slots)]
    keys = grid_keys(grid, pos)
    values = sensory_codes(45, 40, 4, rng)[rng.integers(45, size=n_slots)]
    n_win = int(round(seconds / 0.1))
    queries = keys[rng.integers(n_slots, size=n_win)]
    params = MemoryCircuitParams(copies=copies, mec_copies=20)
    with Simulation(device=device, name=f"bench-hippocampus-{n_slots}", seed=seed, progress=False,
                    dt_ms=dt_ms) as sim:
        sched = WindowSchedule(period=100 * ms, query=queries, beta=np.full(n_win, 20.0), write=np.zeros(n_slots, int),
                               clear=np.full(n_slots, n_win), shift=np.zeros(n_win), settle=50 * ms, dt=dt_ms * ms)
        circ = build_memory_circuit(params, keys, values, grid_code_scale(grid), sched)
        sim.run(Network(*circ.objects), sched.duration, "bench")
        start = time.perf_counter()
        sim.execute()
        wall = time.perf_counter() - start
        events = sum(synaptic_events(c, src) for c, src in circ.pathways())
        cost = sim.cost(events, wall)
    cost.update(n_slots=n_slots, copies=copies, memory_neurons=n_slots * copies, key_synapses=len(circ.key_sources))
    return cost


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--slots", default="64,256,1024")
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--dt-ms", type=float, default=0.1, help="integration time step (ms)")
    ap.add_argument("--device", choices=("standalone", "runtime"), default="standalone")
    args = ap.parse_args(argv)
    rows = [bench(int(s), args.copies, args.seconds, dt_ms=args.dt_ms, device=args.device)
            for s in args.slots.split(",")]
    for r in rows:
        print(json.dumps({k: r[k] for k in ("n_slots", "memory_neurons", "key_synapses", "simulated_time_s",
                                            "build_time_s", "simulation_wall_time_s", "synaptic_events",
                                            "synaptic_events_per_s")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
