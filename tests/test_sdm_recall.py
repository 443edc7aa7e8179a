"""``sdm-recall``: inputs, schedule, CLI errors, a tiny runtime run, and standalone end-to-end runs (slow)."""
import json
import subprocess
import sys

import numpy as np
import pytest
from brian2 import ms, second

from cerebellum.sdm_circuit import SDMCircuitParams
from protocols import sdm_recall
from protocols.cli import main

ISSUE_KEYS = {"addresses", "pointers", "queries", "query_target", "query_distance", "granule_active_write",
              "granule_active_read", "pc_rate_read", "pc_rate_baseline"}


@pytest.mark.parametrize("argv, match", [
    (["--K", "40"], "K = 40"),
    (["--mode", "dense", "--d", "40"], "d = 40"),
    (["--m", "0"], "m = 0"),
    (["--set", "mf_background_rate=-5*Hz"], "mf_background_rate"),
    (["--set", "mf_background_rate=5"], "mf_background_rate"),
    (["--set", "read_volleys=0"], "read_volleys"),
    (["--set", "eligibility=foo"], "eligibility"),
    (["--set", "grc_method=rk4"], "grc_method"),
])
def test_bad_inputs_exit_2_with_one_line(argv, match, capsys, tmp_path):
    assert main(["sdm-recall", "--out", str(tmp_path / "x"), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert match in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_queries_cover_distances_zero_to_half_n():
    rng = np.random.default_rng(0)
    addr = rng.integers(0, 2, (5, 12))
    q, target, dist = sdm_recall.make_queries(addr, 14, rng)
    assert sorted(set(dist.tolist())) == list(range(7))
    assert np.array_equal(np.sum(q != addr[target], axis=1), dist)


def test_schedule_times_cf_at_the_eligibility_peak_and_checks_shapes():
    p = SDMCircuitParams(mode="dense", n=8, d=2, r=100, n_out=3)
    cal = {"latency_theta": 3.0, "latency_max": 2.0, "io_latency": 2.5}
    pl = p.derived_plasticity()
    rng = np.random.default_rng(1)
    addr = rng.integers(0, 2, (4, 8))
    ptr = np.array([[1, 0, 0], [0, 0, 0], [1, 1, 1], [0, 1, 0]])
    q = addr[:2]
    s = sdm_recall.make_schedule(p, cal, pl, addr, ptr, q, 2, rng, read_volleys=3)
    assert len(s.teacher_i) == ptr.sum() and len(s.read_start) == 2
    assert s.total == pytest.approx(0.2 * (1 + 2 + 4 + 6))
    # CF arrival = volley + GrC latency + eligibility peak (100 ms)
    arrival = s.teacher_t + 2.5e-3 + float(pl.cf_delay / second)
    volley = s.write_start[[0, 2, 2, 2, 3]] + s.volley_offset
    np.testing.assert_allclose(np.sort(arrival - volley), 0.0025 + 0.1, atol=1e-9)
    assert np.bincount(s.mf_i, minlength=16).sum() == 8 * (2 + 4 + 6)
    with pytest.raises(ValueError, match="pointers has shape"):
        sdm_recall.make_schedule(p, cal, pl, addr, ptr[:, :2], q, 2, rng)
    with pytest.raises(ValueError, match="queries has shape"):
        sdm_recall.make_schedule(p, cal, pl, addr, ptr, q[:, :5], 2, rng)
    with pytest.raises(ValueError, match="only 0 and 1"):
        sdm_recall.make_schedule(p, cal, pl, addr * 2, ptr, q, 2, rng)


@pytest.mark.slow  # a cold cpp_standalone build takes 1-6 min on the shared 2-core machine
@pytest.mark.standalone
def test_dense_end_to_end_matches_abstract_sdm(tmp_path, standalone_cache):
    out = tmp_path / "run"
    env = {"SPIKING_MEMORY_CACHE": str(standalone_cache)}
    import os

    proc = subprocess.run([sys.executable, "-m", "protocols", "sdm-recall", "--mode", "dense", "--n", "16",
                           "--d", "4", "--r", "2000", "--m", "6", "--queries", "9", "--out", str(out),
                           "--no-progress"], capture_output=True, text=True, env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    data = np.load(out / "data.npz")
    assert ISSUE_KEYS | {"granule_addresses", "radius"} <= set(data.files)
    assert data["granule_active_write"].shape == (6, 2000) and data["pc_rate_read"].shape == (9, 16)
    t = summary["targets"]
    assert t["jaccard_write_mean"]["value"] >= 0.95 and t["jaccard_read_mean"]["value"] >= 0.95
    assert summary["coactivation"]["pass"]
    assert t["readout_pearson_bipolar"]["value"] >= 0.95
    assert t["bit_agreement"]["value"] >= 0.95
    assert 45 <= summary["activity"]["pc_rate_baseline_mean_hz"] <= 90
    assert summary["activity"]["io_spikes_per_cf_bit"] == 1.0
    assert summary["cost"]["synaptic_events_per_s"] > 0
    assert {"sdm_granule_intersection.png", "sdm_readout.png", "sdm_raster.png"} <= {
        p.name for p in (out / "figures").iterdir()}


@pytest.mark.slow
@pytest.mark.standalone
def test_biological_end_to_end_matches_selected_coordinate_sdm(tmp_path, standalone_cache):
    out = tmp_path / "bio"
    rc = main(["sdm-recall", "--mode", "biological", "--n", "16", "--K", "4", "--r", "2000", "--m", "6",
               "--queries", "9", "--out", str(out), "--no-progress", "--no-figures"])
    assert rc == 0
    summary = json.loads((out / "summary.json").read_text())
    assert "mf_to_grc" in np.load(out / "data.npz").files
    t = summary["targets"]
    for key in ("jaccard_write_mean", "jaccard_read_mean", "coactivation_3sigma", "readout_pearson_bipolar",
                "bit_agreement"):
        assert t[key]["pass"], (key, t[key])


def test_runtime_tiny_dense_run_is_exact(tmp_path):
    """Whole protocol on the numpy runtime (no compile): tiny dense circuit, exact Hamming balls."""
    import dataclasses

    from protocols.engine import Simulation

    circuit = SDMCircuitParams(mode="dense", n=8, d=2, r=400, n_out=4, pcs_per_bit=2, goc_mf_bits=4)
    config = sdm_recall.SDMRecallConfig(circuit=circuit, m=3, queries=5, read_volleys=1, warmup=2)
    with Simulation(device="runtime", name="sdm-test", seed=4, progress=False) as sim:
        out = sdm_recall.run(config, sim, 4)
    s, data = out.summary, out.data
    assert ISSUE_KEYS | {"granule_addresses", "radius"} <= set(data)
    assert data["granule_active_read"].shape == (5, 400) and data["pc_rate_read"].shape == (5, 4)
    assert s["jaccard"]["write_min"] == 1.0 and s["jaccard"]["read_min"] == 1.0  # spiking set = ball
    assert s["activity"]["io_spikes_per_cf_bit"] == 1.0 and s["activity"]["io_spikes_without_teacher"] == 0
    assert s["activity"]["grc_spikes_per_active_cell_write"] == 1.0
    assert s["readout"]["pearson_bipolar"] >= 0.95
    assert out.synaptic_events > 0
    assert dataclasses.asdict(config)["m"] == 3


@pytest.mark.parametrize("contacts_max, grc_theta", [(1, 4), (3, 9)])
def test_runtime_tiny_biological_run_is_the_selected_coordinate_sdm(contacts_max, grc_theta):
    """Biological decoder on the numpy runtime: the spiking sets are exactly the selected-coordinate
    sets of the realised synapses, at the predicted coding level (2^-4 with equal synapses, 3.3 % with
    contacts 1..3 and threshold 9)."""
    from protocols.engine import Simulation

    circuit = SDMCircuitParams(mode="biological", n=8, d=2, K=4, r=400, n_out=4, pcs_per_bit=2, goc_mf_bits=4,
                               grc_per_goc=50, contacts_max=contacts_max, grc_theta=grc_theta)
    config = sdm_recall.SDMRecallConfig(circuit=circuit, m=3, queries=5, read_volleys=1, warmup=2)
    with Simulation(device="runtime", name="sdm-test-bio", seed=5, progress=False) as sim:
        out = sdm_recall.run(config, sim, 5)
    s, data = out.summary, out.data
    assert "mf_to_grc" in data and data["mf_to_grc"].shape == (400, 4)
    assert data["grc_contacts"].shape == (400, 4) and data["grc_contacts"].max() <= contacts_max
    assert s["jaccard"]["write_min"] == 1.0 and s["jaccard"]["read_min"] == 1.0
    # the spiking sets use the contacts: recompute the abstract sets from data.npz alone
    match = data["queries"][:, data["mf_to_grc"] % 8] == (data["mf_to_grc"] < 8)
    np.testing.assert_array_equal((match * data["grc_contacts"]).sum(axis=-1) >= grc_theta,
                                  data["granule_active_read"])
    frac = s["activity"]["grc_active_fraction_read_mean"]
    theory = circuit.expected_active_fraction
    assert theory == pytest.approx(2.0 ** -4 if contacts_max == 1 else 0.03318, rel=1e-3)
    assert abs(frac - theory) < 3 * np.sqrt(theory / 400)  # binomial around the coding level
    t = s["targets"]["active_fraction"]
    assert t["value"] == frac and t["pass"] == (0.01 <= frac <= 0.05) and t["theory"] == theory
    if not t["pass"] and contacts_max == 1:
        assert "2^-K" in t["note"]
    assert s["readout"]["pearson_bipolar"] >= 0.95


@pytest.mark.slow
@pytest.mark.standalone
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_default_biological_protocol_meets_every_target(tmp_path, standalone_cache, monkeypatch, seed):
    """Full default size (n = 32, r = 8000, K = 4): every target, the 1-5 % coding level included."""
    monkeypatch.setenv("SPIKING_MEMORY_CACHE", str(standalone_cache))
    out = tmp_path / f"seed{seed}"
    assert main(["sdm-recall", "--seed", str(seed), "--out", str(out), "--no-progress", "--no-figures"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    failed = {k: t for k, t in summary["targets"].items() if not t["pass"]}
    assert not failed, failed
    assert 0.01 <= summary["targets"]["active_fraction"]["value"] <= 0.05
