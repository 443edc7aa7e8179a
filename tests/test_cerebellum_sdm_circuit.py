"""SDM circuit: parameters, address code, threshold calibration, wiring (no long simulations)."""
import dataclasses

import numpy as np
import pytest
from brian2 import Hz, ms, nS

from cerebellum import sdm
from cerebellum.sdm_circuit import (SDMCircuitParams, active_fibres, build_sdm_circuit, calibrate,
                                    granule_fibres)


@pytest.mark.parametrize("kw, exc, match", [
    ({"K": 40}, ValueError, "K = 40 is out of range: allowed 1 <= K <= n = 32"),
    ({"grc_theta": 13}, ValueError, "grc_theta = 13 is out of range: allowed 1 <= grc_theta <= K \\* contacts_max = 12"),
    ({"contacts_max": 0}, ValueError, "contacts_max = 0"),
    ({"mode": "dense", "d": 32}, ValueError, "d = 32 is out of range: allowed 0 <= d <= n - 1 = 31"),
    ({"mode": "sparse"}, ValueError, "mode"),
    ({"mf_background_rate": -5 * Hz}, ValueError, "mf_background_rate"),
    ({"mf_background_rate": 5}, TypeError, "mf_background_rate = 5 must have units of Hz"),
    ({"period": 150 * ms}, ValueError, "period = .* allowed period >= 2 x eligibility peak"),
    ({"pf_signal": 3}, TypeError, "pf_signal"),
    ({"grc_per_goc": 9000}, ValueError, "grc_per_goc = 9000 is out of range: allowed 0 <= grc_per_goc <= r = 8000"),
    ({"r": 1, "grc_per_goc": 1, "pf_signal": 5000 * nS}, ValueError, "PF->PC rule out of range: A_plus"),
])
def test_params_reject_bad_values(kw, exc, match):
    with pytest.raises(exc, match=match):
        SDMCircuitParams(**kw)


def test_mode_specific_parameters_are_checked_only_in_their_mode():
    assert SDMCircuitParams(n=8).d == 10  # the dense radius does not constrain the biological decoder
    with pytest.raises(ValueError, match="d = 10"):
        SDMCircuitParams(mode="dense", n=8)
    assert SDMCircuitParams(mode="dense", n=8, d=3, K=20).K == 20  # K is a biological-mode parameter


def test_rule_timing_peaks_100_ms_after_a_pf_spike():
    p = SDMCircuitParams()
    assert p.plasticity.eligibility_peak == 100 * ms and p.plasticity.n_stages == 8
    rule = p.plasticity_rule
    assert (rule.pf_delay, rule.cf_delay, rule.eligibility_delay) == (5 * ms, 4 * ms, 0 * ms)
    assert rule.eligibility_peak == p.plasticity.eligibility_peak


def test_on_off_code_activates_exactly_n_fibres():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, (20, 10))
    f = active_fibres(a)
    assert f.shape == (20, 10)
    assert np.all(np.sort(f % 10, axis=1) == np.arange(10))  # one fibre per bit
    assert np.all((f < 10) == (a == 1))  # ON fibre iff bit is 1
    # a dense granule cell receives the fibres that match its address: overlap = n - Hamming distance
    x = rng.integers(0, 2, (5, 10))
    fib = granule_fibres(np.broadcast_to(np.arange(10), (5, 10)), x, 10)
    overlap = np.array([[len(set(fa) & set(fg)) for fg in fib] for fa in f])
    assert np.array_equal(overlap, 10 - sdm.hamming_distances(a, x))


def test_plasticity_rule_is_bipolar_and_scaled_by_the_expected_active_cells():
    p = SDMCircuitParams(mode="dense", n=16, d=4, r=2000)
    pl = p.plasticity_rule
    assert float(pl.A_minus / pl.A_plus) == pytest.approx(2.0)
    assert float(pl.A_plus / nS) == pytest.approx(20 / (2000 * sdm.space_fraction(16, 4)))
    assert float(pl.w0 / pl.A_plus) == pytest.approx(2.0) and pl.w_min == 0 * nS
    assert float((pl.w_max - pl.w0) / pl.A_plus) == pytest.approx(1000)
    assert (pl.A_plus, pl.A_minus, pl.w0, pl.w_max) == (p.A_plus, p.A_minus, p.w0, p.w_max)


def test_calibration_puts_threshold_between_theta_minus_one_and_theta():
    p = SDMCircuitParams(mode="dense", n=16, d=4, r=2000)
    cal = calibrate(p)
    theta = p.threshold_inputs
    w, g = cal["w_mf_grc"], cal["G_crit"]
    assert (theta - 1) * w < g * (1 - cal["resolution"]) and theta * w > g  # margin both ways
    assert cal["io_spikes"] == 1 and 0 < cal["io_latency"] < 10
    assert 0 < cal["latency_max"] <= cal["latency_theta"] < 15


def test_builder_wires_dense_and_biological_decoders():
    rng = np.random.default_rng(3)
    p = SDMCircuitParams(mode="dense", n=16, d=4, r=300, n_out=4, pcs_per_bit=2)
    c = build_sdm_circuit(p, rng)
    assert c.granule_addresses.shape == (300, 16) and len(c.synapses["mf_grc"]) == 300 * 16
    assert len(c.synapses["pf_pc"]) == 300 * 4 * 2 and len(c.pc) == (4 + 1) * 2
    q = rng.integers(0, 2, (3, 16))
    assert np.array_equal(c.expected_active(q), sdm.hamming_distances(q, c.granule_addresses) <= 4)
    assert "grc_goc" not in c.synapses  # no feedback in dense mode by default
    b = build_sdm_circuit(dataclasses.replace(p, mode="biological", K=4), np.random.default_rng(3))
    assert b.mf_to_grc.shape == (300, 4) and len(b.synapses["mf_grc"]) == 300 * 4
    assert "grc_goc" in b.synapses
    assert np.all(np.sort(b.coords, axis=1)[:, 1:] != np.sort(b.coords, axis=1)[:, :-1])  # distinct bits
    # synapse strength = contacts x the calibrated unit, in the order of mf_to_grc
    assert b.contacts.shape == (300, 4) and set(np.unique(b.contacts)) <= {1, 2, 3}
    w = np.asarray(b.synapses["mf_grc"].w[:] / nS)
    np.testing.assert_allclose(w, b.contacts.ravel() * b.calibration["w_mf_grc"], rtol=1e-12)
    np.testing.assert_array_equal(b.expected_active(q), sdm.weighted_coordinate_activation(
        q, b.coords, b.values, b.contacts, 9))
    with pytest.raises(TypeError, match="rng"):
        build_sdm_circuit(p, 3)


@pytest.mark.parametrize("delay", [0 * ms, 20 * ms])
def test_last_spike_eligibility_equals_the_chain_and_the_kernel(delay):
    """The analytic last-spike eligibility reproduces the 8-stage chain after one GrC spike
    (also with a delay line in front of the chain)."""
    from brian2 import Network, SpikeGeneratorGroup, StateMonitor

    from cerebellum.cells import connect_channel
    from cerebellum.cells import eligibility_delay_line
    from cerebellum.params import eligibility_kernel
    from cerebellum.sdm_circuit import _granule_cells

    traces = {}
    plasticity = dataclasses.replace(SDMCircuitParams().plasticity, eligibility_delay=delay)
    for kind in ("chain", "last_spike"):
        p = SDMCircuitParams(mode="biological", n=8, K=4, r=200, eligibility=kind, plasticity=plasticity,
                             period=300 * ms)
        pl = p.plasticity_rule
        g = _granule_cells(p, pl, 1)
        line = eligibility_delay_line(g, pl) if kind == "chain" else None
        src = SpikeGeneratorGroup(1, [0], [2] * ms)
        s = connect_channel(src, g, p.grc, np.array([0]), np.array([0]), 5 * nS)
        mon = StateMonitor(g, "elig", record=0, dt=1 * ms)
        spikes = __import__("brian2").SpikeMonitor(g)
        Network(g, src, s, mon, spikes, *([line] if line is not None else [])).run(250 * ms)
        assert spikes.num_spikes == 1
        traces[kind] = (np.asarray(mon.elig[0]), float(spikes.t[0] / ms))
    (chain, t0), (last, t1) = traces["chain"], traces["last_spike"]
    assert t0 == t1
    t = np.arange(250) * ms
    kernel = eligibility_kernel(t - t0 * ms, plasticity)
    np.testing.assert_allclose(last, kernel, atol=1e-9)
    assert np.max(np.abs(chain - last)) < 0.01 and last.max() == pytest.approx(1.0, abs=1e-3)
