"""Parameter trees: ``--set name=value`` overrides and JSON-ready dumps of frozen dataclasses.

Protocol configurations are (nested) frozen dataclasses whose ``__post_init__`` validates every
field. Overrides therefore go through :func:`dataclasses.replace`, which re-runs validation, so a
bad ``--set`` value fails exactly like a bad constructor argument.
"""
from __future__ import annotations

import ast
import dataclasses
import math
from typing import Any

import numpy as np


def _units_namespace() -> dict[str, Any]:
    import brian2.units as units  # imported late: keeps `--help` fast

    names = {k: v for k, v in vars(units).items() if not k.startswith("_")}
    names.update(true=True, false=False, inf=math.inf, pi=math.pi)
    return names


_SAFE_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load, ast.List,
               ast.Tuple, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)


def parse_value(text: str):
    """Parse a ``--set`` value: a number, a Brian2 quantity (``20*ms``), a list, or a bare word.

    The expression is checked against a whitelist first (numbers, unit names, ``+ - * / **``,
    lists), so ``--set`` can never run code; anything else is kept as a plain string.

    Raises
    ------
    ValueError
        For arithmetic on a name that is not a Brian2 unit (``0.8*pS``): a typo'd unit, which would
        otherwise reach the parameter as a string and be reported as a unit mismatch.
    """
    namespace = _units_namespace()
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return text
    if not all(isinstance(node, _SAFE_NODES) for node in ast.walk(tree)):
        return text  # never evaluated
    unknown = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in namespace})
    if unknown:
        if isinstance(tree.body, ast.Name):
            return text  # a bare word such as `dense` or `biological`
        raise ValueError(f"unknown unit {', '.join(unknown)}; use Brian2 unit names such as nS, psiemens, ms, Hz, pA")
    try:
        return eval(compile(tree, "<--set>", "eval"), {"__builtins__": {}}, namespace)  # noqa: S307 - whitelisted
    except Exception:
        return text


def parse_assignments(items: list[str]) -> dict[str, str]:
    """Split ``["a=1", "b.c=2*ms"]`` into ``{"a": "1", "b.c": "2*ms"}``; raise on a missing ``=``."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set {item!r} must look like name=value (e.g. --set tau_m=20*ms)")
        out[name.strip()] = value.strip()
    return out


def field_paths(config, prefix: str = "") -> dict[str, tuple[str, ...]]:
    """Map every leaf field to its path: both the dotted name and, when unique, the bare name."""
    paths: dict[str, tuple[str, ...]] = {}
    bare: dict[str, list[tuple[str, ...]]] = {}

    def walk(obj, path):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            p = path + (f.name,)
            if dataclasses.is_dataclass(value):
                walk(value, p)
            else:
                paths[".".join(p)] = p
                bare.setdefault(f.name, []).append(p)

    walk(config, ())
    for name, ps in bare.items():
        if len(ps) == 1:
            paths.setdefault(name, ps[0])
    return paths


def _replace_path(obj, path: tuple[str, ...], value):
    if len(path) == 1:
        return dataclasses.replace(obj, **{path[0]: value})
    child = getattr(obj, path[0])
    return dataclasses.replace(obj, **{path[0]: _replace_path(child, path[1:], value)})


def apply_overrides(config, assignments: dict[str, str]):
    """Return ``config`` with ``name=value`` assignments applied (validation re-runs).

    Raises
    ------
    ValueError
        For an unknown or ambiguous name (the message lists the known names) or a bad value.
    """
    paths = field_paths(config)
    for name, text in assignments.items():
        if name not in paths:
            dotted = sorted(k for k in paths if k.endswith("." + name))
            if dotted:
                raise ValueError(f"--set {name}: ambiguous parameter; use one of {', '.join(dotted)}")
            known = ", ".join(sorted(k for k in paths if "." not in k))
            raise ValueError(f"--set {name}: unknown parameter; known parameters: {known}")
        try:
            value = parse_value(text)
        except ValueError as err:
            raise ValueError(f"--set {name}={text}: {err}") from None
        config = _replace_path(config, paths[name], value)
    return config


def to_jsonable(obj):
    """Convert dataclasses, numpy values and Brian2 quantities to JSON-ready Python objects.

    Quantities become strings Brian2 can parse back (``"20. * msecond"``), so a ``params.json``
    value can be pasted into ``--set``.
    """
    from brian2 import Quantity

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Quantity):
        if obj.is_dimensionless:
            return to_jsonable(np.asarray(obj))
        return repr(obj) if obj.ndim == 0 else [repr(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    return obj
