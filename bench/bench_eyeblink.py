"""Benchmark the eyeblink conditioning circuit (standalone, one thread).

Run ``python bench/bench_eyeblink.py [--sizes 10000 30000 100000 300000] [--trials 10] [--profile]
[--set NAME=VALUE ...]``.
For each granule-cell count it builds the full conditioning circuit (PF in-degrees and weights
derived from the granule-cell count, :class:`cerebellum.params.eyeblink_circuit.EyeblinkParams`:
15,000 PFs per PC at 30,000 GrCs and 50,000 at 100,000), runs ``--trials`` paired acquisition trials
(0.67 s each at ISI 250 ms) as one compiled program and prints, per size:

* wall time of the simulation loop per simulated second (``wall/sim s``, the real-time factor) and
  its CPU time per simulated second (``cpu/sim s``: on a loaded machine the wall time includes the
  time other processes held the core, the CPU time does not);
* synaptic events per second of loop time (spikes x out-degree summed over all pathways);
* loop cost per granule cell and time step (``ns/GrC-step``: loop time / (n_grc x steps), i.e. the
  whole circuit's cost charged to the granule cells, which dominate it);
* the same per granule cell and simulated second (``us/GrC/sim s``), whose ratio between sizes is
  the scaling figure;
* peak memory of the compiled program (VmHWM) and the share of its run spent outside the loop
  (loading data, building synapses, writing results).

``--profile`` adds Brian2's per-code-object times (CPU seconds) per size. The load average of the
machine is printed before and after each size: on a shared machine wall times are upper bounds.

``--callgrind`` instead counts instructions (``valgrind --tool=callgrind``), a number that does not
depend on the load: instructions of the simulation loop per granule cell and time step, and of the
granule-cell code objects. Valgrind cannot execute AVX-512, so this program is built for AVX2
(``-march=x86-64-v3`` instead of ``-march=native``); use ``--trials 1`` (valgrind runs ~50x slower).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.overrides import apply, parse_value, resolve, split_assignment  # noqa: E402
from core.params import describe, replace_path  # noqa: E402
from core.units import in_unit  # noqa: E402
from protocols.build_cache import ProgramCache  # noqa: E402
from protocols.engine import Simulation  # noqa: E402
from protocols.eyeblink.config import EyeblinkConfig  # noqa: E402
from protocols.eyeblink.schedule import schedule_for  # noqa: E402
from protocols.eyeblink.simulate import simulate  # noqa: E402
from protocols.provenance import cpu_model  # noqa: E402


#: ``--set`` assignments (dotted parameter path -> value), applied to every size.
_SETTINGS: dict = {}


def _config(n_grc: int, trials: int, n_record: int):
    config = apply(EyeblinkConfig(acquisition=trials, extinction=0, reacquisition=0), _SETTINGS)
    return replace_path(replace_path(config, "circuit.granular.n_grc", n_grc), "trial.n_grc_record", n_record)


def bench(n_grc: int, trials: int, cache_dir: Path | None, profile: bool = False, n_record: int = 0) -> dict:
    """Build and run ``trials`` acquisition trials at ``n_grc`` granule cells; return the cost record."""
    config = _config(n_grc, trials, n_record)
    circuit = config.circuit
    schedule = schedule_for(config)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    with Simulation(device="standalone", name=f"bench_eyeblink_{n_grc}", seed=1, threads=0, progress=False,
                    cache_dir=cache_dir, dt_ms=in_unit(config.dt, "ms"), profile=profile) as sim:
        rec = simulate(config, sim, 1, schedule)
        cost = sim.cost(rec.events, time.perf_counter() - t0)
        cpu = _loop_cpu_seconds()
    n_syn = sum(len(v[0]) for v in rec.circuit.all_pathways().values())
    sim_s = cost["simulated_time_s"]
    steps = round(sim_s / (cost["dt_ms"] * 1e-3))
    loop = cost["loop_time_s"]
    return {"n_grc": n_grc, "pf_per_pc": circuit.pf_per_pc, "n_pc": circuit.n_pc, "synapses": int(n_syn),
            "trials": trials, "grc_spikes": int(rec.counts["grc"].sum()),
            "ns_per_grc_step": round(1e9 * loop / (n_grc * steps), 3),
            "us_per_grc_per_sim_s": round(1e6 * cost["realtime_factor"] / n_grc, 4),
            "loop_cpu_s": cpu, "cpu_s_per_sim_s": round(cpu / sim_s, 4) if cpu else None,
            "ns_per_grc_step_cpu": round(1e9 * cpu / (n_grc * steps), 3) if cpu else None,
            "load_before": load0, "load_after": os.getloadavg()[0], **cost}


def _loop_cpu_seconds() -> float | None:
    """CPU time of the simulation loop (Brian2's ``last_run_info.txt``: ``std::clock`` around the
    run), which, unlike wall time, does not grow while other processes hold the core."""
    import brian2

    try:
        return round(float((Path(brian2.get_device().results_dir) / "last_run_info.txt").read_text().split()[0]), 3)
    except (OSError, ValueError, IndexError):
        return None


#: Functions whose inclusive instruction counts the callgrind report gives (loop, GrC code objects).
_CALLGRIND_FUNCTIONS = {"loop": "Network::run", "grc_stateupdater": "_run_grc_stateupdater_codeobject",
                        "grc_thresholder": "_run_grc_spike_thresholder_codeobject"}


def callgrind(n_grc: int, trials: int, cache_dir: Path | None, n_record: int = 0) -> dict:
    """Instructions per granule cell and time step of the loop and the GrC code objects (AVX2 build)."""
    import brian2

    config = _config(n_grc, trials, n_record)
    schedule = schedule_for(config)
    prefs = brian2.prefs.codegen.cpp
    saved = list(prefs.extra_compile_args_gcc)
    with Simulation(device="standalone", name=f"bench_eyeblink_cg_{n_grc}", seed=1, threads=0, progress=False,
                    cache_dir=cache_dir, dt_ms=in_unit(config.dt, "ms"), keep_run_dir=True) as sim:
        prefs.extra_compile_args_gcc = [a.replace("-march=native", "-march=x86-64-v3") for a in saved]
        try:
            simulate(config, sim, 1, schedule)
        finally:
            prefs.extra_compile_args_gcc = saved
        project = Path(brian2.get_device().project_dir)
        binary, _ = ProgramCache(sim.cache_dir).program(project, sim.name)
        out = project / "callgrind"
        out.mkdir(exist_ok=True)
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out / 'callgrind.out'}",
                        str(binary), "--results_dir", f"{out}/", "--seed=1"], cwd=project, check=True,
                       capture_output=True)
        report = subprocess.run(["callgrind_annotate", "--inclusive=yes", str(out / "callgrind.out")],
                                check=True, capture_output=True, text=True).stdout
        steps = round(sim.simulated_time_s / (in_unit(config.dt, "ms") * 1e-3))
    shutil.rmtree(project, ignore_errors=True)
    m = re.search(r"^\s*([\d,]+).*PROGRAM TOTALS", report, flags=re.M)
    counts = {"program": int(m.group(1).replace(",", "")) if m else None}
    for key, fn in _CALLGRIND_FUNCTIONS.items():
        m = re.search(r"^\s*([\d,]+)\s.*" + re.escape(fn) + r"\(", report, flags=re.M)
        counts[key] = int(m.group(1).replace(",", "")) if m else None
    per = {f"instructions_per_grc_step_{k}": round(v / (n_grc * steps), 2) for k, v in counts.items() if v}
    return {"n_grc": n_grc, "trials": trials, "steps": steps, "instructions": counts, **per,
            "build": "-march=x86-64-v3 (AVX2)"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30000, 100000])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="per-code-object times (Brian2 profiling)")
    parser.add_argument("--n-grc-record", type=int, default=0,
                        help="granule cells with a spike monitor (the protocol default is 3000)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="program cache (default: $SPIKING_MEMORY_CACHE or a temporary directory)")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows to this file")
    parser.add_argument("--callgrind", action="store_true",
                        help="count instructions with valgrind instead of timing (use --trials 1)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="change a parameter of the eyeblink config (as the protocol's --set)")
    args = parser.parse_args(argv)
    specs = describe(EyeblinkConfig)[0]
    for item in args.set:
        name, text = split_assignment(item)
        path = resolve(EyeblinkConfig, name)
        _SETTINGS[path] = parse_value(text, specs[path].spec, f"--set {name}")
    print(f"platform: {platform.platform()}; cpu: {cpu_model()}; cores: {os.cpu_count()}; "
          f"load average: {os.getloadavg()}")
    cache = args.cache_dir
    if cache is None and not os.environ.get("SPIKING_MEMORY_CACHE"):
        cache = Path(tempfile.mkdtemp(prefix="bench_eyeblink_"))
    if args.callgrind:
        rows = [callgrind(n, args.trials, cache, args.n_grc_record) for n in args.sizes]
        for r in rows:
            print(json.dumps(r), flush=True)
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1))
        return 0
    rows = []
    for n in args.sizes:
        row = bench(n, args.trials, cache, args.profile, args.n_grc_record)
        row["machine"] = {"cpu": cpu_model(), "cores": os.cpu_count(), "platform": platform.platform()}
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print(f"{'GrC':>8} {'synapses':>10} {'sim s':>6} {'build s':>8} {'wall/sim s':>10} {'cpu/sim s':>9} "
          f"{'events/s':>10} {'ns/GrC-step':>11} {'us/GrC/sim s':>12} {'peak MiB':>9} {'outside':>8} {'load':>5}")
    for r in rows:
        prog = r.get("program", {})
        print(f"{r['n_grc']:>8} {r['synapses']:>10} {r['simulated_time_s']:>6.2f} {r['build_time_s']:>8.1f} "
              f"{r['realtime_factor']:>10.3f} {r['cpu_s_per_sim_s'] or float('nan'):>9.3f} "
              f"{r['synaptic_events_per_s']:>10.3g} {r['ns_per_grc_step']:>11.2f} "
              f"{r['us_per_grc_per_sim_s']:>12.2f} {prog.get('peak_memory_mib', float('nan')):>9.0f} "
              f"{prog.get('outside_loop_fraction', float('nan')):>8.3f} {r['load_after']:>5.2f}")
    if len(rows) > 1:
        base = rows[0]["us_per_grc_per_sim_s"]
        print("cost per GrC per simulated second relative to the first size: "
              + ", ".join(f"{r['n_grc']}: {r['us_per_grc_per_sim_s'] / base:.2f}" for r in rows))
    if args.profile:
        for r in rows:
            prof = r.get("program", {}).get("profile_s", {})
            total = sum(prof.values()) or 1.0
            print(f"profile at {r['n_grc']} GrC (CPU s, share of code-object time):")
            for name, t in prof.items():
                print(f"  {name:<50} {t:8.3f} {100 * t / total:5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
