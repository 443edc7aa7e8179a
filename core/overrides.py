"""Changing parameters by name: ``--set path=value``, TOML files and saved ``params.json``.

Names are dotted paths of a parameter dataclass (``grc.g_L``, ``plasticity.tau_e``); a bare name is
accepted where it is unique. Values are text: numbers, Brian2 quantities (``20*ms``), lists
(``150,250,400``) and words (``dense``). Three steps, so the cheap checks come first:

1. :func:`resolve` maps every name to a path using the class alone (no Brian2);
2. :func:`check_syntax` parses every value against a whitelist and size limits (no Brian2);
3. :func:`parse_value` evaluates a value for its parameter (Brian2 only for quantities), and
   :func:`apply` replaces the values in one pass per nested dataclass, so validation sees the
   final combination (``n`` and ``d`` set together are checked together).
"""
from __future__ import annotations

import ast
import dataclasses
import difflib
import json
import math
from pathlib import Path

from core.params import InUnit, ParamSpec, describe

__all__ = ["OverrideError", "split_assignment", "resolve", "check_syntax", "parse_value", "apply",
           "read_config_file", "MAX_TEXT"]

#: Longest value text accepted (characters), largest list, largest exponent and nesting depth.
MAX_TEXT = 1000
MAX_ITEMS = 10_000
MAX_EXPONENT = 400
MAX_DEPTH = 20

_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load, ast.List, ast.Tuple,
          ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)
_CONSTANTS = {"inf": math.inf, "pi": math.pi, "true": True, "false": False, "True": True, "False": False}


class OverrideError(ValueError):
    """A parameter name or value the user gave cannot be used (message is one line)."""


def _cut(text: str, limit: int = 60) -> str:
    """``text`` for a one-line message: control characters escaped, at most ``limit`` characters."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def split_assignment(item: str, flag: str = "--set") -> tuple[str, str]:
    """``"a.b=2*ms"`` -> ``("a.b", "2*ms")``; raise on a missing ``=`` or name."""
    name, sep, value = item.partition("=")
    if not sep or not name.strip():
        raise OverrideError(f"{flag} {_cut(item)!r} must look like name=value (e.g. {flag} tau_e=20*ms)")
    return name.strip(), value.strip()


def resolve(cls, name: str, flag: str = "--set") -> str:
    """The dotted path of parameter ``name`` in dataclass ``cls``.

    Raises
    ------
    OverrideError
        For a derived value (naming what it is derived from), an ambiguous bare name (listing the
        dotted names) or an unknown name (suggesting close ones).
    """
    params, derived = describe(cls)
    if name in params:
        return name
    if name in derived:
        d = derived[name]
        what = f" ({d.doc})" if d.doc else ""
        raise OverrideError(f"{flag} {name}: derived parameter{what}, computed from "
                            f"{' and '.join(d.sources)}; set those instead")
    dotted = sorted(p for p in params if p.endswith("." + name))
    if len(dotted) == 1:
        return dotted[0]
    if dotted:
        raise OverrideError(f"{flag} {name}: ambiguous parameter; use one of {', '.join(dotted)}")
    derived_dotted = sorted(p for p in derived if p.endswith("." + name))
    if len(derived_dotted) == 1:
        return resolve(cls, derived_dotted[0], flag)
    close = difflib.get_close_matches(name, list(params), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise OverrideError(f"{flag} {_cut(name)}: unknown parameter{hint} (--list-params shows them all)")


def _tree(text: str, where: str) -> ast.Expression:
    if len(text) > MAX_TEXT:
        raise OverrideError(f"{where}: value is {len(text)} characters long: allowed at most {MAX_TEXT}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise OverrideError(f"{where}={_cut(text)}: not a number, quantity, list or word") from None
    depth = _depth(tree)
    if depth > MAX_DEPTH:
        raise OverrideError(f"{where}={_cut(text)}: expression nested {depth} deep: allowed {MAX_DEPTH}")
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            raise OverrideError(f"{where}={_cut(text)}: only numbers, unit names, + - * / ** and lists are allowed")
        if isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) > MAX_ITEMS:
            raise OverrideError(f"{where}: list of {len(node.elts)} items: allowed at most {MAX_ITEMS}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            exp = node.right
            if isinstance(exp, ast.UnaryOp) and isinstance(exp.operand, ast.Constant):
                exp = exp.operand
            if not (isinstance(exp, ast.Constant) and isinstance(exp.value, (int, float))
                    and abs(exp.value) <= MAX_EXPONENT):
                raise OverrideError(f"{where}={_cut(text)}: exponents must be numbers of at most {MAX_EXPONENT}")
        if isinstance(node, ast.Constant) and (isinstance(node.value, bool)
                                               or not isinstance(node.value, (int, float))):
            raise OverrideError(f"{where}={_cut(text)}: only numbers, unit names, + - * / ** and lists are allowed")
        if isinstance(node, ast.BinOp) and any(isinstance(side, (ast.List, ast.Tuple))
                                               for side in (node.left, node.right)):
            raise OverrideError(f"{where}={_cut(text)}: arithmetic on lists is not allowed")
    return tree


def _depth(node, level: int = 0) -> int:
    children = list(ast.iter_child_nodes(node))
    return level if not children else max(_depth(c, level + 1) for c in children)


def check_syntax(text: str, spec: ParamSpec, where: str) -> None:
    """Check a value's text against the whitelist and size limits (no Brian2, nothing evaluated)."""
    if spec.kind in ("choice", "label") or (spec.kind in ("reals", "ints") and text.strip().lower() in ("none", "")):
        return
    if spec.kind == "bool":
        if text.strip().lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise OverrideError(f"{where}={_cut(text)}: must be true or false")
        return
    if spec.kind in ("reals", "ints") and "," in text and not text.strip().startswith("["):
        text = f"[{text}]"
    _tree(text, where)


def _evaluate(tree: ast.Expression, namespace: dict, where: str, text: str):
    try:
        return eval(compile(tree, "<value>", "eval"), {"__builtins__": {}}, namespace)  # noqa: S307 - whitelisted
    except (ArithmeticError, ValueError, TypeError) as err:
        raise OverrideError(f"{where}={_cut(text)}: cannot be evaluated ({_cut(str(err), 80)})") from None
    except Exception as err:  # Brian2 dimension errors and similar
        raise OverrideError(f"{where}={_cut(text)}: {_cut(str(err).splitlines()[0] if str(err) else type(err).__name__, 100)}") from None


def parse_value(text: str, spec: ParamSpec, where: str, bare_number_in_unit: bool = False):
    """The value of ``text`` for a parameter declared by ``spec``.

    Parameters
    ----------
    text : str
        What the user typed.
    spec : ParamSpec
    where : str
        ``"--set name"`` or similar, for messages.
    bare_number_in_unit : bool
        Read a plain number as a value in the declared unit (options such as ``--isi 250``);
        ``--set`` and files need the unit written out.

    Raises
    ------
    OverrideError
    """
    text = str(text).strip()
    check_syntax(text, spec, where)
    if spec.kind == "choice":
        word = text.strip("'\"")
        if word not in spec.choices:
            raise OverrideError(f"{where}={_cut(text)}: not allowed: choose one of {', '.join(spec.choices)}")
        return word
    if spec.kind == "label":
        return text.strip("'\"")
    if spec.kind == "bool":
        return text.lower() in ("true", "1", "yes")
    if spec.kind in ("reals", "ints"):
        if text.lower() in ("none", ""):
            return ()
        list_text = f"[{text}]" if not text.startswith("[") else text
        value = _evaluate(_tree(list_text, where), dict(_CONSTANTS), where, text)
        if not isinstance(value, (list, tuple)):
            value = [value]
        if any(getattr(v, "is_dimensionless", True) is False for v in value):
            raise OverrideError(f"{where}={_cut(text)}: a list of plain numbers is expected, without units")
        return tuple(value)
    tree = _tree(text, where)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(_CONSTANTS)
    if spec.kind in ("int", "real"):
        if names:
            raise OverrideError(f"{where}={_cut(text)}: a plain number is expected, not {', '.join(sorted(names))}")
        value = _evaluate(tree, dict(_CONSTANTS), where, text)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise OverrideError(f"{where}={_cut(text)}: a number is expected")
        return value
    # quantity
    from core.units import unit, unit_names

    known = unit_names()
    unknown = sorted(names - known)
    if unknown:
        raise OverrideError(f"{where}={_cut(text)}: unknown unit {', '.join(unknown)}; use Brian2 unit names "
                            f"such as nS, psiemens, ms, Hz, pA")
    import brian2.units as units

    value = _evaluate(tree, {**{k: getattr(units, k) for k in names}, **_CONSTANTS}, where, text)
    if not names and bare_number_in_unit and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) * unit(spec.unit)
    if getattr(value, "is_dimensionless", True):
        raise OverrideError(f"{where}={_cut(text)}: needs units of {spec.unit} (e.g. {where.split()[-1]}=1*{spec.unit})")
    return value


def apply(config, values: dict):
    """``config`` with ``{dotted path: value}`` replaced, validated once per nested dataclass."""
    tree: dict = {}
    for path, value in values.items():
        node = tree
        *heads, leaf = path.split(".")
        for h in heads:
            node = node.setdefault(h, {})
        node[leaf] = value

    def build(obj, node):
        changes = {}
        for name, sub in node.items():
            changes[name] = build(getattr(obj, name), sub) if isinstance(sub, dict) else sub
        return dataclasses.replace(obj, **changes)

    return build(config, tree)


def _flatten(table: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def read_config_file(path: Path) -> tuple[dict, dict]:
    """Parameters and run settings from a TOML file or a saved ``params.json``.

    A TOML file holds parameter names (dotted keys or tables) and values written as for ``--set``:
    numbers, lists, words, and quantities as strings (``g_L = "0.3*nS"``). A ``params.json`` of an
    earlier run gives its whole configuration and its run settings, so the run can be repeated.

    Returns
    -------
    values : dict of str -> str
        Parameter path -> value text.
    settings : dict
        ``protocol``, ``seed``, ``device`` where the file records them.

    Raises
    ------
    OverrideError
        For a missing, unreadable or malformed file.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise OverrideError(f"--config {path}: cannot read it ({err.strerror})") from None
    settings: dict = {}
    if path.suffix == ".json":
        try:
            doc = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as err:
            raise OverrideError(f"--config {path}: not valid JSON ({_cut(str(err), 80)})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("config"), dict):
            raise OverrideError(f"--config {path}: not a params.json of a run (no 'config' object)")
        settings = {k: doc[k] for k in ("protocol", "seed", "device") if k in doc}
        table = _flatten(doc["config"])
    else:
        import tomllib

        try:
            table = _flatten(tomllib.loads(raw.decode()))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise OverrideError(f"--config {path}: not valid TOML ({_cut(str(err), 80)})") from None
    values = {}
    for key, value in table.items():
        if isinstance(value, bool):
            values[key] = "true" if value else "false"
        elif isinstance(value, (int, float)):
            values[key] = repr(value)
        elif isinstance(value, list):
            values[key] = "[" + ",".join(repr(v) if not isinstance(v, str) else v for v in value) + "]"
        elif isinstance(value, str):
            values[key] = value
        elif value is None:
            raise OverrideError(f"--config {path}: {key} has no value")
        else:
            raise OverrideError(f"--config {path}: {key} = {_cut(repr(value))} is not a number, list or text")
    return values, settings


def declared_default_text(default) -> str:
    """A declared default as ``--set`` text (``InUnit(7, "pF")`` -> ``7*pF``)."""
    if isinstance(default, InUnit):
        return f"{default.value!r}*{default.unit}"
    return repr(default)
