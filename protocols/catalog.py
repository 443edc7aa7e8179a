"""The protocol catalogue as Markdown, generated from the protocol packages themselves.

The README's protocol table and ``docs/protocols.md`` (options, their parameters, defaults and
meanings, and the arrays a run writes) are produced here from ``NAME``, ``DESCRIPTION``, ``CONFIG``
and ``OPTIONS`` of every protocol package and from the recorded reference runs in
``tests/golden/<name>/data.npz``, so neither is typed by hand. Brian2 is not imported.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from core.params import describe
from protocols.registry import all_protocols

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def protocol_table() -> str:
    """One Markdown row per protocol: name and what it shows."""
    rows = ["| protocol | what it runs and measures |", "|---|---|"]
    for name, module in all_protocols().items():
        rows.append(f"| `{name}` | {_cell(module.DESCRIPTION)} |")
    return "\n".join(rows)


def option_table(module) -> str:
    """The protocol's own options: option, parameter, default, allowed range, meaning."""
    params, _ = describe(module.CONFIG)
    rows = ["| option | parameter | default | allowed | meaning |", "|---|---|---|---|---|"]
    for option, path in module.OPTIONS.items():
        info = params[path]
        rows.append(f"| `--{option}` | `{path}` | {_cell(info.default_text())} | "
                    f"{_cell(info.spec.range_text(path.rsplit('.', 1)[-1]))} | {_cell(info.spec.doc)} |")
    return "\n".join(rows)


def data_keys(name: str, golden: Path = GOLDEN) -> list[tuple[str, str, str]] | None:
    """(key, dtype, shape) of the arrays of the protocol's reference run, or None without one."""
    path = golden / name / "data.npz"
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        return [(k, str(data[k].dtype), "×".join(map(str, data[k].shape)) or "scalar") for k in sorted(data.files)]


def protocols_doc(golden: Path = GOLDEN) -> str:
    """``docs/protocols.md``: every protocol with its options and ``data.npz`` arrays."""
    lines = ["# Protocols", "",
             "Generated from the protocol packages by `python -m figures --results-table`; do not edit by hand.",
             "Every protocol also takes the common options (`python -m protocols NAME --help`) and `--set` on any",
             "parameter (`--list-params`). The arrays are those of the reduced reference run in",
             "`tests/golden/NAME/` (shapes at that reduced size); units are SI unless the name says otherwise.", ""]
    for name, module in all_protocols().items():
        lines += [f"## `{name}`", "", module.DESCRIPTION + ".", ""]
        if module.OPTIONS:
            lines += [option_table(module), ""]
        keys = data_keys(name, golden)
        if keys is None:
            lines += ["No reduced reference run is recorded for this protocol.", ""]
        else:
            lines += ["`data.npz` arrays:", "", "| key | dtype | shape |", "|---|---|---|"]
            lines += [f"| `{k}` | {dt} | {shape} |" for k, dt, shape in keys]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
