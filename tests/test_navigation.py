"""navigation protocol: tiny runtime run (link inference, gating on environment switch), bad input."""
import dataclasses
import json

import numpy as np
import pytest
from brian2 import ms

from protocols import cli
from protocols.engine import Simulation
from protocols.navigation import NavigationConfig, design_navigation, run

KEYS = ("position", "action", "observation", "predicted_spiking", "predicted_abstract", "predicted_edge",
        "revisit", "link_inference", "frac_nodes_visited", "frac_edges_visited")


def test_design_is_causal_and_path_integration_exact():
    from hippocampus.codes import grid_keys
    from protocols.navigation import abstract_predictions

    cfg = NavigationConfig(width=5, n_steps=40, n_steps_env2=10)
    des = design_navigation(cfg, np.random.default_rng(0))
    assert max(env["pi_error"] for env in des["envs"]) < 1e-9
    n = des["n_steps"]
    assert n == 50 and des["n_pool"] == cfg.pool_size == 50
    w = np.arange(n)[:, None]
    open_ = (w >= des["write"][None, :]) & (w < des["clear"][None, :])
    # window t sees slots tau <= t of its own environment only
    assert not np.any(np.triu(open_, k=1))
    assert np.all(open_[39, :40]) and not np.any(open_[40:, :40])
    assert np.all(open_[49, 40:50])
    # window t queries the key of step t + 1 (same environment); keys are codes of the true positions
    assert np.allclose(des["queries"][:39], des["keys"][1:40])
    assert np.allclose(des["queries"][40:49], des["keys"][41:50])
    for e, env in enumerate(des["envs"]):
        t0 = 40 * e
        pos = env["world"].positions[env["walk"].nodes].astype(float)
        assert np.allclose(des["keys"][t0:t0 + len(pos)], grid_keys(des["grid"], pos), atol=1e-9)
        # value t is the code of observation t
        assert np.array_equal(des["values"][t0:t0 + len(pos)], des["codes"][env["walk"].observations])
    # changing future values leaves earlier predictions unchanged (abstract TEM-t on the same design)
    before = abstract_predictions(des, cfg.beta)
    changed = dict(des, values=des["values"].copy())
    changed["values"][25:] = des["codes"][0]
    after = abstract_predictions(changed, cfg.beta)
    assert np.array_equal(before[:26], after[:26])


def test_fixed_pool_does_not_depend_on_the_walk_length():
    cfg = NavigationConfig(width=4, max_steps=300, n_steps_env2=20)
    sizes = {design_navigation(cfg, np.random.default_rng(s))["n_pool"] for s in (1, 2, 3)}
    assert sizes == {320}


def test_tiny_runtime_walk_predicts_link_inference_steps_and_gates_old_memories(tmp_path):
    cfg = NavigationConfig(width=4, n_steps=32, n_steps_env2=10, settle=25 * ms, read=25 * ms,
                           circuit=dataclasses.replace(NavigationConfig().circuit, copies=2, mec_copies=5))
    with Simulation(device="runtime", name="nav-test", seed=3, progress=False) as sim:
        out = run(cfg, sim, seed=3)
    data, s = out.data, out.summary
    for k in KEYS:
        assert data[k].shape[0] == 42, k
    li = data["link_inference"] & (data["env"] == 0)
    assert li.sum() >= 3
    obs = data["observation"]
    assert np.mean(data["predicted_spiking"][li] == obs[li]) >= 0.9  # from read-out spike counts
    assert np.mean(data["predicted_abstract"][li] == obs[li]) >= 0.98
    assert np.all(data["predicted_edge"][li] != obs[li])  # no prediction on a never-taken edge
    sw = s["environment_switch"]
    assert sw["env1_slot_spikes_after_switch"] == 0
    if sw["env2_revisits_of_env1_nodes_with_changed_object"]:
        assert sw["intrusion_rate_spiking_gated"] == 0.0
    assert out.synaptic_events > 0
    # the protocol's figures draw from a saved results directory
    from figures.registry import all_figures
    from protocols.config import to_jsonable
    from protocols.results import ResultsDirectory

    with ResultsDirectory(tmp_path / "res") as res:
        res.write_json("summary.json", out.summary)
        res.write_json("params.json", {"protocol": "navigation", "config": to_jsonable(cfg)})
        res.write_npz("data.npz", out.data)
    drawn = [p for spec in all_figures().values() if spec.protocol == "navigation"
             for p in spec.make(tmp_path / "figs", tmp_path / "res")]
    assert {p.stem for p in drawn} >= {"navigation_accuracy", "navigation_switch", "place_rate_maps"}


@pytest.mark.parametrize("argv, match", [
    (["--beta", "-1"], "beta"), (["--copies", "0"], "copies"), (["--width", "1"], "width"),
    (["--steps", "5000"], "n_steps"),
    (["--set", "sensory_dim=5"], "sensory_dim"), (["--set", "cells_per_module=8"], "cells_per_module"),
    (["--set", "read=40.25*ms"], "read"),
])
def test_bad_input_exits_2(argv, match, tmp_path, capsys):
    assert cli.main(["navigation", "--out", str(tmp_path / "r"), "--no-progress", *argv]) == 2
    err = capsys.readouterr().err
    assert match in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.standalone
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_default_walk_meets_link_inference_targets(seed, tmp_path, monkeypatch, standalone_cache):
    monkeypatch.setenv("SPIKING_MEMORY_CACHE", str(standalone_cache))
    out = tmp_path / f"nav{seed}"
    assert cli.main(["navigation", "--out", str(out), "--no-progress", "--no-figures", "--seed", str(seed)]) == 0
    s = json.loads((out / "summary.json").read_text())
    t = s["targets"]
    assert t["abstract_link_inference"] >= 0.98
    assert t["spiking_link_inference"] >= 0.95
    assert t["edge_memorizer_link_inference"] == 0.0
    assert s["environment_switch"]["intrusion_rate_spiking_gated"] == 0.0
