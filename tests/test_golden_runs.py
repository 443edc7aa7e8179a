"""Same seed, same numbers: every protocol at a reduced size against its recorded reference run.

Each case runs one protocol through the CLI (runtime device, seed 1, a few windows or trials) and
compares it with the run recorded in ``tests/golden/<case>/``: every array of the reference
``data.npz`` must be present and equal, and every number of the reference ``summary.json`` (run
cost and timings aside) must appear in the new summary as often as in the reference. Integer,
boolean and text arrays (spike indices, counts, CR flags) must be identical; floating-point arrays and
numbers may differ by float rounding (:data:`FLOAT_RTOL`, :data:`FLOAT_ATOL`), because numpy and the compiled code pick
vectorised maths by CPU and so round the last digits differently on different machines, while a
changed spike moves them by far more. A
restructuring of the code must leave these unchanged; a deliberate change of the science
re-records them with ``python tests/test_golden_runs.py --record`` (``make golden``; name cases
after ``--record`` to re-record only those) and says so in its commit.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
COMMON = ["--device", "runtime", "--seed", "1", "--no-progress", "--no-figures", "--force"]

#: case name -> (protocol, arguments); small enough for the default suite. Longest first, so that the
#: two-at-a-time runner ends with short cases.
CASES = {
    "eyeblink-isi": ("eyeblink-isi", ["--n-grc", "1000", "--acquisition", "10", "--isis", "150", "250"]),
    "fly-conditioning": ("fly-conditioning", ["--n-kc", "300", "--morphs", "2", "--training", "2", "--extinction", "2",
                                              "--read-ms", "200", "--gap-ms", "300", "--dan-delay-ms", "100"]),
    "sdm-recall": ("sdm-recall", ["--r", "500", "--n", "16", "--n-out", "16", "--m", "3", "--queries", "3",
                                  "--set", "warmup=1", "--set", "read_volleys=2"]),
    "sdm-recall-dense": ("sdm-recall", ["--mode", "dense", "--n", "16", "--n-out", "16", "--d", "5", "--r", "500", "--m", "3",
                                        "--queries", "3", "--set", "warmup=1", "--set", "read_volleys=2"]),
    "eyeblink": ("eyeblink", ["--n-grc", "1000", "--acquisition", "3", "--extinction", "2",
                              "--reacquisition", "2"]),
    "navigation": ("navigation", ["--width", "4", "--steps", "20", "--steps-env2", "10", "--copies", "2"]),
    "hopfield-recall": ("hopfield-recall", ["--memories", "4", "--slots", "5", "--copies", "3", "--betas", "5,10",
                                            "--noise", "0,0.2", "--partial", "0.5", "--read-ms", "50",
                                            "--settle-ms", "20"]),
    "fly-hash": ("fly-hash", ["--families", "3", "--variants", "2", "--read-ms", "100"]),
}

#: Relative tolerance for floating-point arrays and summary numbers: rounding differences between
#: CPUs are ~1e-15 relative; a changed spike or trial outcome changes values by far more.
FLOAT_RTOL = 1e-9
#: Absolute tolerance for the same, for results that are zero up to rounding (~1e-17 in Hz, s, nS units).
FLOAT_ATOL = 1e-12

#: summary keys whose numbers measure the machine, not the model.
TIMING_KEYS = {"cost", "execute_breakdown_s", "protocol_timing_s"}


def start_case(name: str, out: Path, cache: Path) -> subprocess.Popen:
    """Start the CLI run of case ``name`` writing to ``out`` (its output goes to ``out``.log)."""
    protocol, args = CASES[name]
    env = {**os.environ, "SPIKING_MEMORY_CACHE": str(cache)}
    log = open(out.with_name(out.name + ".log"), "w")  # a file, not a pipe: a chatty run never blocks
    with log:
        return subprocess.Popen([sys.executable, "-m", "protocols", protocol, *COMMON, "--out", str(out), *args],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)


def run_cases(names, root: Path, cache: Path, parallel: int = 2) -> dict[str, Path]:
    """Run cases, ``parallel`` at a time, starting the next whenever one ends; return their results
    directories (raise on a failure)."""
    import time

    pending = list(names)
    running: dict[str, subprocess.Popen] = {}
    done = {}
    while pending or running:
        while pending and len(running) < parallel:
            name = pending.pop(0)
            running[name] = start_case(name, root / name, cache)
        finished = [name for name, proc in running.items() if proc.poll() is not None]
        if not finished:
            time.sleep(0.2)
        for name in finished:
            proc = running.pop(name)
            if proc.returncode != 0:
                for other in running.values():
                    other.kill()
                log = (root / f"{name}.log").read_text()
                raise RuntimeError(f"case {name} failed (exit {proc.returncode}):\n{log[-2000:]}")
            done[name] = root / name
    return done


def summary_numbers(obj, skip=TIMING_KEYS) -> Counter:
    """Multiset of the numbers in a summary (booleans and timing sections excluded)."""
    out: Counter = Counter()

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k not in skip:
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, (int, float)) and not isinstance(x, bool):
            out[float(x)] += 1

    walk(obj)
    return out


def compare(reference: Path, new: Path) -> list[str]:
    """Differences between a reference and a new results directory (empty: identical)."""
    problems = []
    with np.load(reference / "data.npz") as ref, np.load(new / "data.npz") as got:
        for key in ref.files:
            if key not in got.files:
                problems.append(f"data.npz lacks {key}")
            elif not arrays_match(ref[key], got[key]):
                problems.append(f"data.npz[{key}] differs")
    ref_numbers = summary_numbers(json.loads((reference / "summary.json").read_text()))
    new_numbers = summary_numbers(json.loads((new / "summary.json").read_text()))
    missing = unmatched_numbers(ref_numbers, new_numbers)
    if missing:
        problems.append(f"summary.json lacks {len(missing)} numbers of the reference, e.g. {missing[:5]}")
    return problems


def arrays_match(ref: np.ndarray, got: np.ndarray) -> bool:
    """Same shape and kind of dtype; floats equal within the float tolerances (NaN where NaN),
    anything else identical."""
    if ref.shape != got.shape or ref.dtype.kind != got.dtype.kind:
        return False
    if ref.dtype.kind in "fc":
        return bool(np.allclose(got, ref, rtol=FLOAT_RTOL, atol=FLOAT_ATOL, equal_nan=True))
    return bool(np.array_equal(ref, got))


def unmatched_numbers(ref: Counter, new: Counter) -> list[float]:
    """Reference numbers (with multiplicity) that have no partner in ``new`` within the float tolerances.

    Both multisets are sorted and paired in order, so each new number serves one reference number.
    """
    want = sorted(ref.elements())
    have = sorted(new.elements())
    missing, k = [], 0
    for x in want:
        tol = FLOAT_ATOL + FLOAT_RTOL * abs(x)
        while k < len(have) and have[k] < x - tol:
            k += 1
        if k < len(have) and abs(have[k] - x) <= tol:
            k += 1
        else:
            missing.append(x)
    return missing


def test_comparison_forgives_float_rounding_but_not_a_changed_value():
    rates = np.array([12.5, 40.0, np.nan])
    assert arrays_match(rates, rates * (1 + 3e-15))
    assert not arrays_match(rates, rates + np.array([0.0, 1e-6, 0.0]))     # relative 2.5e-8 > 1e-9
    spikes = np.array([3, 7, 7, 12])
    assert not arrays_match(spikes, spikes + np.array([0, 0, 1, 0]))        # integers: identical only
    assert not arrays_match(rates[:2], rates[:2].reshape(2, 1))             # same values, another shape
    assert unmatched_numbers(Counter([0.5, 0.5, 3.0]), Counter([3.0 + 1e-14, 0.5, 0.5 * (1 - 1e-15)])) == []
    assert unmatched_numbers(Counter([0.5, 0.5, 3.0]), Counter([3.0, 0.5, 0.75])) == [0.5]  # multiplicity counts
    assert unmatched_numbers(Counter([1e-3]), Counter([1.0001e-3])) == [1e-3]
    assert unmatched_numbers(Counter([-5.2e-18]), Counter([-6.7e-18])) == []      # zero up to rounding


@pytest.fixture(scope="module")
def golden_runs(request, tmp_path_factory):
    """The selected cases, run two at a time (one fixture, so ``-k`` runs only what it selects)."""
    selected = [item.callspec.params["case"] for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")]
    root = tmp_path_factory.mktemp("golden")
    return run_cases(selected, root, root / "cache")


@pytest.mark.parametrize("case", list(CASES))
def test_protocol_reproduces_its_reference_run(golden_runs, case):
    assert (GOLDEN / case / "data.npz").is_file(), f"no reference for {case}: run `make golden`"
    assert compare(GOLDEN / case, golden_runs[case]) == []


def _record(names) -> None:
    """Run the cases ``names`` and store their summaries and data as the new references."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        runs = run_cases(list(names), Path(tmp), Path(tmp) / "cache")
        for name, path in runs.items():
            target = GOLDEN / name
            target.mkdir(parents=True, exist_ok=True)
            for f in ("summary.json", "data.npz"):
                shutil.copy2(path / f, target / f)
            print(f"recorded {target}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] != "--record":
        raise SystemExit(f"usage: python tests/test_golden_runs.py --record [CASE ...]  (cases: {', '.join(CASES)})")
    unknown = [a for a in args[1:] if a not in CASES]
    if unknown:
        raise SystemExit(f"unknown case(s) {', '.join(unknown)}: allowed {', '.join(CASES)}")
    _record(args[1:] or list(CASES))
