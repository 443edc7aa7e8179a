"""`--set` overrides and JSON dumps of parameter dataclasses."""
import dataclasses

import pytest
from brian2 import Hz, ms

from cerebellum.validation import check_int, check_quantity, param
from protocols.config import apply_overrides, parse_assignments, parse_value, to_jsonable


@dataclasses.dataclass(frozen=True)
class Inner:
    tau: object = param(10 * ms)
    rate: object = param(5 * Hz)

    def __post_init__(self):
        check_quantity("tau", self.tau, ms, 0 * ms, lo_open=True)
        check_quantity("rate", self.rate, Hz, 0 * Hz)


@dataclasses.dataclass(frozen=True)
class Outer:
    n: int = 4
    mode: str = "dense"
    a: Inner = dataclasses.field(default_factory=Inner)
    b: Inner = dataclasses.field(default_factory=Inner)

    def __post_init__(self):
        check_int("n", self.n, 1)


def test_parse_value_understands_units_numbers_and_words():
    assert parse_value("20*ms") == 20 * ms
    assert parse_value("3") == 3 and parse_value("0.5") == 0.5
    assert parse_value("biological") == "biological"
    assert parse_value("[1, 2*ms]") == [1, 2 * ms]
    for attack in ("__import__('os')", "().__class__.__bases__[0]", "(lambda: 1)()"):
        assert parse_value(attack) == attack  # never evaluated: stays a plain string
    with pytest.raises(ValueError, match="unknown unit pS"):
        parse_value("0.8*pS")  # arithmetic on a non-unit is a typo, not a word


def test_overrides_reach_nested_fields_and_revalidate():
    cfg = apply_overrides(Outer(), {"n": "7", "a.tau": "3*ms", "mode": "biological"})
    assert cfg.n == 7 and cfg.a.tau == 3 * ms and cfg.b.tau == 10 * ms and cfg.mode == "biological"
    with pytest.raises(ValueError, match=r"tau = -3\. \* msecond is out of range"):
        apply_overrides(Outer(), {"a.tau": "-3*ms"})
    with pytest.raises(TypeError, match="tau = 3 must have units of msecond"):
        apply_overrides(Outer(), {"b.tau": "3"})
    with pytest.raises(ValueError, match=r"--set a.tau=3\*msec: unknown unit msec"):
        apply_overrides(Outer(), {"a.tau": "3*msec"})  # a typo'd unit is named, not reported as a unit mismatch


def test_ambiguous_or_unknown_names_are_rejected_with_the_known_list():
    with pytest.raises(ValueError, match="--set tau: ambiguous parameter; use one of a.tau, b.tau"):
        apply_overrides(Outer(), {"tau": "3*ms"})
    with pytest.raises(ValueError, match="--set tua: unknown parameter; known parameters: mode, n"):
        apply_overrides(Outer(), {"tua": "3*ms"})
    with pytest.raises(ValueError, match="must look like name=value"):
        parse_assignments(["tau"])


def test_to_jsonable_round_trips_quantities_through_set_syntax():
    dumped = to_jsonable(Outer())
    assert dumped["a"]["tau"] == "10. * msecond"
    assert parse_value(dumped["a"]["tau"]) == 10 * ms
