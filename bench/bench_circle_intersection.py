"""Benchmark the exact SDM circle intersection and the log-space expected neuron count.

Run ``python bench/bench_circle_intersection.py``.  Times (best of several repeats, cache cleared
before each so the exact big-integer table is rebuilt every time):

* ``circle_intersection(1000, 451, range(1001))`` -- exact Python-int table by Kanerva's lune form;
* ``expected_intersection(1000, 451, dv, r=1e6)`` for all dv -- exact rational -> float;
* ``log_expected_intersection(1000, 451, dv, r=1e6)`` -- log space;
* the same with the table cached (what repeated calls cost);
* ``BinarySDM(n=1000, r=10^6, d=451)``: construction, 100 writes, 100 reads (neuron view on
  packed bits; once, not best-of; skip with ``--skip-binary``).

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
from protocols.provenance import cpu_model  # noqa: E402


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
    parser.add_argument("--skip-binary", action="store_true", help="skip the BinarySDM r = 10^6 timing")
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
    if not args.skip_binary:
        bench_binary_sdm(n, d, int(r))
    return 0


def bench_binary_sdm(n: int, d: int, r: int, m: int = 100) -> None:
    """One timing of the neuron-view SDM at full scale (construction, m writes, m reads)."""
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    mem = sdm.BinarySDM(n, r, d, rng=rng)
    t1 = time.perf_counter()
    patterns = rng.integers(0, 2, (m, n), dtype=np.uint8)
    mem.write(patterns)
    t2 = time.perf_counter()
    noisy = patterns ^ (rng.random((m, n)) < 0.05).astype(np.uint8)
    out = mem.read(noisy)
    t3 = time.perf_counter()
    label = f"BinarySDM n={n} r={r:g} d={d}"
    print(f"{label + ' build':36s} {(t1 - t0) * 1e3:9.1f} ms")
    print(f"{label + f' {m} writes':36s} {(t2 - t1) * 1e3:9.1f} ms")
    print(f"{label + f' {m} reads':36s} {(t3 - t2) * 1e3:9.1f} ms")
    print(f"check: {np.mean(np.all(out == patterns, axis=1)):.2f} of {m} patterns read back exactly "
          f"from 5 % noise; {mem.n_stored.sum() / m:.0f} neurons per write (r p(d) = "
          f"{r * sdm.space_fraction(n, d):.0f})")


if __name__ == "__main__":
    raise SystemExit(main())
