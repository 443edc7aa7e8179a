"""The run engine: owns the Brian2 device for one protocol run and measures what it costs.

Protocols build their circuit inside ``with Simulation(...) as sim``, schedule every phase with
:meth:`Simulation.run`, call :meth:`Simulation.execute` once, and then read their monitors.

* ``device="standalone"`` (default) generates one ``cpp_standalone`` program for the whole
  schedule, compiles it in a per-protocol build directory that is kept between runs (an unchanged
  network recompiles nothing), and runs it once.
* ``device="runtime"`` runs each phase immediately with Brian2's runtime code generation (numpy by
  default: no compile step, good for small tests).
"""
from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DEVICES = ("standalone", "runtime")
RUNTIME_TARGETS = ("numpy", "cython")

# C++ body of the standalone progress reporter: one parseable line per report, read by
# ``protocols.progress`` which turns it into a progress bar.
_CPP_REPORT = r'std::cout << "@progress " << start << " " << completed << " " << duration << " " << elapsed << std::endl << std::flush;'


def cache_root() -> Path:
    """Where compiled standalone programs are kept (``$SPIKING_MEMORY_CACHE`` or ~/.cache)."""
    env = os.environ.get("SPIKING_MEMORY_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "spiking-memory"


@dataclass
class RunOutput:
    """What a protocol returns to the CLI.

    Attributes
    ----------
    summary : dict
        Metrics a person reads (targets with pass/fail, equivalence numbers); JSON-ready.
    data : dict of array
        The raw arrays the protocol's issue names; saved to ``data.npz``.
    synaptic_events : int
        Spikes delivered through synapses during the whole run (spikes x out-degree, plus
        ``PoissonInput`` events), for the events-per-second figure of merit.
    """

    summary: dict
    data: dict
    synaptic_events: int = 0


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
        Build-directory name (one per protocol / network shape family).
    seed : int or None
        Seed of Brian2's random number generator (connectivity is drawn with numpy by the
        protocol, from the same seed, so it does not depend on the device).
    threads : int
        OpenMP threads for standalone (0 = off; measured faster on 2 cores).
    progress : bool
        Show a progress bar (hidden automatically when stderr is not a terminal).
    runtime_target : {"numpy", "cython"}
        Code generation for ``device="runtime"``.
    build_dir : Path or None
        Override the standalone build directory.
    dt_ms : float
        Integration time step in ms (``defaultclock.dt``); default 0.1 ms.
    """

    device: str = "standalone"
    name: str = "protocol"
    seed: int | None = None
    threads: int = 0
    progress: bool = True
    runtime_target: str = "numpy"
    build_dir: Path | None = None
    dt_ms: float = 0.1
    segments: list = field(default_factory=list)  # (t_end in s, label) per scheduled run
    build_time_s: float = 0.0
    run_time_s: float = 0.0
    _lock: object = None
    _bar: object = None
    _saved_run_cmd: object = None

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
        if self.build_dir is None:
            self.build_dir = cache_root() / "standalone" / self.name

    # -- device lifetime ---------------------------------------------------------------------
    def __enter__(self) -> "Simulation":
        import brian2
        from brian2.devices import reinit_devices

        reinit_devices()
        brian2.defaultclock.dt = self.dt_ms * brian2.ms
        if self.device == "standalone":
            self.build_dir = Path(self.build_dir)
            self.build_dir.parent.mkdir(parents=True, exist_ok=True)
            # Two runs of one protocol at once would share a build directory: serialise them.
            self._lock = open(self.build_dir.with_name(self.build_dir.name + ".lock"), "w")
            fcntl.flock(self._lock, fcntl.LOCK_EX)
            try:
                brian2.set_device("cpp_standalone", directory=str(self.build_dir), build_on_run=False)
                brian2.prefs.devices.cpp_standalone.openmp_threads = self.threads
                # Brian2's default `make -j` has no job limit: hundreds of compilers on 2 cores.
                brian2.prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{os.cpu_count() or 1}"]
                self._saved_run_cmd = brian2.prefs.devices.cpp_standalone.run_cmd_unix
                # Flush subnormal floats to zero (x86 SSE: FTZ + DAZ bits of MXCSR). Exponentially
                # decaying state of silent cells (eligibility chains, conductances) otherwise ends
                # in the subnormal range, where every operation is ~100x slower; values below
                # 2.2e-308 change no spike.
                brian2.get_device().insert_code("before_start", _FLUSH_SUBNORMALS)
            except BaseException:
                self._release_lock()
                raise
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
        if self._saved_run_cmd is not None:  # the progress wrapper is specific to this run
            brian2.prefs.devices.cpp_standalone.run_cmd_unix = self._saved_run_cmd
        reinit_devices()
        brian2.set_device("runtime")
        self._release_lock()
        return False

    def _release_lock(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

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
            net.run(duration, report=report, report_period=1 * brian2.second)
        else:
            start = time.perf_counter()
            net.run(duration, report=self._runtime_report if self.progress else None,
                    report_period=1 * brian2.second)
            self.run_time_s += time.perf_counter() - start

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
        """Compile and run the scheduled standalone program (no-op for runtime)."""
        if self.device != "standalone":
            return
        import brian2

        device = brian2.get_device()
        start = time.perf_counter()
        device.build(directory=str(self.build_dir), compile=True, run=False, with_output=False)
        self.build_time_s = time.perf_counter() - start
        # By file path, not `-m`: the wrapper runs in the build directory, whatever the install.
        wrapper = [sys.executable, str(Path(__file__).with_name("progress.py")), "--total", str(self.simulated_time_s),
                   "--segments", json.dumps(self.segments)]
        timing_file = self.build_dir / "program_wall_time.txt"
        timing_file.unlink(missing_ok=True)
        wrapper += ["--timing-file", str(timing_file)]
        if not self.progress:
            wrapper.append("--quiet")
        brian2.prefs.devices.cpp_standalone.run_cmd_unix = [*wrapper, "--", "./main"]
        device.run(directory=str(self.build_dir), with_output=True)
        # Timed around the program itself by the wrapper: all run() segments, no Python start-up.
        self.run_time_s = float(timing_file.read_text())

    def cost(self, synaptic_events: int, wall_time_s: float) -> dict:
        """Run-cost record for ``summary.json``."""
        sim_s = self.simulated_time_s
        return {
            "device": self.device,
            "dt_ms": self.dt_ms,
            "runtime_target": self.runtime_target if self.device == "runtime" else None,
            "openmp_threads": self.threads,
            "simulated_time_s": sim_s,
            "wall_time_s": round(wall_time_s, 3),
            "build_time_s": round(self.build_time_s, 3),
            "simulation_wall_time_s": round(self.run_time_s, 3),
            "realtime_factor": round(self.run_time_s / sim_s, 3) if sim_s else None,
            "synaptic_events": int(synaptic_events),
            "synaptic_events_per_s": round(synaptic_events / self.run_time_s) if self.run_time_s else None,
        }


def _label_at(segments, t: float) -> str:
    for t_end, label in segments:
        if t <= t_end + 1e-9:
            return label
    return segments[-1][1] if segments else ""
