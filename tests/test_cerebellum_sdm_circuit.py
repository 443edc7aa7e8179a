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


# -- the deep-nuclear decision stage -----------------------------------------------------------------

@pytest.mark.parametrize("kw, exc, match", [
    ({"dcn_per_group": 0}, ValueError, "dcn_per_group = 0 is out of range: allowed 1 <= dcn_per_group <= 1000"),
    ({"dcn_drive_spread": 1.0}, ValueError, "dcn_drive_spread = 1.0 is out of range: allowed 0.0 <= dcn_drive_spread < 1.0"),
    ({"dcn_drive_spread": -0.1}, ValueError, "dcn_drive_spread = -0.1 is out of range"),
    ({"w_dcn_lateral": -1 * nS}, ValueError, "w_dcn_lateral = -1 nS is out of range: allowed 0 nS <= w_dcn_lateral <= 10000 nS"),
    ({"w_dcn_lateral": 1}, TypeError, "w_dcn_lateral = 1 must have units of"),
    ({"delay_dcn_lateral": -1 * ms}, ValueError, "delay_dcn_lateral = -1 ms is out of range: allowed 0 ms <= delay_dcn_lateral <= 1000 ms"),
])
def test_nuclear_params_reject_bad_values(kw, exc, match):
    with pytest.raises(exc, match=match):
        SDMCircuitParams(**kw)


def test_nuclear_wiring_gives_each_bit_a_bit_group_and_a_reference_group():
    from cerebellum.sdm_nuclei import (BIT, REFERENCE, dcn_drive_offsets, dcn_initial_potentials, dcn_layout,
                                       dcn_wiring)

    n_out, k, g = 3, 2, 4
    bit, role = dcn_layout(n_out, g)
    assert np.array_equal(np.bincount(bit * 2 + role), np.full(2 * n_out, g))
    (pi, pj), (li, lj) = dcn_wiring(n_out, k, g)
    pc_bit = np.repeat(np.arange(n_out + 1), k)  # bit of every PC, n_out = reference
    # bit PCs reach only their own bit group; reference PCs reach every reference group and nothing else
    from_bit = pc_bit[pi] < n_out
    assert np.all(role[pj[from_bit]] == BIT) and np.array_equal(bit[pj[from_bit]], pc_bit[pi[from_bit]])
    assert np.all(role[pj[~from_bit]] == REFERENCE)
    assert len(pi) == n_out * k * g + k * n_out * g and len(set(zip(pi, pj))) == len(pi)
    # lateral: within one bit, across roles, all g x g both ways
    assert np.array_equal(bit[li], bit[lj]) and np.all(role[li] != role[lj]) and len(li) == 2 * n_out * g * g
    v = dcn_initial_potentials(-55.0, -36.0, n_out, g)
    assert np.all((v > -55) & (v < -36)) and np.array_equal(v[role == BIT], v[role == REFERENCE])
    drive = dcn_drive_offsets(400.0, 0.2, n_out, g)
    np.testing.assert_allclose(drive[:g], [-80, -80 / 3, 80 / 3, 80])
    assert np.array_equal(drive[role == BIT], drive[role == REFERENCE])
    with pytest.raises(ValueError, match="spread = 1.5 is out of range"):
        dcn_drive_offsets(400.0, 1.5, n_out, g)


def test_nuclear_read_compares_group_spike_counts():
    from cerebellum.sdm_nuclei import dcn_bits, dcn_group_counts

    n_out, g = 2, 3
    counts = np.zeros((2, 2 * n_out * g), int)
    counts[0, :g] = 5  # bit 0, bit group: 15 spikes
    counts[0, 2 * g:3 * g] = 4  # bit 0, reference group: 12 spikes
    counts[1, 3 * g] = 1  # bit 1, reference group: 1 spike; bit 0 ties at 0
    cb, cr = dcn_group_counts(counts, n_out, g)
    assert cb.tolist() == [[15, 0], [0, 0]] and cr.tolist() == [[12, 0], [0, 1]]
    assert dcn_bits(cb, cr).tolist() == [[1, 0], [0, 0]]
    with pytest.raises(ValueError, match="cell_counts has shape"):
        dcn_group_counts(counts[:, :-1], n_out, g)


def _nuclear_bits(bit_pc_current, silence_reference: bool):
    """Nuclear read after 200 ms of tonic Purkinje firing without mossy-fibre input: the Purkinje cells
    of pointer bit ``j`` get ``bit_pc_current[j]`` (pA) on top of their bias (``None``: held below
    threshold), and the reference Purkinje cells are held below threshold if ``silence_reference``."""
    from brian2 import pA, start_scope

    from cerebellum.sdm_nuclei import dcn_bits, dcn_group_counts

    start_scope()
    p = SDMCircuitParams(mode="biological", n=8, K=4, r=20, n_out=len(bit_pc_current), pcs_per_bit=2,
                         goc_mf_bits=4, grc_per_goc=10)
    c = build_sdm_circuit(p, np.random.default_rng(0))
    silent = -2000.0
    current = [silent if x is None else x for x in bit_pc_current] + [silent if silence_reference else 0.0]
    c.pc.I_ext = np.asarray(current)[c.pc_groups()] * pA
    c.network.run(200 * ms)
    t = np.asarray(c.monitors["dcn"].t / ms)
    counts = np.bincount(np.asarray(c.monitors["dcn"].i)[t >= 30], minlength=len(c.dcn))[None, :]
    return dcn_bits(*dcn_group_counts(counts, p.n_out, p.dcn_per_group))[0].tolist()


def test_nuclear_bit_is_decided_by_spikes_silenced_purkinje_cells_flip_it():
    """Bit Purkinje cells faster than the reference read 0, slower ones read 1, silenced ones read 1
    (their bit group is released); silencing the reference Purkinje cells releases every reference
    group, and every bit reads 0 (a silenced bit ties with its reference group: equal counts read 0)."""
    currents = [150.0, None, -150.0, 150.0]
    assert _nuclear_bits(currents, silence_reference=False) == [0, 1, 1, 0]
    assert _nuclear_bits(currents, silence_reference=True) == [0, 0, 0, 0]
