"""Regenerate figures: ``python -m figures [NAME ...] [--results DIR] [--out DIR] [--list]``.

Without names, every theory figure is drawn, plus every protocol figure whose protocol has a saved
run under ``results/``. ``--results DIR`` draws the figures of that one run (into ``DIR/figures``
unless ``--out`` says otherwise) without re-simulating.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from figures.registry import all_figures

DEFAULT_OUT = Path(__file__).resolve().parent / "output"
RESULTS_ROOT = Path("results")


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage dump
        sys.stderr.write(f"figures: error: {message}\n")
        raise SystemExit(2)


def _fail(message: str) -> None:
    sys.stderr.write(f"figures: error: {message}\n")
    raise SystemExit(2)


def protocol_of(results_dir: Path) -> str:
    """Protocol name recorded in a results directory's ``params.json``."""
    params = results_dir / "params.json"
    if not params.is_file():
        _fail(f"--results {results_dir}: no params.json there (not a protocol results directory)")
    try:
        doc = json.loads(params.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as err:
        _fail(f"{params}: not valid JSON ({str(err)[:80]})")
    if not isinstance(doc, dict) or not isinstance(doc.get("protocol"), str):
        _fail(f"{params}: lacks 'protocol' (not the params.json of a protocol run)")
    return doc["protocol"]


def latest_results(protocol: str, root: Path = RESULTS_ROOT) -> Path | None:
    """Most recent results directory of ``protocol`` under ``root`` (by params.json time)."""
    candidates = [p.parent for p in (root / protocol).glob("*/params.json")]
    return max(candidates, key=lambda d: (d / "params.json").stat().st_mtime, default=None)


def main(argv=None) -> int:
    specs = all_figures()
    parser = _OneLineParser(prog="python -m figures", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="figures to draw (default: all available)")
    parser.add_argument("--out", type=Path, help=f"output directory (default: {DEFAULT_OUT} or RESULTS/figures)")
    parser.add_argument("--results", type=Path, help="a protocol results directory to draw from")
    parser.add_argument("--list", action="store_true", help="list the figures and exit")
    parser.add_argument("--results-table", action="store_true",
                        help="write docs/results.md and the README's results section from the saved default runs")
    parser.add_argument("--sweep", type=Path, metavar="DIR",
                        help="draw the target figures of a sweep directory (python -m protocols sweep) into DIR/figures")
    args = parser.parse_args(argv)

    if args.results_table:
        from figures.results_table import write_results_table

        root = Path(__file__).resolve().parent.parent
        print(write_results_table(RESULTS_ROOT, root / "docs", root / "README.md"))
        return 0

    if args.sweep is not None:
        if not (args.sweep / "sweep.json").is_file():
            _fail(f"--sweep {args.sweep}: no sweep.json there")
        from figures.sweep_targets import make_sweep

        try:
            paths = make_sweep(args.sweep, args.out)
        except (ValueError, KeyError, TypeError) as err:
            _fail(f"--sweep {args.sweep}: sweep.json is damaged ({type(err).__name__}: {str(err)[:80]})")
        for path in paths:
            print(path)
        return 0

    if args.list:
        for spec in specs.values():
            source = "theory" if spec.protocol is None else f"results of `{spec.protocol}`"
            print(f"{spec.name:28s} {source:32s} {spec.description}")
        return 0

    unknown = [n for n in args.names if n not in specs]
    if unknown:
        _fail(f"unknown figure {unknown[0]!r}; known figures: {', '.join(specs)}")

    if args.results is not None:
        if not args.results.is_dir():
            _fail(f"--results {args.results}: no such directory")
        protocol = protocol_of(args.results)
        chosen = [specs[n] for n in args.names] or [s for s in specs.values() if s.protocol == protocol]
        wrong = [s.name for s in chosen if s.protocol != protocol]
        if wrong:
            _fail(f"figure {wrong[0]!r} does not draw `{protocol}` results")
        jobs = [(s, args.results) for s in chosen]
        out = args.out or args.results / "figures"
    else:
        out = args.out or DEFAULT_OUT
        jobs = []
        for spec in [specs[n] for n in args.names] or list(specs.values()):
            if spec.protocol is None:
                jobs.append((spec, None))
                continue
            found = latest_results(spec.protocol)
            if found is not None:
                jobs.append((spec, found))
            elif args.names:
                _fail(f"figure {spec.name!r} needs results: run `python -m protocols {spec.protocol}` "
                      f"or pass --results DIR")
            else:
                print(f"skipping {spec.name}: no `{spec.protocol}` results under {RESULTS_ROOT}/")

    if out.exists() and not out.is_dir():
        _fail(f"--out {out}: exists and is not a directory")
    from protocols.results import ResultsDataError

    for spec, results_dir in jobs:
        try:
            paths = spec.make(out, results_dir)
        except ResultsDataError as err:
            _fail(f"figure {spec.name}: {err}")
        except OSError as err:
            _fail(f"figure {spec.name}: cannot write to {out} ({err.strerror or err})")
        for path in paths:
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
