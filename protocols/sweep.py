"""``python -m protocols sweep NAME``: many runs of one protocol (seeds x a parameter grid) on dask.distributed.

Each run is one task: the protocol's own command line in a process of its own, writing its own
results directory ``DIR/runs/<grid point>-seed<N>/`` atomically. A run whose directory is complete is
never redone, so after a kill the same command continues with what is missing; a failed run is
reported with the end of its error output and does not stop the others. Runs of one network shape
reuse one compiled program (the engine caches programs by their code; the seed and the data are
not part of it), and they do not wait for each other except while that program is compiled once.

By default the tasks run on an embedded ``LocalCluster`` (``--jobs`` worker processes, one thread
each; no server to start). ``--scheduler ADDRESS`` (e.g. ``tcp://10.0.0.5:8786``) sends them to an
existing cluster — ``dask scheduler`` and ``dask worker ADDRESS`` processes, on machines that see
the same filesystem and have the project installed.

When every task has ended, the results are gathered into ``DIR/sweep.json`` and ``DIR/sweep.csv``
(:mod:`protocols.sweep_table`) and the figures are drawn into ``DIR/figures/``.
"""
from __future__ import annotations

import argparse
import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from core.overrides import OverrideError, check_syntax, resolve, split_assignment
from core.params import describe

__all__ = ["main", "parse_seeds", "parse_grid", "run_key", "run_one"]


class SweepUsageError(Exception):
    """A user mistake in the sweep's arguments: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise SweepUsageError(message)


def parse_seeds(text: str) -> list[int]:
    """``"1-4,7,10-11"`` -> ``[1, 2, 3, 4, 7, 10, 11]`` (ranges inclusive, order kept, no duplicates)."""
    seeds: list[int] = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not m:
            raise SweepUsageError(f"--seeds {text!r}: use numbers and ranges such as 1-10 or 1,3,5")
        lo, hi = int(m[1]), int(m[2] or m[1])
        if hi < lo or hi - lo > 100_000:
            raise SweepUsageError(f"--seeds {text!r}: range {lo}-{hi} is empty or too long")
        seeds += [s for s in range(lo, hi + 1) if s not in seeds]
    if any(s >= 2**32 for s in seeds):
        raise SweepUsageError(f"--seeds {text!r}: seeds must be < 2**32")
    return seeds


def parse_grid(items: list[str], cls) -> list[tuple[str, list[str]]]:
    """``["beta=5,10", "copies=3,4"]`` -> ``[("beta", ["5", "10"]), ("circuit.copies", ["3", "4"])]``.

    Names resolve to dotted parameter paths and every value's syntax is checked (no Brian2).
    """
    specs = describe(cls)[0]
    grid = []
    for item in items:
        name, text = split_assignment(item, "--grid")
        path = resolve(cls, name, "--grid")
        values = [v.strip() for v in text.split(",") if v.strip()]
        if not values:
            raise SweepUsageError(f"--grid {item!r}: give at least one value")
        for v in values:
            check_syntax(v, specs[path].spec, f"--grid {path}")
        if any(p == path for p, _ in grid):
            raise SweepUsageError(f"--grid {path}: given twice")
        grid.append((path, values))
    return grid


def run_key(point: dict, seed: int) -> str:
    """Directory name of one run: ``beta=10_copies=3-seed2`` (characters outside [A-Za-z0-9.=_+-] become _)."""
    parts = [f"{path.rsplit('.', 1)[-1]}={value}" for path, value in point.items()]
    stem = re.sub(r"[^A-Za-z0-9.=_+-]", "_", "_".join(parts))[:120]
    return f"{stem}-seed{seed}" if stem else f"seed{seed}"


def run_one(protocol: str, seed: int, point: dict, fixed: list[str], out: str, device: str | None,
            extra: list[str]) -> dict:
    """Run one protocol process (a dask task); return ``{"key", "status", "error", "wall_s"}``."""
    key = Path(out).name
    if (Path(out) / "summary.json").is_file():
        return {"key": key, "status": "done before", "error": None, "wall_s": 0.0}
    cmd = [sys.executable, "-m", "protocols", protocol, "--seed", str(seed), "--out", out, "--no-progress",
           "--no-figures", *extra]
    if device:
        cmd += ["--device", device]
    for item in fixed:
        cmd += ["--set", item]
    for path, value in point.items():
        cmd += ["--set", f"{path}={value}"]
    from protocols.child import die_with_parent

    started = time.perf_counter()
    # the run ends with its worker (a killed sweep leaves no simulation behind)
    proc = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=lambda: die_with_parent(15))
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        return {"key": key, "status": "failed", "error": f"exit {proc.returncode}: {tail}", "wall_s": wall}
    return {"key": key, "status": "ran", "error": None, "wall_s": wall}


def _client(args):
    from distributed import Client, LocalCluster

    if args.scheduler:
        return Client(args.scheduler, timeout="20s"), None
    cluster = LocalCluster(n_workers=args.jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=40)
    return Client(cluster), cluster


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m protocols sweep",
                description="Run one protocol over seeds and a parameter grid on dask.distributed; "
                            "gather every target into sweep.json / sweep.csv and figures.")
    p.add_argument("protocol", help="protocol name (python -m protocols --help lists them)")
    p.add_argument("--seeds", default="1", help="seeds: numbers and ranges, e.g. 1-10 or 1,3,5 (default 1)")
    p.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...",
                   help="a parameter and its values (repeatable: the Cartesian product is run)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="fixed overrides for every run")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="runs at a time on the embedded cluster (default: number of cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="use this dask scheduler instead of a local cluster")
    p.add_argument("--device", choices=("standalone", "runtime"), help="device of every run (default standalone)")
    p.add_argument("--out", type=Path, required=True, help="sweep directory (runs/, sweep.json, sweep.csv, figures/)")
    p.add_argument("--no-figures", action="store_true", help="skip the sweep figures")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.epilog = "Options after -- are passed to every run, e.g. -- --n-grc 10000."
    return p


def main(argv) -> int:
    argv = list(argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    try:
        args = build_parser().parse_args(argv)
        from protocols.registry import all_protocols

        registry = all_protocols()
        if args.protocol not in registry:
            raise SweepUsageError(f"unknown protocol {args.protocol!r}; known: {', '.join(registry)}")
        module = registry[args.protocol]
        if args.jobs < 1:
            raise SweepUsageError(f"--jobs {args.jobs}: must be >= 1")
        seeds = parse_seeds(args.seeds)
        grid = parse_grid(args.grid, module.CONFIG)
        specs = describe(module.CONFIG)[0]
        for item in args.set:
            name, text = split_assignment(item)
            check_syntax(text, specs[resolve(module.CONFIG, name)].spec, f"--set {name}")
        if args.out.exists() and not args.out.is_dir():
            raise SweepUsageError(f"--out {args.out}: exists and is not a directory")
    except (SweepUsageError, OverrideError) as err:
        sys.stderr.write(f"python -m protocols sweep: error: {err}\n")
        return 2
    points = [dict(zip([p for p, _ in grid], values)) for values in itertools.product(*[v for _, v in grid])]
    runs_dir = args.out / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    tasks = [(point, seed, runs_dir / run_key(point, seed)) for point in points for seed in seeds]
    try:
        outcomes = _execute(args, tasks, extra)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; finished runs are kept, the same command continues with the rest\n")
        return 130
    from protocols.sweep_table import write_sweep

    write_sweep(args.out, args.protocol, grid, seeds, tasks, outcomes)
    failed = [o for o in outcomes if o["status"] == "failed"]
    if not args.no_figures:
        proc = subprocess.run([sys.executable, "-m", "figures", "--sweep", str(args.out)], capture_output=True,
                              text=True)
        if proc.returncode != 0:
            sys.stderr.write(f"warning: sweep figures failed:\n{proc.stderr}\n")
    for o in failed:
        sys.stderr.write(f"run {o['key']} failed: {o['error'].splitlines()[-1] if o['error'] else ''}\n")
    print(f"sweep: {len(outcomes) - len(failed)} of {len(outcomes)} runs complete -> {args.out / 'sweep.json'}")
    return 1 if failed else 0


def _execute(args, tasks, extra) -> list[dict]:
    from distributed import as_completed

    from protocols.progress import make_bar

    client, cluster = _client(args)
    outcomes = []
    bar = make_bar(0, quiet=args.no_progress)
    bar.total = len(tasks)
    bar.bar_format = "{l_bar}{bar}| {n}/{total} runs [{elapsed}<{remaining}{postfix}]"
    try:
        futures = [client.submit(run_one, args.protocol, seed, point, args.set, str(out.resolve()), args.device,
                                 extra, key=f"run-{out.name}-{os.getpid()}", pure=False)
                   for point, seed, out in tasks]
        failures = 0
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            failures += outcome["status"] == "failed"
            bar.update(1)
            bar.set_postfix_str(f"{failures} failed" if failures else "", refresh=True)
    finally:
        bar.close()
        client.close()
        if cluster is not None:
            cluster.close()
    return outcomes
