"""Parameter declarations: defaults, validation, dotted names, derived values, overrides, JSON."""
import dataclasses
import json
import sys
import subprocess

import pytest

from cerebellum.params import CELL_TYPES, CellParams
from core.jsonio import to_jsonable
from core.overrides import OverrideError, apply, parse_value, read_config_file, resolve, split_assignment
from core.params import declared_values, derived, describe, nested, param, validate


@dataclasses.dataclass(frozen=True)
class Inner:
    tau: object = param(10.0, "decay time", unit="ms", lo=0, lo_open=True, hi=1000)
    rate: object = param(5.0, "input rate", unit="Hz", lo=0, hi=500)

    def __post_init__(self):
        validate(self)

    @derived("tau", "rate")
    def events_per_tau(self):
        """input spikes in one decay time, tau * rate"""
        return float(self.tau * self.rate)


@dataclasses.dataclass(frozen=True)
class Outer:
    n: int = param(4, "address bits", lo=1, hi=64)
    d: int = param(2, "radius", lo=0, hi="n - 1", only_if=("mode", "dense"))
    mode: str = param("dense", "decoder", choices=("dense", "biological"))
    levels: tuple = param((0.0, 0.5), "noise levels", lo=0, hi=1)
    a: Inner = nested(Inner, "first input")
    b: Inner = nested(Inner, "second input", tau=20.0)
    cell: CellParams = nested(CellParams, "a granule cell", **CELL_TYPES["grc"])

    def __post_init__(self):
        validate(self)


def test_declared_defaults_become_quantities_and_nested_overrides_apply():
    from brian2 import Hz, ms, nS

    o = Outer()
    assert o.a.tau == 10 * ms and o.b.tau == 20 * ms and o.a.rate == 5 * Hz
    assert o.cell.g_L == 0.29 * nS and o.levels == (0.0, 0.5)
    assert float(o.cell.tau_m / ms) == pytest.approx(7 / 0.29)


@pytest.mark.parametrize("kw, exc, match", [
    ({"n": 0}, ValueError, r"n = 0 is out of range: allowed 1 <= n <= 64"),
    ({"n": 4, "d": 4}, ValueError, r"d = 4 is out of range: allowed 0 <= d <= n - 1 = 3"),
    ({"mode": "sparse"}, ValueError, "mode = 'sparse' is not allowed"),
    ({"levels": (0.2, 1.5)}, ValueError, r"levels\[1\] = 1.5 is out of range"),
])
def test_validation_names_parameter_value_and_range(kw, exc, match):
    with pytest.raises(exc, match=match):
        Outer(**kw)


def test_mode_specific_range_is_checked_only_in_that_mode():
    assert Outer(mode="biological", n=4, d=10).d == 10  # d is a dense-mode parameter
    with pytest.raises(ValueError, match="d = 10"):
        Outer(mode="dense", n=4, d=10)


def test_quantity_needs_its_units_and_range():
    from brian2 import Hz, ms

    with pytest.raises(TypeError, match="tau = .* must have units of ms"):
        Inner(tau=5 * Hz)
    with pytest.raises(TypeError, match="must have units of ms"):
        Inner(tau=5.0)  # a bare number is not silently read as ms
    with pytest.raises(ValueError, match=r"tau = 2000 ms is out of range: allowed 0 ms < tau <= 1000 ms"):
        Inner(tau=2 * 1000 * ms)


def test_describe_lists_dotted_names_defaults_and_derived_values_without_constructing():
    params, derived_ = describe(Outer)
    assert params["b.tau"].default_text() == "20 ms"
    assert params["cell.g_L"].default_text() == "0.29 nS" and params["cell.g_L"].spec.unit == "nS"
    assert params["levels"].default_text() == "0,0.5"
    assert derived_["cell.tau_m"].sources == ("cell.C_m", "cell.g_L")
    assert derived_["a.events_per_tau"].doc.startswith("input spikes in one decay time")


def test_names_resolve_by_unique_suffix_and_derived_ones_are_refused():
    assert resolve(Outer, "cell.g_L") == "cell.g_L" and resolve(Outer, "g_L") == "cell.g_L"
    with pytest.raises(OverrideError, match="ambiguous parameter; use one of a.tau, b.tau"):
        resolve(Outer, "tau")
    with pytest.raises(OverrideError, match=r"cell.tau_m: derived parameter .* computed from cell.C_m and cell.g_L"):
        resolve(Outer, "cell.tau_m")
    with pytest.raises(OverrideError, match="unknown parameter; did you mean"):
        resolve(Outer, "cell.g_l")
    with pytest.raises(OverrideError, match="must look like name=value"):
        split_assignment("tau")


def test_values_are_parsed_for_their_declaration():
    from brian2 import ms

    specs = {p: i.spec for p, i in describe(Outer)[0].items()}
    assert parse_value("3*ms", specs["a.tau"], "--set a.tau") == 3 * ms
    assert parse_value("250", specs["a.tau"], "--isi", bare_number_in_unit=True) == 250 * ms
    assert parse_value("0.1,0.2", specs["levels"], "--set levels") == (0.1, 0.2)
    assert parse_value("none", specs["levels"], "--set levels") == ()
    assert parse_value("biological", specs["mode"], "--set mode") == "biological"
    assert parse_value("2**3", specs["n"], "--set n") == 8
    with pytest.raises(OverrideError, match="needs units of ms"):
        parse_value("3", specs["a.tau"], "--set a.tau")
    with pytest.raises(OverrideError, match="unknown unit pS"):
        parse_value("0.8*pS", specs["cell.g_L"], "--set cell.g_L")
    for attack in ("__import__('os')", "().__class__", "(lambda: 1)()", "9**9**9", "[0]*10**7"):
        with pytest.raises(OverrideError):
            parse_value(attack, specs["n"], "--set n")


def test_apply_validates_the_final_combination_once():
    o = apply(Outer(), {"n": 8, "d": 6})  # d = 6 is only valid together with n = 8
    assert (o.n, o.d) == (8, 6)
    from brian2 import ms

    o = apply(Outer(), {"cell.t_ref": 2 * ms, "b.tau": 3 * ms})
    assert o.cell.t_ref == 2 * ms and o.b.tau == 3 * ms and o.cell.g_L == Outer().cell.g_L


def test_json_round_trips_every_value_exactly(tmp_path):
    from brian2 import ms

    o = apply(Outer(), {"a.tau": (100 / 7) * ms})  # a value whose text in ms would not round-trip
    doc = {"protocol": "toy", "seed": 3, "config": to_jsonable(o)}
    (tmp_path / "params.json").write_text(json.dumps(doc))
    values, settings = read_config_file(tmp_path / "params.json")
    assert settings == {"protocol": "toy", "seed": 3}
    specs = {p: i.spec for p, i in describe(Outer)[0].items()}
    back = apply(Outer(), {p: parse_value(t, specs[p], p) for p, t in values.items()})
    assert back == o


def test_toml_config_takes_set_names_and_values(tmp_path):
    from brian2 import nS

    (tmp_path / "c.toml").write_text('n = 6\nlevels = [0.1, 0.3]\n[cell]\ng_L = "0.3*nS"\n')
    values, _ = read_config_file(tmp_path / "c.toml")
    assert values == {"n": "6", "levels": "[0.1,0.3]", "cell.g_L": "0.3*nS"}
    (tmp_path / "bad.toml").write_text("n = = 3")
    with pytest.raises(OverrideError, match="not valid TOML"):
        read_config_file(tmp_path / "bad.toml")
    specs = {p: i.spec for p, i in describe(Outer)[0].items()}
    o = apply(Outer(), {p: parse_value(t, specs[p], p) for p, t in values.items()})
    assert o.cell.g_L == 0.3 * nS and o.levels == (0.1, 0.3)


def test_declared_values_reads_plain_numbers_in_the_declared_unit():
    from brian2 import pF

    assert CellParams(**declared_values(CellParams, CELL_TYPES["pc"])).C_m == 334 * pF


def test_core_and_parameter_modules_do_not_import_brian2():
    code = ("import sys, core.params, core.overrides, core.checks, core.softmax, core.spikes, core.targets, "
            "cerebellum.params; from core.params import describe; describe(cerebellum.params.CellParams); "
            "sys.exit('brian2' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
