"""Brian2 groups for the cerebellar cell types and helpers to wire them from numpy index arrays.

API for reuse
-------------
``make_cells(params, N, name=None, channels=None, eligibility=None, cf_event=False, method=...,
*, eligibility_update="chain", refractoriness="brian", external_current=True, state_dtype="float64")``
    A ``NeuronGroup`` of conductance-based LIF cells (:class:`cerebellum.params.CellParams`).
    State: ``v``; one conductance per synaptic channel, ``g_<ch>`` (plus ``y_<ch>`` for alpha
    synapses); ``I_ext`` (amp, per neuron, free for drives; left out with
    ``external_current=False``). Channels ``exc`` (``E_exc``, ``tau_exc``) and ``inh`` (``E_inh``,
    ``tau_inh``) always exist; ``channels={"pf": (tau, E)}`` adds more (e.g. a separate, slower
    parallel-fibre channel on Purkinje cells). Every pathway onto a channel adds into the same
    variable, so conductances are summed automatically.
    ``eligibility=PlasticityTiming`` adds the PF eligibility ``elig`` (peak 1 per spike) of
    :mod:`cerebellum.eligibility`, integrated every step (``eligibility_update="chain"``) or
    advanced in closed form at spikes and reads (``"event"``) — put it on granule cells.
    With ``eligibility_delay > 0`` the kick comes from ``eligibility_delay_line(group, params)``.
    ``cf_event=True`` adds ``cf_count`` and the custom event ``"cf"`` (climbing-fibre arrival;
    reset after one step) — put it on Purkinje cells.
    Refractoriness (``v`` held at ``V_reset`` for ``t_ref``): ``"brian"`` is Brian2's ``refractory``
    (a ``not_refractory`` flag recomputed and written for every cell at every step);
    ``"spike_step"`` gates ``dv/dt`` by the steps since the cell's last spike ``spike_step`` (an
    integer only the reset writes) — the same steps are held (Brian2's rounding of ``t_ref`` to
    steps included), at less memory traffic per step (forward-Euler-type methods only).
    ``state_dtype="float32"`` stores ``v`` and the conductances in single precision (times and the
    eligibility stay double).
``on_pre_code(params, channel="exc", weight="w")``
    The ``on_pre`` statement that delivers ``weight`` onto ``channel`` of a target built from
    ``params`` (alpha: ``y += w*e``; exp: ``g += w``); the peak conductance equals ``weight``.
``connect(source, target, i, j, on_pre, w=None, delay=None, model="w : siemens", name=None, **kw)``
    ``Synapses`` wired from numpy index arrays (validated: same shape, in range) with optional
    per-synapse weights (array or scalar quantity) and a homogeneous delay.
``connect_channel(source, target, target_params, i, j, w, channel="exc", delay=None, name=None)``
    ``connect`` with the right ``on_pre`` for a conductance channel.

Units: conductances in siemens, potentials in volt, times in second (Brian2 quantities).
Cell values: :mod:`cerebellum.params.cells` (Casali et al. 2019); alpha normalisation as NEST ``iaf_cond_alpha``.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from brian2 import NeuronGroup, Quantity, Synapses, ms, siemens, volt

from cerebellum.eligibility import eligibility_equations, eligibility_kick_code
from cerebellum.params import CellParams, PlasticityTiming
from core.checks import check_int
from core.units import check_quantity

__all__ = ["make_cells", "cell_equations", "on_pre_code", "connect", "connect_channel", "eligibility_delay_line",
           "REFRACTORINESS", "STATE_DTYPES"]

#: Implementations of the refractory period (see the module docstring).
REFRACTORINESS = ("brian", "spike_step")
#: Storage of ``v`` and the conductances.
STATE_DTYPES = ("float64", "float32")
#: Integration methods under which the ``"spike_step"`` gate (a factor 0 or 1 on dv/dt) holds v
#: exactly; exponential Euler would divide by the gated coefficient.
_GATED_METHODS = ("euler", "rk2", "rk4", "heun", "milstein")


def _channel_table(params: CellParams, channels) -> dict:
    table = {"exc": (params.tau_exc, params.E_exc), "inh": (params.tau_inh, params.E_inh)}
    for name, spec in (channels or {}).items():
        if not isinstance(name, str) or not name.isidentifier() or name in table:
            raise ValueError(f"channels: {name!r} must be a new identifier (exc and inh exist already)")
        if not (isinstance(spec, tuple) and len(spec) == 2):
            raise TypeError(f"channels[{name!r}] = {spec!r} must be a (tau, E_rev) pair of quantities")
        check_quantity(f"channels[{name!r}] tau", spec[0], ms, lo=0 * ms, lo_open=True)
        check_quantity(f"channels[{name!r}] E_rev", spec[1], volt)
        table[name] = spec
    return table


def _choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} = {value!r} is not allowed: choose one of {', '.join(allowed)}")
    return value


def cell_equations(params: CellParams, channels=None, eligibility: PlasticityTiming | None = None, *,
                   eligibility_update: str = "chain", refractoriness: str = "brian",
                   external_current: bool = True) -> tuple[str, dict]:
    """Equations and namespace of a conductance-based LIF cell (see module docstring)."""
    table = _channel_table(params, channels)
    _choice("refractoriness", refractoriness, REFRACTORINESS)
    ns = {"C_m": params.C_m, "g_L": params.g_L, "E_L": params.E_L, "I_e": params.I_e}
    currents = []
    lines = []
    for ch, (tau, e_rev) in table.items():
        ns[f"tau_{ch}"] = tau
        ns[f"E_{ch}"] = e_rev
        currents.append(f"g_{ch}*(E_{ch} - v)")
        if params.synapse == "alpha":
            lines.append(f"dg_{ch}/dt = (y_{ch} - g_{ch})/tau_{ch} : siemens")
            lines.append(f"dy_{ch}/dt = -y_{ch}/tau_{ch} : siemens")
        else:
            lines.append(f"dg_{ch}/dt = -g_{ch}/tau_{ch} : siemens")
    drive = " + I_ext" if external_current else ""
    current = f"(g_L*(E_L - v) + {' + '.join(currents)} + I_e{drive})/C_m"
    if refractoriness == "brian":
        eqs = [f"dv/dt = {current} : volt (unless refractory)"]
    else:
        # Brian2's rule: v moves once timestep(t - lastspike) >= timestep(t_ref), with
        # timestep(x) = int((x + 0.001 dt)/dt); in whole steps since the last spike. The step count
        # is an integer array: it does not alias the float state, so the loop stays vectorisable.
        ns["t_ref"] = params.t_ref
        eqs = [f"dv/dt = int(t_in_timesteps - spike_step >= int((t_ref + 0.001*dt)/dt)) * {current} : volt",
               "spike_step : integer  # time step of the last spike (written by the reset)"]
    if external_current:
        eqs.append("I_ext : amp")
    eqs += lines
    if eligibility is not None:
        elig_lines, elig_ns = eligibility_equations(eligibility, eligibility_update)
        eqs += elig_lines
        ns.update(elig_ns)
    return "\n".join(eqs), ns


def make_cells(params: CellParams, N: int, name: str | None = None, channels=None,
               eligibility: PlasticityTiming | None = None, cf_event: bool = False,
               method: str = "exponential_euler", *, eligibility_update: str = "chain",
               refractoriness: str = "brian", external_current: bool = True,
               state_dtype: str = "float64") -> NeuronGroup:
    """Create ``N`` cells of type ``params`` at rest (``v = E_L``); see the module docstring.

    Parameters
    ----------
    params : CellParams
    N : int, >= 1
    name : str, optional
        Brian2 object name (default ``params.name``).
    channels : dict of name -> (tau, E_rev), optional
        Extra conductance channels.
    eligibility : PlasticityTiming, optional
        Add the PF eligibility ``elig`` (granule cells).
    cf_event : bool
        Add the climbing-fibre custom event ``"cf"`` (Purkinje cells).
    method : str
        Brian2 integration method.
    eligibility_update : {"chain", "event"}
        Form of the eligibility (:mod:`cerebellum.eligibility`).
    refractoriness : {"brian", "spike_step"}
        Implementation of the refractory period (same held steps; see the module docstring).
    external_current : bool
        Give the cells the free drive ``I_ext`` (one more array read per cell and step).
    state_dtype : {"float64", "float32"}
        Storage of ``v`` and the conductances.
    """
    if not isinstance(params, CellParams):
        raise TypeError(f"params = {params!r} must be a CellParams")
    N = check_int("N", N, lo=1)
    _choice("state_dtype", state_dtype, STATE_DTYPES)
    if refractoriness == "spike_step" and method not in _GATED_METHODS:
        raise ValueError(f"method = {method!r} is not allowed with refractoriness='spike_step': choose one of "
                         f"{', '.join(_GATED_METHODS)}")
    eqs, ns = cell_equations(params, channels, eligibility, eligibility_update=eligibility_update,
                             refractoriness=refractoriness, external_current=external_current)
    reset = "v = V_reset"
    ns["V_reset"] = params.V_reset
    ns["V_th"] = params.V_th
    if refractoriness == "spike_step":
        reset += "\nspike_step = t_in_timesteps"
    if eligibility is not None and eligibility.eligibility_delay == 0 * ms:
        reset += "\n" + eligibility_kick_code(eligibility, eligibility_update)  # else eligibility_delay_line()
    events = None
    if cf_event:
        eqs += "\ncf_count : 1"
        events = {"cf": "cf_count > 0"}
    dtype = None
    if state_dtype != "float64":
        # Brian2 tests every float array against 1e50 before a run; for float32 that constant
        # overflows in numpy's cast (a harmless RuntimeWarning, silenced for that check only).
        warnings.filterwarnings("ignore", message="overflow encountered in cast", category=RuntimeWarning,
                                module="brian2.groups.group")
        state = ["v", *(f"{p}_{ch}" for ch in _channel_table(params, channels) for p in ("g", "y"))]
        dtype = {var: np.dtype(state_dtype) for var in state if var == "v" or f"d{var}/dt" in eqs}
    group = NeuronGroup(N, eqs, threshold="v > V_th", reset=reset,
                        refractory=params.t_ref if refractoriness == "brian" else False,
                        method=method, namespace=ns, events=events, name=name or params.name, dtype=dtype)
    group.v = params.E_L
    if refractoriness == "spike_step":
        group.spike_step = -(2 ** 30)  # long ago (like Brian2's lastspike), far from int32 overflow
    if cf_event:
        group.run_on_event("cf", "cf_count = 0")
    return group


def on_pre_code(params: CellParams, channel: str = "exc", weight: str = "w") -> str:
    """Statement delivering ``weight`` (peak conductance) to ``channel`` of the postsynaptic cell."""
    if params.synapse == "alpha":
        return f"y_{channel}_post += {weight}*{math.e!r}"
    return f"g_{channel}_post += {weight}"


def _check_indices(name, idx, size):
    arr = np.asarray(idx)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be a 1-D integer array (got shape {arr.shape}, dtype {arr.dtype})")
    if arr.size and (arr.min() < 0 or arr.max() >= size):
        raise ValueError(f"{name} has indices in [{arr.min()}, {arr.max()}]: allowed 0 <= {name} < {size}")
    return arr.astype(np.int64)


def connect(source, target, i, j, on_pre, w=None, delay=None, model: str = "w : siemens",
            name: str | None = None, **kwargs) -> Synapses:
    """``Synapses(source, target)`` connected by index arrays ``i -> j``.

    Parameters
    ----------
    i, j : 1-D int arrays of equal length
        Presynaptic / postsynaptic indices (drawn with numpy by the caller).
    on_pre : str or dict
        Brian2 ``on_pre`` code.
    w : quantity (scalar or per-synapse array), optional
        Initial weights (the model must define ``w``).
    delay : time, optional
        Homogeneous delay of the ``pre`` pathway.
    kwargs
        Passed to ``Synapses`` (``on_post``, ``on_event``, ``namespace``, ...).
    """
    i = _check_indices("i", i, len(source))
    j = _check_indices("j", j, len(target))
    if i.shape != j.shape:
        raise ValueError(f"i and j must have the same length (got {i.size} and {j.size})")
    if name is not None:
        kwargs["name"] = name
    syn = Synapses(source, target, model=model, on_pre=on_pre, **kwargs)
    syn.connect(i=i, j=j)
    if w is not None:
        if isinstance(w, Quantity) and w.ndim and w.shape != i.shape:
            raise ValueError(f"w has shape {w.shape}: must be scalar or match i ({i.shape})")
        syn.w = w
    if delay is not None:
        check_quantity("delay", delay, ms, lo=0 * ms)
        syn.pre.delay = delay
    return syn


def connect_channel(source, target, target_params: CellParams, i, j, w, channel: str = "exc",
                    delay=None, name: str | None = None) -> Synapses:
    """Static conductance synapses ``i -> j`` onto ``channel`` with weights ``w`` (siemens)."""
    if not isinstance(w, Quantity) or w.dim != siemens.dim:
        raise TypeError(f"w = {w!r} must have units of conductance (e.g. 0.5 * nS)")
    if np.size(w) and np.min(np.asarray(w)) < 0:
        raise ValueError(f"w has minimum {np.min(w)!r}: allowed w >= 0 (inhibition uses channel='inh')")
    return connect(source, target, i, j, on_pre_code(target_params, channel), w=w, delay=delay, name=name)


def eligibility_delay_line(group, eligibility: PlasticityTiming, name: str | None = None):
    """Delayed self-synapses that feed each cell's spikes into its own eligibility.

    Returns ``None`` when ``eligibility.eligibility_delay`` is 0 (the reset kicks); otherwise
    ``Synapses(group, group)``, one per cell (``i = j``), whose ``on_pre`` is the kick of the group's
    eligibility form (``x_1 += 1/peak`` for the chain, the closed-form advance for ``"event"``)
    with that delay. One event per spike, so a shifted kernel costs far less per step than a long
    chain of the same width.
    """
    if not isinstance(eligibility, PlasticityTiming):
        raise TypeError(f"eligibility = {eligibility!r} must be a PlasticityTiming")
    if eligibility.eligibility_delay == 0 * ms:
        return None
    update = "event" if "t_e" in group.variables else "chain"
    idx = np.arange(len(group))
    line = connect(group, group, idx, idx, eligibility_kick_code(eligibility, update, suffix="_post"), model="",
                   delay=eligibility.eligibility_delay, name=name or f"{group.name}_elig_delay")
    # One synapse per cell: the target indices are unique, so a kick that reads and writes several
    # target variables cannot depend on the order of the synapses (Brian2's order check needs to know).
    line.variables["_synaptic_post"].unique = True
    return line
