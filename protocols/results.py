"""One results directory per protocol run, written atomically.

Everything is written into a hidden sibling ``.NAME.partial-PID`` and renamed to ``NAME`` only when
the run succeeded, so an interrupted or failed run never leaves a half-written result and never
touches an earlier one. An existing directory is replaced only with ``force=True``.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from core.jsonio import to_jsonable


class ResultsExistError(FileExistsError):
    """The target results directory exists and overwriting was not requested."""


class ResultsLocationError(OSError):
    """The results directory cannot be created where it was asked for."""


class ResultsDirectory:
    """Context manager owning a run's results directory.

    Parameters
    ----------
    final : Path
        Where the results end up.
    force : bool
        Replace ``final`` if it exists (only after the new run has succeeded).
    """

    def __init__(self, final: Path, force: bool = False):
        self.final = Path(final)
        self.force = force
        if self.final.exists() and not force:
            raise ResultsExistError(f"--out {self.final}: directory exists; pass --force to replace it")
        self.path = self.final.parent / f".{self.final.name}.partial-{os.getpid()}"

    def __enter__(self) -> "ResultsDirectory":
        try:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                shutil.rmtree(self.path)
            self.path.mkdir()
        except OSError as err:
            raise ResultsLocationError(f"--out {self.final}: cannot create it ({err.strerror})") from None
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            return False
        old = None
        if self.final.exists():
            if not self.force:  # appeared while we ran (e.g. a concurrent run with the same --out)
                raise ResultsExistError(f"--out {self.final}: directory appeared during the run; "
                                        f"new results kept in {self.path}")
            old = self.final.parent / f".{self.final.name}.old-{os.getpid()}"
            os.replace(self.final, old)
        os.replace(self.path, self.final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return False

    def write_json(self, name: str, obj) -> Path:
        """Write ``obj`` (dataclasses, quantities and numpy values allowed) as indented JSON."""
        target = self.path / name
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(to_jsonable(obj), indent=2, allow_nan=False) + "\n")
        os.replace(tmp, target)
        return target

    def write_npz(self, name: str, arrays: dict) -> Path:
        """Write arrays (Brian2 quantities are stored as plain values in SI units) compressed."""
        target = self.path / name
        tmp = target.with_name(target.name + ".tmp.npz")
        plain = {k: np.asarray(v) for k, v in arrays.items()}
        ragged = [k for k, v in plain.items() if v.dtype == object]
        if ragged:  # object arrays need pickle to load: refuse them so results stay portable
            raise TypeError(f"data array {ragged[0]!r} has dtype object (ragged?); store a regular array")
        np.savez_compressed(tmp, **plain)
        os.replace(tmp, target)
        return target


def load_results(directory: Path) -> tuple[dict, dict, dict]:
    """Read ``(summary, params, data)`` back from a results directory."""
    directory = Path(directory)
    summary = json.loads((directory / "summary.json").read_text())
    params = json.loads((directory / "params.json").read_text())
    with np.load(directory / "data.npz", allow_pickle=False) as npz:
        data = {k: npz[k] for k in npz.files}
    return summary, params, data
