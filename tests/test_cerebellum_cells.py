"""Cell groups and wiring helpers (numpy runtime, small and fast)."""
import numpy as np
import pytest
from brian2 import Network, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, mV, ms, nS, second

from cerebellum.cells import connect, connect_channel, eligibility_delay_line, make_cells, on_pre_code
from cerebellum.params import PlasticityParams, cell_params, eligibility_kernel

GRC = cell_params("grc")
PC = cell_params("pc")
#: The broad 8-stage kernel without delay (peak 100 ms): its chain is kicked by the spike reset.
BROAD = PlasticityParams(n_stages=8, tau_e=(100.0 / 7.0) * ms, eligibility_delay=0 * ms)


def test_purkinje_cells_fire_tonically_in_target_range():
    pc = make_cells(PC, 2, name="pc_test")
    mon = SpikeMonitor(pc)
    Network(pc, mon).run(0.5 * second)
    rate = mon.count[:] / 0.5
    assert np.all((rate >= 50) & (rate <= 90))  # tonic simple spikes ~50-90 Hz (Casali et al. 2019)


@pytest.mark.parametrize("kind", ["alpha", "exp"])
def test_synapse_weight_is_peak_conductance(kind):
    params = cell_params("grc", synapse=kind)
    grc = make_cells(params, 1, name="grc_test")
    src = SpikeGeneratorGroup(1, [0], [1 * ms])
    syn = connect_channel(src, grc, params, np.array([0]), np.array([0]), 0.1 * nS)
    mon = StateMonitor(grc, "g_exc", record=0)
    Network(grc, src, syn, mon).run(15 * ms)
    g = mon.g_exc[0]
    # exponential Euler freezes y while stepping g: ~3 % overshoot of the alpha peak at dt = 0.1 ms
    assert float(g.max() / nS) == pytest.approx(0.1, rel=0.01 if kind == "exp" else 0.04)
    t_peak = float(mon.t[np.argmax(g)] / ms) - 1.0
    assert t_peak == pytest.approx(float(params.tau_exc / ms) if kind == "alpha" else 0.0, abs=0.25)


def test_eligibility_chain_and_cf_event_variables():
    grc = make_cells(GRC, 3, name="grc_e", eligibility=BROAD)
    pc = make_cells(PC, 1, name="pc_e", cf_event=True, channels={"pf": (20 * ms, 0 * mV)})
    assert {"x_1", "x_8", "elig"} <= set(grc.variables)
    assert {"cf_count", "g_pf", "y_pf"} <= set(pc.variables)
    assert on_pre_code(PC, "pf").startswith("y_pf_post +=")


@pytest.mark.parametrize("delay", [0 * ms, 30 * ms])
def test_eligibility_chain_follows_the_shifted_kernel(delay):
    """One GrC spike: the chain output (fed by the reset or by the delay line) is the kernel, shifted
    by ``eligibility_delay``, peak 1 at ``eligibility_peak``."""
    pl = PlasticityParams(n_stages=3, tau_e=10 * ms, eligibility_delay=delay)
    grc_p = cell_params("grc", synapse="exp")
    grc = make_cells(grc_p, 1, name="grc_d", eligibility=pl, method="euler")
    line = eligibility_delay_line(grc, pl)
    assert (line is None) == (delay == 0 * ms)
    src = SpikeGeneratorGroup(1, [0], [2 * ms])
    syn = connect_channel(src, grc, grc_p, np.array([0]), np.array([0]), 5 * nS)
    mon = StateMonitor(grc, "elig", record=0, dt=0.5 * ms)
    spikes = SpikeMonitor(grc)
    Network(grc, src, syn, mon, spikes, *([line] if line is not None else [])).run(200 * ms)
    assert spikes.num_spikes == 1
    t_spike = spikes.t[0]
    expected = eligibility_kernel(mon.t - t_spike, pl)
    np.testing.assert_allclose(mon.elig[0], expected, atol=0.02)  # forward Euler at dt = 0.1 ms
    t_peak = mon.t[np.argmax(mon.elig[0])] - t_spike
    assert float(abs(t_peak - pl.eligibility_peak) / ms) <= 1.0
    assert float(pl.eligibility_peak / ms) == pytest.approx(float((delay + 20 * ms) / ms))


def test_eligibility_delay_is_validated():
    with pytest.raises(ValueError, match="eligibility_delay"):
        PlasticityParams(eligibility_delay=-1 * ms)
    with pytest.raises(TypeError, match="eligibility_delay"):
        PlasticityParams(eligibility_delay=3)


def test_connect_validates_indices_and_weights():
    a = make_cells(GRC, 3, name="a_c")
    b = make_cells(GRC, 2, name="b_c")
    with pytest.raises(ValueError, match="j has indices"):
        connect(a, b, np.array([0, 1]), np.array([0, 2]), "v_post += 1*mV", model="")
    with pytest.raises(ValueError, match="same length"):
        connect(a, b, np.array([0, 1]), np.array([0]), "v_post += 1*mV", model="")
    with pytest.raises(TypeError, match="w = "):
        connect_channel(a, b, GRC, np.array([0]), np.array([0]), 0.5)
    with pytest.raises(ValueError, match="w has minimum"):
        connect_channel(a, b, GRC, np.array([0]), np.array([0]), -0.5 * nS)
