"""``sdm-recall``: command line (no simulation), inputs and schedule, tiny runtime runs checked from
their arrays, and standalone end-to-end runs (slow)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from cerebellum import sdm
from cerebellum.params.sdm_circuit import SDMCircuitParams
from protocols import cli
from protocols.sdm_recall import design

REQUIRED_KEYS = {"addresses", "pointers", "queries", "query_target", "query_distance", "granule_active_write",
              "granule_active_read", "pc_rate_read", "pc_rate_baseline"}


def _config(argv):
    """The configuration the command line makes of ``argv`` (nothing is simulated)."""
    args = cli.build_parser().parse_args(["sdm-recall", *argv])
    module = cli.all_protocols()["sdm-recall"]
    assignments, _ = cli.collect_assignments(args, module)
    return cli.make_config(module, assignments)


# -- command line ----------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, match", [
    (["--K", "40"], "K = 40 is out of range: allowed 1 <= K <= n = 32"),
    (["--mode", "dense", "--d", "40"], "d = 40 is out of range: allowed 0 <= d <= n - 1 = 31"),
    (["--mode", "dense", "--n", "8"], "d = 10 is out of range: allowed 0 <= d <= n - 1 = 7"),
    (["--m", "0"], "m = 0 is out of range"),
    (["--set", "grc_theta=13"], "grc_theta = 13 is out of range: allowed 1 <= grc_theta <= K * contacts_max = 12"),
    (["--set", "mf_background_rate=-5*Hz"], "mf_background_rate = -5 Hz is out of range"),
    (["--set", "mf_background_rate=5"], "--set circuit.mf_background_rate=5: needs units of Hz"),
    (["--set", "read_volleys=0"], "read_volleys = 0 is out of range"),
    (["--mf-background", "-1"], "mf_background = -1 Hz is out of range"),
    (["--mf-jitter", "-1"], "mf_jitter = -1 ms is out of range"),
    (["--set", "eligibility=foo"], "eligibility=foo: not allowed: choose one of last_spike, chain"),
    (["--set", "grc_method=rk4"], "grc_method=rk4: not allowed"),
    (["--set", "period=150*ms"], "allowed period >= 2 x eligibility peak"),
    (["--set", "grc.tau_m=20*ms"], "--set circuit.grc.tau_m: derived parameter (membrane time constant C_m / g_L), "
                                   "computed from circuit.grc.C_m and circuit.grc.g_L"),
    (["--set", "A_plus=1*nS"], "--set circuit.A_plus: derived parameter"),
    (["--set", "pf_signal=0*nS"], "pf_signal = 0 nS is out of range"),
])
def test_bad_inputs_exit_2_with_one_line(argv, match, capsys, tmp_path):
    assert cli.main(["sdm-recall", "--out", str(tmp_path / "x"), *argv]) == 2
    err = capsys.readouterr().err
    assert match in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_recall_capacity_below_the_background_is_refused(capsys, tmp_path):
    argv = ["sdm-recall", "--out", str(tmp_path / "x"), "--mf-background", "10", "--set", "mf_background_capacity=5*Hz"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "mf_background_capacity = 5 Hz is out of range: allowed 0 (mf_background) or mf_background = 10 Hz" in err


def test_set_on_a_derived_step_size_names_what_it_is_derived_from(capsys, tmp_path):
    assert cli.main(["sdm-recall", "--out", str(tmp_path / "x"), "--set", "A_plus=1*nS"]) == 2
    err = capsys.readouterr().err
    assert "computed from circuit.pf_signal and circuit.r and circuit.mode" in err
    assert "set those instead" in err


def test_list_params_shows_dotted_cell_parameters_with_unit_and_meaning(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["sdm-recall", "--list-params"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines()[2:] if line and not line.startswith(" ")}
    assert "0.29 nS" in rows["circuit.grc.g_L"] and "leak conductance" in rows["circuit.grc.g_L"]
    assert rows["circuit.grc.g_L"].split()[3] == "nS"
    assert "exp" in rows["circuit.grc.synapse"]
    assert "14.2857 ms" in rows["circuit.plasticity.tau_e"] and "8" in rows["circuit.plasticity.n_stages"]
    assert "circuit.A_plus = LTP step per PF spike" in out and "[from circuit.pf_signal, circuit.r" in out


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["sdm-recall", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--mode", "--n ", "--n-out", "--d ", "--K ", "--contacts-max", "--grc-theta", "--r ", "--m ",
                   "--queries", "--dt", "--mf-background", "--mf-jitter"):
        assert option in out


def test_mossy_fibre_noise_options_reach_the_config_with_biological_defaults():
    from brian2 import Hz, ms

    default = _config([])
    assert default.mf_background == 5 * Hz and default.mf_jitter == 1 * ms
    config = _config(["--mf-background", "2", "--mf-jitter", "0.5"])
    assert config.mf_background == 2 * Hz and config.mf_jitter == 0.5 * ms
    assert _config(["--set", "mf_jitter=0*ms"]).mf_jitter == 0 * ms


def test_options_and_dotted_sets_reach_the_config():
    from brian2 import ms, nS

    config = _config(["--n", "8", "--r", "300", "--set", "grc.g_L=0.3*nS", "--set", "tau_e=10*ms"])
    assert config.circuit.n == 8 and config.circuit.mode == "biological"  # d = 10 > n - 1: dense only
    assert config.circuit.n_out == 32  # --n sets the address width only
    assert config.circuit.grc.g_L == 0.3 * nS and config.circuit.goc.g_L == 3.3 * nS
    assert config.circuit.plasticity_rule.tau_e == 10 * ms
    assert config.circuit.grc.synapse == "exp" and config.circuit.pc.synapse == "alpha"


def test_params_json_of_a_run_gives_back_the_same_config(tmp_path):
    from core.jsonio import to_jsonable

    config = _config(["--mode", "dense", "--n", "12", "--d", "3", "--set", "tau_e=12.5*ms",
                      "--set", "pc.I_e=750*pA", "--set", "read_volleys=2"])
    (tmp_path / "params.json").write_text(json.dumps({"protocol": "sdm-recall", "seed": 3,
                                                      "config": to_jsonable(config)}))
    assert _config(["--config", str(tmp_path / "params.json")]) == config


def test_package_and_parameters_do_not_import_brian2():
    code = ("import sys, protocols.sdm_recall as p, cerebellum.params.sdm_circuit; "
            "from core.params import describe; describe(p.CONFIG); p.CONFIG.__dataclass_fields__; "
            "import protocols.sdm_recall.design, protocols.sdm_recall.analysis, protocols.sdm_recall.targets; "
            "sys.exit('brian2' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=os.path.dirname(os.path.dirname(__file__))).returncode == 0


# -- inputs and schedule ----------------------------------------------------------------------------

def test_queries_cover_distances_zero_to_half_n():
    rng = np.random.default_rng(0)
    addr = rng.integers(0, 2, (5, 12))
    q, target, dist = design.make_queries(addr, 14, rng)
    assert sorted(set(dist.tolist())) == list(range(7))
    assert np.array_equal(np.sum(q != addr[target], axis=1), dist)


def test_schedule_times_cf_at_the_eligibility_peak_and_checks_shapes():
    p = SDMCircuitParams(mode="dense", n=8, d=2, r=100, n_out=3)
    cal = {"latency_theta": 3.0, "latency_max": 2.0, "io_latency": 2.5}
    rng = np.random.default_rng(1)
    addr = rng.integers(0, 2, (4, 8))
    ptr = np.array([[1, 0, 0], [0, 0, 0], [1, 1, 1], [0, 1, 0]])
    q = addr[:2]
    s = design.make_schedule(p, cal, addr, ptr, q, 2, rng, read_volleys=3)
    assert len(s.teacher_i) == ptr.sum() and len(s.read_start) == 2
    assert s.total == pytest.approx(0.2 * (1 + 2 + 4 + 6))
    # CF arrival = volley + mean GrC latency (2.5 ms) + eligibility peak (100 ms); CF delay 4 ms
    arrival = s.teacher_t + 2.5e-3 + 4e-3
    volley = s.write_start[[0, 2, 2, 2, 3]] + s.volley_offset
    np.testing.assert_allclose(np.sort(arrival - volley), 0.0025 + 0.1, atol=1e-9)
    assert np.bincount(s.mf_i, minlength=16).sum() == 8 * (2 + 4 + 6)
    with pytest.raises(ValueError, match="pointers has shape"):
        design.make_schedule(p, cal, addr, ptr[:, :2], q, 2, rng)
    with pytest.raises(ValueError, match="queries has shape"):
        design.make_schedule(p, cal, addr, ptr, q[:, :5], 2, rng)
    with pytest.raises(ValueError, match="only 0 and 1"):
        design.make_schedule(p, cal, addr * 2, ptr, q, 2, rng)


def test_mossy_fibre_noise_jitters_volleys_and_adds_poisson_background():
    p = SDMCircuitParams(mode="dense", n=8, d=2, r=100, n_out=3)
    cal = {"latency_theta": 3.0, "latency_max": 2.0, "io_latency": 2.5}
    rng = np.random.default_rng(2)
    addr = rng.integers(0, 2, (4, 8))
    s = design.make_schedule(p, cal, addr, np.zeros((4, 3), int), addr, 2, rng)
    # no noise: nothing drawn, the same schedule back
    state = rng.bit_generator.state
    assert design.add_mf_noise(s, 16, 0.0, 0.0, 1e-4, rng) is s and rng.bit_generator.state == state
    # jitter only: the same spikes, each moved by N(0, 1 ms)
    j = design.add_mf_noise(s, 16, 0.0, 1e-3, 1e-4, np.random.default_rng(3))
    assert len(j.mf_t) == len(s.mf_t) and np.all(np.diff(j.mf_t) >= 0)
    assert np.array_equal(np.sort(j.mf_i), np.sort(s.mf_i))
    shift = design.jitter_volleys(s.mf_t, 1e-3, np.random.default_rng(3)) - s.mf_t
    assert 0.6e-3 < np.std(shift) < 1.4e-3 and abs(np.mean(shift)) < 0.5e-3
    # background: Poisson counts over the whole run on every fibre, at most one spike per fibre and step
    i, t = design.poisson_background(16, 20.0, 100.0, np.random.default_rng(4))
    counts = np.bincount(i, minlength=16)
    assert abs(counts.mean() - 2000) < 3 * np.sqrt(2000 / 16) and t.min() >= 0 and t.max() < 100
    mi, mt = design.merge_spikes([0, 0, 1], [0.0, 0.00002, 0.0], [0], [0.5], 1e-4)
    assert mi.tolist() == [0, 1, 0] and mt.tolist() == [0.0, 0.0, 0.5]


def test_padding_fills_to_one_length_after_the_end_and_refuses_an_overflow():
    i, t = design.pad_spikes([3, 1], [0.1, 0.2], 6, 1.0, 1e-4)
    assert i.tolist() == [3, 1, 0, 0, 0, 0] and t[:2].tolist() == [0.1, 0.2]
    assert np.all(t[2:] > 1.0) and len(np.unique(np.round(t[2:] / 1e-4))) == 4  # distinct steps past the end
    with pytest.raises(RuntimeError, match="holds 3 spikes, more than its fixed size 2"):
        design.pad_spikes([0, 1, 2], [0.0, 0.0, 0.0], 2, 1.0, 1e-4)
    lam = 64 * 20.0 * 10.0
    assert design.background_capacity(64, 20.0, 10.0) == int(np.ceil(lam + 10 * np.sqrt(lam) + 10))
    assert design.background_capacity(64, 0.0, 10.0) == 0


def test_nuclear_window_edges_sit_half_a_step_off_the_spike_grid():
    """Two sums of the same edge that round differently give the same window, holding exactly the
    spikes of its steps."""
    from core.spikes import window_counts
    from core.spikes import grid_window_starts

    dt = 1e-4
    a, b = 0.1 + 0.2 + 0.0003, 0.3003  # 0.30030000000000007 and 0.3003
    assert a != b
    starts = grid_window_starts(np.array([a, b]), dt)
    assert starts[0] == starts[1] == pytest.approx(0.30025)
    spikes_t = np.arange(2990, 3020) * dt  # one spike per step around the edge
    counts = window_counts(np.zeros(30, int), spikes_t, starts[:1], 5 * dt, 1)
    assert counts[0, 0] == 5


# -- tiny runs on the numpy runtime -------------------------------------------------------------------

def _run_tiny(circuit, seed, name, background_hz=0.0, jitter_ms=0.0):
    """Tiny run; noise-free unless asked (the exact decode holds only without mossy-fibre noise)."""
    from brian2 import Hz, ms

    from protocols.engine import Simulation
    from protocols.sdm_recall.config import SDMRecallConfig
    from protocols.sdm_recall.simulation import run

    config = SDMRecallConfig(circuit=circuit, m=3, queries=5, read_volleys=1, warmup=2,
                             mf_background=background_hz * Hz, mf_jitter=jitter_ms * ms)
    with Simulation(device="runtime", name=name, seed=seed, progress=False) as sim:
        return run(config, sim, seed)


def _readout_from_arrays(data):
    """Pearson of PC depression vs bipolar counter sum, and bit agreement, from the saved arrays."""
    c = data["coactivation"].astype(float)
    p = data["pointers"].astype(float)
    bipolar = 2 * (c @ p) - c.sum(axis=1)[:, None]
    depression = data["pc_rate_reference"][:, None] - data["pc_rate_read"]
    pearson = np.corrcoef(depression.ravel(), bipolar.ravel())[0, 1]
    read = c.sum(axis=1) > 0  # queries that share active granule cells with some stored address
    spiking_bits = depression[read] > 0
    abstract_bits = bipolar[read] > 0  # e > 1/2 <=> S > 0
    return pearson, float(np.mean(spiking_bits == abstract_bits))


#: Read window of the nuclei relative to a query's first window: volley onset 5 ms + PF delay 5 ms +
#: Purkinje->nuclear delay 4 ms (the defaults).
DCN_WINDOW_SHIFT_S = 0.014
#: Time step (s): spikes lie on its grid, so the window edges are put half a step before a grid step.
DT_S = 1e-4


def _dcn_bits_from_arrays(data):
    """The nuclear read recomputed from the saved spikes: spikes of each bit's bit group (cells
    ``(0 n_out + j) g ..``) against its reference group (``(n_out + j) g ..``) over each query's read
    windows, shifted by :data:`DCN_WINDOW_SHIFT_S` (edges half a step before the time grid); 1 where
    the bit group fired more."""
    reads = data["epochs_kind"] == "read"
    start, stop, pattern = (data[f"epochs_{c}"][reads] for c in ("start_s", "stop_s", "pattern"))
    n_out = data["pointers"].shape[1]
    n_dcn = int(data["spikes_dcn_n"])
    g = n_dcn // (2 * n_out)
    i, t = data["spikes_dcn_i"], data["spikes_dcn_t"]
    bits, counts = [], []
    for q in range(len(data["queries"])):
        a = (np.round((start[pattern == q].min() + DCN_WINDOW_SHIFT_S) / DT_S) - 0.5) * DT_S
        b = (np.round((stop[pattern == q].max() + DCN_WINDOW_SHIFT_S) / DT_S) - 0.5) * DT_S
        c = np.bincount(i[(t >= a) & (t < b)], minlength=n_dcn).reshape(2, n_out, g).sum(axis=2)
        bits.append(c[0] > c[1])
        counts.append(c)
    return np.array(bits).astype(np.uint8), np.array(counts)


def _check_dcn_read_from_arrays(summary, data):
    """``bits_spiking_dcn`` and the nuclear summary numbers, recomputed from the saved spikes."""
    bits, counts = _dcn_bits_from_arrays(data)
    np.testing.assert_array_equal(data["bits_spiking_dcn"], bits)
    np.testing.assert_array_equal(data["dcn_count_bit"], counts[:, 0])
    np.testing.assert_array_equal(data["dcn_count_reference"], counts[:, 1])
    within = data["query_distance"] <= data["critical_distance"]
    d = summary["dcn_readout"]
    assert d["bit_agreement_with_pc_rates"] == pytest.approx(np.mean(bits == data["bits_spiking"]))
    assert d["bit_agreement_with_abstract_theory_within_critical"] == pytest.approx(
        np.mean(bits[within] == data["bits_abstract_theory"][within]))
    t = summary["targets"]
    assert t["bit_agreement_dcn_end_to_end"]["lo"] == 0.95 and t["bit_agreement_dcn_vs_pc_rates"]["lo"] == 0.95
    return bits


def _coactivation_from_arrays(data):
    aw = data["granule_active_write"].astype(int)
    ar = data["granule_active_read"].astype(int)
    return ar @ aw.T


def _theory_from_wiring(data, n, grc_theta):
    """Theory active sets of the biological decoder from the wiring and threshold alone."""
    sets = []
    for pattern in ("addresses", "queries"):
        match = data[pattern][:, data["mf_to_grc"] % n] == (data["mf_to_grc"] < n)
        sets.append((match * data["grc_contacts"]).sum(axis=-1) >= grc_theta)
    return sets


def test_runtime_tiny_noisy_run_is_scored_end_to_end_from_its_arrays():
    """Background and jitter on the mossy fibres: the theory sets, the abstract read on them, the
    critical distance and both end-to-end numbers are recomputed from the saved arrays, and the
    thresholds are the ones stated here (0.9 Jaccard, 0.95 bit agreement)."""
    circuit = SDMCircuitParams(mode="biological", n=8, K=4, r=400, n_out=4, pcs_per_bit=2, goc_mf_bits=4,
                               grc_per_goc=50)
    out = _run_tiny(circuit, 5, "sdm-test-noise", background_hz=5.0, jitter_ms=1.0)
    s, data = out.summary, out.data
    assert float(data["mf_background_hz"]) == 5.0 and float(data["mf_jitter_ms"]) == 1.0
    assert s["mf_noise"] == {"background_hz": 5.0, "jitter_ms": 1.0}
    # theory sets: wiring and threshold rule, never the recorded spikes
    theory_w, theory_r = _theory_from_wiring(data, 8, circuit.grc_theta)
    np.testing.assert_array_equal(data["theory_active_write"], theory_w)
    np.testing.assert_array_equal(data["theory_active_read"], theory_r)
    assert data["theory_active_write"].dtype == bool
    # abstract SDM read on the theory locations: majority of the pointers weighted by co-activation
    c = theory_r.astype(int) @ theory_w.T.astype(int)
    ones = c @ data["pointers"]
    np.testing.assert_array_equal(data["bits_abstract_theory"], (2 * ones > c.sum(axis=1)[:, None]).astype(np.uint8))
    curve = sdm.weighted_coordinate_intersection(8, data["grc_contacts"], circuit.grc_theta, np.arange(5))
    assert int(data["critical_distance"]) == sdm.critical_distance_from_intersection(8, 400 * np.asarray(curve), 3)
    # end-to-end numbers of the summary, from the arrays
    jac = np.concatenate([_jaccard_rows(data["granule_active_write"], theory_w),
                          _jaccard_rows(data["granule_active_read"], theory_r)]).mean()
    spiking = (data["pc_rate_read"] < data["pc_rate_reference"][:, None]).astype(np.uint8)
    np.testing.assert_array_equal(data["bits_spiking"], spiking)
    within = data["query_distance"] <= data["critical_distance"]
    agreement = np.mean(spiking[within] == data["bits_abstract_theory"][within])
    e2e = s["end_to_end"]
    assert e2e["jaccard_mean"] == pytest.approx(jac) and e2e["bit_agreement_within_critical"] == pytest.approx(agreement)
    t = s["targets"]
    assert t["jaccard_theory_mean"]["lo"] == 0.9 and t["bit_agreement_end_to_end"]["lo"] == 0.95
    assert t["jaccard_theory_mean"]["pass"] == (jac >= 0.9)
    assert t["bit_agreement_end_to_end"]["pass"] == (agreement >= 0.95)
    _check_dcn_read_from_arrays(s, out.arrays())
    # the mossy-fibre trains hold the background: spikes outside the volleys, on every fibre
    a = out.arrays()
    assert len(np.unique(a["spikes_mf_i"])) == 16 and len(a["spikes_mf_i"]) > 8 * (2 + 3 + 5)


def _jaccard_rows(a, b):
    a, b = a.astype(bool), b.astype(bool)
    union = (a | b).sum(axis=1)
    return np.where(union > 0, (a & b).sum(axis=1) / np.maximum(union, 1), 1.0)


def test_runtime_tiny_dense_run_is_exact():
    """Whole protocol on the numpy runtime (no compile): tiny dense circuit, exact Hamming balls."""
    circuit = SDMCircuitParams(mode="dense", n=8, d=2, r=400, n_out=4, pcs_per_bit=2, goc_mf_bits=4)
    out = _run_tiny(circuit, 4, "sdm-test")
    s, data = out.summary, out.data
    assert REQUIRED_KEYS | {"granule_addresses", "radius"} <= set(data)
    assert data["granule_active_read"].shape == (5, 400) and data["pc_rate_read"].shape == (5, 4)
    # spiking active set = Hamming ball of radius 2 around each address, recomputed from the arrays
    ball_w = sdm.hamming_distances(data["addresses"], data["granule_addresses"]) <= 2
    ball_r = sdm.hamming_distances(data["queries"], data["granule_addresses"]) <= 2
    np.testing.assert_array_equal(data["granule_active_write"], ball_w)
    np.testing.assert_array_equal(data["granule_active_read"], ball_r)
    np.testing.assert_array_equal(data["coactivation"], _coactivation_from_arrays(data))
    pearson, _ = _readout_from_arrays(data)  # bits: one volley, 2 PCs per bit quantise |S| = 1 reads
    assert pearson >= 0.95
    assert 45 <= data["pc_rate_baseline"].mean() <= 90
    assert s["activity"]["io_spikes_per_cf_bit"] == 1.0 and s["activity"]["io_spikes_without_teacher"] == 0
    assert s["activity"]["grc_spikes_per_active_cell_write"] == 1.0
    assert out.synaptic_events > 0
    # the saved raw spikes give back the granule active sets of the write windows
    a = out.arrays()
    gi, gt = a["spikes_grc_i"], a["spikes_grc_t"]
    writes = a["epochs_kind"] == "write"
    assert writes.sum() == 3 and (a["epochs_kind"] == "read").sum() == 5
    for k, (start, stop) in enumerate(zip(a["epochs_start_s"][writes], a["epochs_stop_s"][writes])):
        active = np.zeros(int(a["spikes_grc_n"]), bool)
        active[gi[(gt >= start) & (gt < stop)]] = True
        np.testing.assert_array_equal(active, data["granule_active_write"][k])
    assert len(a["spikes_mf_i"]) == len(a["spikes_mf_t"]) > 0
    # the nuclear read comes from the saved nuclear spikes; every cell fires tonically
    _check_dcn_read_from_arrays(s, a)
    assert np.all(np.bincount(a["spikes_dcn_i"], minlength=int(a["spikes_dcn_n"])) > 0)
    # the thresholds the summary reports are the ones stated here
    t = s["targets"]
    assert t["jaccard_write_mean"]["lo"] == 0.95 and t["jaccard_read_mean"]["lo"] == 0.95
    assert t["readout_pearson_bipolar"]["lo"] == 0.95 and t["bit_agreement"]["lo"] == 0.95
    assert (t["pc_baseline_hz"]["lo"], t["pc_baseline_hz"]["hi"]) == (45.0, 90.0)
    assert t["coactivation_3sigma"]["lo"] == 0.95 and "active_fraction" not in t
    # noise-free: the theory sets are the spiking sets, and the end-to-end read is exact
    assert s["end_to_end"]["jaccard_mean"] == 1.0 and t["jaccard_theory_mean"]["pass"]
    np.testing.assert_array_equal(data["theory_active_read"], ball_r)
    assert int(data["critical_distance"]) == sdm.critical_distance(8, 2, 400, 3, "strict")
    assert float(data["mf_background_hz"]) == 0.0 and float(data["mf_jitter_ms"]) == 0.0


# ~25 s each: slow; the default suite runs the biological decoder through the noisy tiny run and the golden case
@pytest.mark.slow
@pytest.mark.parametrize("contacts_max, grc_theta", [(1, 4), (3, 9)])
def test_runtime_tiny_biological_run_is_the_selected_coordinate_sdm(contacts_max, grc_theta):
    """Biological decoder on the numpy runtime: the spiking sets are exactly the selected-coordinate
    sets of the realised synapses, at the predicted coding level (2^-4 with equal synapses, 3.3 % with
    contacts 1..3 and threshold 9)."""
    circuit = SDMCircuitParams(mode="biological", n=8, K=4, r=400, n_out=4, pcs_per_bit=2, goc_mf_bits=4,
                               grc_per_goc=50, contacts_max=contacts_max, grc_theta=grc_theta)
    out = _run_tiny(circuit, 5, "sdm-test-bio")
    s, data = out.summary, out.data
    assert data["mf_to_grc"].shape == (400, 4)
    assert data["grc_contacts"].shape == (400, 4) and data["grc_contacts"].max() <= contacts_max
    # the spiking sets use the contacts: recompute the abstract sets from the arrays alone
    for key, pattern in (("granule_active_write", "addresses"), ("granule_active_read", "queries")):
        match = data[pattern][:, data["mf_to_grc"] % 8] == (data["mf_to_grc"] < 8)
        np.testing.assert_array_equal((match * data["grc_contacts"]).sum(axis=-1) >= grc_theta, data[key])
    frac = data["granule_active_read"].mean()
    theory = sdm.weighted_coordinate_fraction(4, contacts_max, grc_theta)
    assert theory == pytest.approx(2.0 ** -4 if contacts_max == 1 else 0.03318, rel=1e-3)
    assert abs(frac - theory) < 3 * np.sqrt(theory / 400)  # binomial around the coding level
    pearson, _ = _readout_from_arrays(data)
    assert pearson >= 0.95
    t = s["targets"]["active_fraction"]
    in_range = 0.01 <= frac <= 0.05
    assert (t["lo"], t["hi"]) == (0.01, 0.05) and t["pass"] == in_range
    assert ("note" in t) == (not in_range and contacts_max == 1)


# -- standalone end to end (slow) --------------------------------------------------------------------

#: Command-line options of a run without mossy-fibre background or jitter (the exact decode).
NOISE_FREE = ["--mf-background", "0", "--mf-jitter", "0"]


def _cli_run(argv, out, cache):
    env = {**os.environ, "SPIKING_MEMORY_CACHE": str(cache)}
    proc = subprocess.run([sys.executable, "-m", "protocols", "sdm-recall", *argv, "--out", str(out),
                           "--no-progress"], capture_output=True, text=True, env=env,
                          cwd=os.path.dirname(os.path.dirname(__file__)))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads((out / "summary.json").read_text()), np.load(out / "data.npz")


def _jaccard_mean(a, b):
    a, b = a.astype(bool), b.astype(bool)
    union = (a | b).sum(axis=1)
    return float(np.mean(np.where(union > 0, (a & b).sum(axis=1) / np.maximum(union, 1), 1.0)))


@pytest.mark.slow  # a cold cpp_standalone build takes 1-6 min on the shared 2-core machine
@pytest.mark.standalone
def test_dense_end_to_end_matches_abstract_sdm(tmp_path, standalone_cache):
    out = tmp_path / "run"
    summary, data = _cli_run(["--mode", "dense", "--n", "16", "--n-out", "16", "--d", "4", "--r", "2000", "--m", "6",
                              "--queries", "9", *NOISE_FREE], out, standalone_cache)
    assert REQUIRED_KEYS | {"granule_addresses", "radius"} <= set(data.files)
    assert data["granule_active_write"].shape == (6, 2000) and data["pc_rate_read"].shape == (9, 16)
    assert _jaccard_mean(data["granule_active_write"], data["expected_active_write"]) >= 0.95
    assert _jaccard_mean(data["granule_active_read"], data["expected_active_read"]) >= 0.95
    pearson, agreement = _readout_from_arrays(data)
    assert pearson >= 0.95 and agreement >= 0.95
    assert 45 <= data["pc_rate_baseline"].mean() <= 90
    assert summary["activity"]["io_spikes_per_cf_bit"] == 1.0
    assert summary["cost"]["synaptic_events_per_s"] > 0
    assert {"sdm_granule_intersection.png", "sdm_readout.png", "sdm_raster.png"} <= {
        p.name for p in (out / "figures").iterdir()}


@pytest.mark.slow
@pytest.mark.standalone
def test_biological_end_to_end_matches_selected_coordinate_sdm(tmp_path, standalone_cache):
    out = tmp_path / "bio"
    summary, data = _cli_run(["--mode", "biological", "--n", "16", "--n-out", "16", "--K", "4", "--r", "2000",
                              "--m", "6", "--queries", "9", "--no-figures", *NOISE_FREE], out, standalone_cache)
    assert "mf_to_grc" in data.files
    assert _jaccard_mean(data["granule_active_write"], data["expected_active_write"]) >= 0.95
    assert _jaccard_mean(data["granule_active_read"], data["expected_active_read"]) >= 0.95
    pearson, agreement = _readout_from_arrays(data)
    assert pearson >= 0.95 and agreement >= 0.95
    assert summary["coactivation"]["fraction_within_3sigma"] >= 0.95


@pytest.mark.slow
@pytest.mark.standalone
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_noise_free_default_size_protocol_meets_every_target(tmp_path, standalone_cache, seed):
    """Full default size (n = 32, r = 8000, K = 4) without mossy-fibre noise: every target, the 1-5 %
    coding level included (with the default background and jitter the decode is not exact)."""
    out = tmp_path / f"seed{seed}"
    summary, data = _cli_run(["--seed", str(seed), "--no-figures", *NOISE_FREE], out, standalone_cache)
    failed = {k: t for k, t in summary["targets"].items() if not t["pass"]}
    assert not failed, failed
    assert 0.01 <= data["granule_active_read"].mean() <= 0.05
    assert _jaccard_mean(data["granule_active_read"], data["expected_active_read"]) >= 0.95
    pearson, agreement = _readout_from_arrays(data)
    assert pearson >= 0.95 and agreement >= 0.95
    assert 45 <= data["pc_rate_baseline"].mean() <= 90
    dcn = _check_dcn_read_from_arrays(summary, data)
    assert np.mean(dcn == data["bits_spiking"]) >= 0.95


@pytest.mark.slow
@pytest.mark.standalone
def test_nuclear_read_agrees_with_the_purkinje_rate_read_at_default_noise(tmp_path, standalone_cache):
    """Default size and mossy-fibre noise: the read from nuclear spike counts equals the numpy
    comparison of Purkinje rates on >= 95 % of the bits (the nuclear stage alone, whatever the
    granule decode did), recomputed from the saved spikes."""
    summary, data = _cli_run(["--seed", "1", "--no-figures"], tmp_path / "noisy", standalone_cache)
    dcn = _check_dcn_read_from_arrays(summary, data)
    spiking = (data["pc_rate_read"] < data["pc_rate_reference"][:, None]).astype(np.uint8)
    assert np.mean(dcn == spiking) >= 0.95
    # tonic nuclear firing of tens of Hz under Purkinje inhibition
    assert 10 <= summary["dcn_readout"]["rate_reference_group_mean_hz"] <= 150
