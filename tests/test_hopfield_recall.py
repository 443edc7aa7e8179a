"""hopfield-recall protocol: the command line (no simulation) and a small compiled run judged on its data.

The thresholds are restated here as literals and the metrics recomputed from ``data.npz``, so a
loosened threshold in ``protocols.hopfield_recall.targets`` or a wrong metric there fails a test.
Restated claims: TV(spike shares, softmax) <= 1.5 x the multinomial expectation of the same spike
counts; the memory-pool rate stays within a factor 2 (max/min < 2) while sum exp(scores) grows at
least 100-fold over the tonic shifts; normalisation comes from a population of spiking
interneurons (their spikes are saved per read window).
"""
import json

import numpy as np
import pytest

from core.softmax import softmax
from protocols import cli


def _err(argv, tmp_path, capsys):
    code = cli.main(["hopfield-recall", "--out", str(tmp_path / "r"), "--no-progress", *argv])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--beta", "0"], "beta = 0 is out of range: allowed 0 < beta <= 1000"),
    (["--copies", "0"], "copies = 0 is out of range: allowed 1 <= copies <= 1000"),
    (["--memories", "30", "--slots", "20"], "n_memories = 30 is out of range: allowed 1 <= n_memories <= n_slots = 20"),
    (["--betas", "2,-1"], "betas[1] = -1 is out of range"),
    (["--betas", "none"], "betas = () is not allowed"),
    (["--noise", "0.7"], "noise_levels[0] = 0.7 is out of range"),
    (["--memories", "5", "--set", "world_width=2"], "n_memories = 5 is out of range: allowed n_memories <= "
                                                    "world_width**2 = 4"),
    (["--set", "mec_max_rate=5*ms"], "mec_max_rate = 5. * msecond must have units of Hz"),
    (["--set", "r0=-1*Hz"], "r0 = -1 Hz is out of range: allowed 0 Hz < r0 <= 10000 Hz"),
    (["--set", "sensory_dim=5"], "sensory_dim = 5 with sensory_active = 4 gives only 5 distinct codes"),
    (["--set", "cells_per_module=8"], "cells_per_module = 8 is not allowed: use a perfect square"),
    (["--read-ms", "40.25"], "read = 40.25 ms is not allowed: use a multiple of dt = 0.1 ms"),
    (["--dt", "0.7"], "settle = 60 ms is not allowed: use a multiple of dt = 0.7 ms"),
    (["--set", "period=300*ms"], "derived parameter (length of one query window, settle + read), computed from "
                                 "settle and read"),
])
def test_bad_input_exits_2_with_one_line(argv, message, tmp_path, capsys):
    code, err = _err(argv, tmp_path, capsys)
    assert code == 2
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_list_params_shows_code_and_circuit_parameters_once_with_units(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["hopfield-recall", "--list-params"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    rows = {line.split()[0]: line for line in out.splitlines()[2:] if line and not line.startswith(" ")}
    names = [line.split()[0] for line in out.splitlines()[2:] if line and not line.startswith(" ")]
    assert len(names) == len(set(names))
    for name in ("code.n_modules", "code.base_scale", "code.scale_ratio", "code.cells_per_module",
                 "code.n_object_types", "code.sensory_dim", "code.sensory_active"):
        assert name in rows and name.split(".")[1] not in rows  # one declaration, nested
    assert rows["circuit.r0"].split()[1:3] == ["1000", "Hz"] and "0 Hz < r0 <= 10000 Hz" in rows["circuit.r0"]
    assert "10 ms" in rows["circuit.tau_key"] and "20 ms" in rows["circuit.tau_out"]
    assert "60 ms" in rows["settle"] and "200 ms" in rows["read"] and "0.1 ms" in rows["dt"]
    assert "period = length of one query window" in out


def test_help_lists_the_options_generated_from_the_declarations(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["hopfield-recall", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert exit_info.value.code == 0
    for option in ("--memories", "--slots", "--copies", "--beta", "--betas", "--noise", "--partial", "--read-ms",
                   "--settle-ms", "--dt"):
        assert option in out
    assert "(default 200 ms; --set read)" in out and "--set circuit.copies" in out


def test_options_reach_the_config_in_their_declared_units():
    from brian2 import ms

    parser = cli.build_parser()
    args = parser.parse_args(["hopfield-recall", "--read-ms", "50", "--settle-ms", "20", "--betas", "5,10",
                              "--partial", "none", "--copies", "3", "--memories", "4"])
    module = cli.all_protocols()["hopfield-recall"]
    config = cli.make_config(module, cli.collect_assignments(args, module)[0])
    assert config.read == 50 * ms and config.settle == 20 * ms and config.period == 70 * ms
    assert config.betas == (5.0, 10.0) and config.partial_levels == ()
    assert config.circuit.copies == 3 and config.circuit.mec_copies == 40 and config.n_memories == 4


def test_transition_beta_interpolates_in_log_beta():
    from protocols.hopfield_recall.analysis import transition_beta

    assert transition_beta([2.0, 4.0], [0.25, 0.75]) == pytest.approx(2 * np.sqrt(2))
    assert transition_beta([2.0, 4.0], [0.6, 0.9]) == 2.0  # already retrieving at the first beta
    assert np.isnan(transition_beta([2.0, 4.0], [0.1, 0.3]))


def test_saved_interneuron_counts_are_the_raw_interneuron_spikes_in_each_read_window():
    """Data contract on the recorded reference run: ``inh_spike_counts`` (window x interneuron) are
    the interneuron spikes between each window's read start and its end."""
    from pathlib import Path

    with np.load(Path(__file__).parent / "golden" / "hopfield-recall" / "data.npz") as f:
        data = dict(f)
    n_pv = int(data["n_interneurons"])
    assert n_pv == int(data["spikes_pv_n"]) == data["inh_spike_counts"].shape[1] == 40
    i, t = data["spikes_pv_i"], data["spikes_pv_t"]
    half_dt = 0.05e-3
    recount = np.stack([np.bincount(i[(t >= r - half_dt) & (t < e - half_dt)], minlength=n_pv)
                        for r, e in zip(data["epochs_read_start_s"], data["epochs_stop_s"])])
    np.testing.assert_array_equal(recount, data["inh_spike_counts"])
    assert len(np.unique(i)) >= 0.9 * n_pv  # a population fires, not one unit


def _recomputed(data, default_beta):
    """The judged metrics, recomputed from the saved arrays."""
    from hippocampus.attention import expected_multinomial_tv
    from hippocampus.codes import decode_objects
    from protocols.hopfield_recall.analysis import transition_beta

    counts, p = data["spike_counts"], softmax(data["scores"])
    block, beta = data["block"], data["beta"]
    totals = counts.sum(axis=1)
    shares = counts / np.maximum(totals, 1)[:, None]
    tv = np.where(totals > 0, 0.5 * np.abs(shares - p).sum(axis=1), 1.0)
    etv = np.array([expected_multinomial_tv(p[q], max(int(totals[q]), 1)) for q in range(len(p))])
    sweep = block == 0
    out = {"tv_over_multinomial": tv[sweep].mean() / etv[sweep].mean(),
           "tv_at_default_beta": tv[sweep & (beta == default_beta)].mean()}
    norm = block == 1
    levels = np.unique(data["shift"][norm])
    rate = [totals[norm & (data["shift"] == s)].mean() for s in levels]
    lse = np.log(np.exp(data["scores"]).sum(axis=1))
    z = [np.exp(lse[norm & (data["shift"] == s)].mean()) for s in levels]
    out["total_rate_ratio"], out["sum_exp_scores_ratio"] = max(rate) / min(rate), max(z) / min(z)
    # the interneuron population's rate per tonic shift (Hz per cell, read windows)
    read_s = totals[norm].sum() / data["memory_total_rate"][norm].sum()
    n_pv = int(data["n_interneurons"])
    out["pv_rate_per_shift"] = np.array([data["inh_spike_counts"][norm & (data["shift"] == s)].sum(axis=1).mean()
                                         for s in levels]) / (read_s * n_pv)
    ab = block < 2
    abstract = p[ab] @ data["values"]
    ro = data["readout_counts"][ab].astype(float)
    out["readout_cosine"] = np.mean(np.sum(ro * abstract, axis=1)
                                    / (np.linalg.norm(ro, axis=1) * np.linalg.norm(abstract, axis=1)))
    decoded = decode_objects(ro, data["objects_code"])
    out["readout_argmax_agreement"] = np.mean(decoded == data["objects"][np.argmax(p[ab], axis=1)])
    betas = np.unique(beta[sweep])
    top_spk = [shares[sweep & (beta == b)].max(axis=1).mean() for b in betas]
    top_abs = [p[sweep & (beta == b)].max(axis=1).mean() for b in betas]
    out["top_weight_difference"] = np.max(np.abs(np.subtract(top_spk, top_abs)))
    out["transition_beta_difference"] = abs(transition_beta(betas, top_spk) / transition_beta(betas, top_abs) - 1)
    return out


def _check_interneuron_population(data, summary):
    """The interneurons are a spiking population that tracks the pool's drive, saved per read window."""
    q, n_pv = len(data["target"]), int(data["n_interneurons"])
    assert n_pv == 40 and data["inh_spike_counts"].shape == (q, n_pv)
    assert data["inh_spike_counts"].dtype.kind in "iu"
    fired = data["inh_spike_counts"][data["block"] < 2].sum(axis=0)
    assert np.sum(fired > 0) >= 0.9 * n_pv  # a population fires, not one unit
    m = _recomputed(data, default_beta=10.0)
    assert m["pv_rate_per_shift"][-1] > 1.5 * m["pv_rate_per_shift"][0] > 0  # more drive, more inhibition
    ev = summary["events_breakdown"]
    assert {"key_mec_to_slots", "memory_to_pv", "pv_to_memory", "value_to_readout"} <= set(ev)
    # p_pv_mem = 1: each interneuron spike reaches every memory neuron (read-window spikes are a subset)
    assert ev["pv_to_memory"] >= data["inh_spike_counts"].sum() * summary["settings"]["memory_neurons"] > 0
    assert ev["pv_to_memory"] % summary["settings"]["memory_neurons"] == 0
    assert ev["memory_to_pv"] > 0


def _unused_slot_spikes(data):
    counts = data["slot_spike_counts"]
    n_slots, m = counts.shape[1] // 2, data["spike_counts"].shape[1]
    open_ = np.zeros(counts.shape, bool)
    for q, pool in enumerate(data["pool"]):
        open_[q, pool * n_slots + np.arange(m)] = True
    return int(counts[~open_].sum())


@pytest.mark.standalone
@pytest.mark.slow  # a cold compile of the memory network: about two minutes on 2 cores
def test_small_compiled_run_meets_equivalence_targets(tmp_path, monkeypatch, standalone_cache):
    from hippocampus.recall import argmax_unique

    monkeypatch.setenv("SPIKING_MEMORY_CACHE", str(standalone_cache))
    out = tmp_path / "run"
    code = cli.main(["hopfield-recall", "--out", str(out), "--no-progress", "--no-figures", "--seed", "2",
                     "--memories", "8", "--slots", "10", "--betas", "3,6,10,20", "--noise", "0,0.2",
                     "--set", "shifts=-2,0,3", "--set", "capacity_memories=4"])
    assert code == 0
    s = json.loads((out / "summary.json").read_text())
    data = dict(np.load(out / "data.npz"))
    q = len(data["target"])
    assert data["scores"].shape == data["spike_counts"].shape == (q, 8)  # queries x memories
    assert data["readout"].shape == (q, 40) and data["values"].shape == (8, 40)
    m = _recomputed(data, default_beta=10.0)
    # the claims, restated: spike shares sample the softmax, the pool rate is normalised, the
    # read-out (spike counts) decodes the attention output, the beta sweep follows the softmax
    assert m["tv_over_multinomial"] <= 1.5
    assert m["tv_at_default_beta"] <= 0.05
    assert m["total_rate_ratio"] < 2 and m["sum_exp_scores_ratio"] >= 100
    assert m["readout_cosine"] >= 0.95 and m["readout_argmax_agreement"] >= 0.95
    assert m["top_weight_difference"] <= 0.05 and m["transition_beta_difference"] <= 0.15
    _check_interneuron_population(data, s)
    # the summary reports what was measured
    for name, value in m.items():
        if name == "pv_rate_per_shift":
            continue
        key = {"total_rate_ratio": "pool_rate_ratio", "sum_exp_scores_ratio": "sum_exp_growth"}.get(name, name)
        assert s["targets"][key]["value"] == pytest.approx(value, rel=1e-9, abs=1e-12), name
    assert s["all_pass"] is True
    assert _unused_slot_spikes(data) == 0
    exact = (data["block"] == 2) & ~data["partial_cue"] & (data["noise"] == 0)
    assert np.mean(argmax_unique(data["spike_counts"][exact]) == data["target"][exact]) >= 0.85
    recall = data["block"] == 2
    for mask in (recall & ~data["partial_cue"] & (data["noise"] == f) for f in (0.0, 0.2)):
        spk = np.mean(argmax_unique(data["spike_counts"][mask]) == data["target"][mask])
        assert abs(spk - data["recall_sampled_abstract"][mask].mean()) <= 0.2
    assert s["cost"]["simulated_time_s"] > 0 and s["cost"]["synaptic_events_per_s"] > 0
    from figures.registry import all_figures

    drawn = [p for spec in all_figures().values() if spec.protocol == "hopfield-recall"
             for p in spec.make(tmp_path / "figs", out)]
    assert {p.stem for p in drawn} >= {"hopfield_shares", "hopfield_normalization", "hopfield_recall", "grid_rate_maps"}


@pytest.mark.slow
@pytest.mark.standalone
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_default_run_meets_every_target(seed, tmp_path, monkeypatch, standalone_cache):
    from hippocampus.recall import argmax_unique

    monkeypatch.setenv("SPIKING_MEMORY_CACHE", str(standalone_cache))
    out = tmp_path / f"hr{seed}"
    assert cli.main(["hopfield-recall", "--out", str(out), "--no-progress", "--no-figures", "--seed", str(seed)]) == 0
    data = dict(np.load(out / "data.npz"))
    m = _recomputed(data, default_beta=10.0)
    assert m["tv_over_multinomial"] <= 1.5 and m["tv_at_default_beta"] <= 0.05
    assert m["total_rate_ratio"] < 2 and m["sum_exp_scores_ratio"] >= 100
    _check_interneuron_population(data, json.loads((out / "summary.json").read_text()))
    assert m["readout_cosine"] >= 0.95 and m["readout_argmax_agreement"] >= 0.95
    assert m["top_weight_difference"] <= 0.05 and m["transition_beta_difference"] <= 0.15
    assert _unused_slot_spikes(data) == 0
    # spike-starved weak cues are compared with the softmax sampled at the same spike count
    recall = data["block"] == 2
    for f in np.unique(data["noise"][recall & ~data["partial_cue"]]):
        mask = recall & ~data["partial_cue"] & (data["noise"] == f)
        spk = np.mean(argmax_unique(data["spike_counts"][mask]) == data["target"][mask])
        assert abs(spk - data["recall_sampled_abstract"][mask].mean()) <= 0.2
    for f in np.unique(data["partial_fraction"][recall & data["partial_cue"]]):
        mask = recall & data["partial_cue"] & (data["partial_fraction"] == f)
        spk = np.mean(argmax_unique(data["spike_counts"][mask]) == data["target"][mask])
        assert abs(spk - data["recall_sampled_abstract"][mask].mean()) <= 0.2
