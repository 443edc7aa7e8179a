"""Parameter dataclasses: one declaration gives a parameter's default, unit, allowed range and meaning.

A model's parameters are a frozen dataclass whose fields are declared with :func:`param` (a
number, a quantity, a choice, a flag or a tuple of numbers) or :func:`nested` (another parameter
dataclass); read-only values computed from them are properties marked :func:`derived`. The
dataclass calls :func:`validate` in ``__post_init__``, which turns declared defaults into Brian2
quantities and checks every value against its declaration, so the dataclass default *is* the model
default and a bad value fails with the parameter's dotted name, the value and the allowed range.

Everything the command line needs — dotted names (``grc.g_L``), units, ranges, one-line meanings,
defaults, which names are derived and from what — is read from the class by :func:`describe`
without constructing anything and without Brian2.

Example
-------
>>> @dataclass(frozen=True)
... class Cell:
...     C_m: object = param(7.0, "membrane capacitance", unit="pF", lo=0, lo_open=True, hi=1e5)
...     g_L: object = param(0.29, "leak conductance", unit="nS", lo=0, lo_open=True, hi=1e4)
...     def __post_init__(self):
...         validate(self)
...     @derived("C_m", "g_L")
...     def tau_m(self):
...         "membrane time constant C_m / g_L"
...         return self.C_m / self.g_L
"""
from __future__ import annotations

import ast
import dataclasses
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from core.checks import check_choice, check_int, check_real

__all__ = ["param", "nested", "derived", "validate", "InUnit", "ParamSpec", "ParamInfo", "DerivedInfo",
           "describe", "declared_values", "derived_names", "replace_path", "get_path", "flat_values", "unit_of"]

KINDS = ("int", "real", "quantity", "choice", "bool", "reals", "ints", "label")


class InUnit(NamedTuple):
    """A declared default ``value`` in ``unit`` (turned into a Brian2 quantity on construction)."""

    value: float
    unit: str

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"


@dataclass(frozen=True)
class ParamSpec:
    """Declaration of one parameter (see :func:`param`)."""

    kind: str
    doc: str
    unit: str | None = None
    lo: Any = None
    hi: Any = None
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple = ()
    only_if: tuple | None = None

    def range_text(self, name: str) -> str:
        """Allowed range as text, e.g. ``0 < C_m <= 1e+05 pF`` (bounds in the declared unit)."""
        if self.kind == "choice":
            return "one of " + ", ".join(map(str, self.choices))
        if self.kind == "bool":
            return "true or false"
        u = f" {self.unit}" if self.unit else ""
        lo = "" if self.lo is None else f"{_fmt(self.lo)}{u} {'<' if self.lo_open else '<='} "
        hi = "" if self.hi is None else f" {'<' if self.hi_open else '<='} {_fmt(self.hi)}{u}"
        item = f"each {name}[k]" if self.kind in ("reals", "ints") else name
        return f"{lo}{item}{hi}" if lo or hi else "any"


def _fmt(bound) -> str:
    return bound if isinstance(bound, str) else f"{bound:g}"


def param(default, doc: str, *, unit: str | None = None, lo=None, hi=None, lo_open: bool = False,
          hi_open: bool = False, choices=None, only_if: tuple | None = None, kind: str | None = None):
    """Declare a parameter field.

    Parameters
    ----------
    default : number, bool, str or tuple
        The model default. With ``unit`` it is a plain number in that unit (``param(7.0, ...,
        unit="pF")``); a tuple default declares a tuple of numbers (each checked against the range).
    doc : str
        One line saying what the parameter means (shown by ``--list-params``).
    unit : str, optional
        Brian2 unit name; the field then holds a Brian2 quantity with these dimensions.
    lo, hi : number or str, optional
        Allowed range, in ``unit``. A string names another field of the same dataclass or a simple
        expression of fields (``"n - 1"``), checked after that field.
    lo_open, hi_open : bool
        Exclude the bound itself.
    choices : sequence of str, optional
        Allowed values of a text parameter.
    only_if : (field, value), optional
        The range is checked only when that field has that value (a mode-specific parameter).
    kind : str, optional
        One of :data:`KINDS`, for a required field (``default = dataclasses.MISSING``) without unit.
    """
    required = default is dataclasses.MISSING
    if kind is not None:
        if kind not in KINDS:
            raise ValueError(f"param(): kind = {kind!r} is not one of {KINDS}")
    elif choices is not None:
        kind = "choice"
    elif unit is not None:
        kind = "quantity"
    elif isinstance(default, bool):
        kind = "bool"
    elif isinstance(default, tuple):
        kind = "ints" if default and all(isinstance(v, int) for v in default) else "reals"
    elif isinstance(default, numbers.Integral):
        kind = "int"
    elif isinstance(default, numbers.Real):
        kind = "real"
    else:
        raise TypeError(f"param(): cannot infer the kind of default {default!r}; give unit= or choices=")
    spec = ParamSpec(kind, doc, unit, lo, hi, lo_open, hi_open, tuple(choices or ()), only_if)
    if required:
        return field(metadata={"spec": spec})
    if kind == "quantity":
        default = InUnit(float(default), unit)
    return field(default=default, metadata={"spec": spec})


def nested(cls, doc: str = "", **overrides):
    """Declare a nested parameter dataclass field whose default is ``cls(**overrides)``.

    The overrides are part of the declaration (shown by ``--list-params``), not a factory that
    changes values elsewhere.
    """
    return field(default_factory=lambda: cls(**declared_values(cls, overrides)),
                 metadata={"nested": cls, "overrides": dict(overrides), "doc": doc})


def declared_values(cls, values: dict) -> dict:
    """``values`` for constructing ``cls``, plain numbers of its quantity fields read in the declared
    unit (``{"C_m": 7.0}`` -> ``{"C_m": InUnit(7.0, "pF")}``)."""
    specs = {f.name: f.metadata.get("spec") for f in dataclasses.fields(cls)}
    out = {}
    for k, v in values.items():
        spec = specs.get(k)
        number = isinstance(v, numbers.Real) and not isinstance(v, bool)
        out[k] = InUnit(float(v), spec.unit) if spec is not None and spec.kind == "quantity" and number else v
    return out


class DerivedParam(property):
    """A read-only property computed from other parameters (see :func:`derived`)."""

    sources: tuple = ()
    meaning: str = ""


def derived(*sources: str):
    """Mark a property as derived from the named parameters (``--set`` on it is refused)."""

    def wrap(fn):
        prop = DerivedParam(fn, doc=fn.__doc__)
        prop.sources = tuple(sources)
        prop.meaning = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        return prop

    return wrap


# -- validation ----------------------------------------------------------------------------------

_BOUND_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load, ast.Add, ast.Sub,
                ast.Mult, ast.Div, ast.FloorDiv, ast.USub)


def _bound_value(bound, obj, unit_name):
    """A bound as a float in the declared unit (a string bound is evaluated on ``obj``'s fields)."""
    if bound is None or not isinstance(bound, str):
        return bound
    tree = ast.parse(bound, mode="eval")
    if not all(isinstance(n, _BOUND_NODES) for n in ast.walk(tree)):
        raise ValueError(f"bound {bound!r}: only field names, numbers and + - * / //")
    names = {n.id: getattr(obj, n.id) for n in ast.walk(tree) if isinstance(n, ast.Name)}
    if unit_name:
        from core.units import in_unit

        names = {k: in_unit(v, unit_name) if hasattr(v, "dim") else v for k, v in names.items()}
    return eval(compile(tree, "<bound>", "eval"), {"__builtins__": {}}, names)  # noqa: S307 - whitelisted


def _label(bound, value) -> Any:
    """``(value, "expr = value")`` for a field-dependent bound, so messages say ``d <= n - 1 = 31``."""
    if isinstance(bound, str) and value is not None:
        return (value, f"{bound} = {_fmt(value)}")
    return value


def _check_value(name: str, spec: ParamSpec, value, obj):
    """``value`` converted (declared default -> quantity, list -> tuple) and checked against ``spec``."""
    checking = spec.only_if is None or getattr(obj, spec.only_if[0]) == spec.only_if[1]
    lo = _bound_value(spec.lo, obj, spec.unit) if checking else None
    hi = _bound_value(spec.hi, obj, spec.unit) if checking else None
    if spec.kind == "quantity":
        from core.units import check_quantity, unit

        if isinstance(value, InUnit):
            value = value.value * unit(value.unit)
        return check_quantity(name, value, spec.unit, lo, hi, spec.lo_open, spec.hi_open)
    if spec.kind == "int":
        return check_int(name, value, lo=_label(spec.lo, lo), hi=_label(spec.hi, hi))
    if spec.kind == "real":
        return check_real(name, value, lo=_label(spec.lo, lo), hi=_label(spec.hi, hi), lo_open=spec.lo_open,
                          hi_open=spec.hi_open)
    if spec.kind == "choice":
        return check_choice(name, value, spec.choices)
    if spec.kind == "label":
        if not isinstance(value, str) or not value.isidentifier():
            raise ValueError(f"{name} = {value!r} must be a name made of letters, digits and _ (e.g. 'grc')")
        return value
    if spec.kind == "bool":
        if type(value).__name__ not in ("bool", "bool_"):
            raise TypeError(f"{name} = {value!r} must be true or false")
        return bool(value)
    # a tuple of numbers; one number is a tuple of one
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} = {value!r} must be a list of numbers")
    if spec.kind == "ints":
        return tuple(check_int(f"{name}[{k}]", v, lo=_label(spec.lo, lo), hi=_label(spec.hi, hi))
                     for k, v in enumerate(value))
    return tuple(check_real(f"{name}[{k}]", v, lo=_label(spec.lo, lo), hi=_label(spec.hi, hi),
                            lo_open=spec.lo_open, hi_open=spec.hi_open) for k, v in enumerate(value))


def validate(obj) -> None:
    """Convert declared defaults to quantities and check every field of the dataclass ``obj``.

    Call it first in ``__post_init__``; cross-field rules (``V_th > V_reset``) follow it there.
    Fields are checked in declaration order, so a bound may name an earlier field.

    Raises
    ------
    ValueError, TypeError
        Naming the field, the value and the allowed range.
    """
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if "nested" in f.metadata:
            cls = f.metadata["nested"]
            if not isinstance(value, cls):
                raise TypeError(f"{f.name} = {value!r} must be a {cls.__name__}")
            continue
        spec = f.metadata.get("spec")
        if spec is None:
            continue
        checked = _check_value(f.name, spec, value, obj)
        if checked is not value:
            object.__setattr__(obj, f.name, checked)


# -- introspection (classes only: no construction, no Brian2) -------------------------------------

@dataclass(frozen=True)
class ParamInfo:
    """One settable parameter: dotted path, declaration and declared default."""

    path: str
    spec: ParamSpec
    default: Any

    def default_text(self) -> str:
        d = self.default
        if d is dataclasses.MISSING:
            return "(required)"
        if isinstance(d, InUnit):
            return f"{d.value:g} {d.unit}"
        if isinstance(d, tuple):
            return ",".join(f"{v:g}" for v in d) if d else "(none)"
        if isinstance(d, bool):
            return "true" if d else "false"
        return f"{d:g}" if isinstance(d, float) else str(d)


@dataclass(frozen=True)
class DerivedInfo:
    """A read-only value: dotted path, the parameters it is computed from, its meaning."""

    path: str
    sources: tuple
    doc: str


def describe(cls, prefix: str = "", overrides: dict | None = None) -> tuple[dict, dict]:
    """All settable and derived parameters of the dataclass ``cls``, keyed by dotted path.

    Returns
    -------
    params : dict of str -> ParamInfo
    derived : dict of str -> DerivedInfo
    """
    params: dict[str, ParamInfo] = {}
    derived_: dict[str, DerivedInfo] = {}
    overrides = overrides or {}
    for f in dataclasses.fields(cls):
        path = prefix + f.name
        if "nested" in f.metadata:
            sub_p, sub_d = describe(f.metadata["nested"], path + ".", f.metadata["overrides"])
            params.update(sub_p)
            derived_.update(sub_d)
        elif "spec" in f.metadata:
            spec = f.metadata["spec"]
            default = overrides.get(f.name, f.default)
            if spec.kind == "quantity" and isinstance(default, numbers.Real):
                default = InUnit(float(default), spec.unit)
            elif spec.kind == "quantity" and default is not dataclasses.MISSING and not isinstance(default, InUnit):
                default = InUnit(_declared_value(default, spec.unit), spec.unit)
            params[path] = ParamInfo(path, spec, default)
    for name in dir(cls):
        attr = getattr(cls, name, None)
        if isinstance(attr, DerivedParam):
            derived_[prefix + name] = DerivedInfo(prefix + name, tuple(prefix + s for s in attr.sources),
                                                  attr.meaning)
    return params, derived_


def _declared_value(value, unit_name: str) -> float:
    from core.units import in_unit

    return in_unit(value, unit_name)


def derived_names(cls) -> dict[str, DerivedInfo]:
    """Derived (read-only) values of ``cls`` by dotted path."""
    return describe(cls)[1]


def unit_of(cls, path: str) -> str | None:
    """Declared unit of the parameter at ``path`` (None for plain numbers)."""
    return describe(cls)[0][path].spec.unit


# -- values on instances ---------------------------------------------------------------------------

def get_path(obj, path: str):
    """Value at a dotted ``path`` of a nested parameter dataclass."""
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def replace_path(obj, path: str, value):
    """A copy of ``obj`` with the field at dotted ``path`` replaced (validation runs again)."""
    head, _, rest = path.partition(".")
    if not rest:
        return dataclasses.replace(obj, **{head: value})
    return dataclasses.replace(obj, **{head: replace_path(getattr(obj, head), rest, value)})


def flat_values(obj, prefix: str = "") -> dict[str, Any]:
    """Every parameter value of ``obj`` by dotted path (nested dataclasses flattened)."""
    out = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if "nested" in f.metadata:
            out.update(flat_values(value, prefix + f.name + "."))
        elif "spec" in f.metadata:
            out[prefix + f.name] = value
    return out


def finite(x) -> bool:
    """True for a finite real number."""
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError, OverflowError):
        return False
