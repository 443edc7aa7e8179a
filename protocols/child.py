"""Supervisor of a child program (compiler or compiled simulation): one process group, ended with its parent.

The engine starts ``python child.py [options] -- COMMAND ...`` instead of ``COMMAND``. This wrapper

* puts itself and ``COMMAND`` (and everything ``COMMAND`` starts: ``make``'s compilers) into a process
  group of their own, so the whole group can be ended with one signal;
* ends that group when its parent dies (``PR_SET_PDEATHSIG``), also when the parent is killed with
  ``SIGKILL``, and when it receives ``SIGTERM`` / ``SIGINT`` itself, so no compiler or simulation is left
  running as an orphan;
* turns the simulation's ``@progress`` report lines into a progress bar (simulated seconds, with the
  current phase label) and passes every other line through;
* writes the wall time of ``COMMAND`` to ``--timing-file`` and exits with its status.

It is started by file path (it runs in the build directory, wherever the project is installed).
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
import time

_PR_SET_PDEATHSIG = 1
#: Lines with which a Brian2 standalone program reports unusable inputs while still exiting with 0.
_PROGRAM_ERRORS = ("Error reading", "Error opening", "Error writing", "Cannot set")


def die_with_parent(sig: int) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent ends (Linux; no-op elsewhere)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _end_group(signum, frame):  # noqa: ARG001 - signal handler signature
    os.killpg(os.getpgid(0), signal.SIGKILL)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="child.py")
    parser.add_argument("--total", type=float, default=0.0, help="simulated seconds (progress bar total)")
    parser.add_argument("--segments", default="[]", help="JSON list of (t_end s, label)")
    parser.add_argument("--quiet", action="store_true", help="no bar, no pass-through output")
    parser.add_argument("--timing-file", help="write the command's wall time (s) here")
    parser.add_argument("--output-file", help="append the command's output here instead of stdout")
    opts = parser.parse_args(argv[:split])
    command = argv[split + 1:]
    parent = os.getppid()
    os.setpgid(0, 0)
    die_with_parent(signal.SIGTERM)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _end_group)
    if os.getppid() != parent:  # the parent ended before the death signal was armed
        return 1
    segments = json.loads(opts.segments)
    bar = None
    if opts.total > 0 and not opts.quiet:
        from progress import make_bar  # noqa: PLC0415 - sibling module, imported by path

        bar = make_bar(opts.total)
    sink = open(opts.output_file, "a") if opts.output_file else sys.stdout
    failed: list[str] = []
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
                            preexec_fn=lambda: die_with_parent(signal.SIGKILL))
    for line in proc.stdout:
        if line.startswith("@progress "):
            if bar is not None:
                start, completed, duration, _elapsed = map(float, line.split()[1:5])
                t = start + completed * duration
                bar.n = round(min(t, opts.total), 3)
                bar.set_postfix_str(next((lab for t_end, lab in segments if t <= t_end + 1e-9), ""), refresh=False)
                bar.refresh()
        else:
            if line.startswith(_PROGRAM_ERRORS):
                failed.append(line.strip())
                sys.stderr.write(line)
            elif not opts.quiet or opts.output_file:
                sink.write(line)
    status = proc.wait()
    if status == 0 and failed:  # the compiled program reports some input errors but exits with 0
        status = 1
    if bar is not None:
        bar.close()
    if opts.output_file:
        sink.close()
    if opts.timing_file:
        with open(opts.timing_file, "w") as f:
            f.write(f"{time.perf_counter() - started:.6f}\n")
    return status


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    raise SystemExit(main())
