"""Progress bar for compiled standalone programs.

The engine makes Brian2 launch the program as ``python -m protocols.progress [opts] -- ./main ARGS``.
This wrapper runs it, turns its ``@progress`` report lines into a tqdm bar (simulated seconds, with
the current phase label), passes every other line through, and exits with the program's status.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time


def make_bar(total_s: float, quiet: bool = False):
    """A tqdm bar over simulated seconds (hidden when stderr is not a terminal)."""
    from tqdm import tqdm

    return tqdm(total=round(total_s, 3), unit="sim s", unit_scale=False, dynamic_ncols=True,
                disable=True if quiet else None, file=sys.stderr,
                bar_format="{l_bar}{bar}| {n:.1f}/{total:.1f} sim s [{elapsed}<{remaining}{postfix}]")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="python -m protocols.progress")
    parser.add_argument("--total", type=float, required=True)
    parser.add_argument("--segments", default="[]")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--timing-file", help="write the program's wall time (s) here")
    opts = parser.parse_args(argv[:split])
    command = argv[split + 1:]
    segments = json.loads(opts.segments)
    # Standalone runs report per run() call, relative to that call: map onto the whole schedule.
    bar = make_bar(opts.total, opts.quiet)
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1)
    for line in proc.stdout:
        if line.startswith("@progress "):
            start, completed, duration, _elapsed = map(float, line.split()[1:5])
            t = start + completed * duration
            bar.n = round(min(t, opts.total), 3)
            label = next((lab for t_end, lab in segments if t <= t_end + 1e-9), "")
            bar.set_postfix_str(label, refresh=False)
            bar.refresh()
        elif not opts.quiet:
            sys.stdout.write(line)
    bar.close()
    status = proc.wait()
    if opts.timing_file:  # the whole program, all run() segments (last_run_info.txt has only the last)
        with open(opts.timing_file, "w") as f:
            f.write(f"{time.perf_counter() - started:.6f}\n")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
