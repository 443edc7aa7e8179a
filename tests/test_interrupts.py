"""Interrupted runs: one line, the right exit status, no child process left, nothing half-done used later.

A standalone run starts compilers and the compiled program in a process group of their own; Ctrl-C,
SIGTERM or the death of the CLI (even by SIGKILL) ends that group. The build cache trusts only programs
whose manifest matches, so a build killed half-way is compiled again, and a killed run's results are
never visible.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
TINY = ["hopfield-recall", "--memories", "2", "--slots", "2", "--copies", "2", "--betas", "5", "--noise", "0",
        "--partial", "none", "--read-ms", "20", "--settle-ms", "10", "--set", "capacity_memories=2", "--no-figures",
        "--no-progress", "--seed", "1"]


def _processes_under(path: Path) -> list[str]:
    """Command lines of live processes whose command line or working directory is under ``path``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if str(path) in cmd or cwd.startswith(str(path)):
            found.append(cmd.strip())
    return found


def _start(tmp_path, out, cache):
    env = {**os.environ, "SPIKING_MEMORY_CACHE": str(cache)}
    return subprocess.Popen([sys.executable, "-m", "protocols", *TINY, "--out", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_for(predicate, timeout=120.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _compiling(cache: Path) -> bool:
    return any(" make" in c or "cc1plus" in c for c in _processes_under(cache / "workspaces"))


@pytest.mark.standalone
def test_ctrl_c_during_the_compile_exits_130_with_one_line_and_leaves_no_compiler(tmp_path):
    cache = tmp_path / "cache"
    proc = _start(tmp_path, tmp_path / "res", cache)
    assert _wait_for(lambda: _compiling(cache)), "the compile never started"
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to its foreground process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines() == ["interrupted; no result written (earlier results untouched)"]
    assert _wait_for(lambda: not _processes_under(cache), timeout=10), _processes_under(cache)
    assert not (tmp_path / "res").exists() and not list(tmp_path.glob(".res.*"))


@pytest.mark.standalone
def test_sigterm_to_the_cli_alone_ends_its_compiler_too(tmp_path):
    cache = tmp_path / "cache"
    proc = _start(tmp_path, tmp_path / "res", cache)
    assert _wait_for(lambda: _compiling(cache)), "the compile never started"
    proc.send_signal(signal.SIGTERM)  # the CLI only, not its group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM and err.count("\n") == 1
    assert _wait_for(lambda: not _processes_under(cache), timeout=10), _processes_under(cache)


@pytest.mark.slow
@pytest.mark.standalone
def test_sigkill_of_the_cli_leaves_no_orphan_and_the_rerun_is_identical(tmp_path):
    cache = tmp_path / "cache"
    # killed while compiling: the workspace may hold partial objects, the cache no program
    proc = _start(tmp_path, tmp_path / "a", cache)
    assert _wait_for(lambda: _compiling(cache))
    time.sleep(3)
    proc.kill()
    proc.wait()
    assert _wait_for(lambda: not _processes_under(cache), timeout=15), _processes_under(cache)
    assert not list((cache / "programs").glob("*/manifest.json"))
    # a full run after it compiles again and succeeds
    first = _start(tmp_path, tmp_path / "a", cache)
    assert first.wait(timeout=900) == 0, first.stderr.read()
    # killed while the compiled program runs: no orphan program, no visible result
    proc = _start(tmp_path, tmp_path / "b", cache)
    assert _wait_for(lambda: any("programs" in c and c.endswith("main") or "/main " in c
                                 for c in _processes_under(cache)), timeout=120)
    proc.kill()
    proc.wait()
    assert _wait_for(lambda: not _processes_under(cache), timeout=15), _processes_under(cache)
    assert not (tmp_path / "b").exists()
    again = _start(tmp_path, tmp_path / "b", cache)
    assert again.wait(timeout=300) == 0
    a, b = np.load(tmp_path / "a" / "data.npz"), np.load(tmp_path / "b" / "data.npz")
    assert all(np.array_equal(a[k], b[k]) for k in a.files)  # same seed, same data
    assert not list(tmp_path.glob(".b.*"))  # the killed run's partial directory was cleaned up
