"""The run engine: devices agree, standalone compiles once, costs are reported, results are atomic."""
import json
import os

import numpy as np
import pytest

from protocols.engine import Simulation, synaptic_events
from protocols.results import ResultsBusyError, ResultsDirectory, ResultsExistError, load_results


def _tiny_network(rng):
    """Poisson-free toy: spike generators drive 20 LIF neurons through numpy-drawn synapses."""
    from brian2 import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses, ms, mV

    # one spike per source every 2.5 ms on average, on distinct time steps per source
    idx = np.repeat(np.arange(50), 8)
    times = (np.concatenate([rng.choice(950, 8, replace=False) for _ in range(50)]) * 0.1) * ms
    src = SpikeGeneratorGroup(50, idx, times)
    tgt = NeuronGroup(20, "dv/dt = -v/(10*ms) : volt", threshold="v > 5*mV", reset="v = 0*mV", method="exact")
    i, j = rng.integers(0, 50, 300), rng.integers(0, 20, 300)
    syn = Synapses(src, tgt, on_pre="v_post += 2*mV")
    syn.connect(i=i, j=j)
    mon_src, mon_tgt = SpikeMonitor(src, record=False), SpikeMonitor(tgt)
    return Network(src, tgt, syn, mon_src, mon_tgt), i, mon_src, mon_tgt


def _run(device, cache_dir, timings=None):
    with Simulation(device=device, name="engine-test", seed=3, progress=False, cache_dir=cache_dir) as sim:
        net, i, mon_src, mon_tgt = _tiny_network(np.random.default_rng(0))
        from brian2 import ms

        sim.run(net, 50 * ms, "first")
        sim.run(net, 50 * ms, "second")
        sim.execute()
        spikes = sorted(zip(np.asarray(mon_tgt.i), np.round(np.asarray(mon_tgt.t / ms), 1)))
        events = synaptic_events(np.asarray(mon_src.count), i)
        cost = sim.cost(events, 1.0)
        if timings is not None:
            timings.append(sim.build_time_s)
    return spikes, events, cost


@pytest.fixture(scope="module")
def engine_build(tmp_path_factory):
    """The tiny network compiled once (cold cache) and run: ``(cache_dir, (spikes, events, cost), build_s)``.

    The standalone tests of this module share it, so the module pays for one cold build plus the one
    rebuild that the corrupt-program test needs.
    """
    cache = tmp_path_factory.mktemp("engine-cache")
    builds = []
    result = _run("standalone", cache, builds)
    return cache, result, builds[0]


@pytest.mark.standalone
def test_standalone_matches_runtime_and_reports_cost(tmp_path, engine_build):
    cache, (sa_spikes, sa_events, sa_cost), cold_build_s = engine_build
    rt_spikes, rt_events, rt_cost = _run("runtime", tmp_path / "cache")
    builds = []
    again = _run("standalone", cache, builds)
    assert again[0] == sa_spikes
    assert builds[0] < 0.5 * cold_build_s  # same network shape: the kept build recompiles nothing
    assert len(rt_spikes) > 5
    assert sa_spikes == rt_spikes  # deterministic model: identical spikes on both devices
    assert sa_events == rt_events > 0
    assert sa_cost["simulated_time_s"] == pytest.approx(0.1)
    assert sa_cost["synaptic_events_per_s"] > 0 and sa_cost["build_time_s"] > 0


def test_synaptic_events_counts_outdegree():
    assert synaptic_events([2, 0, 1], [0, 0, 2, 1]) == 2 * 2 + 0 * 1 + 1 * 1


def test_simulation_rejects_bad_device():
    with pytest.raises(ValueError, match="device = 'gpu'"):
        Simulation(device="gpu")


def test_results_directory_is_atomic_and_never_overwrites(tmp_path):
    final = tmp_path / "run"
    with ResultsDirectory(final) as res:
        res.write_json("summary.json", {"a": 1})
        res.write_json("params.json", {"protocol": "x"})
        res.write_npz("data.npz", {"x": np.arange(3)})
        assert not final.exists()  # nothing visible until the run succeeded
    assert load_results(final)[2]["x"].tolist() == [0, 1, 2]
    with pytest.raises(ResultsExistError, match="pass --force"):
        ResultsDirectory(final)
    with pytest.raises(RuntimeError):
        with ResultsDirectory(final, force=True) as res:
            res.write_json("summary.json", {"a": 2})
            raise RuntimeError("interrupted")
    assert json.loads((final / "summary.json").read_text()) == {"a": 1}  # earlier result intact
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no partial directory left behind


def test_second_run_into_the_same_out_learns_it_lost_before_running(tmp_path):
    final = tmp_path / "run"
    first, second, third = (ResultsDirectory(final) for _ in range(3))  # all checked before running
    with first:
        with pytest.raises(ResultsBusyError, match="another run is writing it"):
            second.__enter__()  # claimed by the first run: refused at once, not after simulating
        first.write_json("summary.json", {"run": 1})
    with pytest.raises(ResultsExistError, match="directory exists"):
        third.__enter__()
    assert json.loads((final / "summary.json").read_text()) == {"run": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no lock or partial left


def test_leftovers_of_killed_runs_are_removed_and_an_interrupted_replacement_restored(tmp_path):
    import subprocess
    import sys

    from protocols.results import clean_stale

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()  # a pid that has exited
    (tmp_path / f".a.partial-{dead}").mkdir()
    (tmp_path / f".b.old-{dead}").mkdir()  # killed between the two renames of --force: b is missing
    (tmp_path / f".b.old-{dead}" / "summary.json").write_text("{}")
    (tmp_path / f".c.partial-{os.getpid()}").mkdir()  # a live run: untouched
    clean_stale(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["b", f".c.partial-{os.getpid()}"])
    assert (tmp_path / "b" / "summary.json").exists()


def test_ragged_arrays_are_refused_by_name(tmp_path):
    with pytest.raises(TypeError, match="'spikes' has dtype object"):
        with ResultsDirectory(tmp_path / "run") as res:
            res.write_npz("data.npz", {"spikes": np.array([[1], [1, 2]], dtype=object)})


_ENGINE_RUN = """
import json, sys
import numpy as np
sys.path.insert(0, {tests!r})
from test_engine import _tiny_network
from protocols.engine import Simulation
from brian2 import ms
seed = int(sys.argv[1])
with Simulation(device="standalone", name="engine-test", seed=seed, progress=False, cache_dir=sys.argv[2]) as sim:
    net, i, mon_src, mon_tgt = _tiny_network(np.random.default_rng(seed))
    sim.run(net, 50 * ms, "first")
    sim.run(net, 50 * ms, "second")
    sim.execute()
    cost = sim.cost(0, 1.0)
    print(json.dumps({{"program": cost["program"], "spikes": np.asarray(mon_tgt.t[:]).tolist()}}))
"""


@pytest.mark.standalone
def test_new_seed_reuses_the_compiled_program_whatever_the_hash_seed(tmp_path, engine_build):
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "run.py"
    script.write_text(_ENGINE_RUN.format(tests=str(Path(__file__).parent)))
    runs = []
    for seed, hash_seed in ((1, "1"), (2, "4"), (1, "7")):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, str(script), str(seed), str(engine_build[0])], env=env,
                             capture_output=True, text=True, check=True).stdout
        runs.append(json.loads(out.splitlines()[-1]))
    keys = {r["program"]["key"] for r in runs}
    # seed and connectivity are not part of the code: every run takes the program compiled for seed 3
    assert keys == {engine_build[1][2]["program"]["key"]}
    assert [r["program"]["cached"] for r in runs] == [True, True, True]
    assert runs[0]["spikes"] == runs[2]["spikes"] != runs[1]["spikes"]  # same seed, same result
    phases = runs[0]["program"]
    assert phases["loop_s"] > 0 and phases["peak_memory_mib"] > 0 and phases["total_s"] >= phases["loop_s"]


@pytest.mark.standalone
def test_corrupt_cached_program_is_rebuilt_not_run(tmp_path, engine_build):
    import shutil

    cache, (spikes, _, _), _ = engine_build
    shutil.copytree(cache / "programs", tmp_path / "cache" / "programs")
    programs = list((tmp_path / "cache" / "programs").glob("*/main"))
    assert len(programs) == 1
    programs[0].write_bytes(programs[0].read_bytes()[:1000])  # truncated, as after a kill mid-copy
    again = _run("standalone", tmp_path / "cache")
    assert again[0] == spikes
    assert programs[0].stat().st_size > 1000  # rebuilt and stored again


def test_parts_add_their_schedule_and_run_times_to_the_run():
    """Two parts on the numpy runtime: the run's schedule is theirs one after the other, its cost
    covers both."""
    from brian2 import ms

    with Simulation(device="runtime", name="engine-parts", seed=3, progress=False) as sim:
        times = []
        for k in range(2):
            with sim.part(f"part {k}") as part:
                net, *_ = _tiny_network(np.random.default_rng(k))
                part.run(net, 20 * ms, "only")
            times.append(part.run_time_s)
        cost = sim.cost(10, 1.0)
    assert [label for _, label in sim.segments] == ["part 0: only", "part 1: only"]
    assert [t for t, _ in sim.segments] == pytest.approx([0.02, 0.04])
    assert cost["simulated_time_s"] == pytest.approx(0.04) and sim.run_time_s == pytest.approx(sum(times))
