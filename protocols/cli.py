"""``python -m protocols NAME [options]``: run one protocol and write its results directory.

Bad arguments or parameter values print one line and exit with status 2 (no traceback).
"""
from __future__ import annotations

import argparse
import datetime
import subprocess
import sys
import time
from pathlib import Path

from protocols.config import apply_overrides, parse_assignments, to_jsonable
from protocols.registry import all_protocols

RESULTS_ROOT = Path("results")


class UsageError(Exception):
    """A user mistake on the command line: reported as one line, exit status 2."""


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _add_common(parser: argparse.ArgumentParser) -> None:
    common = parser.add_argument_group("common options")
    common.add_argument("--seed", type=int, default=1, help="random seed (connectivity, inputs, spikes); default 1")
    common.add_argument("--out", type=Path, help="results directory (default: results/NAME/TIMESTAMP-seedSEED)")
    common.add_argument("--device", choices=("standalone", "runtime"), default="standalone",
                        help="standalone: one compiled C++ program (default); runtime: no compile, slower")
    common.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override any model parameter, e.g. --set tau_m=20*ms (repeatable)")
    common.add_argument("--force", action="store_true", help="replace an existing --out directory")
    common.add_argument("--dt", type=float, default=0.1, metavar="MS",
                        help="integration time step in ms (default 0.1)")
    common.add_argument("--threads", type=int, default=0,
                        help="OpenMP threads for standalone (default 0 = off; slower on 2 cores)")
    common.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    common.add_argument("--no-figures", action="store_true", help="skip drawing the figures")


def build_parser() -> argparse.ArgumentParser:
    registry = all_protocols()
    parser = _OneLineParser(
        prog="python -m protocols",
        description="Run a protocol on the spiking circuits; results go to one directory "
                    "(summary.json, params.json, data.npz, figures/).",
        epilog="protocols:\n" + "\n".join(f"  {n:18s} {m.DESCRIPTION}" for n, m in registry.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="protocol", metavar="PROTOCOL", parser_class=_OneLineParser)
    for name, module in registry.items():
        text = module.DESCRIPTION.replace("%", "%%")  # argparse %-formats help strings
        p = sub.add_parser(name, help=text, description=text)
        module.add_arguments(p)
        _add_common(p)
    return parser


def _default_out(name: str, seed: int) -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return RESULTS_ROOT / name / f"{stamp}-seed{seed}"


def _prepare(argv):
    """Parse and validate everything before any simulation starts (errors -> UsageError)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.protocol is None:
        parser.print_help()
        raise SystemExit(0)
    if args.threads < 0:
        raise UsageError(f"--threads {args.threads}: must be >= 0")
    if not 0 <= args.seed < 2**32:
        raise UsageError(f"--seed {args.seed}: must be in 0 <= seed < 2**32")
    if not 0.001 <= args.dt <= 1.0:
        raise UsageError(f"--dt {args.dt}: must be in 0.001 <= dt <= 1 (ms)")
    module = all_protocols()[args.protocol]
    try:
        config = module.make_config(args)
        config = apply_overrides(config, parse_assignments(args.set))
    except (ValueError, TypeError) as err:
        raise UsageError(str(err)) from None
    out = args.out or _default_out(args.protocol, args.seed)
    return args, module, config, out


def run_protocol(args, module, config, out: Path) -> Path:
    """Run a prepared protocol; write results (and figures) atomically into ``out``."""
    from protocols.engine import Simulation
    from protocols.provenance import provenance
    from protocols.results import ResultsDirectory

    results = ResultsDirectory(out, force=args.force)  # refuses an existing dir before simulating
    started = time.perf_counter()
    # The partial directory exists before simulating, so an unwritable --out fails fast.
    with results:
        with Simulation(device=args.device, name=module.NAME, seed=args.seed, threads=args.threads,
                        progress=not args.no_progress, dt_ms=args.dt) as sim:
            output = module.run(config, sim, args.seed)
            cost = sim.cost(output.synaptic_events, time.perf_counter() - started)
        summary = {"protocol": module.NAME, **output.summary, "cost": cost}
        params = {"protocol": module.NAME, "seed": args.seed, "device": args.device,
                  "dt_ms": args.dt, "runtime_target": cost["runtime_target"],
                  "openmp_threads": args.threads, "overrides": args.set,
                  "config": to_jsonable(config), "provenance": provenance()}
        results.write_json("params.json", params)
        results.write_json("data.npz.keys.json", sorted(output.data))  # quick look without numpy
        results.write_npz("data.npz", output.data)
        results.write_json("summary.json", summary)
        if not args.no_figures:
            _draw_figures(results.path)
    return results.final


def _draw_figures(results_dir: Path) -> None:
    # A subprocess keeps the dependency direction figures -> protocols (protocols never import figures).
    proc = subprocess.run([sys.executable, "-m", "figures", "--results", str(results_dir),
                           "--out", str(results_dir / "figures")], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(f"warning: figures failed (results kept):\n{proc.stderr}\n")


def main(argv=None) -> int:
    try:
        args, module, config, out = _prepare(argv)
        from protocols.results import ResultsExistError, ResultsLocationError

        try:
            final = run_protocol(args, module, config, out)
        except (ResultsExistError, ResultsLocationError) as err:
            raise UsageError(str(err)) from None
    except UsageError as err:
        sys.stderr.write(f"python -m protocols: error: {err}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: no results written, earlier results untouched\n")
        return 130
    print(f"results: {final}")
    return 0
