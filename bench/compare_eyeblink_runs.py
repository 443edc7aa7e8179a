"""Same-seed comparison of two implementations of the eyeblink circuit (e.g. two source trees).

Step 1, once per implementation (``--tree`` is the root of a checkout; default: this one)::

    python bench/compare_eyeblink_runs.py run --tree /path/to/checkout --out old.npz [--n-grc 30000]
        [--trials 10] [--seed 1] [--set NAME=VALUE ...]

runs ``--trials`` paired acquisition trials in standalone and saves every granule-cell spike, the
spikes of the PCs, DCN and IO cells, and the PF→PC weights at the end.

Step 2::

    python bench/compare_eyeblink_runs.py compare old.npz new.npz

prints, for the granule cells, how many cells have identical spike counts, the largest per-cell
difference and the correlation of the counts; the active fraction per 10-ms bin (fraction of GrCs
with at least one spike; largest difference); the identity of the spike trains; and for the PF→PC
weights the change from the initial weight (correlation, relative RMS difference, mean change of
each run), and the spike counts of the downstream cells.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def run(tree: Path, out: Path, n_grc: int, trials: int, seed: int, settings: list[str]) -> None:
    sys.path.insert(0, str(tree.resolve()))
    import numpy as np
    from brian2 import nS

    from core.overrides import apply, parse_value, resolve, split_assignment
    from core.params import describe, replace_path
    from core.units import in_unit
    from protocols.engine import Simulation
    from protocols.eyeblink.config import EyeblinkConfig
    from protocols.eyeblink.schedule import schedule_for
    from protocols.eyeblink.simulate import simulate

    specs = describe(EyeblinkConfig)[0]
    values = {}
    for item in settings:
        name, text = split_assignment(item)
        path = resolve(EyeblinkConfig, name)
        values[path] = parse_value(text, specs[path].spec, f"--set {name}")
    config = apply(EyeblinkConfig(acquisition=trials, extinction=0, reacquisition=0), values)
    config = replace_path(replace_path(config, "circuit.granular.n_grc", n_grc), "trial.n_grc_record", n_grc)
    schedule = schedule_for(config)
    with Simulation(device="standalone", name="compare_eyeblink", seed=seed, threads=0, progress=False,
                    dt_ms=in_unit(config.dt, "ms")) as sim:
        rec = simulate(config, sim, seed, schedule)
        pf_pc = rec.circuit.synapses["pf_pc"]
        w, w_i, w_j = np.asarray(pf_pc.w[:] / nS), np.asarray(pf_pc.i[:]), np.asarray(pf_pc.j[:])
    w0 = float(config.circuit.pf_pc_rule.w0 / nS)
    order = np.lexsort((w_i, w_j))  # synapses by (PC, GrC): implementations may store them in another order
    arrays = {"grc_t": rec.grc[0], "grc_i": rec.grc[1], "w": w[order], "w_i": w_i[order], "w_j": w_j[order],
              "w0": w0, "n_grc": n_grc,
              "duration": schedule.duration, "source": str(tree.resolve())}
    for name, (t, i) in rec.spikes.items():
        arrays[f"{name}_t"], arrays[f"{name}_i"] = t, i
    np.savez_compressed(out, **arrays)
    print(f"saved {out}: {rec.grc[0].size} GrC spikes, loop {sim.program.get('loop_s')} s")


def compare(a_path: Path, b_path: Path) -> dict:
    import numpy as np

    a, b = np.load(a_path), np.load(b_path)
    n = int(a["n_grc"])
    ca = np.bincount(a["grc_i"], minlength=n)
    cb = np.bincount(b["grc_i"], minlength=n)
    duration = float(a["duration"])
    edges = np.arange(0.0, duration + 1e-9, 0.010)

    def active_fraction(t, i):
        k = np.digitize(t, edges) - 1
        return np.array([np.unique(i[k == j]).size for j in range(edges.size - 1)]) / n

    fa, fb = active_fraction(a["grc_t"], a["grc_i"]), active_fraction(b["grc_t"], b["grc_i"])
    key_a = np.lexsort((a["grc_i"], np.round(a["grc_t"] / 1e-5)))
    key_b = np.lexsort((b["grc_i"], np.round(b["grc_t"] / 1e-5)))
    same_trains = (a["grc_t"].size == b["grc_t"].size
                   and np.array_equal(a["grc_i"][key_a], b["grc_i"][key_b])
                   and np.allclose(a["grc_t"][key_a], b["grc_t"][key_b], atol=1e-6))
    if not (np.array_equal(a["w_i"], b["w_i"]) and np.array_equal(a["w_j"], b["w_j"])):
        raise ValueError("the two runs have different PF->PC connectivity")
    dwa, dwb = a["w"] - float(a["w0"]), b["w"] - float(b["w0"])
    out = {
        "grc_spikes": [int(ca.sum()), int(cb.sum())],
        "grc_identical_spike_trains": bool(same_trains),
        "grc_cells_with_equal_count": float(np.mean(ca == cb)),
        "grc_max_count_difference": int(np.max(np.abs(ca - cb))),
        "grc_count_correlation": float(np.corrcoef(ca, cb)[0, 1]),
        "active_fraction_mean": [float(fa.mean()), float(fb.mean())],
        "active_fraction_max_abs_difference": float(np.max(np.abs(fa - fb))),
        "pf_pc_weight_change_mean_nS": [float(dwa.mean()), float(dwb.mean())],
        "pf_pc_weight_change_correlation": float(np.corrcoef(dwa, dwb)[0, 1]),
        "pf_pc_weight_change_relative_rms_difference": float(np.sqrt(np.mean((dwa - dwb) ** 2))
                                                              / np.sqrt(np.mean(dwa ** 2))),
    }
    for name in ("pc", "dcn", "io"):
        if f"{name}_t" in a and f"{name}_t" in b:
            out[f"{name}_spikes"] = [int(a[f"{name}_t"].size), int(b[f"{name}_t"].size)]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run one implementation and save its spikes and weights")
    r.add_argument("--tree", type=Path, default=Path(__file__).resolve().parents[1])
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--n-grc", type=int, default=30000)
    r.add_argument("--trials", type=int, default=10)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    c = sub.add_parser("compare", help="compare two saved runs")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    if args.command == "run":
        run(args.tree, args.out, args.n_grc, args.trials, args.seed, args.set)
    else:
        print(json.dumps(compare(args.a, args.b), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
