"""Parameter declarations of the hippocampal memory: codes, circuit, the time grid (no simulation)."""
import subprocess
import sys

import pytest

from core.params import describe
from core.units import check_multiple_of_dt
from hippocampus.params import CodeParams, MemoryCircuitParams


def test_declarations_import_without_brian2():
    code = "import sys, hippocampus.params; sys.exit('brian2' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_circuit_parameters_have_units_ranges_and_meanings():
    params, _ = describe(MemoryCircuitParams)
    assert params["tau_key"].spec.unit == "ms" and params["r0"].spec.unit == "Hz"
    assert params["out_gain"].spec.unit == "Hz" and params["copies"].spec.unit is None
    assert all(p.spec.doc for p in params.values())
    assert str(params["r0"].default) == "1000 Hz"


@pytest.mark.parametrize("kw, match", [
    ({"cells_per_module": 8}, "cells_per_module = 8 is not allowed: use a perfect square"),
    ({"sensory_dim": 5}, r"only 5 distinct codes: allowed C\(sensory_dim, sensory_active\) >= n_object_types = 45"),
    ({"sensory_active": 41}, "sensory_active = 41 is out of range: allowed 1 <= sensory_active <= sensory_dim = 40"),
    ({"n_modules": 0}, "n_modules = 0 is out of range"),
    ({"base_scale": 0.0}, "base_scale = 0.0 is out of range"),
])
def test_code_parameters_reject_codes_that_cannot_work(kw, match):
    with pytest.raises(ValueError, match=match):
        CodeParams(**kw)


def test_code_builds_its_grid_code():
    code = CodeParams(n_modules=3, cells_per_module=4)
    grid = code.grid_code()
    assert grid.n_cells == code.n_grid_cells == 12 and grid.dim == 18


def test_times_must_lie_on_the_integration_grid():
    from brian2 import ms

    check_multiple_of_dt("settle", 60 * ms, 0.1 * ms)
    check_multiple_of_dt("settle", 0.75 * ms, 0.25 * ms)
    with pytest.raises(ValueError, match=r"read = 40.25 ms is not allowed: use a multiple of dt = 0.1 ms"):
        check_multiple_of_dt("read", 40.25 * ms, 0.1 * ms)
    with pytest.raises(ValueError, match="multiple of dt = 0.5 ms"):
        check_multiple_of_dt("read", 40.2 * ms, 0.5 * ms)
