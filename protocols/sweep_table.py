"""The tables of a sweep: one row per run, and per grid point the distribution of every target metric.

``sweep.json``::

    {"protocol", "grid": {path: [values]}, "seeds": [...],
     "runs": [{"key", "status", "seed", "grid": {path: value}, "targets": {name: {"value", "pass"}},
               "all_pass", "cost": {...}, "error"}],
     "points": [{"grid": {...}, "n_runs", "targets": {name: {"n", "mean", "sd", "ci95": [lo, hi],
                                                            "pass_count"}}}]}

``sweep.csv`` has the run rows flattened: grid values, seed, status, ``<target>`` and
``<target>.pass`` for every target, ``all_pass``, and the run's wall time, real-time factor and
synaptic events per second. A target whose value is not a number (e.g. a dict of counts) has only its
pass count in the statistics. The 95 % interval is ``mean ± t(0.975, n-1) sd / sqrt(n)`` (Student t),
empty for a single run.
"""
from __future__ import annotations

import csv
import json
import math
import os
from pathlib import Path

import numpy as np

from core.jsonio import to_jsonable

__all__ = ["write_sweep", "run_rows", "point_stats"]

_COST = ("wall_time_s", "realtime_factor", "synaptic_events_per_s")


def _number(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(float(x)) else None


def run_rows(protocol: str, tasks, outcomes) -> list[dict]:
    """One row per run: grid values, seed, status, every target value and verdict, cost."""
    by_key = {o["key"]: o for o in outcomes}
    rows = []
    for point, seed, out in tasks:
        outcome = by_key.get(out.name, {"status": "missing", "error": "not run"})
        row = {"key": out.name, "seed": seed, "grid": dict(point), "status": outcome["status"],
               "error": outcome.get("error"), "targets": {}, "all_pass": None, "cost": {}}
        summary_path = Path(out) / "summary.json"
        if summary_path.is_file():
            try:
                summary = json.loads(summary_path.read_text())
            except ValueError:
                summary = {}
            targets = summary.get("targets", {}) if isinstance(summary, dict) else {}
            row["targets"] = {name: {"value": t.get("value"), "pass": bool(t.get("pass"))}
                              for name, t in targets.items() if isinstance(t, dict)}
            row["all_pass"] = summary.get("all_pass")
            row["cost"] = {k: summary.get("cost", {}).get(k) for k in _COST}
            if row["status"] != "failed":
                row["status"] = "complete"
        rows.append(row)
    return rows


def point_stats(rows: list[dict]) -> dict:
    """Per target: number of runs, mean, SD, 95 % CI of the numeric values, and the pass count."""
    from scipy.stats import t as student_t

    names = sorted({name for r in rows for name in r["targets"]})
    out = {}
    for name in names:
        entries = [r["targets"][name] for r in rows if name in r["targets"]]
        values = np.array([v for v in (_number(e["value"]) for e in entries) if v is not None])
        stats = {"n": len(entries), "pass_count": int(sum(e["pass"] for e in entries)), "n_values": int(values.size),
                 "mean": None, "sd": None, "ci95": None}
        if values.size:
            stats["mean"] = float(values.mean())
            stats["sd"] = float(values.std(ddof=1)) if values.size > 1 else None
            if values.size > 1:
                half = float(student_t.ppf(0.975, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size))
                stats["ci95"] = [stats["mean"] - half, stats["mean"] + half]
        out[name] = stats
    return out


def write_sweep(out: Path, protocol: str, grid, seeds, tasks, outcomes) -> tuple[Path, Path]:
    """Write ``sweep.json`` and ``sweep.csv`` (atomically) into ``out``."""
    out = Path(out)
    rows = run_rows(protocol, tasks, outcomes)
    points = []
    for point in {json.dumps(r["grid"], sort_keys=True): r["grid"] for r in rows}.values():
        members = [r for r in rows if r["grid"] == point and r["status"] == "complete"]
        points.append({"grid": point, "n_runs": len(members), "all_pass_count": sum(bool(r["all_pass"]) for r in members),
                       "targets": point_stats(members)})
    doc = {"protocol": protocol, "grid": {p: v for p, v in grid}, "seeds": list(seeds), "runs": rows,
           "points": points,
           "counts": {s: sum(r["status"] == s for r in rows) for s in ("complete", "failed", "missing")}}
    json_path = out / "sweep.json"
    tmp = out / f".sweep.json.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(to_jsonable(doc), indent=1, allow_nan=False) + "\n")
    os.replace(tmp, json_path)
    names = sorted({n for r in rows for n in r["targets"]})
    columns = [*[p for p, _ in grid], "seed", "status", *[c for n in names for c in (n, f"{n}.pass")], "all_pass",
               *_COST]
    csv_path = out / "sweep.csv"
    tmp = out / f".sweep.csv.tmp-{os.getpid()}"
    with open(tmp, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for r in rows:
            cells = [r["grid"].get(p) for p, _ in grid] + [r["seed"], r["status"]]
            for n in names:
                t = r["targets"].get(n, {})
                v = t.get("value")
                cells += [v if _number(v) is not None else ("" if v is None else json.dumps(v)), t.get("pass", "")]
            cells += [r["all_pass"], *[r["cost"].get(k) for k in _COST]]
            writer.writerow(["" if c is None else c for c in cells])
    os.replace(tmp, csv_path)
    return json_path, csv_path
