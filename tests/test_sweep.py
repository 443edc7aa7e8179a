"""Sweeps on dask: seeds x grid, resumable after a kill, aggregate tables, a scheduler address."""
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from protocols.sweep import parse_seeds, run_key
from protocols.sweep_table import point_stats

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--", "--memories", "2", "--slots", "2", "--copies", "2", "--betas", "5", "--noise", "0", "--partial",
        "none", "--read-ms", "20", "--settle-ms", "10", "--set", "capacity_memories=2"]


def _sweep(out, *args, env=None, **kw):
    cmd = [sys.executable, "-m", "protocols", "sweep", "hopfield-recall", "--out", str(out), "--device", "runtime",
           "--no-progress", *args, *TINY]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, **kw)


def _env(tmp_path):
    return {**os.environ, "SPIKING_MEMORY_CACHE": str(tmp_path / "cache")}


def test_seed_lists_and_run_names():
    assert parse_seeds("1-4,7,3") == [1, 2, 3, 4, 7]
    assert run_key({"beta": "10", "circuit.copies": "3"}, 2) == "beta=10_copies=3-seed2"
    assert run_key({}, 5) == "seed5"


def test_point_statistics_use_student_t():
    rows = [{"targets": {"x": {"value": v, "pass": v > 1}}} for v in (1.0, 2.0, 3.0)]
    st = point_stats(rows)["x"]
    assert st["mean"] == 2.0 and st["sd"] == 1.0 and st["pass_count"] == 2
    assert st["ci95"] == pytest.approx([2 - 4.302653 / 3 ** 0.5, 2 + 4.302653 / 3 ** 0.5], rel=1e-5)


def test_bad_sweep_arguments_are_one_line_exit_2(tmp_path):
    for args in (["--seeds", "x"], ["--grid", "nope=1,2"], ["--grid", "beta"], ["--jobs", "0"]):
        proc = _sweep(tmp_path / "s", *args, env=_env(tmp_path))
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr


@pytest.mark.slow  # ~45 s: two compiled runs, a kill and a resume
def test_sweep_runs_grid_resumes_after_a_kill_and_aggregates(tmp_path):
    out = tmp_path / "sweep"
    args = ["--seeds", "1-2", "--grid", "beta=5,10", "--jobs", "2"]
    proc = subprocess.Popen([sys.executable, "-m", "protocols", "sweep", "hopfield-recall", "--out", str(out),
                             "--device", "runtime", "--no-progress", *args, *TINY], cwd=ROOT, env=_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list((out / "runs").glob("*/summary.json")):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole sweep, workers and runs, at an arbitrary moment
    proc.wait()
    finished_before = {p.parent.name for p in (out / "runs").glob("*/summary.json")}
    assert 1 <= len(finished_before) <= 4
    again = _sweep(out, *args, env=_env(tmp_path))
    assert again.returncode == 0, again.stderr
    doc = json.loads((out / "sweep.json").read_text())
    assert doc["counts"] == {"complete": 4, "failed": 0, "missing": 0}
    redone = {r["key"] for r in doc["runs"]} - finished_before
    assert len(redone) == 4 - len(finished_before)  # finished runs were not redone
    assert not list((out / "runs").glob(".*partial-*"))  # leftovers of the killed runs are gone
    assert {tuple(sorted(p["grid"].items())) for p in doc["points"]} == {(("beta", "5"),), (("beta", "10"),)}
    for point in doc["points"]:
        assert point["n_runs"] == 2
        stats = point["targets"]
        assert all(s["n"] == 2 for s in stats.values())
    rows = list(csv.DictReader(open(out / "sweep.csv")))
    assert len(rows) == 4 and {r["seed"] for r in rows} == {"1", "2"} and "beta" in rows[0]
    assert list((out / "figures").glob("sweep_*.png"))


@pytest.mark.slow  # ~16 s: starts a dask scheduler and worker
def test_sweep_on_a_scheduler_started_on_localhost(tmp_path):
    pytest.importorskip("distributed")
    sched_file = tmp_path / "scheduler.json"
    env = _env(tmp_path)
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", "0", "--no-dashboard", "--scheduler-file", str(sched_file)],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        deadline = time.time() + 60
        while not sched_file.exists() and time.time() < deadline:
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                   "--nworkers", "1", "--no-dashboard"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        proc = _sweep(tmp_path / "s", "--seeds", "3", "--scheduler", address, "--no-figures", env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
        doc = json.loads((tmp_path / "s" / "sweep.json").read_text())
        assert doc["counts"]["complete"] == 1 and doc["runs"][0]["seed"] == 3
    finally:
        for p in (worker, scheduler):
            if p is not None:
                p.terminate()
                p.wait(timeout=30)
