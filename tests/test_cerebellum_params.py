"""Cell and plasticity parameters: reference values, validation messages, eligibility kernel."""
import dataclasses

import numpy as np
import pytest
from brian2 import Hz, mV, ms, nS, pA, pF

from cerebellum.params import CELL_TYPES, PlasticityParams, cell_params, eligibility_kernel


def test_reference_cells_have_table_values():
    grc, pc, goc, dcn, io = (cell_params(k) for k in ("grc", "pc", "goc", "dcn", "io"))
    assert float(grc.tau_m / ms) == pytest.approx(24.1, abs=0.1)  # 7 pF / 0.29 nS
    assert float(pc.tau_m / ms) == pytest.approx(47.0, abs=0.1)
    assert pc.v_inf > pc.V_th and goc.v_inf > goc.V_th and dcn.v_inf > dcn.V_th  # tonic cells
    assert grc.v_inf < grc.V_th and io.v_inf < io.V_th  # silent without input
    assert set(CELL_TYPES) == {"grc", "goc", "pc", "mli", "dcn", "dcni", "io"}


def test_cell_params_changes_are_applied_and_named_types_only():
    pc = cell_params("pc", synapse="exp", I_e=700.0)
    assert pc.synapse == "exp" and pc.I_e == 700 * pA and pc.C_m == 334 * pF
    with pytest.raises(ValueError, match="kind = 'purkinje'"):
        cell_params("purkinje")


@pytest.mark.parametrize("field, value, exc, match", [
    ("C_m", -1 * pF, ValueError, "C_m"),
    ("g_L", 0.3, TypeError, "g_L"),
    ("V_th", -80 * mV, ValueError, "V_th"),
    ("synapse", "delta", ValueError, "synapse"),
    ("tau_exc", 0 * ms, ValueError, "tau_exc"),
])
def test_cell_params_reject_bad_values(field, value, exc, match):
    with pytest.raises(exc, match=match):
        dataclasses.replace(cell_params("grc"), **{field: value})


@pytest.mark.parametrize("kw, exc, match", [
    ({"n_stages": 0}, ValueError, "n_stages"),
    ({"A_plus": -1 * nS}, ValueError, "A_plus"),
    ({"A_minus": 0.1}, TypeError, "A_minus"),
    ({"w0": 3 * nS}, ValueError, "w0"),
    ({"w_max": 0 * nS}, ValueError, "w_max"),
    ({"tau_e": 5 * Hz}, TypeError, "tau_e"),
])
def test_plasticity_params_reject_bad_values(kw, exc, match):
    with pytest.raises(exc, match=match):
        PlasticityParams(**kw)


def test_default_rule_has_the_narrow_delayed_window():
    """Defaults (the eyeblink rule): 3 stages of 10 ms behind a 30-ms delay, peak 50 ms after the
    PF spike, half maximum from 38 to 72 ms."""
    p = PlasticityParams()
    t = np.arange(0, 300, 0.5) * ms
    k = eligibility_kernel(t, p)
    assert float(t[np.argmax(k)] / ms) == pytest.approx(50.0, abs=0.5)
    assert float(p.eligibility_peak / ms) == pytest.approx(50.0)
    assert k.max() == pytest.approx(1.0, abs=1e-4)
    assert (k[t < 30 * ms] == 0).all()  # nothing before the delay
    half = t[k >= 0.5]
    assert 37 < float(half[0] / ms) < 40 and 70 < float(half[-1] / ms) < 74


def test_broad_kernel_peaks_100ms_before_cf():
    """8 stages of 100/7 ms without delay: peak 100 ms, half maximum 62-151 ms."""
    p = PlasticityParams(n_stages=8, tau_e=(100.0 / 7.0) * ms, eligibility_delay=0 * ms)
    t = np.arange(0, 400, 0.5) * ms
    k = eligibility_kernel(t, p)
    assert float(t[np.argmax(k)] / ms) == pytest.approx(100.0, abs=0.5)
    assert k.max() == pytest.approx(1.0, abs=1e-4)
    assert k[0] == 0 and k[-1] < 1e-3
    half = t[k >= 0.5]
    assert 55 < float(half[0] / ms) < 70 and 140 < float(half[-1] / ms) < 160
    q = PlasticityParams(n_stages=5, tau_e=37.5 * ms, eligibility_delay=0 * ms)
    assert float(q.eligibility_peak / ms) == pytest.approx(150.0)
    with pytest.raises(TypeError, match="t = "):
        eligibility_kernel(np.arange(3), p)
