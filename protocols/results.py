"""One results directory per protocol run, written atomically and claimed for the whole run.

Everything is written into a hidden sibling ``.NAME.partial-PID`` and renamed to ``NAME`` only when the
run succeeded, so an interrupted or failed run never leaves a half-written result and never touches an
earlier one. The name is claimed (``.NAME.lock``, an advisory lock held by the running process) before
anything is simulated, so a second run into the same ``--out`` learns at once that it lost. With
``force=True`` an existing results directory is replaced only after the new run succeeded: it is first
renamed to ``.NAME.old-PID``; if the process dies between the two renames, the next run (or
``python -m protocols clean``) puts it back. Leftovers of dead processes are removed the same way.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np

from core.jsonio import to_jsonable

__all__ = ["ResultsDirectory", "ResultsExistError", "ResultsLocationError", "ResultsBusyError", "ResultsDataError",
           "load_results", "clean_stale", "check_out"]

_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>partial|old)-(?P<pid>\d+)$")
_RESULT_FILES = ("params.json", "summary.json")


class ResultsExistError(FileExistsError):
    """The target results directory exists and overwriting was not requested."""


class ResultsLocationError(OSError):
    """The results directory cannot be created where it was asked for."""


class ResultsBusyError(OSError):
    """Another running process is writing the same results directory."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(parent: Path) -> list[str]:
    """Remove leftovers of dead runs in ``parent``; restore a replaced result whose successor never came.

    Returns
    -------
    list of str
        What was done, one line each.
    """
    done = []
    try:
        entries = list(Path(parent).iterdir())
    except OSError:
        return done
    for path in entries:
        m = _LEFTOVER.match(path.name)
        if not m or _alive(int(m["pid"])):
            continue
        final = path.parent / m["name"]
        if m["kind"] == "old" and not final.exists():
            os.replace(path, final)
            done.append(f"restored {final} (its replacement was interrupted)")
        else:
            shutil.rmtree(path, ignore_errors=True)
            done.append(f"removed {path}")
    return done


def check_out(final: Path, force: bool) -> Path:
    """Check a results path before anything runs (raises :class:`ResultsLocationError` /
    :class:`ResultsExistError` with a one-line message)."""
    final = Path(final)
    resolved = final.resolve()
    if resolved.parent == resolved or final.name in ("", ".", ".."):
        raise ResultsLocationError(f"--out {final}: not a directory name a run can own")
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents or resolved == Path.home().resolve():
        raise ResultsLocationError(f"--out {final}: would replace the working or home directory")
    if final.exists() or final.is_symlink():
        if not final.is_dir() or final.is_symlink():
            raise ResultsLocationError(f"--out {final}: exists and is not a results directory")
        if not force:
            raise ResultsExistError(f"--out {final}: directory exists; pass --force to replace it")
        if any(final.iterdir()) and not any((final / f).is_file() for f in _RESULT_FILES):
            raise ResultsLocationError(f"--out {final}: exists and is not a results directory "
                                       "(no params.json or summary.json); --force replaces results only")
    for parent in resolved.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ResultsLocationError(f"--out {final}: {parent} is not a directory")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise ResultsLocationError(f"--out {final}: cannot create it ({parent} is not writable)")
            break
    return final


class ResultsDirectory:
    """Context manager owning a run's results directory.

    Parameters
    ----------
    final : Path
        Where the results end up.
    force : bool
        Replace ``final`` if it is a results directory (only after the new run has succeeded).
    """

    def __init__(self, final: Path, force: bool = False):
        self.final = check_out(final, force)
        self.force = force
        self.path = self.final.parent / f".{self.final.name}.partial-{os.getpid()}"
        self._lock_path = self.final.parent / f".{self.final.name}.lock"
        self._lock = None

    def __enter__(self) -> "ResultsDirectory":
        try:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            clean_stale(self.final.parent)
            self._lock = open(self._lock_path, "a+")
        except OSError as err:
            raise ResultsLocationError(f"--out {self.final}: cannot create it ({err.strerror})") from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            self._lock = None
            raise ResultsBusyError(f"--out {self.final}: another run is writing it right now") from None
        if self.final.exists() and not self.force:  # finished by another run since the check
            self._release()
            raise ResultsExistError(f"--out {self.final}: directory exists; pass --force to replace it")
        try:
            if self.path.exists():
                shutil.rmtree(self.path)
            self.path.mkdir()
        except OSError as err:
            self._release()
            raise ResultsLocationError(f"--out {self.final}: cannot create it ({err.strerror})") from None
        return self

    def _release(self) -> None:
        if self._lock is not None:
            try:
                self._lock_path.unlink()
            except OSError:
                pass
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            if exc_type is not None:
                shutil.rmtree(self.path, ignore_errors=True)
                return False
            old = None
            if self.final.exists():
                if not self.force:  # appeared while we ran (e.g. a run that did not take the claim)
                    raise ResultsExistError(f"--out {self.final}: directory appeared during the run; "
                                            f"new results kept in {self.path}")
                old = self.final.parent / f".{self.final.name}.old-{os.getpid()}"
                os.replace(self.final, old)
            os.replace(self.path, self.final)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            return False
        finally:
            self._release()

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


class ResultsDataError(ValueError):
    """A results directory is incomplete or damaged (the message names the file and what is wrong)."""


class _Checked(dict):
    """A dict from a results file whose missing keys raise :class:`ResultsDataError` naming the file."""

    def __init__(self, data: dict, where: str):
        super().__init__(data)
        self.where = where

    def __missing__(self, key):
        raise ResultsDataError(f"{self.where} lacks {key!r}")

    def __getitem__(self, key):
        value = super().__getitem__(key)
        if isinstance(value, dict) and not isinstance(value, _Checked):
            return _Checked(value, f"{self.where}[{key!r}]")
        return value


def _read_json_object(path: Path) -> _Checked:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ResultsDataError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ResultsDataError(f"{path}: cannot be read ({err})") from None
    try:
        doc = json.loads(text)
    except ValueError as err:
        raise ResultsDataError(f"{path}: not valid JSON ({str(err)[:80]})") from None
    if not isinstance(doc, dict):
        raise ResultsDataError(f"{path}: holds a {type(doc).__name__}, not a JSON object")
    return _Checked(doc, str(path))


def load_results(directory: Path) -> tuple[dict, dict, dict]:
    """Read ``(summary, params, data)`` back from a results directory.

    Missing keys of the three raise :class:`ResultsDataError` naming the file and the key, as does a
    missing, empty, truncated or malformed file; ``params.json`` must name its ``protocol``.
    """
    directory = Path(directory)
    summary = _read_json_object(directory / "summary.json")
    params = _read_json_object(directory / "params.json")
    if not isinstance(params.get("protocol"), str):
        raise ResultsDataError(f"{directory / 'params.json'}: lacks 'protocol'")
    path = directory / "data.npz"
    if not path.is_file():
        raise ResultsDataError(f"{path}: missing")
    try:
        with np.load(path, allow_pickle=False) as npz:
            data = {k: npz[k] for k in npz.files}
    except Exception as err:  # zipfile, zlib, format and pickle errors all mean: damaged file
        raise ResultsDataError(f"{path}: not a readable .npz file ({type(err).__name__})") from None
    return summary, params, _Checked(data, str(path))
