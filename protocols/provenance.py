"""What a results directory records about how it was made: versions, machine, commit, command."""
from __future__ import annotations

import datetime
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

_PACKAGES = ("spiking-memory", "brian2", "numpy", "scipy", "matplotlib", "cython")


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo (Linux), else :func:`platform.processor`."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_commit() -> dict | None:
    """Commit and dirty flag of the source tree, or None outside a git checkout."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        # untracked source files count too: an uncommitted protocol module changes results
        status = subprocess.run(["git", "status", "--porcelain", "--", "*.py", "setup.cfg"], cwd=root,
                                capture_output=True, text=True, timeout=5).stdout
        dirty = status.strip() != ""
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": dirty}


def provenance() -> dict:
    """A JSON-ready record of software versions, machine and command line."""
    import os

    return {
        "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "python": platform.python_version(),
        "versions": {name: _version(name) for name in _PACKAGES},
        "machine": {"platform": platform.platform(), "cpu": cpu_model(), "cores": os.cpu_count()},
        "git": git_commit(),
    }
