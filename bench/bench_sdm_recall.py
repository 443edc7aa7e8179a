"""Benchmark the ``sdm-recall`` protocol (cpp_standalone): build time, wall time per simulated
second and synaptic events per second, at the default size and with r = 100,000 granule cells.

Run ``python bench/bench_sdm_recall.py`` (both sizes) or ``--only default`` / ``--only large``.
Each case runs the protocol's ``run()`` inside a :class:`protocols.engine.Simulation`, exactly as
the CLI does (one compiled program for the whole write + read schedule), and prints one JSON line
with the cost record plus the equivalence headline numbers. The large case keeps the circuit of the
default configuration but r = 100,000 and a shorter schedule (``--large-m``, ``--large-queries``,
one read volley) so it fits in minutes on 2 cores. OpenMP stays off (``--threads`` to change).

Prints the platform and CPU model so numbers can be compared across machines.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from protocols.engine import Simulation  # noqa: E402
from protocols.provenance import cpu_model  # noqa: E402
from protocols.sdm_recall.config import SDMRecallConfig  # noqa: E402
from protocols.sdm_recall.simulation import run  # noqa: E402


def run_case(label: str, config, seed: int, threads: int) -> dict:
    from brian2 import ms

    started = time.perf_counter()
    with Simulation(device="standalone", name=f"bench-sdm-recall-{label}", seed=seed, threads=threads,
                    progress=False, dt_ms=float(config.dt / ms)) as sim:
        out = run(config, sim, seed)
        cost = sim.cost(out.synaptic_events, time.perf_counter() - started)
    c = config.circuit
    s = out.summary
    cost["wall_per_simulated_s"] = round(cost["simulation_wall_time_s"] / cost["simulated_time_s"], 3)
    return {"case": label, "mode": c.mode, "r": c.r, "n": c.n, "n_out": c.n_out, "pcs_per_bit": c.pcs_per_bit,
            "eligibility": c.eligibility, "grc_method": c.grc_method,
            "m": config.m, "queries": config.queries, "read_volleys": config.read_volleys,
            "pf_pc_synapses": c.r * c.n_out * c.pcs_per_bit, "cost": cost,
            "jaccard_read_mean": s["jaccard"]["read_mean"],
            "readout_pearson_bipolar": s["readout"]["pearson_bipolar"],
            "bit_agreement": s["readout"]["bit_agreement"],
            "grc_active_fraction": s["activity"]["grc_active_fraction_read_mean"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("default", "large"), help="run one case only")
    parser.add_argument("--mode", choices=("dense", "biological"), default="biological")
    parser.add_argument("--large-r", type=int, default=100_000)
    parser.add_argument("--large-m", type=int, default=4)
    parser.add_argument("--large-queries", type=int, default=9)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--eligibility", choices=("last_spike", "chain"), default="last_spike")
    parser.add_argument("--grc-method", choices=("euler", "exponential_euler"), default="euler")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    print(f"platform : {platform.platform()}", flush=True)
    print(f"python   : {platform.python_version()}", flush=True)
    print(f"cpu      : {cpu_model()}", flush=True)
    base = SDMRecallConfig()
    base = dataclasses.replace(base, circuit=dataclasses.replace(base.circuit, mode=args.mode,
                                                                 eligibility=args.eligibility,
                                                                 grc_method=args.grc_method))
    cases = []
    if args.only in (None, "default"):
        cases.append(("default", base))
    if args.only in (None, "large"):
        large = dataclasses.replace(base, circuit=dataclasses.replace(base.circuit, r=args.large_r),
                                    m=args.large_m, queries=args.large_queries, read_volleys=1)
        cases.append(("large", large))
    results = []
    for label, config in cases:
        res = run_case(label, config, args.seed, args.threads)
        results.append(res)
        print(json.dumps(res), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
