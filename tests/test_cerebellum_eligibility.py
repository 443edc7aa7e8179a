"""The cheap granule-cell formulation has the dynamics of the reference one (numpy runtime, small).

* event-driven eligibility = the filter chain integrated exactly = the superposed kernel of
  :func:`cerebellum.params.eligibility_kernel`, for every spike, not only the last;
* refractoriness from the stored spike step holds the same steps as Brian2's ``refractory``
  (identical spike trains), also when ``t_ref`` is not a whole number of steps;
* single-precision state keeps the spike statistics (counts within a stated tolerance).
"""
import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, PoissonGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, Hz,
                    defaultclock, mV, ms)

from cerebellum.cells import connect, eligibility_delay_line, make_cells
from cerebellum.eligibility import eligibility_equations, eligibility_kick_code
from cerebellum.params import PlasticityTiming, cell_params, eligibility_kernel

GRC = cell_params("grc", synapse="exp")
#: Spike times (ms) with several spikes inside one kernel width, so superposition is tested.
SPIKES_MS = [3.0, 5.5, 9.0, 40.0, 41.0, 120.0]


def _kicked_group(timing, update, method):
    """A group holding only the eligibility, kicked by the spikes of SPIKES_MS through a synapse;
    ``elig`` recorded after the synapses of each step, where the PF->PC rule reads it."""
    lines, ns = eligibility_equations(timing, update)
    group = NeuronGroup(1, "\n".join(lines), method=method, namespace=ns, name=f"elig_{update}")
    src = SpikeGeneratorGroup(1, [0] * len(SPIKES_MS), SPIKES_MS * ms)
    syn = connect(src, group, np.array([0]), np.array([0]), eligibility_kick_code(timing, update, "_post"),
                  model="")
    mon = StateMonitor(group, "elig", record=0, when="after_synapses")
    Network(group, src, syn, mon).run(250 * ms)
    return np.asarray(mon.t / ms), np.asarray(mon.elig[0])


@pytest.mark.parametrize("n_stages, tau_e", [(1, 5.0), (3, 10.0), (8, 100.0 / 7.0)])
def test_event_eligibility_is_the_exactly_integrated_chain(n_stages, tau_e):
    """Closed-form advance at kicks and reads = chain integrated by Brian2's exact (matrix
    exponential) method = sum of eligibility_kernel over every spike, up to rounding."""
    timing = PlasticityTiming(n_stages=n_stages, tau_e=tau_e * ms, eligibility_delay=0 * ms)
    t, event = _kicked_group(timing, "event", "exact")
    _, chain = _kicked_group(timing, "chain", "exact")
    spikes = np.asarray(SPIKES_MS)[None, :]
    reference = eligibility_kernel((t[:, None] - spikes) * ms, timing).sum(axis=1)
    assert event.max() > 1.0  # spikes overlap: more than one kernel peak at some time
    np.testing.assert_allclose(event, chain, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(event, reference, rtol=1e-9, atol=1e-12)


def test_event_eligibility_close_to_the_euler_chain():
    """The forward-Euler chain (the ``chain`` form of the granular layer) approximates the same
    kernel; at dt = tau_e / 20 its error is a few percent of the peak, which bounds how much the
    learning rule's LTD changes between the two forms."""
    defaultclock.dt = 0.5 * ms
    timing = PlasticityTiming(n_stages=3, tau_e=10 * ms, eligibility_delay=0 * ms)
    _, event = _kicked_group(timing, "event", "exact")
    _, euler = _kicked_group(timing, "chain", "euler")
    assert np.max(np.abs(euler - event)) / event.max() < 0.05


@pytest.mark.parametrize("update", ["chain", "event"])
def test_delay_line_kicks_the_group_form(update):
    """Delay line and reset drive either form; both peak at 1 at eligibility_peak after one spike."""
    timing = PlasticityTiming(n_stages=3, tau_e=10 * ms, eligibility_delay=30 * ms)
    grc = make_cells(GRC, 1, name="grc_dl", eligibility=timing, method="euler", eligibility_update=update,
                     refractoriness="spike_step", external_current=False)
    line = eligibility_delay_line(grc, timing)
    src = SpikeGeneratorGroup(1, [0], [2 * ms])
    syn = connect(src, grc, np.array([0]), np.array([0]), "g_exc_post += 5*nS", model="")
    mon = StateMonitor(grc, "elig", record=0, when="after_synapses")
    spikes = SpikeMonitor(grc)
    Network(grc, src, syn, line, mon, spikes).run(150 * ms)
    assert spikes.num_spikes == 1
    t_peak = float(mon.t[np.argmax(mon.elig[0])] / ms) - float(spikes.t[0] / ms)
    assert t_peak == pytest.approx(float(timing.eligibility_peak / ms), abs=1.0)
    assert mon.elig[0].max() == pytest.approx(1.0, rel=0.05 if update == "chain" else 1e-3)


def _driven_pair(t_ref_ms, dtype_b="float64", refr_b="spike_step", n=60, duration=300 * ms):
    """Two GrC groups driven by the same Poisson spikes: Brian2 refractoriness vs variant b."""
    defaultclock.dt = 0.5 * ms
    params = cell_params("grc", synapse="exp", t_ref=t_ref_ms)
    a = make_cells(params, n, name="grc_a", method="euler")
    b = make_cells(params, n, name="grc_b", method="euler", refractoriness=refr_b, external_current=False,
                   state_dtype=dtype_b)
    src = PoissonGroup(4 * n, 60 * Hz)
    i = np.arange(4 * n)
    j = i // 4
    syn_a = connect(src, a, i, j, "g_exc_post += 0.9*nS", model="")
    syn_b = connect(src, b, i, j, "g_exc_post += 0.9*nS", model="")
    ma, mb = SpikeMonitor(a), SpikeMonitor(b)
    va, vb = StateMonitor(a, "v", record=True), StateMonitor(b, "v", record=True)
    Network(a, b, src, syn_a, syn_b, ma, mb, va, vb).run(duration)
    return ma, mb, va, vb


@pytest.mark.parametrize("t_ref_ms", [1.5, 1.2, 0.0])
def test_spike_step_refractoriness_holds_the_same_steps(t_ref_ms):
    """Same input, same spike trains and membrane traces as Brian2's refractory (t_ref rounded to
    steps the same way: 1.5 ms = 3 steps, 1.2 ms = 2 steps at dt = 0.5 ms, 0 = none)."""
    ma, mb, va, vb = _driven_pair(t_ref_ms)
    assert ma.num_spikes > 200  # the cells fire often enough for refractoriness to matter
    np.testing.assert_array_equal(np.asarray(ma.i), np.asarray(mb.i))
    np.testing.assert_array_equal(np.asarray(ma.t / ms), np.asarray(mb.t / ms))
    np.testing.assert_allclose(np.asarray(va.v / mV), np.asarray(vb.v / mV), rtol=0, atol=1e-9)  # mV


def test_float32_state_keeps_spike_statistics():
    """Single-precision v and conductances: spike trains may drift apart (rounding near threshold),
    but the total count agrees within 2 % and per-cell counts within 2 spikes over 0.3 s."""
    ma, mb, _, vb = _driven_pair(1.5, dtype_b="float32")
    assert vb.source.variables["v"].dtype == np.float32
    assert vb.source.variables["g_exc"].dtype == np.float32
    assert vb.source.variables["spike_step"].dtype == np.int32
    na, nb = ma.num_spikes, mb.num_spikes
    assert abs(na - nb) <= 0.02 * na
    assert np.max(np.abs(np.asarray(ma.count) - np.asarray(mb.count))) <= 2


def test_bad_choices_name_the_parameter():
    with pytest.raises(ValueError, match="refractoriness"):
        make_cells(GRC, 2, refractoriness="never")
    with pytest.raises(ValueError, match="state_dtype"):
        make_cells(GRC, 2, state_dtype="float16")
    with pytest.raises(ValueError, match="eligibility_update"):
        make_cells(GRC, 2, eligibility=PlasticityTiming(), eligibility_update="lazy")
    with pytest.raises(ValueError, match="method"):
        make_cells(GRC, 2, refractoriness="spike_step", method="exponential_euler")
