"""JSON for results: parameter dataclasses, numpy values and quantities as plain, exact JSON.

One policy for numbers that JSON cannot hold: NaN becomes ``null`` and an infinity the string
``"inf"`` or ``"-inf"``. Quantities become text that parses back to the same float
(:func:`core.units.quantity_text`), so a ``params.json`` can be fed back with ``--config``.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
from pathlib import Path

import numpy as np

__all__ = ["to_jsonable", "write_json", "read_json", "rounded"]


def to_jsonable(obj):
    """Convert dataclasses, numpy values and Brian2 quantities to JSON-ready Python objects."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            spec = f.metadata.get("spec")
            if spec is not None and spec.kind == "quantity":
                from core.units import quantity_text

                out[f.name] = quantity_text(value, spec.unit)
            else:
                out[f.name] = to_jsonable(value)
        return out
    if getattr(obj, "is_dimensionless", None) is not None:  # a Brian2 quantity
        if obj.is_dimensionless:
            return to_jsonable(np.asarray(obj))
        from brian2 import get_unit

        from core.units import quantity_text

        name = repr(get_unit(obj.dim))
        return quantity_text(obj, name) if np.ndim(obj) == 0 else [quantity_text(x, name) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    return obj


def write_json(path: Path, obj) -> Path:
    """Write ``obj`` as indented JSON through a temporary file and an atomic rename."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(to_jsonable(obj), indent=2, allow_nan=False) + "\n")
    os.replace(tmp, path)
    return path


def read_json(path: Path):
    """Read a JSON file (``ValueError`` with the file name for malformed content)."""
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: not valid JSON ({str(err)[:80]})") from None


def rounded(x, nd: int = 4):
    """``x`` rounded to ``nd`` decimals for a summary; None when missing or not finite."""
    return None if x is None or not np.isfinite(x) else round(float(x), nd)
