"""``python -m protocols export-nwb RESULTS_DIR [--out FILE.nwb]``: a run's spikes and trials as NWB.

Neurodata Without Borders (Rübel et al. 2022, eLife 11:e78362) is the exchange format of
neurophysiology; this writes one NWB file per results directory with

* a **units** table: one row per recorded cell, with its ``population`` (``grc``, ``pc``, ...), its index
  in that population and its spike times (s), from the ``spikes_<population>_i`` /
  ``spikes_<population>_t`` arrays of ``data.npz`` (``spikes_<population>_n`` cells each);
* a **trials** table from the ``epochs_*`` arrays (``epochs_start_s``, ``epochs_stop_s`` and further
  columns such as the phase, the CS and US times or the probe flag);
* the run's ``params.json`` (every parameter, seed, versions, commit) as the file's notes, and its
  protocol, seed and creation time as session metadata.

pynwb is an optional dependency (``pip install 'spiking-memory[nwb]'``).
"""
from __future__ import annotations

import argparse
import datetime
import json
import sys
import uuid
from pathlib import Path

import numpy as np

__all__ = ["export_nwb", "main", "populations"]


class ExportError(Exception):
    """A one-line reason why a results directory cannot be exported (exit 2)."""


def populations(data) -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    """``{population: (cell indices, spike times s, number of cells)}`` from the spike arrays of ``data``."""
    out = {}
    for key in sorted(data):
        if key.startswith("spikes_") and key.endswith("_t"):
            pop = key[len("spikes_"):-2]
            i = np.asarray(data[f"spikes_{pop}_i"], dtype=np.int64)
            t = np.asarray(data[key], dtype=float)
            n = int(data[f"spikes_{pop}_n"]) if f"spikes_{pop}_n" in data else int(i.max(initial=-1) + 1)
            out[pop] = (i, t, n)
    return out


def export_nwb(results_dir: Path, out: Path) -> Path:
    """Write the NWB file of ``results_dir`` to ``out`` (through a temporary name)."""
    from pynwb import NWBHDF5IO, NWBFile

    from protocols.results import load_results

    summary, params, data = load_results(results_dir)
    pops = populations(data)
    if not pops:
        raise ExportError(f"{results_dir / 'data.npz'}: holds no spike arrays (spikes_<population>_t)")
    created = params.get("provenance", {}).get("created_utc")
    try:
        start = datetime.datetime.fromisoformat(created) if created else None
    except ValueError:
        start = None
    start = start or datetime.datetime.now(datetime.timezone.utc)
    nwb = NWBFile(session_description=f"spiking-memory protocol {params['protocol']}, seed {params.get('seed')}",
                  identifier=str(uuid.uuid5(uuid.NAMESPACE_URL, str(Path(results_dir).resolve()))),
                  session_start_time=start, session_id=f"{params['protocol']}-seed{params.get('seed')}",
                  notes=json.dumps(params, sort_keys=True), source_script="python -m protocols",
                  source_script_file_name="protocols/cli.py")
    nwb.add_unit_column("population", "cell population of the simulated circuit")
    nwb.add_unit_column("cell_index", "index of the cell in its population")
    for pop, (i, t, n) in pops.items():
        order = np.lexsort((t, i))
        i, t = i[order], t[order]
        bounds = np.searchsorted(i, np.arange(n + 1))
        for cell in range(n):
            nwb.add_unit(spike_times=t[bounds[cell]:bounds[cell + 1]], population=pop, cell_index=cell)
    epochs = {k[len("epochs_"):]: np.asarray(data[k]) for k in data if k.startswith("epochs_")}
    if "start_s" in epochs and "stop_s" in epochs:
        extra = {k: v for k, v in epochs.items() if k not in ("start_s", "stop_s")}
        for name in extra:
            nwb.add_trial_column(name, f"{name} of each trial/window (see the protocol's data contract)")
        for k in range(len(epochs["start_s"])):
            row = {name: (v[k].item() if v.dtype.kind != "U" else str(v[k])) for name, v in extra.items()}
            nwb.add_trial(start_time=float(epochs["start_s"][k]), stop_time=float(epochs["stop_s"][k]), **row)
    out = Path(out)
    tmp = out.with_name(f".partial-{out.name}")  # keeps the .nwb suffix pynwb expects
    with NWBHDF5IO(str(tmp), "w") as io:
        io.write(nwb)
    tmp.replace(out)
    return out


def main(argv) -> int:
    parser = argparse.ArgumentParser(prog="python -m protocols export-nwb",
                                     description="Write a run's spikes, trials and parameters as an NWB file.")
    parser.add_argument("results", type=Path, help="a results directory of python -m protocols")
    parser.add_argument("--out", type=Path, help="NWB file (default RESULTS/run.nwb)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        import pynwb  # noqa: F401
    except ImportError:
        sys.stderr.write("python -m protocols export-nwb: error: needs pynwb; install it with "
                         "pip install 'spiking-memory[nwb]'\n")
        return 2
    from protocols.results import ResultsDataError

    if not args.results.is_dir():
        sys.stderr.write(f"python -m protocols export-nwb: error: {args.results}: no such directory\n")
        return 2
    out = args.out or args.results / "run.nwb"
    try:
        path = export_nwb(args.results, out)
    except (ExportError, ResultsDataError) as err:
        sys.stderr.write(f"python -m protocols export-nwb: error: {err}\n")
        return 2
    except OSError as err:
        sys.stderr.write(f"python -m protocols export-nwb: failed: cannot write {out} ({err.strerror or err})\n")
        return 1
    print(f"nwb: {path}")
    return 0
