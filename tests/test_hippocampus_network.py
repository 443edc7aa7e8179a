"""The spiking memory on the numpy runtime: softmax shares, silent unused slots (any beta), read-out
spike counts, normalisation by a population of spiking interneurons, the time grid, errors."""
import dataclasses

import numpy as np
import pytest
from brian2 import Hz, Network, ms, second, seed as brian_seed

from core.softmax import softmax
from hippocampus.attention import expected_multinomial_tv, total_variation
from brian2 import NeuronGroup, mV, nS

from hippocampus.network import WindowSchedule, build_memory_circuit, random_pairs
from hippocampus.params import InterneuronParams, MemoryCircuitParams
from protocols.engine import synaptic_events

DT = 0.1 * ms  # the runtime device's defaultclock.dt in every test (conftest)


def _schedule(**kw):
    """A window schedule on the test time step."""
    return WindowSchedule(**kw, dt=DT)


@pytest.fixture(autouse=True)
def _seeded():
    brian_seed(11)  # runtime rand(): same seed, same spikes


SMALL = MemoryCircuitParams(copies=5, mec_copies=8, r0=500 * Hz, readout_copies=40)


def _circuit(params, n_windows=3, shift=None, period=150 * ms, seed=0, targets=(0, 1, 2)):
    rng = np.random.default_rng(seed)
    d, n_slots = 12, 5
    keys = (rng.random((n_slots, d)) < 0.5) / np.sqrt(d / 2)
    values = np.eye(n_slots)
    query = keys[list(targets)[:n_windows]]
    write = np.array([0, 0, 0, 0, n_windows])  # slot 4: never written (empty)
    clear = np.full(n_slots, n_windows)
    beta = np.full(n_windows, 4.0)
    shift = np.zeros(n_windows) if shift is None else np.asarray(shift, float)
    sch = _schedule(period=period, query=query, beta=beta, write=write, clear=clear, shift=shift, settle=50 * ms)
    return build_memory_circuit(params, keys, values, 1.0, sch), keys, values, sch


def test_spike_shares_sample_the_softmax_and_empty_slots_stay_silent():
    circ, keys, values, sch = _circuit(SMALL)
    Network(*circ.objects).run(sch.duration)
    counts = circ.window_slot_counts()
    assert counts[:, 4].sum() == 0  # unused slot: gate closed
    scores = sch.beta[:, None] * sch.query @ keys[:4].T
    tvs, bounds = [], []
    for q in range(sch.n_windows):
        n = counts[q, :4].sum()
        assert n > 50  # enough spikes for a meaningful comparison
        p = softmax(scores[q])
        tvs.append(total_variation(counts[q, :4] / n, p))
        bounds.append(expected_multinomial_tv(p, int(n)))
    assert np.mean(tvs) <= 2.0 * np.mean(bounds)  # small sample: looser than the protocol's 1.5
    # read-out SPIKE COUNTS decode the attention output (values = one-hot slot identity)
    ro = circ.window_readout_counts()
    assert ro[:, 4].sum() == 0 and ro.sum() > 100
    att = softmax(scores, axis=-1)
    cos = np.sum(ro[:, :4] * att, axis=1) / np.linalg.norm(ro, axis=1) / np.linalg.norm(att, axis=1)
    assert np.all(cos > 0.9)
    assert np.array_equal(np.argmax(ro, axis=1), np.argmax(att, axis=1))


def test_unwritten_slot_stays_silent_at_very_high_beta():
    """The gate multiplies the rate: a query that matches only a never-written slot gives it no
    spikes even at beta = 400 (an additive exponent penalty would be overcome there)."""
    rng = np.random.default_rng(5)
    d = 12
    keys = np.zeros((3, d))
    keys[0, :6] = keys[1, 6:] = 1 / np.sqrt(6)
    keys[2] = 1 / np.sqrt(d)
    query = keys[[1, 1]]
    sch = _schedule(period=100 * ms, query=query, beta=np.array([20.0, 400.0]), write=np.array([0, 2, 0]),
                    clear=np.full(3, 2), shift=np.zeros(2), settle=40 * ms)
    circ = build_memory_circuit(SMALL, keys, np.eye(3), 1.0, sch)
    Network(*circ.objects).run(sch.duration)
    counts = circ.window_slot_counts()
    assert counts[:, 1].sum() == 0 and len(circ.memory_spikes.i) > 0
    assert np.all(np.asarray(circ.memory_spikes.i) // SMALL.copies != 1)  # settling included
    assert circ.window_readout_counts()[:, 1].sum() == 0


def test_mec_rates_above_the_maximum_and_windows_off_the_time_grid_are_rejected():
    keys = np.ones((2, 4)) / 2
    sch = _schedule(period=100 * ms, query=np.ones((1, 4)), beta=np.ones(1), write=np.zeros(2, int),
                    clear=np.ones(2, int), shift=np.zeros(1), settle=20 * ms)
    with pytest.raises(ValueError, match="mec_max_rate"):
        build_memory_circuit(SMALL, keys, np.ones((2, 3)), 2.0, sch)
    with pytest.raises(ValueError, match=r"period = 100.05 ms is not allowed: use a multiple of dt = 0.1 ms"):
        _schedule(period=100.05 * ms, query=np.ones((1, 4)), beta=np.ones(1), write=np.zeros(2, int),
                  clear=np.ones(2, int), shift=np.zeros(1), settle=20 * ms)
    coarse = WindowSchedule(period=100 * ms, query=np.ones((1, 4)) / 2, beta=np.ones(1), write=np.zeros(2, int),
                            clear=np.ones(2, int), shift=np.zeros(1), settle=20 * ms, dt=0.5 * ms)
    with pytest.raises(ValueError, match="schedule.dt = 0.5 ms differs from the simulation's time step"):
        build_memory_circuit(SMALL, keys, np.ones((2, 3)), 1.0, coarse)


def test_interneurons_hold_the_pool_rate_when_all_scores_shift():
    circ, *_, sch = _circuit(SMALL, n_windows=2, shift=[0.0, 4.0], targets=(0, 0))
    Network(*circ.objects).run(sch.duration)
    totals = circ.window_slot_counts().sum(axis=1)
    assert totals[1] / totals[0] < 2  # while sum exp(scores) grows e^4 = 55x
    assert totals[1] > totals[0]
    pv = circ.window_interneuron_counts().sum(axis=1)
    assert pv[1] > 1.5 * pv[0] > 0  # the interneurons take up the extra drive


def test_without_interneuron_feedback_rate_tracks_sum_exp():
    weak = dataclasses.replace(SMALL, r0=20 * Hz, pv=dataclasses.replace(SMALL.pv, w_i=1e-6 * nS))
    circ, *_, sch = _circuit(weak, n_windows=2, shift=[0.0, 2.0], targets=(0, 0))
    Network(*circ.objects).run(sch.duration)
    totals = circ.window_slot_counts().sum(axis=1)
    assert totals[1] / totals[0] > 4  # e^2 = 7.4 expected without normalisation


def test_inhibition_is_a_population_of_spiking_interneurons_with_per_neuron_conductances():
    circ, *_, sch = _circuit(SMALL, n_windows=2)
    groups = [o for o in circ.objects if isinstance(o, NeuronGroup)]
    assert "inhibition" not in {g.name for g in groups}
    assert all(len(g) > 1 for g in groups)  # no single-unit mean-field stand-in
    assert len(circ.interneurons) == SMALL.pv.n_interneurons == 40
    assert "g_i" in circ.memory.equations.diff_eq_names and "g_i" not in circ.interneurons.variables
    assert "v" in circ.interneurons.equations.diff_eq_names
    Network(*circ.objects).run(sch.duration)
    raw = circ.raw_spikes()
    pv_i, pv_t, n_pv = raw["pv"]
    assert n_pv == 40 and len(pv_i) > 100 and len(np.unique(pv_i)) >= 30  # most of the population fires
    counts = circ.window_interneuron_counts()
    assert counts.shape == (2, 40) and counts.sum() <= len(pv_i) and counts.sum() > 0
    # p_pv_mem = 1: every memory neuron receives every interneuron spike, so all g_i are equal
    g = np.asarray(circ.memory.g_i / nS)
    assert g.max() > 0 and np.ptp(g) <= 1e-9 * g.max()
    # synaptic events per pathway: each interneuron spike reaches every memory neuron
    names = dict(zip(circ.PATHWAYS, circ.pathways()))
    assert set(names) == {"key_mec_to_slots", "memory_to_pv", "pv_to_memory", "value_to_readout"}
    assert synaptic_events(*names["pv_to_memory"]) == len(pv_i) * len(circ.memory)
    n_mem_pv = len(circ.mem_pv_sources)
    assert synaptic_events(*names["memory_to_pv"]) == pytest.approx(
        len(circ.memory_spikes.i) * n_mem_pv / len(circ.memory), rel=0.3)


def test_sparse_interneuron_output_gives_unequal_inhibition_across_memory_neurons():
    sparse = dataclasses.replace(SMALL, pv=dataclasses.replace(SMALL.pv, p_pv_mem=0.5))
    circ, *_, sch = _circuit(sparse, n_windows=2)
    indegree = np.bincount(circ.pv_mem_targets, minlength=len(circ.memory))
    assert indegree.min() < indegree.max() and 0.35 < indegree.mean() / 40 < 0.65
    Network(*circ.objects).run(sch.duration)
    g = np.asarray(circ.memory.g_i / nS)
    assert np.ptp(g) > 0.05 * g.mean() > 0


def test_random_pairs_connects_all_at_one_and_a_fraction_below():
    rng = np.random.default_rng(0)
    i, j = random_pairs(3, 4, 1.0, rng)
    assert len(i) == 12 and set(zip(i.tolist(), j.tolist())) == {(a, b) for a in range(3) for b in range(4)}
    i, j = random_pairs(200, 50, 0.3, rng)
    assert abs(len(i) / 10000 - 0.3) < 0.03 and len(set(zip(i.tolist(), j.tolist()))) == len(i)
    with pytest.raises(ValueError, match=r"prob = 0 is out of range: allowed 0 < prob <= 1"):
        random_pairs(3, 4, 0, rng)


@pytest.mark.parametrize("kw, match", [
    (dict(copies=0), r"copies = 0 is out of range: allowed 1 <= copies <= 1000"),
    (dict(tau_key=1 * Hz), "tau_key = .* must have units of ms"),
    (dict(r0=0 * Hz), r"r0 = 0 Hz is out of range: allowed 0 Hz < r0 <= 10000 Hz"),
])
def test_bad_parameters_name_the_parameter(kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        MemoryCircuitParams(**kw)


@pytest.mark.parametrize("kw, match", [
    (dict(n_interneurons=0), r"n_interneurons = 0 is out of range: allowed 1 <= n_interneurons <= 10000"),
    (dict(p_pv_mem=0.0), r"p_pv_mem = 0.0 is out of range: allowed 0 < p_pv_mem <= 1"),
    (dict(p_mem_pv=1.5), r"p_mem_pv = 1.5 is out of range: allowed 0 < p_mem_pv <= 1"),
    (dict(w_i=-1 * nS), r"w_i = -1 nS is out of range: allowed 0 nS < w_i <= 100 nS"),
    (dict(tau_i=0.1 * ms), r"tau_i = 0.1 ms is out of range: allowed 0.5 ms <= tau_i <= 100 ms"),
    (dict(g_scale=1 * ms), "g_scale = .* must have units of nS"),
    (dict(V_reset=-45 * mV), r"V_reset = -45 mV is out of range: allowed -100 mV <= V_reset < -50 mV"),
])
def test_bad_interneuron_parameters_name_the_parameter(kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        InterneuronParams(**kw)


def test_shape_mismatches_and_bad_schedules_raise():
    keys = np.ones((3, 4)) / 2
    sch = _schedule(period=100 * ms, query=np.ones((2, 4)), beta=np.ones(2), write=np.zeros(3, int), clear=np.full(3, 2),
                    shift=np.zeros(2), settle=20 * ms)
    with pytest.raises(ValueError, match="rows"):
        build_memory_circuit(SMALL, keys, np.ones((2, 5)), 1.0, sch)
    with pytest.raises(ValueError, match="d_k"):
        build_memory_circuit(SMALL, np.ones((3, 5)), np.ones((3, 5)), 1.0, sch)
    with pytest.raises(ValueError, match="beta"):
        _schedule(period=100 * ms, query=np.ones((2, 4)), beta=np.array([1.0, 0.0]), write=np.zeros(3, int), clear=np.full(3, 2),
                  shift=np.zeros(2), settle=20 * ms)
    with pytest.raises(ValueError, match="non-negative"):
        _schedule(period=100 * ms, query=-np.ones((2, 4)), beta=np.ones(2), write=np.zeros(3, int), clear=np.full(3, 2),
                  shift=np.zeros(2), settle=20 * ms)


def test_slot_is_silent_before_its_write_and_after_its_clear():
    rng = np.random.default_rng(1)
    d, n_slots = 12, 3
    keys = (rng.random((n_slots, d)) < 0.5) / np.sqrt(d / 2)
    sch = _schedule(period=120 * ms, query=keys[[0, 0, 0]], beta=np.full(3, 4.0),
                    write=np.array([1, 0, 0]), clear=np.array([2, 3, 3]), shift=np.zeros(3), settle=40 * ms)
    circ = build_memory_circuit(SMALL, keys, np.eye(n_slots), 1.0, sch)
    assert np.array_equal(sch.active[:, 0], [False, True, False])
    Network(*circ.objects).run(sch.duration)
    per_window = np.zeros((3, n_slots), int)
    t = np.asarray(circ.memory_spikes.t / ms)
    np.add.at(per_window, ((t // 120).astype(int), np.asarray(circ.memory_spikes.i) // SMALL.copies), 1)
    assert per_window[0, 0] == 0 and per_window[2, 0] == 0  # whole windows, settling included
    assert per_window[1, 0] > 10 and per_window[:, 1].min() > 0  # stored: fires; slot 1 always stored


def test_raw_spikes_hold_memory_and_readout_and_mec_only_when_all_are_recorded():
    rng = np.random.default_rng(2)
    keys = (rng.random((3, 8)) < 0.5) / 2
    sch = _schedule(period=100 * ms, query=keys[:2], beta=np.full(2, 4.0), write=np.zeros(3, int),
                    clear=np.full(3, 2), shift=np.zeros(2), settle=40 * ms)
    for record_all in (False, True):
        circ = build_memory_circuit(SMALL, keys, np.eye(3), 1.0, sch, record_all=record_all)
        Network(*circ.objects).run(sch.duration)
        raw = circ.raw_spikes()
        assert ("mec" in raw) == record_all and {"memory", "pv", "readout"} <= set(raw)
        for name, (i, t, n) in raw.items():
            assert len(i) == len(t) and (np.asarray(i) < n).all() and (np.asarray(t) < float(sch.duration / second)).all()
        if record_all:  # every counted MEC spike is in the raw record
            np.testing.assert_array_equal(np.bincount(raw["mec"][0], minlength=raw["mec"][2]),
                                          np.asarray(circ.mec_counts.count))
        epochs = circ.window_epochs()
        assert np.allclose(epochs["read_start_s"] - epochs["start_s"], 0.04)
        assert epochs["open_slots"].tolist() == [3, 3]
