"""Compiled standalone programs: built once per network shape, kept in a cache, checked before use.

Brian2 writes a run's C++ project (code and data) into a private directory. The code alone — not the
data files (connectivity, schedules, initial values, all drawn from the seed) and not the seed, which the
engine passes on the command line — decides which program is needed: its digest, with the CPU model,
the compiler and the Brian2 version, is the program's key. A program already in the cache is run as it
is (no compiler call); otherwise it is compiled in a *workspace* kept per protocol and code structure
(same code objects: an incremental build recompiles only what changed; a mode switch gets a workspace of
its own) and copied into the cache with a manifest (size and SHA-256), written last. Only the compile
holds a lock, so runs of one program execute side by side.

A program whose file does not match its manifest (a kill during the copy, a truncated or foreign file)
is rebuilt, never run; a failed incremental build is retried once from a clean workspace (a build killed
half-way can leave truncated object files that ``make`` would take as up to date).
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["cache_root", "ProgramCache", "BuildError", "source_digest", "CHILD"]

#: The supervisor script every compiler and program runs under (see :mod:`protocols.child`).
CHILD = Path(__file__).with_name("child.py")

_SOURCE_SUFFIXES = (".cpp", ".h", ".hpp", ".c", ".cc")
_SKIP_DIRS = {"static_arrays", "results"}


class BuildError(RuntimeError):
    """A standalone program could not be compiled (message holds the end of the compiler log)."""


def cache_root() -> Path:
    """Where compiled programs are kept (``$SPIKING_MEMORY_CACHE`` or ``~/.cache/spiking-memory``)."""
    env = os.environ.get("SPIKING_MEMORY_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "spiking-memory"


def _sources(project: Path):
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project)
        if rel.parts[0] in _SKIP_DIRS or not path.is_file():
            continue
        if path.suffix in _SOURCE_SUFFIXES or path.name == "makefile":
            yield rel


def source_digest(project: Path) -> tuple[str, str]:
    """``(digest of all code, digest of the code-object names)`` of a generated project directory."""
    h = hashlib.sha256()
    names = hashlib.sha256()
    for rel in _sources(project):
        h.update(str(rel).encode() + b"\0" + (project / rel).read_bytes() + b"\0")
        if rel.parts[0] == "code_objects":
            names.update(str(rel).encode() + b"\0")
    return h.hexdigest(), names.hexdigest()


def _machine() -> str:
    from brian2 import __version__ as brian_version

    from protocols.provenance import cpu_model

    try:
        cc = subprocess.run(["g++", "--version"], capture_output=True, text=True, timeout=10).stdout.splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        cc = "unknown compiler"
    return f"{cpu_model()}|{platform.machine()}|{cc}|brian2 {brian_version}"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class BuildInfo:
    """How the program of a run was obtained."""

    key: str
    cached: bool
    compile_s: float
    workspace: str | None


class ProgramCache:
    """The cache of compiled programs under ``root`` (see the module docstring).

    Parameters
    ----------
    root : Path
        Cache root; programs go to ``root/programs/KEY/``, workspaces to ``root/workspaces/``.
    jobs : int
        Parallel compiler jobs (``make -j``).
    """

    def __init__(self, root: Path, jobs: int | None = None):
        self.root = Path(root)
        self.jobs = jobs or os.cpu_count() or 1
        self._machine: str | None = None

    def key(self, digest: str) -> str:
        if self._machine is None:
            self._machine = _machine()
        return hashlib.sha256(f"{digest}|{self._machine}".encode()).hexdigest()[:24]

    def entry(self, key: str) -> Path:
        return self.root / "programs" / key

    def valid_program(self, key: str) -> Path | None:
        """The cached program of ``key`` if its file matches its manifest, else None."""
        entry = self.entry(key)
        try:
            manifest = json.loads((entry / "manifest.json").read_text())
            binary = entry / "main"
            if (binary.stat().st_size == manifest["size"] and os.access(binary, os.X_OK)
                    and _sha256(binary) == manifest["sha256"]):
                return binary
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def program(self, project: Path, name: str) -> tuple[Path, BuildInfo]:
        """The program for the generated ``project``, compiled if the cache has no valid one.

        Parameters
        ----------
        project : Path
            A project directory written by ``device.build(compile=False)``.
        name : str
            Protocol name (names the workspace).
        """
        digest, structure = source_digest(project)
        key = self.key(digest)
        binary = self.valid_program(key)
        if binary is not None:
            return binary, BuildInfo(key, True, 0.0, None)
        workspace = self.root / "workspaces" / f"{name}-{structure[:12]}"
        workspace.mkdir(parents=True, exist_ok=True)
        with open(workspace.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # only compiles wait for each other
            binary = self.valid_program(key)  # built by another run while we waited
            if binary is not None:
                return binary, BuildInfo(key, True, 0.0, str(workspace))
            started = time.perf_counter()
            self._sync(project, workspace)
            try:
                self._make(workspace)
            except BuildError:
                self._clean(workspace)
                self._make(workspace)
            binary = self._store(workspace / "main", key, name)
            return binary, BuildInfo(key, False, time.perf_counter() - started, str(workspace))

    # -- steps -----------------------------------------------------------------------------------
    @staticmethod
    def _sync(project: Path, workspace: Path) -> None:
        """Copy changed sources into the workspace (unchanged files keep their time: make skips them)."""
        for rel in _sources(project):
            src, dst = project / rel, workspace / rel
            data = src.read_bytes()
            if dst.is_file() and dst.read_bytes() == data:
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, dst)

    @staticmethod
    def _clean(workspace: Path) -> None:
        for path in workspace.rglob("*"):
            if path.is_file() and (path.suffix in (".o", ".d") or path.name in ("main", "make.deps")):
                path.unlink()

    def _make(self, workspace: Path) -> None:
        log = workspace / "make.log"
        log.write_text("")
        cmd = [sys.executable, str(CHILD), "--quiet", "--output-file", str(log), "--",
               "make", f"-j{self.jobs}"]
        proc = subprocess.Popen(cmd, cwd=workspace, process_group=0)
        try:
            status = proc.wait()
        except BaseException:
            end_group(proc)
            raise
        if status != 0 or not (workspace / "main").is_file():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise BuildError(f"compiling the standalone program failed in {workspace} (exit {status}):\n{tail}")

    def _store(self, built: Path, key: str, name: str) -> Path:
        entry = self.entry(key)
        entry.mkdir(parents=True, exist_ok=True)
        (entry / "manifest.json").unlink(missing_ok=True)  # invalid until the copy is complete
        tmp = entry / f".main.tmp-{os.getpid()}"
        shutil.copyfile(built, tmp)
        os.chmod(tmp, 0o755)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, entry / "main")
        manifest = {"size": (entry / "main").stat().st_size, "sha256": _sha256(entry / "main"),
                    "protocol": name, "built_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        tmp = entry / f".manifest.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(manifest, indent=1))
        os.replace(tmp, entry / "manifest.json")
        return entry / "main"


def end_group(proc: subprocess.Popen) -> None:
    """End a supervised child and its whole process group (compilers, the simulation)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
