"""Benchmark the eyeblink conditioning circuit (standalone, OpenMP threads 0).

Run ``python bench/bench_eyeblink.py [--sizes 30000 100000] [--trials 10]``. For each granule-cell
count it builds the full conditioning circuit (PF in-degrees and weights derived from the granule-cell
count, :class:`cerebellum.params.eyeblink_circuit.EyeblinkParams`: 15,000 PFs per PC at 30,000 GrCs
and 50,000 at 100,000), runs ``--trials`` paired acquisition trials (0.67 s each at ISI 250 ms) as one compiled
program, and prints build time, wall time per simulated second (real-time factor) and synaptic
events per second (spikes x out-degree summed over all pathways). Only the simulation loop is
timed for the real-time factor; the build is reported separately.

Prints the platform and CPU model so numbers can be compared across machines.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.params import replace_path  # noqa: E402
from core.units import in_unit  # noqa: E402
from protocols.engine import Simulation  # noqa: E402
from protocols.eyeblink.config import EyeblinkConfig  # noqa: E402
from protocols.eyeblink.schedule import schedule_for  # noqa: E402
from protocols.eyeblink.simulate import simulate  # noqa: E402
from protocols.provenance import cpu_model  # noqa: E402


def bench(n_grc: int, trials: int, build_root: Path) -> dict:
    config = EyeblinkConfig(acquisition=trials, extinction=0, reacquisition=0)
    config = replace_path(replace_path(config, "circuit.granular.n_grc", n_grc), "trial.n_grc_record", 0)
    circuit = config.circuit
    schedule = schedule_for(config)
    t0 = time.perf_counter()
    with Simulation(device="standalone", name=f"bench_eyeblink_{n_grc}", seed=1, threads=0, progress=False,
                    build_dir=build_root / f"eyeblink_{n_grc}", dt_ms=in_unit(config.dt, "ms")) as sim:
        rec = simulate(config, sim, 1, schedule)
        cost = sim.cost(rec.events, time.perf_counter() - t0)
    n_syn = sum(len(v[0]) for v in rec.circuit.all_pathways().values())
    return {"n_grc": n_grc, "pf_per_pc": circuit.pf_per_pc, "n_pc": circuit.n_pc, "synapses": int(n_syn),
            "trials": trials, **cost,
            "wall_s_per_simulated_s": cost["realtime_factor"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30000, 100000])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--build-root", type=Path, default=None,
                        help="where to build (default: a temporary directory)")
    args = parser.parse_args(argv)
    print(f"platform: {platform.platform()}; cpu: {cpu_model()}; cores: {os.cpu_count()}; "
          f"load average: {os.getloadavg()}")
    root = args.build_root or Path(tempfile.mkdtemp(prefix="bench_eyeblink_"))
    rows = []
    for n in args.sizes:
        row = bench(n, args.trials, root)
        rows.append(row)
        print(json.dumps(row))
    print(f"{'GrC':>8} {'synapses':>10} {'sim s':>6} {'build s':>8} {'run s':>7} {'wall/sim s':>10} {'events/s':>10}")
    for r in rows:
        print(f"{r['n_grc']:>8} {r['synapses']:>10} {r['simulated_time_s']:>6.1f} {r['build_time_s']:>8.1f} "
              f"{r['simulation_wall_time_s']:>7.1f} {r['realtime_factor']:>10.3f} {r['synaptic_events_per_s']:>10.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
