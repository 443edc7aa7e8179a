"""PF→PC synapses with climbing-fibre-timed LTD, LTP per PF spike, bounded weights, phase switch.

API for reuse
-------------
``pf_pc_synapses(grc, pc, pc_params, i, j, plasticity, channel="pf", w=None, schedule=None, name=None)``
    ``Synapses`` from granule cells (built with ``make_cells(..., eligibility=plasticity)``) to
    Purkinje cells (built with ``cf_event=True``), the rule of :mod:`cerebellum.params.plasticity`:

    * PF spike (``pre``): deliver ``w`` onto ``channel`` of the PC, then, if ``plastic``,
      ``w <- clip(w + A_plus, w_min, w_max)`` (LTP for PF activity);
    * CF event on the PC (``cf_path``, custom event ``"cf"``): if ``plastic``,
      ``w <- clip(w - A_minus * elig_pre, w_min, w_max)``, where ``elig`` is the peak-normalised
      eligibility of the granule cell, so LTD is largest for PF spikes ``eligibility_peak``
      (≈ 100 ms) before the CF. One pass over a PC's synapses per CF event.

    ``plastic`` is a shared variable of the synapses (1 = on). With ``schedule`` (a 1-D
    ``TimedArray`` of 0/1 over time) it is set every ``schedule.dt`` by ``run_regularly``, so a
    whole write/read schedule runs as one standalone program; without it, it keeps the value
    you assign (``syn.plastic = 0``) and can be changed between runs.
``climbing_fibres(io, pc, i, j, delay, w_cf=None, pc_params=None, channel="exc", name=None)``
    IO→PC synapses that raise the PC's ``cf_count`` (triggering the ``"cf"`` event after ``delay``)
    and, if ``w_cf`` is given, also deliver a complex-spike conductance.
``plasticity_schedule(windows, total, dt)``
    Build the 0/1 ``TimedArray`` from a list of ``(start, stop)`` windows (quantities).

Weights are conductances (siemens). The first ``pre`` spike and the CF event of the same time step
run in Brian2's order (``pre`` before ``post``).
"""
from __future__ import annotations

import numpy as np
from brian2 import Quantity, TimedArray, ms, nS, second

from cerebellum.cells import _check_indices, on_pre_code
from cerebellum.params import CellParams, PlasticityParams
from core.units import check_quantity

__all__ = ["pf_pc_synapses", "climbing_fibres", "plasticity_schedule"]


def plasticity_schedule(windows, total, dt=1 * ms, name: str = "plastic_schedule") -> TimedArray:
    """0/1 ``TimedArray`` that is 1 inside each ``(start, stop)`` window of ``[0, total)``.

    Parameters
    ----------
    windows : list of (time, time)
        Plasticity-on windows.
    total : time
        Schedule length (after it the last value, 0 if the last window ended, is held).
    dt : time
        Resolution of the schedule (windows are rounded to it).
    """
    check_quantity("total", total, second, lo=0 * second, lo_open=True)
    check_quantity("dt", dt, second, lo=0 * second, lo_open=True)
    n = int(np.ceil(float(total / dt))) + 1
    values = np.zeros(n)
    for start, stop in windows:
        check_quantity("window start", start, second, lo=0 * second)
        check_quantity("window stop", stop, second, lo=start)
        values[int(round(float(start / dt))):int(round(float(stop / dt)))] = 1.0
    return TimedArray(values, dt=dt, name=name)


def pf_pc_synapses(grc, pc, pc_params: CellParams, i, j, plasticity: PlasticityParams,
                   channel: str = "pf", w=None, schedule: TimedArray | None = None, name: str | None = None,
                   steps_as_variables: bool = False):
    """Plastic PF→PC synapses ``i -> j`` (see the module docstring).

    Parameters
    ----------
    grc, pc : NeuronGroup
        Granule cells with ``elig``; Purkinje cells with the ``"cf"`` event.
    pc_params : CellParams
        Purkinje-cell parameters (picks alpha/exp delivery).
    i, j : 1-D int arrays
        GrC / PC index of each synapse.
    plasticity : PlasticityParams
    channel : str
        PC conductance channel receiving PF input.
    w : conductance (scalar or per-synapse), optional
        Initial weights (default ``plasticity.w0``).
    schedule : TimedArray, optional
        0/1 plasticity switch over time.
    steps_as_variables : bool
        Make ``A_plus`` and ``A_minus`` shared constant variables of the synapses (left for the
        caller to assign, e.g. at program start in standalone) instead of constants of the code.
    """
    from brian2 import Synapses

    if not isinstance(plasticity, PlasticityParams):
        raise TypeError(f"plasticity = {plasticity!r} must be a PlasticityParams")
    if "elig" not in grc.variables:
        raise ValueError("grc has no 'elig': build it with make_cells(..., eligibility=plasticity)")
    if "cf_count" not in pc.variables:
        raise ValueError("pc has no climbing-fibre event: build it with make_cells(..., cf_event=True)")
    i = _check_indices("i", i, len(grc))
    j = _check_indices("j", j, len(pc))
    if i.shape != j.shape:
        raise ValueError(f"i and j must have the same length (got {i.size} and {j.size})")
    ns = {"A_plus": plasticity.A_plus, "A_minus": plasticity.A_minus,
          "w_min": plasticity.w_min, "w_max": plasticity.w_max}
    model = "w : siemens\nplastic : 1 (shared)"
    if steps_as_variables:
        del ns["A_plus"], ns["A_minus"]
        model += "\nA_plus : siemens (shared, constant)\nA_minus : siemens (shared, constant)"
    on_pre = on_pre_code(pc_params, channel) + "\nw = clip(w + plastic*A_plus, w_min, w_max)"
    on_post = "w = clip(w - plastic*A_minus*elig_pre, w_min, w_max)"
    if schedule is not None:
        ns[schedule.name] = schedule
    syn = Synapses(grc, pc, model=model, on_pre={"pre": on_pre}, on_post={"cf_path": on_post},
                   on_event={"pre": "spike", "cf_path": "cf"}, namespace=ns, name=name or "pf_pc")
    syn.connect(i=i, j=j)
    syn.w = plasticity.w0 if w is None else w
    syn.plastic = 1
    syn.pre.delay = plasticity.pf_delay
    if schedule is not None:
        syn.run_regularly(f"plastic = {schedule.name}(t)", dt=schedule.dt * second, when="start")
    return syn


def climbing_fibres(io, pc, i, j, delay, w_cf: Quantity | None = None, pc_params: CellParams | None = None,
                    channel: str = "exc", name: str | None = None):
    """IO→PC climbing fibres: each IO spike raises ``cf_count`` of its PC(s) after ``delay``."""
    from brian2 import Synapses

    check_quantity("delay", delay, ms, lo=0 * ms)
    i = _check_indices("i", i, len(io))
    j = _check_indices("j", j, len(pc))
    if i.shape != j.shape:
        raise ValueError(f"i and j must have the same length (got {i.size} and {j.size})")
    code = "cf_count_post += 1"
    model = ""
    if w_cf is not None:
        if pc_params is None:
            raise ValueError("pc_params is required when w_cf is given")
        check_quantity("w_cf", w_cf, nS, lo=0 * nS)
        code += "\n" + on_pre_code(pc_params, channel, "w_cf")
    syn = Synapses(io, pc, model=model, on_pre=code, namespace={"w_cf": w_cf} if w_cf is not None else {},
                   name=name or "cf")
    syn.connect(i=i, j=j)
    syn.pre.delay = delay
    return syn
