"""Benchmark the exact SDM circle intersection and the log-space expected neuron count.

Run ``python bench/bench_circle_intersection.py``.  Times (best of several repeats, cache cleared
before each so the exact big-integer table is rebuilt every time):

* ``circle_intersection(1000, 451, range(1001))`` -- exact Python-int table by Kanerva's lune form;
* ``expected_intersection(1000, 451, dv, r=1e6)`` for all dv -- exact rational -> float;
* ``log_expected_intersection(1000, 451, dv, r=1e6)`` -- log space;
* the same with the table cached (what repeated calls cost).

Prints the platform and CPU model so the numbers can be compared across machines.
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from cerebellum import sdm  # noqa: E402


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def best_of(fn, repeats: int, clear=True) -> float:
    times = []
    for _ in range(repeats):
        if clear:
            sdm._intersection_table.cache_clear()
            sdm._log_intersection_table.cache_clear()
            sdm._ball_sizes.cache_clear()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="repeats per timing (best is reported)")
    args = parser.parse_args(argv)
    n, d, r = 1000, 451, 1e6
    dv = np.arange(n + 1)
    print(f"platform : {platform.platform()}")
    print(f"python   : {platform.python_version()}, numpy {np.__version__}")
    print(f"cpu      : {cpu_model()}")
    print(f"n = {n}, d = {d}, r = {r:g}, dv = 0..{n}; best of {args.repeats}")
    rows = [
        ("circle_intersection (cold)", lambda: sdm.circle_intersection(n, d, dv), True),
        ("expected_intersection (cold)", lambda: sdm.expected_intersection(n, d, dv, r), True),
        ("log_expected_intersection (cold)", lambda: sdm.log_expected_intersection(n, d, dv, r), True),
        ("circle_intersection (cached)", lambda: sdm.circle_intersection(n, d, dv), False),
        ("expected_intersection (cached)", lambda: sdm.expected_intersection(n, d, dv, r), False),
        ("log_expected_intersection (cached)", lambda: sdm.log_expected_intersection(n, d, dv, r), False),
    ]
    sdm.circle_intersection(n, d, dv)  # warm imports
    for label, fn, clear in rows:
        t = best_of(fn, args.repeats, clear)
        print(f"{label:36s} {t * 1e3:9.3f} ms")
    e = sdm.expected_intersection(n, d, dv, r)
    print(f"check: E[0] = {e[0]:.6g} neurons (= r p(d)), "
          f"E[{2 * d}] = {e[2 * d]:.3g}, E[{2 * d + 1}] = {e[2 * d + 1]:g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
