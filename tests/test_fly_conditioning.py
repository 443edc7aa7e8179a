"""fly-conditioning protocol: the trial schedule, the abstract prediction, and a tiny run whose metrics
follow from the saved arrays; the slow test reruns the held-out seeds on the default device."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from mushroom_body import theory
from protocols.fly_conditioning import FlyConditioningConfig
from protocols.fly_conditioning.analysis import sdm_prediction
from protocols.fly_conditioning.design import PHASES, design_odours, design_trials, schedule

#: Thresholds of the fly-conditioning claims, restated here (protocols/fly_conditioning/targets.py holds
#: the protocol's copy).
CS_PLUS_DROP_MIN = 0.30
CS_MINUS_DROP_MAX = 0.10
EXTINCTION_RECOVERY_MIN = 0.50
GENERALISATION_SPEARMAN_MIN = 0.8
SDM_CORRELATION_MIN = 0.9

CONTRACT = ["trial_phase", "phase_names", "odour", "dan", "dan_rate", "mbon_rate", "similarity", "discrimination",
            "odours", "projection", "kc_code_spiking", "kc_code_flyhash", "w_out", "spikes_kc_i", "spikes_kc_t",
            "spikes_mbon_i", "spikes_mbon_t", "epochs_start_s", "epochs_phase"]


def _run(out, *args, seed=1, device="runtime"):
    cmd = [sys.executable, "-m", "protocols", "fly-conditioning", "--device", device, "--no-progress",
           "--no-figures", "--seed", str(seed), "--out", str(out), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr
    return np.load(out / "data.npz"), json.loads((out / "summary.json").read_text())


def _phase_rates(data, phase):
    """MBON rate of every odour in the one-trial-per-probe block ``phase``."""
    names = list(data["phase_names"])
    sel = np.flatnonzero(data["trial_phase"] == names.index(phase))
    rates = np.full(len(data["odours"]), np.nan)
    rates[data["odour"][sel]] = data["mbon_rate"][sel]
    return rates


def _measures(data):
    """The claims recomputed from data.npz alone."""
    cs_p, cs_m = int(data["cs_plus"]), int(data["cs_minus"])
    pre, post, re = (_phase_rates(data, p) for p in ("pretest", "test", "retest"))
    drop = 1 - post / pre
    n_writes = int((data["dan"] & (data["odour"] == cs_p)).sum())
    sim = theory.input_similarity(data["odours"])[cs_p]
    out = {"cs_plus_drop": drop[cs_p], "cs_minus_drop": drop[cs_m],
           "extinction_recovery": (re[cs_p] - post[cs_p]) / (pre[cs_p] - post[cs_p]),
           "generalisation_spearman": theory.spearman(sim, drop), "drop": drop, "similarity": sim}
    for key, codes in (("sdm_measured", data["kc_code_spiking"]), ("sdm_flyhash", data["kc_code_flyhash"])):
        d = 1 - (1 - drop[cs_p]) ** (1 / n_writes)
        w = theory.sdm_write_depress(codes, np.full(n_writes, cs_p), d)
        out[key] = float(np.corrcoef(drop, 1 - theory.sdm_read(codes, w))[0, 1])
    return out


def test_schedule_pairs_dan_only_with_cs_plus_training_and_inside_the_odour():
    cfg = FlyConditioningConfig()
    rng = np.random.default_rng(0)
    design = design_odours(cfg, rng)
    trials = design_trials(cfg, design)
    phase = np.array(PHASES)[trials["trial_phase"]]
    cs_p, cs_m = design["cs_plus"], design["cs_minus"]
    assert list(dict.fromkeys(phase)) == list(PHASES)
    # DAN only on training trials of CS+, every one of them; CS- is trained as often, unpaired
    assert np.all(trials["odour"][trials["dan"]] == cs_p) and np.all(phase[trials["dan"]] == "training")
    assert trials["dan"].sum() == cfg.n_training == ((phase == "training") & (trials["odour"] == cs_m)).sum()
    assert ((phase == "extinction") & (trials["odour"] == cs_p)).sum() == cfg.n_extinction
    for block in ("pretest", "test", "retest"):
        assert sorted(trials["odour"][phase == block]) == list(range(cfg.n_probes))
    # morphs ordered by mixing fraction; input similarity to CS+ falls with it
    sim = theory.input_similarity(design["odours"])[cs_p]
    assert np.all(np.diff(design["mix"]) >= 0) and sim[0] == pytest.approx(1.0) and sim[1] > sim[-2]
    pn, dan, read_start = schedule(cfg, design, trials)
    from core.units import in_unit

    step_s = in_unit(cfg.step, "ms") / 1000
    per = round(in_unit(cfg.period, "ms") / in_unit(cfg.step, "ms"))
    assert len(read_start) == len(trials["odour"]) and len(dan) == len(pn) == per * len(read_start)
    k = int(np.flatnonzero(trials["dan"])[0])
    trial_dan = dan[k * per:(k + 1) * per]
    on = np.flatnonzero(trial_dan > 0)
    odour_end = in_unit(cfg.settle, "ms") + in_unit(cfg.read, "ms")
    assert on[0] == round(in_unit(cfg.dan_delay, "ms") / 1000 / step_s)      # DAN from dan_delay ...
    assert on[-1] == round(odour_end / 1000 / step_s) - 1                    # ... to the odour's end
    assert dan[np.repeat(~trials["dan"], per)].max() == 0


def test_sdm_prediction_matches_the_cs_plus_drop_and_scales_with_overlap():
    codes = np.zeros((3, 10), dtype=bool)
    codes[0, :4] = True            # CS+
    codes[1, 2:6] = True           # half overlap
    codes[2, 6:10] = True          # disjoint
    pred, d = sdm_prediction(codes, 0, 4, 0.6)
    assert (1 - d) ** 4 == pytest.approx(0.4)
    np.testing.assert_allclose(pred, [0.6, 0.3, 0.0])


@pytest.mark.slow  # ~60 s; the fly-conditioning golden case runs the protocol in the default suite
def test_tiny_run_writes_the_contract_and_its_metrics_follow_from_the_arrays(tmp_path):
    data, summary = _run(tmp_path / "run", "--n-kc", "300", "--morphs", "2", "--training", "2", "--extinction", "2",
                         "--read-ms", "200", "--gap-ms", "300", "--dan-delay-ms", "100",
                         "--set", "output.dan_rate=60*Hz")
    for key in CONTRACT:
        assert key in data.files, key
    n_trials = len(data["odour"])
    assert data["w_out"].shape == (n_trials, 300) and data["mbon_rate"].shape == (n_trials,)
    # the weights only fall on paired trials: the CS+ code loses weight from before to after training
    cs_p = int(data["cs_plus"])
    first_test = int(np.flatnonzero(data["trial_phase"] == list(data["phase_names"]).index("test"))[0])
    code = data["kc_code_spiking"][cs_p]
    assert data["w_out"][first_test, code].mean() < data["w_out"][0, code].mean() == 1.0
    # DAN fires on paired trials only
    assert data["dan_rate"][data["dan"]].min() > 0 and data["dan_rate"][~data["dan"]].max() == 0
    m = _measures(data)
    t = summary["targets"]
    for key in ("cs_plus_drop", "cs_minus_drop", "extinction_recovery", "generalisation_spearman"):
        assert t[key]["value"] == pytest.approx(m[key], nan_ok=True), key
    assert t["sdm_correlation_measured_code"]["value"] == pytest.approx(m["sdm_measured"], nan_ok=True)
    assert t["sdm_correlation_flyhash"]["value"] == pytest.approx(m["sdm_flyhash"], nan_ok=True)
    np.testing.assert_allclose(data["similarity"], m["similarity"])


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_default_run_learns_extinguishes_and_generalises_on_held_out_seeds(tmp_path, seed):
    # the protocol's default (standalone) device: 332 s simulated take ~0.5-1 min there
    data, _ = _run(tmp_path / "run", seed=seed, device="standalone")
    m = _measures(data)
    assert m["cs_plus_drop"] >= CS_PLUS_DROP_MIN
    assert m["cs_minus_drop"] <= CS_MINUS_DROP_MAX
    assert m["extinction_recovery"] >= EXTINCTION_RECOVERY_MIN
    assert m["generalisation_spearman"] >= GENERALISATION_SPEARMAN_MIN
    assert m["sdm_measured"] >= SDM_CORRELATION_MIN
    assert m["sdm_flyhash"] >= SDM_CORRELATION_MIN


def test_dopamine_depresses_kcs_by_their_eligibility_and_odour_alone_restores():
    """The plasticity of the circuit itself (runtime, 0.5-ms steps): odour A just before a DAN burst is
    depressed, odour B 3 s before the next burst barely, and A alone afterwards recovers."""
    import brian2
    from brian2 import Network, ms

    from mushroom_body.circuit import build_mushroom_body
    from mushroom_body.params import KCParams, MushroomBodyParams, OutputParams
    from mushroom_body.theory import sparse_projection

    brian2.defaultclock.dt = 0.5 * ms
    p = MushroomBodyParams(kc=KCParams(n_kc=200), output=OutputParams(eta=1.5e-4, recovery=1e-3))
    rng = np.random.default_rng(3)
    proj = sparse_projection(200, 50, 6, 7, rng)
    odour_a, odour_b = rng.exponential(1.0, (2, 50))
    # 100-ms steps: A 0-0.5 s with DAN 0.4-0.6 s; B 1.0-1.5 s; DAN 4.5-4.7 s (3 s after B); A alone 5-8 s
    pn = np.full((80, 50), 2.0)
    pn[0:5] = pn[50:80] = 80 * odour_a / odour_a.mean()
    pn[10:15] = 80 * odour_b / odour_b.mean()
    dan = np.zeros(80)
    dan[4:6] = dan[45:47] = 30.0
    c = build_mushroom_body(p, proj, pn, 100 * ms, dan_rates=dan)
    mon = brian2.StateMonitor(c.kc, "w_out", record=True, dt=100 * ms)
    brian2.seed(3)
    Network(*c.objects, mon).run(8 * brian2.second)
    w = np.asarray(mon.w_out[:]).T                                   # (steps, n_kc), at each step's start
    i, t = np.asarray(c.kc_spikes.i[:]), np.asarray(c.kc_spikes.t_[:])
    counts = np.array([np.bincount(i[(t >= t0) & (t < t1)], minlength=200)
                       for t0, t1 in ((0, 0.5), (1.0, 1.5), (0, 8))])
    only_a = (counts[0] >= 2) & (counts[1] == 0)
    only_b = (counts[1] >= 2) & (counts[0] == 0)
    assert only_a.sum() >= 5 and only_b.sum() >= 5
    loss_a = 1 - w[10, only_a].mean()                                # after the paired burst
    loss_b = 1 - w[50, only_b].mean() - (1 - w[45, only_b].mean())   # from the late burst
    assert loss_a > 0.05 and loss_b < loss_a / 5
    assert np.all(w[:, counts[2] == 0] == 1.0)                       # no KC spike, no eligibility: untouched
    # 3 s of A alone (no dopamine) restore about a quarter of its KCs' lost weight
    assert 1 - w[-1, only_a].mean() < 0.85 * (1 - w[50, only_a].mean())
