"""``sdm-noise``: command line (no simulation), the noisy abstract SDM on small arrays, and (slow) the
one-program-per-mode claim on generated code and a standalone end-to-end run checked against an
``sdm-recall`` run of one condition, recomputed from its saved arrays."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from protocols import cli
from protocols.sdm_noise import analysis
from protocols.sdm_recall import design

ROOT = os.path.dirname(os.path.dirname(__file__))


# -- command line ----------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, match", [
    (["--backgrounds", "0", "-2", "5"], "backgrounds_hz[1] = -2 is out of range: allowed 0 <= backgrounds_hz[1] <= 1000"),
    (["--jitters", "0", "60"], "jitters_ms[1] = 60 is out of range: allowed 0 <= jitters_ms[1] <= 50"),
    (["--backgrounds", "0", "0"], "backgrounds_hz = (0.0, 0.0) is out of range: every value at most once"),
    (["--address-window", "150"], "address_window = 150 ms is out of range: allowed 0 ms < address_window < period / 2"),
    (["--address-window", "0"], "address_window = 0 ms is out of range"),
    (["--modes", "dense", "--n", "8"], "d = 10 is out of range: allowed 0 <= d <= n - 1 = 7"),
    (["--set", "modes=foo"], "modes=foo: not allowed: choose one of both, dense, biological"),
])
def test_bad_inputs_exit_2_with_one_line_before_any_build(argv, match, capsys, tmp_path):
    assert cli.main(["sdm-noise", "--out", str(tmp_path / "x"), *argv]) == 2
    err = capsys.readouterr().err
    assert match in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_each_condition_is_an_sdm_recall_config_with_room_for_the_largest_background():
    from brian2 import Hz, ms

    args = cli.build_parser().parse_args(["sdm-noise", "--backgrounds", "0", "20", "--jitters", "0", "5", "--r", "900"])
    module = cli.all_protocols()["sdm-noise"]
    config = cli.make_config(module, cli.collect_assignments(args, module)[0])
    assert config.mode_list == ("dense", "biological")
    rc = config.recall_config("dense", 0.0, 5.0)
    assert rc.circuit.mode == "dense" and rc.circuit.r == 900
    assert rc.mf_background == 0 * Hz and rc.mf_jitter == 5 * ms and rc.mf_background_capacity == 20 * Hz
    assert (rc.m, rc.queries, rc.read_volleys) == (12, 34, 3)  # sdm-recall's defaults


def test_params_json_of_a_run_gives_back_the_same_config(tmp_path):
    from core.jsonio import to_jsonable

    def config(argv):
        args = cli.build_parser().parse_args(["sdm-noise", *argv])
        module = cli.all_protocols()["sdm-noise"]
        return cli.make_config(module, cli.collect_assignments(args, module)[0])

    given = config(["--modes", "dense", "--backgrounds", "0", "7.5", "--jitters", "0.5", "--address-window", "3"])
    (tmp_path / "params.json").write_text(json.dumps({"protocol": "sdm-noise", "seed": 2,
                                                      "config": to_jsonable(given)}))
    assert config(["--config", str(tmp_path / "params.json")]) == given


def test_package_and_analysis_do_not_import_brian2():
    code = ("import sys, protocols.sdm_noise as p; from core.params import describe; describe(p.CONFIG); "
            "import protocols.sdm_noise.analysis, protocols.sdm_noise.targets; sys.exit('brian2' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# -- the noisy abstract SDM -------------------------------------------------------------------------

def test_delivered_fibres_keep_spikes_within_the_half_width_of_each_onset():
    x = analysis.delivered_fibres([0, 1, 2, 3, 0], [0.096, 0.104, 0.1049, 0.1051, 0.3], [0.1, 0.3], 0.005, 5)
    assert x.tolist() == [[True, True, True, False, False], [True, False, False, False, False]]


def _synthetic_recall_arrays(rng, mode, n=8, r=300, m=4, q=3, volleys=2, noise=False):
    """The arrays of an ``sdm-recall`` data.npz that the noisy read uses, built with numpy alone."""
    from cerebellum import sdm
    from cerebellum.sdm_address_code import active_fibres

    addresses = rng.integers(0, 2, (m, n))
    pointers = rng.integers(0, 2, (m, 5))
    queries = addresses[rng.integers(0, m, q)]
    period, order = 0.2, np.concatenate([np.arange(m), np.repeat(np.arange(q), volleys)])
    kinds = np.array(["write"] * m + ["read"] * (q * volleys))
    starts = period * (1 + np.arange(len(order)))
    patterns = np.concatenate([addresses, queries[np.repeat(np.arange(q), volleys)]])
    mf_i = active_fibres(patterns).ravel()
    mf_t = np.repeat(starts + design.VOLLEY_OFFSET, n)
    if noise:  # one spike on a fibre that is silent in the first write, inside its address window
        silent = np.setdiff1d(np.arange(2 * n), active_fibres(addresses[:1])[0])[0]
        mf_i, mf_t = np.append(mf_i, silent), np.append(mf_t, starts[0] + design.VOLLEY_OFFSET + 0.001)
    out = {"addresses": addresses, "pointers": pointers, "queries": queries, "spikes_mf_i": mf_i,
           "spikes_mf_t": mf_t, "epochs_kind": kinds, "epochs_start_s": starts, "epochs_pattern": order}
    if mode == "dense":
        out["granule_addresses"] = rng.integers(0, 2, (r, n))
        theory = [sdm.hamming_distances(a, out["granule_addresses"]) <= 2 for a in (addresses, queries)]
    else:
        coords, values = sdm.random_selected_coordinates(n, r, 4, rng)
        out["mf_to_grc"] = np.where(values == 1, coords, n + coords)
        out["grc_contacts"] = sdm.random_contacts(r, 4, 3, rng)
        theory = [sdm.weighted_coordinate_activation(a, coords, values, out["grc_contacts"], 7)
                  for a in (addresses, queries)]
    out["theory_active_write"], out["theory_active_read"] = theory
    return out


@pytest.mark.parametrize("mode", ["dense", "biological"])
def test_without_noise_the_noisy_abstract_sdm_is_the_theory(mode):
    from cerebellum import sdm_metrics as M

    rng = np.random.default_rng(7)
    a = _synthetic_recall_arrays(rng, mode)
    read = analysis.abstract_noisy_read(a, mode, 8, 0.005, d=2, grc_theta=7)
    np.testing.assert_array_equal(read["active_write"], a["theory_active_write"])
    assert read["jaccard"] == 1.0
    theory = M.abstract_reads(M.coactivation(a["theory_active_write"], a["theory_active_read"]), a["pointers"])
    np.testing.assert_array_equal(read["bits"], theory["bits"])
    # two volleys per query: the co-activation is summed over them
    np.testing.assert_array_equal(read["coactivation"], 2 * M.coactivation(a["theory_active_write"],
                                                                           a["theory_active_read"]))


def test_an_extra_fibre_spike_in_the_window_joins_the_address():
    rng = np.random.default_rng(7)
    a = _synthetic_recall_arrays(rng, "dense", noise=True)
    read = analysis.abstract_noisy_read(a, "dense", 8, 0.005, d=2)
    # an extra active fibre can only add matching inputs: a superset of the Hamming ball
    assert np.all(read["active_write"][0] >= a["theory_active_write"][0])
    narrow = analysis.abstract_noisy_read(a, "dense", 8, 0.0005, d=2)  # the extra spike is 1 ms late
    np.testing.assert_array_equal(narrow["active_write"], a["theory_active_write"])


# -- one compiled program per mode (generated code only, no compile) ---------------------------------

@pytest.mark.slow  # four code generations, 25-40 s on the shared 2-core machine
@pytest.mark.standalone
def test_noise_levels_change_data_not_code(tmp_path, monkeypatch):
    """Two conditions of one mode generate the same code (same program), arrays sized for another
    background rate change it, and another seed (patterns, pointers, background draws) does not."""
    from brian2 import Hz, ms

    import protocols.build_cache as bc
    from cerebellum.params.sdm_circuit import SDMCircuitParams
    from protocols.engine import Simulation
    from protocols.sdm_recall.config import SDMRecallConfig
    from protocols.sdm_recall.simulation import run

    class Generated(Exception):
        pass

    def digest_only(self, project, name):
        raise Generated(bc.source_digest(project)[0])

    monkeypatch.setattr(bc.ProgramCache, "program", digest_only)
    circuit = SDMCircuitParams(mode="biological", n=8, K=4, r=100, n_out=2, pcs_per_bit=1, goc_mf_bits=4,
                               grc_per_goc=20)

    def code(background, jitter, capacity, seed=3):
        config = SDMRecallConfig(circuit=circuit, m=2, queries=2, read_volleys=1, warmup=1,
                                 mf_background=background * Hz, mf_jitter=jitter * ms,
                                 mf_background_capacity=capacity * Hz)
        with pytest.raises(Generated) as info:
            with Simulation(device="standalone", name="sdm-noise-test", seed=seed, progress=False,
                            cache_dir=tmp_path) as sim:
                run(config, sim, seed)
        return info.value.args[0]

    assert code(0.0, 0.0, 20.0) == code(20.0, 5.0, 20.0)
    assert code(5.0, 0.0, 0.0) != code(20.0, 0.0, 0.0)
    # other patterns, pointers and background draws: the same program
    assert code(5.0, 1.0, 0.0, seed=3) == code(5.0, 1.0, 0.0, seed=4) == code(5.0, 1.0, 0.0, seed=5)


# -- standalone end to end (slow) -------------------------------------------------------------------

#: A tiny biological circuit (the size of the sdm-recall tiny runs).
TINY = ["--n", "8", "--K", "4", "--r", "400", "--n-out", "4", "--m", "3", "--queries", "5",
        "--set", "read_volleys=2", "--set", "warmup=2", "--set", "pcs_per_bit=2", "--set", "goc_mf_bits=4",
        "--set", "grc_per_goc=50"]


def _cli(protocol, argv, out, cache):
    env = {**os.environ, "SPIKING_MEMORY_CACHE": str(cache)}
    proc = subprocess.run([sys.executable, "-m", "protocols", protocol, *argv, "--out", str(out), "--no-progress"],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads((out / "summary.json").read_text()), np.load(out / "data.npz")


def _jaccard(a, b):
    a, b = a.astype(bool), b.astype(bool)
    union = (a | b).sum(axis=1)
    return np.where(union > 0, (a & b).sum(axis=1) / np.maximum(union, 1), 1.0)


def _noisy_abstract_agreement(d, half_width=0.005, theta=9):
    """The noisy abstract SDM restated with loops: a fibre is in a window's address when it spikes
    within 5 ms of the volley onset (window start + 5 ms); a GrC is active when the contacts of its
    active fibres reach ``grc_theta``; the read sums co-activation over a query's volleys."""
    kind, start, pattern = d["epochs_kind"].astype(str), d["epochs_start_s"], d["epochs_pattern"]
    mi, mt = d["spikes_mf_i"], d["spikes_mf_t"]
    fibres, contacts = d["mf_to_grc"], d["grc_contacts"]
    m, q = len(d["pointers"]), len(d["queries"])
    write = np.zeros((m, len(fibres)), bool)
    counts = np.zeros((q, m))
    for k in range(len(kind)):
        onset = start[k] + 0.005
        on = np.zeros(int(d["spikes_mf_n"]), bool)
        on[mi[(mt >= onset - half_width) & (mt < onset + half_width)]] = True
        active = (on[fibres] * contacts).sum(axis=1) >= theta
        if kind[k] == "write":
            write[pattern[k]] = active
        else:
            counts[pattern[k]] += (write & active).sum(axis=1)
    bits = np.where(counts.sum(axis=1, keepdims=True) > 0,
                    2 * (counts @ d["pointers"]) > counts.sum(axis=1, keepdims=True), False)
    within = d["query_distance"] <= d["critical_distance"]
    return float(np.mean(bits[within] == d["bits_abstract_theory"][within]))


@pytest.mark.slow  # two tiny cpp_standalone runs, a cold build of 1-5 min on the shared 2-core machine
@pytest.mark.standalone
def test_tiny_noise_grid_matches_sdm_recall_runs_recomputed_from_their_arrays(tmp_path, standalone_cache):
    """A 2 x 2 grid (0 / 20 Hz, 0 / 2 ms) in biological mode: one compiled program for the four
    conditions; the row of the noisiest condition equals an ``sdm-recall`` run of that condition
    (same seed, same program), scored here from its saved arrays; and the sanity checks, restated:
    the spiking Jaccard falls from 0 to 20 Hz, and the noisy abstract SDM is exact without noise."""
    summary, data = _cli("sdm-noise", [*TINY, "--modes", "biological", "--backgrounds", "0", "20", "--jitters", "0",
                                      "2", "--seed", "4"], tmp_path / "noise", standalone_cache)
    assert data["mode"].tolist() == ["biological"] * 4
    assert data["background_hz"].tolist() == [0, 0, 20, 20] and data["jitter_ms"].tolist() == [0, 2, 0, 2]
    for key in ("jaccard", "active_fraction", "bit_agreement", "bit_agreement_abstract_noisy"):
        assert data[key].shape == (4,) and np.all((data[key] >= 0) & (data[key] <= 1))
    cost = summary["cost"]
    assert cost["program"]["parts"] == 4 and len(cost["program"]["keys"]) == 1 and cost["program"]["compiled"] <= 1
    assert cost["simulated_time_s"] == pytest.approx(data["simulated_time_s"].sum())
    assert cost["synaptic_events"] == data["synaptic_events"].sum() and cost["synaptic_events_per_s"] > 0
    # the noisiest condition on its own, with the same padding: the same program, the same spikes
    _, rec = _cli("sdm-recall", [*TINY, "--mode", "biological", "--mf-background", "20", "--mf-jitter", "2",
                                 "--set", "mf_background_capacity=20*Hz", "--seed", "4", "--no-figures"],
                  tmp_path / "recall", standalone_cache)
    jac = np.concatenate([_jaccard(rec["granule_active_write"], rec["theory_active_write"]),
                          _jaccard(rec["granule_active_read"], rec["theory_active_read"])]).mean()
    within = rec["query_distance"] <= rec["critical_distance"]
    agree = np.mean(rec["bits_spiking_dcn"][within] == rec["bits_abstract_theory"][within])
    assert data["jaccard"][3] == pytest.approx(jac)
    assert data["active_fraction"][3] == pytest.approx(rec["granule_active_read"].mean())
    assert data["bit_agreement"][3] == pytest.approx(agree)
    assert data["bit_agreement_abstract_noisy"][3] == pytest.approx(_noisy_abstract_agreement(rec))
    # sanity checks, thresholds restated: Jaccard(0 Hz) > Jaccard(20 Hz) at 0 ms; exact noisy reference at 0/0
    t = summary["targets"]
    assert t["jaccard_falls_with_background_biological"]["pass"] == bool(data["jaccard"][0] > data["jaccard"][2])
    assert data["jaccard"][0] > data["jaccard"][2]
    assert data["jaccard_abstract_noisy"][0] == 1.0 and data["bit_agreement_abstract_noisy"][0] == 1.0
    assert summary["recall_thresholds"] == {"jaccard": 0.9, "bit_agreement": 0.95}
    assert (tmp_path / "noise" / "figures" / "sdm_noise.png").is_file()
