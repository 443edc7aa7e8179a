"""``python -m protocols NAME [options]``: run one protocol and write its results directory.

Parameters come, in increasing precedence, from the protocol's defaults, ``--config FILE`` (TOML,
or the ``params.json`` of an earlier run), the protocol's own options (generated from its
parameters) and ``--set path=value``. Names are checked against the parameter declarations before
Brian2 is imported; values are checked before anything is built. Bad arguments print one line
and exit with status 2.
"""
from __future__ import annotations

import argparse
import datetime
import subprocess
import sys
import time
from pathlib import Path

from core.overrides import OverrideError, check_syntax, parse_value, read_config_file, resolve, split_assignment
from core.params import describe
from protocols.registry import all_protocols

RESULTS_ROOT = Path("results")
#: When the command started (this module is imported first thing), for the time-to-simulation figure.
COMMAND_STARTED = time.time()


class UsageError(Exception):
    """A user mistake on the command line: reported as one line, exit status 2."""


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _add_common(parser: argparse.ArgumentParser) -> None:
    common = parser.add_argument_group("common options")
    common.add_argument("--seed", type=int, default=None, help="random seed (connectivity, inputs, spikes); default 1")
    common.add_argument("--out", type=Path, help="results directory (default: results/NAME/TIMESTAMP-seedSEED)")
    common.add_argument("--device", choices=("standalone", "runtime"), default=None,
                        help="standalone: one compiled C++ program (default); runtime: no compile, slower")
    common.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="set any parameter by its dotted name, e.g. --set grc.g_L=0.3*nS (repeatable; "
                             "--list-params shows the names)")
    common.add_argument("--config", type=Path, metavar="FILE",
                        help="parameters from a TOML file (same names and values as --set) or from the "
                             "params.json of an earlier run (repeats it: its seed and device too)")
    common.add_argument("--list-params", action="store_true",
                        help="print every parameter with default, unit, allowed range and meaning, and exit")
    common.add_argument("--check", action="store_true",
                        help="check the arguments and parameters, print where the run would go, and exit")
    common.add_argument("--force", action="store_true", help="replace an existing --out directory")
    common.add_argument("--threads", type=int, default=0,
                        help="OpenMP threads for standalone (default 0 = off; slower on 2 cores)")
    common.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    common.add_argument("--no-figures", action="store_true", help="skip drawing the figures")
    common.add_argument("--record", choices=("needed", "all"), default="needed",
                        help="spikes kept in data.npz: of the populations a metric or figure needs (default), "
                             "or of every population")
    common.add_argument("--profile", action="store_true",
                        help="standalone: time every code object and report it under cost.program.profile_s")


def _add_options(parser: argparse.ArgumentParser, module) -> None:
    """One option per entry of the protocol's ``OPTIONS``, help text from the parameter declaration."""
    params = describe(module.CONFIG)[0]
    group = parser.add_argument_group(module.NAME)
    for option, path in {**module.OPTIONS, "dt": "dt"}.items():
        info = params[path]
        unit = info.spec.unit
        metavar = {"int": "N", "real": "X", "reals": "LIST", "ints": "LIST", "bool": "BOOL"}.get(
            info.spec.kind, unit.upper() if unit else None)
        if info.spec.kind == "quantity":
            metavar = unit.upper()
        text = f"{info.spec.doc} (default {info.default_text()}; --set {path})".replace("%", "%%")
        nargs = "+" if info.spec.kind in ("reals", "ints") else None
        choices = info.spec.choices or None
        group.add_argument(f"--{option.replace('_', '-')}", dest=f"opt:{path}", metavar=metavar, nargs=nargs,
                           choices=choices, help=text)


def build_parser() -> argparse.ArgumentParser:
    registry = all_protocols()
    parser = _OneLineParser(
        prog="python -m protocols",
        description="Run a protocol on the spiking circuits; results go to one directory "
                    "(summary.json, params.json, data.npz, figures/).",
        epilog="protocols:\n" + "\n".join(f"  {n:18s} {m.DESCRIPTION}" for n, m in registry.items())
               + "\n\nother commands:\n"
                 "  sweep NAME ...      many runs (seeds x parameter grid) on dask: python -m protocols sweep --help\n"
                 "  export-nwb DIR      a run's spikes, trials and parameters as NWB: python -m protocols export-nwb --help\n"
                 "  clean [DIR ...]     remove leftovers of killed runs (default results/)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="protocol", metavar="PROTOCOL", parser_class=_OneLineParser)
    for name, module in registry.items():
        text = module.DESCRIPTION.replace("%", "%%")  # argparse %-formats help strings
        p = sub.add_parser(name, help=text, description=module.DESCRIPTION)
        _add_options(p, module)
        _add_common(p)
    return parser


def list_params(module) -> str:
    """The ``--list-params`` table of a protocol, generated from its parameter declarations."""
    params, derived = describe(module.CONFIG)
    rows = [(p.path, p.default_text(), p.spec.unit or "", p.spec.range_text(p.path.rsplit(".", 1)[-1]), p.spec.doc)
            for p in params.values()]
    widths = [max(len(r[k]) for r in rows + [("parameter", "default", "unit", "allowed", "")]) for k in range(4)]
    fmt = "  ".join(f"{{:{w}s}}" for w in widths) + "  {}"
    lines = [f"{module.NAME}: {len(params)} parameters (set with --set NAME=VALUE, --config FILE or the options)",
             fmt.format("parameter", "default", "unit", "allowed", "meaning"), *(fmt.format(*r) for r in rows)]
    if derived:
        lines += ["", "derived (read-only; set what they are computed from):"]
        lines += [f"  {d.path} = {d.doc}  [from {', '.join(d.sources)}]" for d in derived.values()]
    return "\n".join(lines)


def _default_out(name: str, seed: int) -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return RESULTS_ROOT / name / f"{stamp}-seed{seed}"


def collect_assignments(args, module) -> tuple[dict[str, tuple[str, str, bool]], dict]:
    """Every parameter the user gave, as ``path -> (where, text, bare number in unit)``.

    Later sources win: ``--config`` file, then the protocol's options, then ``--set``. Names are
    resolved and value syntax is checked here, on the class alone (no Brian2).
    """
    cls = module.CONFIG
    assignments: dict[str, tuple[str, str, bool]] = {}
    settings: dict = {}
    if args.config is not None:
        values, settings = read_config_file(args.config)
        if settings.get("protocol") not in (None, module.NAME):
            raise OverrideError(f"--config {args.config}: a {settings['protocol']} run, not {module.NAME}")
        for name, text in values.items():
            path = resolve(cls, name, f"--config {args.config}:")
            assignments[path] = (f"--config {args.config}: {path}", text, False)
    for key, value in vars(args).items():
        if key.startswith("opt:") and value is not None:
            path = key[4:]
            text = ",".join(value) if isinstance(value, list) else value
            assignments[path] = (f"--{_option_name(module, path)}", text, True)
    for item in args.set:
        name, text = split_assignment(item)
        path = resolve(cls, name)
        assignments[path] = (f"--set {path}", text, False)
    specs = describe(cls)[0]
    for path, (where, text, _) in assignments.items():
        check_syntax(text, specs[path].spec, where)
    return assignments, settings


def _option_name(module, path: str) -> str:
    options = {**module.OPTIONS, "dt": "dt"}
    return next(o for o, p in options.items() if p == path).replace("_", "-")


def make_config(module, assignments: dict):
    """The protocol's parameter dataclass with the assignments applied (Brian2 imported here)."""
    from core.overrides import apply

    specs = describe(module.CONFIG)[0]
    values = {path: parse_value(text, specs[path].spec, where, bare)
              for path, (where, text, bare) in assignments.items()}
    config = module.CONFIG()
    try:
        return apply(config, values)
    except (ValueError, TypeError) as err:
        given = ", ".join(f"{w}={t}" if w.startswith("--set") else f"{w} {t}" for w, t, _ in assignments.values())
        raise UsageError(f"{err}" + (f" (given: {given[:200]})" if given else "")) from None


def _prepare(argv):
    """Parse and validate everything before any simulation starts (errors -> UsageError)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.protocol is None:
        parser.print_help()
        raise SystemExit(0)
    module = all_protocols()[args.protocol]
    if args.list_params:
        print(list_params(module))
        raise SystemExit(0)
    if args.threads < 0:
        raise UsageError(f"--threads {args.threads}: must be >= 0")
    try:
        assignments, settings = collect_assignments(args, module)
        seed = args.seed if args.seed is not None else int(settings.get("seed", 1))
        if not 0 <= seed < 2**32:
            raise UsageError(f"--seed {seed}: must be in 0 <= seed < 2**32")
        args.seed = seed
        args.device = args.device or settings.get("device") or "standalone"
        if args.out is not None:
            from protocols.results import ResultsExistError, ResultsLocationError, check_out

            try:
                check_out(args.out, args.force)
            except (ResultsExistError, ResultsLocationError) as err:
                raise UsageError(str(err)) from None
        config = make_config(module, assignments)
    except OverrideError as err:
        raise UsageError(str(err)) from None
    out = args.out or _default_out(args.protocol, args.seed)
    return args, module, config, out


def run_protocol(args, module, config, out: Path) -> Path:
    """Run a prepared protocol; write results (and figures) atomically into ``out``."""
    from brian2 import ms

    from core.jsonio import to_jsonable
    from protocols.engine import Simulation
    from protocols.provenance import provenance
    from protocols.results import ResultsDirectory

    results = ResultsDirectory(out, force=args.force)  # refuses an existing dir before simulating
    started = time.perf_counter()
    dt_ms = float(config.dt / ms)
    # The partial directory exists before simulating, so an unwritable --out fails fast.
    with results:
        with Simulation(device=args.device, name=module.NAME, seed=args.seed, threads=args.threads,
                        progress=not args.no_progress, dt_ms=dt_ms, profile=args.profile,
                        record_all=args.record == "all") as sim:
            output = module.run(config, sim, args.seed)
            cost = sim.cost(output.synaptic_events, time.perf_counter() - started)
            if sim.launched_at is not None:  # from the command to the start of the compiled program
                cost["time_to_simulation_s"] = round(sim.launched_at - COMMAND_STARTED, 3)
        summary = {"protocol": module.NAME, **output.summary, "cost": cost}
        params = {"protocol": module.NAME, "seed": args.seed, "device": args.device,
                  "runtime_target": cost["runtime_target"], "openmp_threads": args.threads,
                  "overrides": args.set, "config": to_jsonable(config), "provenance": provenance()}
        results.write_json("params.json", params)
        results.write_json("data.npz.keys.json", sorted(output.arrays()))  # quick look without numpy
        results.write_npz("data.npz", output.arrays())
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


def clean(argv) -> int:
    """``python -m protocols clean [DIR ...]``: remove leftovers of killed runs (default ``results/``)."""
    from protocols.engine import clean_run_dirs
    from protocols.results import clean_stale

    roots = [Path(a) for a in argv] or [RESULTS_ROOT]
    bad = [str(r) for r in roots if not r.is_dir()]
    if bad:
        raise UsageError(f"clean {bad[0]}: no such directory")
    done = []
    for root in roots:
        for parent in [root, *(p for p in root.rglob("*") if p.is_dir() and not p.name.startswith(".")
                               and "partial-" not in p.name)]:
            done += clean_stale(parent)
    done += clean_run_dirs()
    print("\n".join(done) if done else "nothing to clean")
    return 0


class _Terminated(BaseException):
    """SIGTERM / SIGHUP received: unwind like Ctrl-C so results and child processes are cleaned up."""


def _on_signal(signum, frame):  # noqa: ARG001 - signal handler signature
    raise _Terminated(signum)


def main(argv=None) -> int:
    import signal

    argv = sys.argv[1:] if argv is None else list(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    try:
        if argv[:1] == ["clean"]:
            return clean(argv[1:])
        if argv[:1] == ["export-nwb"]:
            from protocols.nwb_export import main as export_main

            return export_main(argv[1:])
        if argv[:1] == ["sweep"]:
            from protocols.sweep import main as sweep_main

            return sweep_main(argv[1:])
        args, module, config, out = _prepare(argv)
        if args.check:
            print(f"ok: {module.NAME} seed {args.seed} on {args.device} -> {out}")
            return 0
        from protocols.results import ResultsBusyError, ResultsExistError, ResultsLocationError

        try:
            final = run_protocol(args, module, config, out)
        except (ResultsExistError, ResultsLocationError, ResultsBusyError) as err:
            raise UsageError(str(err)) from None
    except UsageError as err:
        sys.stderr.write(f"python -m protocols: error: {err}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; no result written (earlier results untouched)\n")
        return 130
    except _Terminated as err:
        sys.stderr.write(f"terminated by signal {err.args[0]}; no result written (earlier results untouched)\n")
        return 128 + int(err.args[0])
    except OSError as err:
        where = f" ({err.filename})" if getattr(err, "filename", None) else ""
        sys.stderr.write(f"python -m protocols: failed: {err.strerror or err}{where}; no result written\n")
        return 1
    except RuntimeError as err:  # a failed compile or a crashed program: its message, one line
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        sys.stderr.write(f"python -m protocols: failed: {first}\n")
        return 1
    print(f"results: {final}")
    return 0
