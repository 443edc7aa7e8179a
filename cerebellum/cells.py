"""Brian2 groups for the cerebellar cell types and helpers to wire them from numpy index arrays.

API for reuse
-------------
``make_cells(params, N, name=None, channels=None, eligibility=None, cf_event=False)``
    A ``NeuronGroup`` of conductance-based LIF cells (:class:`cerebellum.params.CellParams`).
    State: ``v``; one conductance per synaptic channel, ``g_<ch>`` (plus ``y_<ch>`` for alpha
    synapses); ``I_ext`` (amp, per neuron, free for drives). Channels ``exc`` (``E_exc``,
    ``tau_exc``) and ``inh`` (``E_inh``, ``tau_inh``) always exist; ``channels={"pf": (tau, E)}``
    adds more (e.g. a separate, slower parallel-fibre channel on Purkinje cells). Every pathway
    onto a channel adds into the same variable, so conductances are summed automatically.
    ``eligibility=PlasticityTiming`` adds the PF eligibility filter chain ``x_1 ... x_n`` and the
    peak-normalised trace ``elig`` (each spike: ``x_1 += 1/peak``) — put it on granule cells.
    With ``eligibility_delay > 0`` the kick comes from ``eligibility_delay_line(group, params)``.
    ``cf_event=True`` adds ``cf_count`` and the custom event ``"cf"`` (climbing-fibre arrival;
    reset after one step) — put it on Purkinje cells.
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

import numpy as np
from brian2 import NeuronGroup, Quantity, Synapses, ms, siemens, volt

from cerebellum.params import CellParams, PlasticityTiming
from core.checks import check_int
from core.units import check_quantity

__all__ = ["make_cells", "cell_equations", "on_pre_code", "connect", "connect_channel", "eligibility_delay_line"]


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


def cell_equations(params: CellParams, channels=None, eligibility: PlasticityTiming | None = None) -> tuple[str, dict]:
    """Equations and namespace of a conductance-based LIF cell (see module docstring)."""
    table = _channel_table(params, channels)
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
    eqs = [f"dv/dt = (g_L*(E_L - v) + {' + '.join(currents)} + I_e + I_ext)/C_m : volt (unless refractory)",
           "I_ext : amp", *lines]
    if eligibility is not None:
        if not isinstance(eligibility, PlasticityTiming):
            raise TypeError(f"eligibility = {eligibility!r} must be a PlasticityTiming or None")
        n = eligibility.n_stages
        ns["tau_e"] = eligibility.tau_e
        eqs.append("dx_1/dt = -x_1/tau_e : 1")
        eqs += [f"dx_{k}/dt = (x_{k - 1} - x_{k})/tau_e : 1" for k in range(2, n + 1)]
        eqs.append(f"elig = x_{n} : 1")  # x_1 is kicked by 1/peak, so elig peaks at 1 per spike
    return "\n".join(eqs), ns


def make_cells(params: CellParams, N: int, name: str | None = None, channels=None,
               eligibility: PlasticityTiming | None = None, cf_event: bool = False,
               method: str = "exponential_euler") -> NeuronGroup:
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
        Add the PF eligibility chain (granule cells).
    cf_event : bool
        Add the climbing-fibre custom event ``"cf"`` (Purkinje cells).
    """
    if not isinstance(params, CellParams):
        raise TypeError(f"params = {params!r} must be a CellParams")
    N = check_int("N", N, lo=1)
    eqs, ns = cell_equations(params, channels, eligibility)
    reset = "v = V_reset"
    ns["V_reset"] = params.V_reset
    ns["V_th"] = params.V_th
    if eligibility is not None and eligibility.eligibility_delay == 0 * ms:
        ns["elig_kick"] = 1.0 / eligibility.kernel_peak_value
        reset += "\nx_1 += elig_kick"  # with a delay, eligibility_delay_line() kicks x_1
    events = None
    if cf_event:
        eqs += "\ncf_count : 1"
        events = {"cf": "cf_count > 0"}
    group = NeuronGroup(N, eqs, threshold="v > V_th", reset=reset, refractory=params.t_ref,
                        method=method, namespace=ns, events=events, name=name or params.name)
    group.v = params.E_L
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
    """Delayed self-synapses that feed each cell's spikes into its own eligibility chain.

    Returns ``None`` when ``eligibility.eligibility_delay`` is 0 (the reset kicks ``x_1``);
    otherwise ``Synapses(group, group)``, one per cell (``i = j``), ``on_pre: x_1_post += 1/peak``
    with that delay. One event per spike, so a shifted 3-stage kernel costs far less per step than
    a long chain of the same width.
    """
    if not isinstance(eligibility, PlasticityTiming):
        raise TypeError(f"eligibility = {eligibility!r} must be a PlasticityTiming")
    if eligibility.eligibility_delay == 0 * ms:
        return None
    idx = np.arange(len(group))
    return connect(group, group, idx, idx, "x_1_post += elig_kick", model="",
                   delay=eligibility.eligibility_delay,
                   namespace={"elig_kick": 1.0 / eligibility.kernel_peak_value},
                   name=name or f"{group.name}_elig_delay")
