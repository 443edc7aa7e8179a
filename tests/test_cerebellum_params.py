"""Cell and plasticity parameters: reference values, validation messages, eligibility kernel."""
import dataclasses

import numpy as np
import pytest
from brian2 import Hz, mV, ms, nS, pA, pF

from cerebellum.params import (CELL_TYPES, DCN, GOC, GRC, IO, PC, CellParams, PlasticityParams,
                               eligibility_kernel)


def test_reference_cells_have_table_values():
    assert float(GRC.tau_m / ms) == pytest.approx(24.1, abs=0.1)  # 7 pF / 0.29 nS
    assert float(PC.tau_m / ms) == pytest.approx(47.0, abs=0.1)
    assert PC.v_inf > PC.V_th and GOC.v_inf > GOC.V_th and DCN.v_inf > DCN.V_th  # tonic cells
    assert GRC.v_inf < GRC.V_th and IO.v_inf < IO.V_th  # silent without input
    assert set(CELL_TYPES) == {"grc", "goc", "pc", "mli", "dcn", "dcni", "io"}


@pytest.mark.parametrize("field, value, exc, match", [
    ("C_m", -1 * pF, ValueError, "C_m"),
    ("g_L", 0.3, TypeError, "g_L"),
    ("V_th", -80 * mV, ValueError, "V_th"),
    ("synapse", "delta", ValueError, "synapse"),
    ("tau_exc", 0 * ms, ValueError, "tau_exc"),
])
def test_cell_params_reject_bad_values(field, value, exc, match):
    with pytest.raises(exc, match=match):
        dataclasses.replace(GRC, **{field: value})


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


def test_eligibility_kernel_peaks_100ms_before_cf():
    p = PlasticityParams()
    t = np.arange(0, 400, 0.5) * ms
    k = eligibility_kernel(t, p)
    assert float(t[np.argmax(k)] / ms) == pytest.approx(100.0, abs=0.5)
    assert k.max() == pytest.approx(1.0, abs=1e-4)
    assert k[0] == 0 and k[-1] < 1e-3
    half = t[k >= 0.5]
    assert 55 < float(half[0] / ms) < 70 and 140 < float(half[-1] / ms) < 160  # FWHM 62-151 ms (reference §4)
    q = PlasticityParams.with_peak(150 * ms, n_stages=5)
    assert float(q.eligibility_peak / ms) == pytest.approx(150.0)
    with pytest.raises(TypeError, match="t = "):
        eligibility_kernel(np.arange(3), p)
