"""The run engine: owns the Brian2 device for one protocol run and measures what it costs.

Protocols build their circuit inside ``with Simulation(...) as sim``, schedule every phase with
:meth:`Simulation.run`, call :meth:`Simulation.execute` once, and then read their monitors.

* ``device="standalone"`` (default) generates one ``cpp_standalone`` project for the whole schedule in
  a private directory, takes the compiled program for that code from the cache
  (:mod:`protocols.build_cache`; compiled on a miss) and runs it there with the seed and any
  run-time values on its command line. Code is generated deterministically and does not contain the
  seed, so a new seed, and any value registered with :meth:`Simulation.set_at_run_time`, reuses the
  same program; runs of one program execute side by side.
* ``device="runtime"`` runs each phase immediately with Brian2's runtime code generation (numpy by
  default: no compile step, good for small tests).

The compiled program times its phases itself (loading, set-up, simulation loop, writing results)
and reports its peak memory; ``profile=True`` adds Brian2's per-code-object times.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from protocols.build_cache import CHILD, BuildError, ProgramCache, cache_root

__all__ = ["Simulation", "RunOutput", "monitor_spikes", "synaptic_events", "cache_root", "clean_run_dirs", "BuildError", "DEVICES"]

DEVICES = ("standalone", "runtime")
RUNTIME_TARGETS = ("numpy", "cython")

# C++ body of the standalone progress reporter: one parseable line per report, read by the supervisor.
_CPP_REPORT = r'std::cout << "@progress " << start << " " << completed << " " << duration << " " << elapsed << std::endl << std::flush;'

# The seed comes from the command line (``--seed=N``), so it is not part of the code: every generator
# k is seeded with N + k, as ``brian2.seed(N)`` does (without --seed: Brian2's random seeding).
_SEED_CODE = r"""
{
    unsigned long _engine_seed = 0UL;
    bool _engine_seeded = false;
    for (auto _it = args.begin(); _it != args.end(); ) {
        if (_it->rfind("--seed=", 0) == 0) {
            _engine_seed = std::stoul(_it->substr(7)); _engine_seeded = true; _it = args.erase(_it);
        } else ++_it;
    }
    if (_engine_seeded)
        for (size_t _i = 0; _i < brian::_random_generators.size(); _i++)
            brian::_random_generators[_i].seed(_engine_seed + _i);
}
"""

# Phase clocks of the compiled program and its peak memory (VmHWM), written next to its results.
_PHASE_CODE = {
    "before_start": "struct timespec _ph_start, _ph_loaded, _ph_loop0, _ph_write0, _ph_end; double _ph_loop = 0.0;"
                    " clock_gettime(CLOCK_MONOTONIC, &_ph_start);",
    "after_start": "clock_gettime(CLOCK_MONOTONIC, &_ph_loaded);",
    "before_network_run": "clock_gettime(CLOCK_MONOTONIC, &_ph_loop0);",
    "after_network_run": "{ struct timespec _e; clock_gettime(CLOCK_MONOTONIC, &_e);"
                         " _ph_loop += (_e.tv_sec - _ph_loop0.tv_sec) + 1e-9 * (_e.tv_nsec - _ph_loop0.tv_nsec); }",
    "before_end": "clock_gettime(CLOCK_MONOTONIC, &_ph_write0);",
    "after_end": r"""{
    clock_gettime(CLOCK_MONOTONIC, &_ph_end);
    auto _ph_d = [](struct timespec a, struct timespec b) { return (b.tv_sec - a.tv_sec) + 1e-9 * (b.tv_nsec - a.tv_nsec); };
    std::ofstream _f(brian::results_dir + "engine_phases.txt");
    _f.precision(9);
    _f << "load " << _ph_d(_ph_start, _ph_loaded) << "\nloop " << _ph_loop
       << "\nwrite " << _ph_d(_ph_write0, _ph_end) << "\ntotal " << _ph_d(_ph_start, _ph_end) << "\n";
    std::ifstream _st("/proc/self/status"); std::string _l;
    while (std::getline(_st, _l)) if (_l.rfind("VmHWM", 0) == 0) _f << _l << "\n";
}""",
}


@dataclass
class RunOutput:
    """What a protocol returns to the CLI.

    Attributes
    ----------
    summary : dict
        Metrics a person reads (targets, equivalence numbers); JSON-ready.
    data : dict of array
        The raw arrays the protocol saves to ``data.npz``.
    synaptic_events : int
        Spikes delivered through synapses during the whole run (spikes x out-degree, plus
        ``PoissonInput`` events), for the events-per-second figure of merit.
    spikes : dict of str -> (indices, times s, n_cells)
        Raw spikes of each recorded population; saved as ``spikes_<pop>_i``, ``spikes_<pop>_t`` and
        ``spikes_<pop>_n``, so any rate or raster can be recomputed without the simulator.
    epochs : dict of str -> array, optional
        One row per trial or window: ``start_s``, ``stop_s`` and any further columns (phase, probe
        flag, ...); saved as ``epochs_<column>``.
    """

    summary: dict
    data: dict
    synaptic_events: int = 0
    spikes: dict = field(default_factory=dict)
    epochs: dict | None = None

    def arrays(self) -> dict:
        """Everything saved to ``data.npz``: the protocol's arrays, spikes and the epoch table."""
        out = dict(self.data)
        for pop, (i, t, n) in self.spikes.items():
            out[f"spikes_{pop}_i"] = np.asarray(i, dtype=np.int32)
            out[f"spikes_{pop}_t"] = np.asarray(t, dtype=float)
            out[f"spikes_{pop}_n"] = np.int64(n)
        for col, values in (self.epochs or {}).items():
            out[f"epochs_{col}"] = np.asarray(values)
        return out


def monitor_spikes(monitor, n_cells: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """``(indices, times in s, number of cells)`` of a Brian2 ``SpikeMonitor`` after the run."""
    i = np.asarray(monitor.i[:], dtype=np.int32)
    t = np.asarray(monitor.t_[:], dtype=float)
    return i, t, int(n_cells if n_cells is not None else len(monitor.source))


def synaptic_events(spike_counts, synapse_sources) -> int:
    """Synaptic events of one pathway: sum over sources of spikes x out-degree.

    Parameters
    ----------
    spike_counts : array of int, shape (n_source,)
        Spikes each source neuron fired (e.g. ``SpikeMonitor.count``).
    synapse_sources : array of int, shape (n_synapses,)
        Presynaptic index of every synapse (e.g. the ``i`` passed to ``connect``).
    """
    counts = np.asarray(spike_counts, dtype=np.int64)
    outdeg = np.bincount(np.asarray(synapse_sources, dtype=np.int64), minlength=counts.size)
    return int(outdeg[: counts.size] @ counts)


_FLUSH_SUBNORMALS = """
#if defined(__SSE__) || defined(__x86_64__)
__builtin_ia32_ldmxcsr(__builtin_ia32_stmxcsr() | 0x8040);
#endif
"""


@dataclass
class Simulation:
    """Device, seed, schedule and cost accounting of one protocol run.

    Parameters
    ----------
    device : {"standalone", "runtime"}
        Code-generation target family.
    name : str
        Protocol name (names the compile workspace and the run directory).
    seed : int or None
        Seed of Brian2's random number generators (connectivity is drawn with numpy by the
        protocol, from the same seed, so it does not depend on the device).
    threads : int
        OpenMP threads for standalone (0 = off; measured faster on 2 cores).
    progress : bool
        Show a progress bar (hidden automatically when stderr is not a terminal).
    runtime_target : {"numpy", "cython"}
        Code generation for ``device="runtime"``.
    cache_dir : Path or None
        Cache root for compiled programs and run directories (default :func:`cache_root`).
    dt_ms : float
        Integration time step in ms (``defaultclock.dt``).
    profile : bool
        Record Brian2's per-code-object times (standalone).
    keep_run_dir : bool
        Keep the generated project and raw results of a standalone run (for debugging).
    record_all : bool
        Protocols record the spikes of every population, not only those their metrics need.
    """

    device: str = "standalone"
    name: str = "protocol"
    seed: int | None = None
    threads: int = 0
    progress: bool = True
    runtime_target: str = "numpy"
    cache_dir: Path | None = None
    dt_ms: float = 0.1
    profile: bool = False
    keep_run_dir: bool = False
    record_all: bool = False
    segments: list = field(default_factory=list)  # (t_end in s, label) per scheduled run
    build_time_s: float = 0.0
    run_time_s: float = 0.0
    program: dict = field(default_factory=dict)
    _run_dir: Path | None = None
    _bar: object = None
    _saved_run_cmd: object = None
    _run_args: dict = field(default_factory=dict)
    launched_at: float | None = None  # time.time() when the compiled program was started

    def __post_init__(self):
        if self.device not in DEVICES:
            raise ValueError(f"device = {self.device!r} is not allowed: choose one of {', '.join(DEVICES)}")
        if self.runtime_target not in RUNTIME_TARGETS:
            raise ValueError(f"runtime_target = {self.runtime_target!r} is not allowed: choose one of "
                             f"{', '.join(RUNTIME_TARGETS)}")
        if not isinstance(self.threads, int) or self.threads < 0:
            raise ValueError(f"threads = {self.threads!r} is out of range: allowed threads >= 0")
        if not 0.001 <= self.dt_ms <= 1.0:
            raise ValueError(f"dt = {self.dt_ms} ms is out of range: allowed 0.001 ms <= dt <= 1 ms")
        self.cache_dir = Path(self.cache_dir) if self.cache_dir is not None else cache_root()

    # -- device lifetime ---------------------------------------------------------------------
    def __enter__(self) -> "Simulation":
        import brian2
        from brian2.devices import reinit_devices

        reinit_devices()
        brian2.defaultclock.dt = self.dt_ms * brian2.ms
        if self.device == "standalone":
            brian2.set_device("cpp_standalone", build_on_run=False)
            prefs = brian2.prefs.devices.cpp_standalone
            prefs.openmp_threads = self.threads
            # Brian2's default `make -j` has no job limit: hundreds of compilers on 2 cores.
            prefs.extra_make_args_unix = [f"-j{os.cpu_count() or 1}"]
            self._saved_run_cmd = prefs.run_cmd_unix
            device = brian2.get_device()
            # Flush subnormal floats to zero (x86 SSE: FTZ + DAZ bits of MXCSR). Exponentially
            # decaying state of silent cells (eligibility chains, conductances) otherwise ends in the
            # subnormal range, where every operation is ~100x slower; values below 2.2e-308 change no spike.
            device.insert_code("before_start", _FLUSH_SUBNORMALS)
            for slot, code in _PHASE_CODE.items():
                device.insert_code(slot, code)
            device.insert_code("main", _SEED_CODE)
            # Assigned on the standalone device as well, so that every program sets dt itself (Brian2's
            # device resets queue further dt assignments depending on the sessions before this one;
            # execute() keeps only the last, so every session of a process generates the same code).
            brian2.defaultclock.dt = self.dt_ms * brian2.ms
        else:
            brian2.set_device("runtime")
            brian2.prefs.codegen.target = self.runtime_target
            if self.seed is not None:
                brian2.seed(self.seed)
        return self

    def __exit__(self, *exc) -> bool:
        import brian2
        from brian2.devices import reinit_devices

        if self._bar is not None:
            self._bar.close()
        if self._saved_run_cmd is not None:  # the supervisor command is specific to this run
            brian2.prefs.devices.cpp_standalone.run_cmd_unix = self._saved_run_cmd
        reinit_devices()
        brian2.set_device("runtime")
        if self._run_dir is not None and not self.keep_run_dir:
            shutil.rmtree(self._run_dir, ignore_errors=True)
        return False

    # -- schedule ----------------------------------------------------------------------------
    @property
    def simulated_time_s(self) -> float:
        """Biological time scheduled so far, in seconds."""
        return self.segments[-1][0] if self.segments else 0.0

    def run(self, net, duration, label: str = "") -> None:
        """Schedule (standalone) or run (runtime) ``net`` for ``duration`` (a Brian2 time)."""
        import brian2

        seconds = float(duration / brian2.second)
        self.segments.append((self.simulated_time_s + seconds, label))
        if self.device == "standalone":
            report = _CPP_REPORT if self.progress else None
            net.run(duration, report=report, report_period=1 * brian2.second, profile=self.profile)
        else:
            start = time.perf_counter()
            net.run(duration, report=self._runtime_report if self.progress else None,
                    report_period=1 * brian2.second)
            self.run_time_s += time.perf_counter() - start

    def set_at_run_time(self, variable, value) -> None:
        """Give a state variable its value when the program starts, not in the generated code.

        Parameters
        ----------
        variable : brian2 VariableView
            E.g. ``synapses.A_plus`` for a ``(shared, constant)`` parameter, or ``group.I_ext``.
        value : quantity or array
            The value (a scalar fills the whole variable).

        With ``device="runtime"`` the value is assigned at once. In standalone it is passed on the
        program's command line, so changing it reuses the compiled program.
        """
        if self.device == "standalone":
            self._run_args[variable] = value
        else:
            variable[:] = value

    def _runtime_report(self, elapsed, completed, start, duration):
        from protocols.progress import make_bar

        if self._bar is None:
            self._bar = make_bar(self.simulated_time_s)
        self._bar.total = round(self.simulated_time_s, 3)  # runtime phases are scheduled one by one
        t = float(start) + float(completed) * float(duration)
        self._bar.n = round(t, 3)
        self._bar.set_postfix_str(_label_at(self.segments, t), refresh=False)
        self._bar.refresh()

    def execute(self) -> None:
        """Generate, compile (unless cached) and run the scheduled standalone program (no-op for runtime)."""
        if self.device != "standalone":
            return
        import brian2

        device = brian2.get_device()
        started = time.perf_counter()
        _keep_last_assignment(device.main_queue, device.get_array_name(brian2.defaultclock.variables["dt"]))
        _sort_single_value_assignments(device.main_queue)
        runs = self.cache_dir / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        clean_run_dirs(self.cache_dir)
        self._run_dir = Path(_fresh_dir(runs, self.name))
        device.build(directory=str(self._run_dir), compile=False, run=False, with_output=False)
        codegen_s = time.perf_counter() - started
        binary, info = ProgramCache(self.cache_dir).program(self._run_dir, self.name)
        self.build_time_s = time.perf_counter() - started
        timing_file = self._run_dir / "program_wall_time.txt"
        wrapper = [sys.executable, str(CHILD), "--total", str(self.simulated_time_s),
                   "--segments", json.dumps(self.segments), "--timing-file", str(timing_file)]
        if not self.progress:
            wrapper.append("--quiet")
        brian2.prefs.devices.cpp_standalone.run_cmd_unix = [*wrapper, "--", str(binary)]
        self.launched_at = time.time()
        run_args = [] if self.seed is None else [f"--seed={int(self.seed)}"]
        if self._run_args:
            run_args += _run_arg_strings(device, self._run_dir, self._run_args)
        device.run(directory=str(self._run_dir), with_output=True, run_args=run_args)
        self.run_time_s = float(timing_file.read_text())
        phases = _read_phases(Path(device.results_dir) / "engine_phases.txt")
        self.program = {"key": info.key, "cached": info.cached, "codegen_s": round(codegen_s, 3),
                        "compile_s": round(info.compile_s, 3), **phases}
        if self.profile:
            self.program["profile_s"] = _read_profile(Path(device.results_dir) / "profiling_info.txt")

    @contextmanager
    def part(self, label: str):
        """A simulation of its own, with this one's settings, whose schedule and timings are added to
        this one's when it ends.

        For protocols that run several programs one after the other (e.g. one per noise level):
        each part generates, takes from the cache and runs its own program, and :meth:`cost` of this
        simulation then covers all of them.

        Parameters
        ----------
        label : str
            Prefix of the part's segment labels (progress bar, schedule).

        Yields
        ------
        Simulation
            Entered; schedule and execute on it as on any simulation.
        """
        inner = Simulation(device=self.device, name=self.name, seed=self.seed, threads=self.threads,
                           progress=self.progress, runtime_target=self.runtime_target, cache_dir=self.cache_dir,
                           dt_ms=self.dt_ms, profile=self.profile, keep_run_dir=self.keep_run_dir,
                           record_all=self.record_all)
        with inner:
            yield inner
        self._add_part(inner, label)

    def _add_part(self, inner: "Simulation", label: str) -> None:
        offset = self.simulated_time_s
        self.segments += [(offset + t_end, f"{label}: {name}") for t_end, name in inner.segments]
        self.build_time_s += inner.build_time_s
        self.run_time_s += inner.run_time_s
        if self.launched_at is None:
            self.launched_at = inner.launched_at
        if inner.program:
            # summed times, the largest peak memory, and which programs ran (one key per compiled program)
            prog = self.program or {"parts": 0, "keys": [], "compiled": 0}
            prog["parts"] += 1
            if inner.program["key"] not in prog["keys"]:
                prog["keys"].append(inner.program["key"])
            prog["compiled"] += not inner.program["cached"]
            for k, v in inner.program.items():
                if k.endswith("_s") and isinstance(v, (int, float)):
                    prog[k] = round(prog.get(k, 0.0) + v, 4)
            if "peak_memory_mib" in inner.program:
                prog["peak_memory_mib"] = max(prog.get("peak_memory_mib", 0.0), inner.program["peak_memory_mib"])
            self.program = prog

    def cost(self, synaptic_events: int, wall_time_s: float) -> dict:
        """Run-cost record for ``summary.json`` (times in s, memory in MiB).

        ``realtime_factor`` and ``synaptic_events_per_s`` refer to the simulation loop alone; the
        compiled program's start-up (loading data, building synapses) and write-out are reported
        beside it (``program``), the compile and code generation under ``build_time_s``.
        """
        sim_s = self.simulated_time_s
        loop = self.program.get("loop_s", self.run_time_s) or self.run_time_s
        out = {
            "device": self.device,
            "dt_ms": self.dt_ms,
            "runtime_target": self.runtime_target if self.device == "runtime" else None,
            "openmp_threads": self.threads,
            "simulated_time_s": sim_s,
            "wall_time_s": round(wall_time_s, 3),
            "build_time_s": round(self.build_time_s, 3),
            "simulation_wall_time_s": round(self.run_time_s, 3),
            "loop_time_s": round(loop, 3),
            "realtime_factor": round(loop / sim_s, 4) if sim_s else None,
            "synaptic_events": int(synaptic_events),
            "synaptic_events_per_s": round(synaptic_events / loop) if loop else None,
        }
        if self.program:
            rest = self.run_time_s - loop
            out["program"] = {**self.program, "outside_loop_s": round(rest, 3),
                              "outside_loop_fraction": round(rest / self.run_time_s, 4) if self.run_time_s else None}
        return out


def clean_run_dirs(root: Path | None = None) -> list[str]:
    """Remove run directories of processes that are gone (a killed standalone run leaves its own)."""
    import re

    from protocols.results import _alive

    runs = Path(root or cache_root()) / "runs"
    done = []
    for path in runs.glob("*") if runs.is_dir() else []:
        m = re.match(r".+-(\d+)-[^-]+$", path.name)
        if m and not _alive(int(m.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            done.append(f"removed {path}")
    return done


def _fresh_dir(parent: Path, name: str) -> str:
    import tempfile

    return tempfile.mkdtemp(prefix=f"{name}-{os.getpid()}-", dir=parent)


def _keep_last_assignment(queue: list, array_name: str) -> None:
    """Drop every scalar assignment to ``array_name`` but the last, where they all write one value.

    Brian2 queues a ``defaultclock.dt`` assignment at every device reset and clock restore, so their
    number depends on how many sessions the process ran before; equal writes to one scalar are
    idempotent, and the last one alone leaves the same value.
    """
    hits = [k for k, (kind, args) in enumerate(queue) if kind == "set_by_single_value" and args[0] == array_name]
    if len({repr(queue[k][1][1:]) for k in hits}) == 1:
        for k in reversed(hits[:-1]):
            del queue[k]


def _sort_single_value_assignments(queue: list) -> None:
    """Make the generated ``main.cpp`` independent of Python's hash seed.

    Brian2 queues the reset of every clock from a ``set``, so consecutive scalar assignments come in
    an arbitrary order. Writes to different arrays commute; a stable sort by array name keeps the
    order of writes to the same array.
    """
    i = 0
    while i < len(queue):
        if queue[i][0] != "set_by_single_value":
            i += 1
            continue
        j = i
        while j < len(queue) and queue[j][0] == "set_by_single_value":
            j += 1
        queue[i:j] = sorted(queue[i:j], key=lambda entry: entry[1][0])
        i = j


def _run_arg_strings(device, run_dir: Path, values: dict) -> list[str]:
    """``name=value`` command-line arguments; arrays go to files in the run directory."""
    import hashlib

    from brian2.units.fundamentalunits import fail_for_dimension_mismatch

    out = []
    for view, value in values.items():
        var = view.variable
        name = f"{var.owner.name}.{var.name}"
        fail_for_dimension_mismatch(view.dim, value, f"run-time value of {name}")
        arr = np.asarray(value, dtype=var.dtype)  # a quantity becomes its value in SI units
        if arr.size == 1:
            out.append(f"{name}={arr.reshape(()).item()!r}")
        else:
            path = run_dir / "static_arrays" / f"runarg_{name}_{hashlib.md5(arr.tobytes()).hexdigest()}.dat"
            arr.tofile(path)
            out.append(f"{name}={path}")
    return out


def _read_phases(path: Path) -> dict:
    phases: dict = {}
    try:
        for line in path.read_text().splitlines():
            key, *rest = line.replace(":", " ").split()
            if key == "VmHWM":
                phases["peak_memory_mib"] = round(float(rest[0]) / 1024, 1)
            elif rest:
                phases[f"{key}_s"] = round(float(rest[0]), 4)
    except (OSError, ValueError, IndexError):
        pass
    return phases


def _read_profile(path: Path, top: int = 12) -> dict:
    """Brian2's per-code-object times (s), largest first; the rest summed as ``other``."""
    try:
        rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
        times = sorted(((name, float(t)) for name, t in rows), key=lambda r: -r[1])
    except (OSError, ValueError):
        return {}
    out = {name: round(t, 4) for name, t in times[:top]}
    if len(times) > top:
        out["other"] = round(sum(t for _, t in times[top:]), 4)
    return out


def _label_at(segments, t: float) -> str:
    for t_end, label in segments:
        if t <= t_end + 1e-9:
            return label
    return segments[-1][1] if segments else ""
