"""Eyeblink conditioning: parameters and CLI (no simulation), and down-scaled simulations of real behaviour."""
import json
import subprocess
import sys

import numpy as np
import pytest
from brian2 import ms, nS

from protocols import cli


def _cli(args):
    return cli.main(args)


@pytest.mark.parametrize("args, word", [
    (["eyeblink", "--isi", "5"], "isi"),
    (["eyeblink", "--acquisition", "-1"], "acquisition"),
    (["eyeblink", "--set", "n_pc=0"], "n_pc"),
    (["eyeblink", "--set", "n_io=3"], "n_io"),
    (["eyeblink", "--set", "pf_per_pc_ref=10000000"], "pf_per_pc_ref"),
    (["eyeblink", "--set", "pf_per_pc=100"], "derived parameter"),
    (["eyeblink", "--n-grc", "5"], "n_grc"),
    (["eyeblink", "--dt", "1", "--set", "bin_width=0.5*ms"], "bin_width"),
    (["eyeblink", "--acquisition", "0", "--extinction", "0", "--reacquisition", "0"], "at least 1 trial"),
    (["eyeblink-isi", "--isis", "250"], "isis"),
    (["eyeblink-isi", "--isis", "250", "250"], "isis"),
    (["eyeblink-isi", "--acquisition", "5"], "acquisition"),
])
def test_bad_arguments_exit_2_naming_the_parameter(args, word, tmp_path, capsys):
    assert _cli([*args, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert word in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def _list_params(protocol, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([protocol, "--list-params"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    return {line.split()[0]: line for line in out.splitlines()[2:] if line and not line.startswith(" ")}, out


def test_list_params_shows_the_nested_cells_with_units(capsys):
    rows, out = _list_params("eyeblink", capsys)
    assert rows["circuit.pc.I_e"].split()[1:4] == ["800", "pA", "pA"]
    assert rows["circuit.granular.grc.tau_inh"].split()[1:3] == ["7", "ms"]  # fast GABA of the Golgi synapses
    assert rows["circuit.granular.grc.synapse"].split()[1] == "exp"
    assert rows["dt"].split()[1:3] == ["0.5", "ms"]
    assert "circuit.pf_per_pc = " in out and "[from circuit.pf_per_pc_ref, circuit.granular.n_grc" in out
    rows, _ = _list_params("eyeblink-isi", capsys)
    assert "circuit.pc.I_e" in rows and "isis" in rows and "isi" not in rows and "extinction" not in rows


def test_setting_a_derived_cell_value_names_what_it_comes_from(tmp_path, capsys):
    assert cli.main(["eyeblink", "--set", "grc.tau_m=20*ms", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "derived parameter" in err
    assert "circuit.granular.grc.C_m" in err and "circuit.granular.grc.g_L" in err


def test_options_and_dotted_cell_names_reach_the_config():
    """No run: the parsed configuration holds what the command line says (dt is the config's)."""
    from brian2 import ms, nS, pA

    args, module, config, _ = cli._prepare(["eyeblink", "--dt", "0.25", "--isi", "300", "--n-grc", "1000",
                                           "--set", "pc.I_e=700*pA", "--set", "grc.g_L=0.3*nS",
                                           "--probe-every", "5"])
    assert module.NAME == "eyeblink"
    assert config.dt == 0.25 * ms and config.isi == 300 * ms and config.trial.probe_every == 5
    assert config.circuit.pc.I_e == 700 * pA and config.circuit.granular.grc.g_L == 0.3 * nS
    assert config.circuit.granular.n_grc == 1000 and config.n_grc_recorded == 1000
    _, _, isi_config, _ = cli._prepare(["eyeblink-isi", "--isis", "150", "250", "--acquisition", "12",
                                        "--dt", "0.25"])
    assert isi_config.isis == (150.0, 250.0) and isi_config.acquisition == 12 and isi_config.dt == 0.25 * ms


def test_granule_cell_count_sets_pf_in_degrees_and_weights():
    """--n-grc 1000 (the golden runs): in-degrees f = 1000 / 30000 of 15,000 / 3,000 / 400, weights scaled by
    the inverse so each Purkinje cell, interneuron and Golgi cell keeps its summed input."""
    from brian2 import nS

    from cerebellum.params.eyeblink_circuit import EyeblinkParams

    ref = EyeblinkParams()
    assert (ref.pf_per_pc, ref.pf_per_mli) == (15000, 3000)
    assert ref.pf_pc_rule == ref.plasticity and ref.w_pf_mli == 0.15 * nS
    p = _small_circuit(1000)
    assert (p.pf_per_pc, p.pf_per_mli, p.granular.grc_per_goc) == (500, 100, 13)
    rule = p.pf_pc_rule
    assert rule.w0 == 0.06 * nS * 30.0 and rule.w_max == 0.12 * nS * 30.0
    assert rule.A_plus == p.plasticity.A_plus * 30.0 and rule.A_minus == p.plasticity.A_minus * 30.0
    assert rule.tau_e == p.plasticity.tau_e and rule.eligibility_delay == p.plasticity.eligibility_delay
    assert p.w_pf_mli == 0.15 * nS * 30.0 and p.granular.w_grc_goc == 0.05 * nS * (400 / 13)
    assert _small_circuit(100).pf_per_pc == 50 and _small_circuit(300_000).pf_per_pc == 150_000


def test_protocol_packages_import_without_brian2():
    code = "import sys, protocols.eyeblink, protocols.eyeblink_isi; print('brian2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_schedule_encodes_phases_probes_and_coterminating_cs():
    from cerebellum.eyeblink_schedule import make_schedule

    s = make_schedule([("acquisition", 4, True, 0.25, False), ("extinction", 2, False, 0.25, False)],
                      period=0.7, cs_onset=0.1, us_duration=0.02, probe_every=2, probe_extension=0.3)
    assert s.us.tolist() == [True, False, True, False, False, False]
    g = s.gates()
    t = np.arange(g["cs_gate"].size) * 1e-3
    on = (t >= 0.1 - 1e-9) & (t < 0.37 - 1e-9)  # trial 0: CS 100-370 ms, US 350-370 ms
    assert (g["cs_gate"][:700] == on[:700]).all()
    assert (g["us_gate"][:700] == ((t >= 0.35 - 1e-9) & (t < 0.37 - 1e-9))[:700]).all()
    assert g["cs_time"][100] == 0 and abs(g["cs_time"][200] - 0.1) < 1e-12
    assert g["us_gate"][700:].sum() == 20  # after trial 0 only trial 2 is paired: one 20-ms US
    with pytest.raises(ValueError, match="isi"):
        make_schedule([("a", 1, True, 0.7, False)], period=0.7, cs_onset=0.1, us_duration=0.02)


def _small_circuit(n_grc=1500):
    from cerebellum.params.eyeblink_circuit import EyeblinkParams
    from core.params import replace_path

    return replace_path(EyeblinkParams(), "granular.n_grc", n_grc)


def test_paired_trials_depress_pfs_active_before_the_us():
    """Runtime (numpy) smoke run: complex spikes at the US depress the PFs that were active
    in the eligibility window before it; silent PFs keep w0; the circuit fires at sane rates."""
    import brian2
    from brian2 import Network, SpikeMonitor, second

    from cerebellum.eyeblink_circuit import assign_run_time_values, build_eyeblink_circuit
    from cerebellum.eyeblink_schedule import make_schedule

    brian2.defaultclock.dt = 0.5 * ms
    brian2.seed(5)
    params = _small_circuit()
    sch = make_schedule([("acquisition", 3, True, 0.25, False)], period=0.6, cs_onset=0.1, us_duration=0.02)
    circ = build_eyeblink_circuit(params, np.random.default_rng(5), sch.timed_arrays(), max_cs=0.3 * second)
    assign_run_time_values(circ)
    grc_mon = SpikeMonitor(circ.layer.grc)
    io_mon = SpikeMonitor(circ.io)
    pc_mon = SpikeMonitor(circ.pc, record=False)
    dcn_mon = SpikeMonitor(circ.dcn, record=False)
    net = Network(*circ.objects, grc_mon, io_mon, pc_mon, dcn_mon)
    net.run(sch.duration * second)
    # the US evokes a complex spike in at least a quarter of the olive cells' trials (tonic
    # nucleo-olivary inhibition and the 100-ms refractoriness after a spontaneous spike block some);
    # outside the US windows the olive fires at a few Hz at most
    io_t = io_mon.t[:] / second
    in_us = np.zeros(io_t.size, bool)
    for on in sch.cs_onsets + 0.25:
        in_us |= (io_t >= on) & (io_t < on + 0.03)
    assert in_us.sum() >= 0.25 * 3 * params.n_io
    assert (~in_us).sum() / params.n_io / sch.duration < 5.0
    # weights: PFs silent during the whole run stay at w0 + 0; PFs that fired 10-60 ms before a US (around the 25-ms eligibility peak) lost weight
    syn = circ.synapses["pf_pc"]
    w = np.asarray(syn.w[:] / nS)
    pre = np.asarray(syn.i[:])
    spk_i, spk_t = np.asarray(grc_mon.i[:]), np.asarray(grc_mon.t[:] / second)
    timed = np.zeros(params.granular.n_grc, bool)
    for us in sch.cs_onsets + 0.25:
        timed[spk_i[(spk_t > us - 0.06) & (spk_t < us - 0.01)]] = True
    silent = np.ones(params.granular.n_grc, bool)
    silent[spk_i] = False
    w0 = float(params.pf_pc_rule.w0 / nS)
    assert silent.sum() > 100 and timed.sum() > 20
    assert np.allclose(w[silent[pre]], w0)
    assert w[timed[pre]].mean() < w0 - 0.02 * w0
    # rates in the reference ranges (PC 45-130 Hz, DCN 10-80 Hz)
    T = sch.duration
    assert 45 < pc_mon.num_spikes / params.n_pc / T < 130
    assert 10 < dcn_mon.num_spikes / params.n_dcn / T < 80


def test_mf_dcn_rule_potentiates_in_a_pause_and_depresses_only_well_above_baseline():
    """The nuclear (savings) store: each MF spike moves the weight by +a_ltp when the PC rate seen by
    the DCN cell is below pc_low, by -a_ltd above pc_high, not at all in between; clipped at 0."""
    from brian2 import Hz, Network, SpikeGeneratorGroup, second

    from cerebellum.eyeblink_circuit import EyeblinkParams, _dcn_group, mf_dcn_synapses

    p = EyeblinkParams()
    n_spikes = 5
    mf = SpikeGeneratorGroup(1, np.zeros(n_spikes, int), (1 + np.arange(n_spikes)) * ms)
    # pause / baseline / well above baseline / above baseline at w = 0 (clip)
    pc_rates = [p.pc_low / Hz - 10, (p.pc_low + p.pc_high) / Hz / 2, p.pc_high / Hz + 10, p.pc_high / Hz + 10]
    dcn = _dcn_group(p.dcn, 4, "dcn_test", 1000 * second)  # trace ~constant
    dcn.pc_act = pc_rates * Hz
    syn = mf_dcn_synapses(mf, dcn, [0, 0, 0, 0], [0, 1, 2, 3], p, name="mf_dcn_test")
    syn.a_ltp, syn.a_ltd = p.a_ltp, p.a_ltd  # run-time constants, assigned by the caller
    w0 = 20 * p.a_ltd
    syn.w = [w0, w0, w0, 0 * nS]
    Network(mf, dcn, syn).run(10 * ms)
    w = np.asarray(syn.w[:] / nS)
    expected = np.array([w0 / nS + n_spikes * p.a_ltp / nS, w0 / nS, w0 / nS - n_spikes * p.a_ltd / nS, 0.0])
    assert np.allclose(w, expected, rtol=1e-9, atol=1e-15)


def test_protocol_cli_runtime_writes_per_trial_arrays(tmp_path):
    """End-to-end through the CLI (runtime device, 1,500 GrCs, 2 + 1 + 1 trials, every population recorded)."""
    out = tmp_path / "r"
    rc = _cli(["eyeblink", "--device", "runtime", "--n-grc", "1500", "--acquisition", "2", "--extinction", "1",
               "--reacquisition", "1", "--out", str(out), "--no-progress", "--no-figures", "--seed", "2",
               "--record", "all"])
    assert rc == 0
    with np.load(out / "data.npz") as d:
        for key in ("trial_phase", "probe", "cs_duration", "isi", "cr", "cr_onset", "time", "pc_rate", "dcn_rate",
                    "io_rate", "mf_dcn_weight", "pc_min_time_probe", "dcn_peak_time_probe"):
            assert key in d.files
        assert d["trial_phase"].tolist() == ["acquisition", "acquisition", "extinction", "reacquisition"]
        assert d["pc_rate"].shape == (4, d["time"].size) == d["dcn_rate"].shape
        assert d["cr"].dtype == bool and np.allclose(d["isi"], 0.25)
        assert not d["probe"].any() and np.isnan(d["pc_min_time_probe"]).all()  # 2 trials: no 10th-trial probe
        assert np.allclose(d["cs_duration"], 0.27)
        w = d["mf_dcn_weight"]  # nS at the start of each trial: starts at 0, stays in [0, w_max]
        w_max = float(_small_circuit().w_mf_dcn_max / nS)
        assert w.shape == (4,) and w[0] == 0 and (w >= 0).all() and (w <= w_max + 1e-12).all()
        # the epoch table repeats the per-trial design, and the raw spikes lie inside the run
        assert d["epochs_phase"].tolist() == d["trial_phase"].tolist()
        assert np.array_equal(d["epochs_probe"], d["probe"]) and np.allclose(d["epochs_isi_s"], d["isi"])
        period = d["epochs_stop_s"][0] - d["epochs_start_s"][0]
        assert np.allclose(np.diff(d["epochs_start_s"]), period)
        # --record all: every population's spikes, the recorded granule cells among them
        n_rec = int(d["spikes_grc_recorded_n"])
        grc_i, grc_t = d["spikes_grc_i"], d["spikes_grc_t"]
        first = grc_i < n_rec
        assert np.array_equal(np.sort(grc_t[first]), np.sort(d["spikes_grc_recorded_t"])) and first.sum() > 0
        for pop in ("pc", "dcn", "io", "dcni", "grc_recorded", "mf", "grc", "goc", "mli"):
            i, t, n = d[f"spikes_{pop}_i"], d[f"spikes_{pop}_t"], int(d[f"spikes_{pop}_n"])
            assert len(i) == len(t) and (i >= 0).all() and (i < n).all()
            assert (t >= 0).all() and (t <= d["epochs_stop_s"][-1] + 1e-9).all()
        # the US of the paired trials is visible in the olive's raw spikes: more complex spikes in the
        # 50 ms after the US onsets than in the 50 ms before them
        io_t = d["spikes_io_t"]
        us = d["epochs_us_start_s"][~np.isnan(d["epochs_us_start_s"])]
        after = sum(((io_t >= u) & (io_t < u + 0.05)).sum() for u in us)
        before = sum(((io_t >= u - 0.05) & (io_t < u)).sum() for u in us)
        assert after > before
    summary = json.loads((out / "summary.json").read_text())
    assert {"blocks", "targets", "all_pass", "cost"} <= set(summary)
    assert {"acquisition_last_block_cr", "probe_pc_min_at_isi", "probe_dcn_peak_at_isi", "probe_pc_recovers",
            "criterion_trial_50_to_300", "stable_after_criterion", "extinction", "savings"} <= set(summary["targets"])
    assert summary["cost"]["synaptic_events"] > 0 and summary["cost"]["dt_ms"] == 0.5


@pytest.mark.slow
@pytest.mark.standalone
def test_isi_protocol_standalone_small(tmp_path):
    out = tmp_path / "isi"
    rc = _cli(["eyeblink-isi", "--n-grc", "3000", "--acquisition", "10", "--out", str(out), "--no-progress"])
    assert rc == 0
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["pause_time_s"]) == 3 and "isi_slope" in summary["targets"]
    with np.load(out / "data.npz") as d:
        assert d["pause_time"].shape == (3,) and np.allclose(d["isis"], [0.15, 0.25, 0.4])
    assert (out / "figures" / "eyeblink_isi.png").exists()


def test_single_run_is_labelled_per_trial():
    """The protocol schedules ONE run (one set of code objects); the progress segments are split per
    trial with the same end time, so the bar shows phase and trial."""
    from types import SimpleNamespace

    from cerebellum.eyeblink_schedule import make_schedule
    from protocols.eyeblink.simulate import label_trials

    s = make_schedule([("acquisition", 2, True, 0.25, False), ("extinction", 1, False, 0.25, False)],
                      period=0.7, cs_onset=0.1, us_duration=0.02)
    sim = SimpleNamespace(segments=[(1.0, "first run"), (1.0 + s.duration, "whole protocol")])
    label_trials(sim, s)
    assert sim.segments[0] == (1.0, "first run")
    assert [round(t, 9) for t, _ in sim.segments[1:]] == [1.7, 2.4, 3.1]
    assert sim.segments[-1][0] == 1.0 + s.duration  # total unchanged, exactly
    assert [lab for _, lab in sim.segments[1:]] == ["acquisition: trial 1 of 3", "acquisition: trial 2 of 3",
                                                     "extinction: trial 3 of 3"]
