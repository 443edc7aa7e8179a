"""PF→PC rule: CF-timed LTD through the eligibility trace, LTP per PF spike, bounds, phase switch."""
import numpy as np
import pytest
from brian2 import Network, SpikeGeneratorGroup, mV, ms, nS, second

from cerebellum.cells import connect_channel, make_cells
from cerebellum.params import PlasticityParams, cell_params, eligibility_kernel

GRC = cell_params("grc")
PC = cell_params("pc")
#: Kernel of these tests: 8 stages of 100/7 ms without delay (eligibility peak 100 ms after a PF spike).
KERNEL = dict(n_stages=8, tau_e=(100.0 / 7.0) * ms, eligibility_delay=0 * ms)
from cerebellum.plasticity import climbing_fibres, pf_pc_synapses, plasticity_schedule


def _run(cf_after, plastic_windows=((0, 1000),), w0=0.5, a_plus=0.01, a_minus=0.05, w_min=0.0):
    """One GrC spike at ~1 ms; a CF reaches the PC ``cf_after`` ms later; return final w (nS)."""
    pp = PlasticityParams(**KERNEL, A_plus=a_plus * nS, A_minus=a_minus * nS, w0=w0 * nS, w_min=w_min * nS,
                          w_max=2 * nS, pf_delay=0 * ms, cf_delay=0 * ms)
    grc = make_cells(GRC, 1, eligibility=pp, name="grc_p")
    pc = make_cells(PC, 1, cf_event=True, channels={"pf": (20 * ms, 0 * mV)}, name="pc_p")
    mf = SpikeGeneratorGroup(1, [0], [0 * ms])
    drive = connect_channel(mf, grc, GRC, np.array([0]), np.array([0]), 1.5 * nS)  # one spike (2 above ~2 nS)
    io = SpikeGeneratorGroup(1, [0] if cf_after is not None else [], ([cf_after] if cf_after is not None else []) * ms)
    sched = plasticity_schedule([(a * ms, b * ms) for a, b in plastic_windows], 1 * second)
    pf = pf_pc_synapses(grc, pc, PC, np.array([0]), np.array([0]), pp, schedule=sched)
    cf = climbing_fibres(io, pc, [0], [0], delay=0 * ms)
    from brian2 import SpikeMonitor
    mon = SpikeMonitor(grc)
    Network(grc, pc, mf, drive, io, pf, cf, mon).run(320 * ms)
    assert mon.num_spikes == 1
    return float(pf.w[0] / nS), float(mon.t[0] / ms)


def test_ltd_is_largest_at_the_eligibility_peak():
    w_peak, t_spike = _run(cf_after=None)
    assert w_peak == pytest.approx(0.51)  # LTP only: one PF spike
    w, t = _run(cf_after=t_spike + 100)
    assert w == pytest.approx(0.5 + 0.01 - 0.05, abs=2e-4)  # elig = 1 at the peak
    w_early, _ = _run(cf_after=t_spike + 40)
    w_late, _ = _run(cf_after=t_spike + 300)
    k = eligibility_kernel(np.array([40.0, 300.0]) * ms, PlasticityParams(**KERNEL))
    assert w_early == pytest.approx(0.51 - 0.05 * k[0], abs=3e-4)
    assert w_late == pytest.approx(0.51 - 0.05 * k[1], abs=3e-4)
    assert w < w_early < w_late <= 0.51


def test_plasticity_switch_and_bounds():
    w_off, t = _run(cf_after=101, plastic_windows=((300, 400),))
    assert w_off == pytest.approx(0.5)  # plastic = 0 while the spike and the CF happen
    w_clip, _ = _run(cf_after=t + 100, w0=0.02, a_minus=0.5)
    assert w_clip == pytest.approx(0.0)  # clipped at w_min


def test_schedule_rejects_bad_windows():
    with pytest.raises(TypeError, match="window start"):
        plasticity_schedule([(0, 1 * second)], 2 * second)
    with pytest.raises(ValueError, match="window stop"):
        plasticity_schedule([(1 * second, 0.5 * second)], 2 * second)
