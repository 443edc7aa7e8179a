"""Mechanisms of the eyeblink circuit in isolation (numpy or small runtime networks, seconds each):
timed CS fibres, probe schedule, probe-timing measure, olivary balance rate, spontaneous olive,
DCN rebound."""
import numpy as np
import pytest
from brian2 import Hz, ms, nS, pA, second

from cerebellum.eyeblink_cs import clustered_indegree, timed_centres, timed_rate_table
from cerebellum.eyeblink_schedule import make_schedule
from cerebellum.eyeblink_scoring import stable_after_criterion, timed_response
from cerebellum.params.eyeblink_circuit import EyeblinkParams
from cerebellum.params.plasticity import eligibility_kernel


def test_timed_fibres_peak_at_their_preferred_time_with_scalar_width():
    """A timed fibre's rate peaks at its preferred time c; its half-maximum width grows in
    proportion to c (log-time Gaussian, width 0.3: FWHM = c * 2 sinh(0.3 sqrt(2 ln 2)) = 0.72 c)."""
    t = np.arange(0, 2.0, 1e-4)
    c = np.array([0.1, 0.4])
    r = timed_rate_table(c, 0.3, 80.0, t)
    assert np.allclose(t[r.argmax(axis=0)], c, atol=2e-4) and np.allclose(r.max(axis=0), 80.0, rtol=1e-3)
    fwhm = np.array([np.ptp(t[r[:, k] >= 40.0]) for k in range(2)])
    assert np.allclose(fwhm / c, 2 * np.sinh(0.3 * np.sqrt(2 * np.log(2))), rtol=0.01)
    assert (r[0] == 0).all()  # nothing before CS onset
    cs = timed_centres(np.random.default_rng(0), 300, 0.02, 1.0)
    assert (np.diff(cs) >= 0).all() and cs.min() >= 0.02 and cs.max() <= 1.0


def test_timed_granule_cells_sample_neighbouring_fibres():
    """Each timed GrC draws k distinct fibres among `pool` fibres adjacent in preferred time."""
    i, j = clustered_indegree(np.random.default_rng(1), 300, np.arange(50, 250), k=4, pool=8)
    pre = i.reshape(200, 4)
    assert (j.reshape(200, 4) == np.arange(50, 250)[:, None]).all()
    assert (np.ptp(pre, axis=1) < 8).all() and (np.diff(pre, axis=1) > 0).all()
    assert pre.min() >= 0 and pre.max() < 300


def test_probe_trials_have_a_longer_cs_and_no_us():
    s = make_schedule([("acquisition", 4, True, 0.25, False), ("extinction", 2, False, 0.25, False)],
                      period=0.85, cs_onset=0.1, us_duration=0.02, probe_every=2, probe_extension=0.3)
    assert s.probe.tolist() == [False, True, False, True, False, False]
    assert s.us.tolist() == [True, False, True, False, False, False]
    assert np.allclose(s.cs_duration, [0.27, 0.55, 0.27, 0.55, 0.27, 0.27])
    g = s.gates()
    assert g["cs_gate"][850:1700].sum() == 550 and g["us_gate"][850:1700].sum() == 0  # probe: 550 ms CS
    assert g["cs_gate"][:850].sum() == 270 and g["us_gate"][:850].sum() == 20
    with pytest.raises(ValueError, match="probe"):
        make_schedule([("a", 2, True, 0.25, False)], period=0.6, cs_onset=0.1, us_duration=0.02, probe_every=1)


def test_timed_response_tells_a_timed_pause_from_a_ramp():
    """Recovery = (max after the minimum - minimum) / (baseline - minimum): ~1 for a pause that ends
    before CS offset, ~0 for a ramp down to CS offset (which puts its minimum at the offset)."""
    t = np.arange(-0.1, 0.7, 0.005) + 0.0025
    pause = 80 - 40 * np.exp(-0.5 * ((t - 0.25) / 0.04) ** 2)
    ramp = np.where((t >= 0) & (t < 0.55), 80 - 60 * np.clip(t, 0, None) / 0.55, 80)
    dcn = 20 + 30 * np.exp(-0.5 * ((t - 0.26) / 0.04) ** 2)
    r = timed_response(t, pause, dcn, 0.55, sigma=0.01)
    assert abs(r["pc_min_time"] - 0.25) <= 0.005 and abs(r["dcn_peak_time"] - 0.26) <= 0.005
    assert r["pc_recovery_fraction"] > 0.95
    r = timed_response(t, ramp, dcn, 0.55, sigma=0.01)
    assert r["pc_min_time"] > 0.5 and r["pc_recovery_fraction"] < 0.1


def test_stability_after_criterion_reads_the_blocks_after_it():
    cr = np.r_[np.zeros(60), np.ones(30), np.r_[np.ones(5), np.zeros(5)], np.ones(20)].astype(bool)
    assert stable_after_criterion(cr, 67, 10) == 50.0
    assert stable_after_criterion(cr, None) is None


def test_balance_rate_is_where_random_climbing_fibres_cancel_ltp():
    """f* = A_plus / (A_minus * integral of the peak-normalised eligibility) (numerical integral of
    the kernel); the eyeblink default puts it at 0.5-2 Hz, the range of the olive's rate."""
    pl = EyeblinkParams().plasticity
    t = np.arange(0, 1000, 0.01) * ms
    integral = float(np.sum(eligibility_kernel(t, pl)) * 0.01e-3)
    assert float(pl.eligibility_integral / second) == pytest.approx(integral, rel=1e-3)
    assert float(pl.balance_rate / Hz) == pytest.approx(float(pl.A_plus / pl.A_minus) / integral, rel=1e-3)
    assert 0.5 <= float(pl.balance_rate / Hz) <= 2.0


def test_olive_fires_spontaneously_near_1_hz_with_refractoriness():
    """12 IO cells with the default noise and the tonic nucleo-olivary inhibition of a ~30-Hz
    DCNi population (mean conductance 10 * 30 Hz * w_dcni_io * tau_inh): 0.3-3 Hz, no two spikes
    of a cell closer than its refractory period (100 ms)."""
    import brian2
    from brian2 import Network, SpikeMonitor, TimedArray

    from cerebellum.eyeblink_circuit import _io_group
    import dataclasses

    brian2.defaultclock.dt = 0.5 * ms
    brian2.seed(3)
    p = dataclasses.replace(EyeblinkParams(), n_io=12, n_pc=24)
    io = _io_group(p, TimedArray([0.0], dt=1 * second, name="us_gate_test"))
    io.sigma_ion = p.io_noise_sigma
    io.I_us = p.I_us
    g_tonic = 10 * 30 * Hz * p.w_dcni_io * p.io.tau_inh
    io.run_regularly("g_inh = g_tonic", dt=0.5 * ms, when="before_groups")
    io.namespace["g_tonic"] = g_tonic
    io.v = p.io.E_L
    mon = SpikeMonitor(io)
    Network(io, mon).run(20 * second)
    rate = mon.num_spikes / 12 / 20.0
    assert 0.3 <= rate <= 3.0
    for k in range(12):
        ts = np.sort(mon.t[mon.i == k] / second)
        assert (np.diff(ts) >= 0.1 - 1e-9).all()


@pytest.mark.parametrize("g_T, rebound", [(None, True), (0.0, False)])
def test_dcn_cells_rebound_after_inhibition(g_T, rebound):
    """A DCN cell under tonic PC-like inhibition (3 nS), held near -70 mV by 150 ms of strong
    inhibition (30 nS), fires a rebound burst on release (rate in the 50 ms after release > 2 x its
    tonic rate) through the T-type-like current; with g_T = 0 it stays silent in that window (it
    only recovers its tonic rate later)."""
    import brian2
    from brian2 import Network, SpikeMonitor
    import dataclasses

    from cerebellum.eyeblink_circuit import _dcn_group

    brian2.defaultclock.dt = 0.5 * ms
    p = EyeblinkParams() if g_T is None else dataclasses.replace(EyeblinkParams(), dcn_g_T=g_T * nS)
    dcn = _dcn_group(p.dcn, 1, "dcn_rebound_test", 50 * ms, p)
    dcn.v = p.dcn.V_reset
    dcn.I_ext = 0 * pA
    dcn.namespace["g_hold"] = 3 * nS
    dcn.run_regularly("g_inh = g_hold", dt=0.5 * ms, when="before_groups")
    mon = SpikeMonitor(dcn)
    net = Network(dcn, mon)
    net.run(500 * ms)
    dcn.namespace["g_hold"] = 30 * nS
    net.run(150 * ms)
    dcn.namespace["g_hold"] = 3 * nS
    net.run(300 * ms)
    t = mon.t / second
    base = ((t >= 0.2) & (t < 0.5)).sum() / 0.3
    after = ((t >= 0.65) & (t < 0.7)).sum() / 0.05
    assert base > 5
    assert (after > 2 * base) == rebound
