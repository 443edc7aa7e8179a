"""Builder of the spiking mushroom body (Brian2 objects; runs nothing).

* **PNs**: one Poisson unit per glomerulus, rate ``pn_rates[step, j]`` from a piecewise-constant
  schedule (a ``TimedArray`` with time step ``step``).
* **KCs**: conductance-based LIF, ``C dv/dt = g_L (E_L - v) + g_exc (E_exc - v) + g_inh (E_inh - v)``;
  each PN spike adds ``w_pn`` to ``g_exc`` of every KC it projects to (binary ``projection``, drawn
  with numpy by the caller). The PN -> KC synapse array has a length fixed by the network shape
  (:func:`pn_kc_capacity`): the synapses of the projection are followed by inert filler synapses
  (``present = 0``), so that the compiled program, whose code contains that length, serves every
  draw of the projection.
* **APL**: one graded, non-spiking neuron; its activity ``a`` jumps by the resource ``x`` of the
  KC -> APL synapse per KC spike (``x`` is 1 at rest, loses the fraction ``u`` per spike and
  recovers with ``tau_rec``) and decays with ``tau``; every KC sees ``g_inh = w (a - a_0)^+`` (a
  linked variable: one APL for all KCs).
* **Output** (optional): MBONs (conductance-based LIF) read all KCs through the plastic factor
  ``w_out`` of each KC; DANs are Poisson units with rate ``dan_rates[step]``; a DAN spike depresses
  ``w_out`` of each KC by ``min(eta elig, 1)`` where ``elig`` is the KC's eligibility (KC spikes low-passed
  with ``tau_elig``) and adds 1 to the KC's dopamine trace ``da`` (decay ``tau_da``); a KC spike while
  ``da < da_gate`` (no recent dopamine) moves ``w_out`` a fraction ``recovery`` back towards 1.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from brian2 import (Hz, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses, TimedArray, linked_var)

from mushroom_body.params import MushroomBodyParams

__all__ = ["MushroomBody", "build_mushroom_body", "pn_kc_capacity", "padded_pn_kc_pairs"]

KC_EQS = """
dv/dt = (g_L * (E_L - v) + g_exc * (E_exc - v) + g_inh * (E_inh - v)) / C_m : volt (unless refractory)
dg_exc/dt = -g_exc / tau_exc : siemens
g_inh = w_apl * clip(a_apl - a_0, 0, 1e9) : siemens
a_apl : 1 (linked)
"""
KC_OUTPUT_EQS = """
delig/dt = -elig / tau_elig : 1
dda/dt = -da / tau_da : 1
w_out : 1
"""
MBON_EQS = """
dv/dt = (g_L * (E_L - v) + g_exc * (E_exc - v)) / C_m : volt (unless refractory)
dg_exc/dt = -g_exc / tau_exc : siemens
"""


@dataclass
class MushroomBody:
    """The built circuit: groups, synapses, monitors and the pathways for event counting.

    Attributes
    ----------
    objects : list
        Every Brian2 object (for ``Network(*objects)``).
    pn, kc, apl, mbon, dan : Brian2 groups (``mbon``/``dan`` None without output)
    kc_spikes, pn_spikes, mbon_spikes, dan_spikes : SpikeMonitor (``pn_spikes`` counts only unless
        built with ``record_all``)
    pathways : list of (monitor, presynaptic indices)
        For :func:`protocols.engine.synaptic_events`.
    """

    objects: list
    pn: object
    kc: object
    apl: object
    kc_spikes: object
    pn_spikes: object
    mbon: object = None
    dan: object = None
    mbon_spikes: object = None
    dan_spikes: object = None
    pathways: list = field(default_factory=list)

    def raw_spikes(self) -> dict:
        """Every recorded spike, as ``protocols.engine.RunOutput.spikes`` wants it:
        ``{population: (indices, times s, n_cells)}`` for the KCs, the MBONs and DANs when the output
        compartment exists, and the PNs when they are recorded (the APL is graded, without spikes)."""
        monitors = {"kc": self.kc_spikes, "mbon": self.mbon_spikes, "dan": self.dan_spikes}
        if self.pn_spikes.record:
            monitors["pn"] = self.pn_spikes
        return {name: (np.asarray(m.i[:], dtype=np.int32), np.asarray(m.t_[:], dtype=float), int(m.source.N))
                for name, m in monitors.items() if m is not None}


#: Standard deviations above the mean total in-degree that the PN -> KC synapse array leaves room for.
CAPACITY_SD = 6.0


def pn_kc_capacity(n_kc: int, k_min: int, k_max: int) -> int:
    """Length of the PN -> KC synapse array for ``n_kc`` KCs of uniform in-degree ``k_min .. k_max``.

    The total number of PN -> KC synapses is a sum of ``n_kc`` independent uniform in-degrees
    (:func:`mushroom_body.theory.sparse_projection`); the array leaves room for the mean plus
    :data:`CAPACITY_SD` standard deviations of that sum (a draw exceeds it with probability below
    1e-9) and never for more than ``n_kc * k_max``. At the default 2,000 KCs with 6-7 PNs each that
    is 13,135 slots for 13,000 +- 22 synapses: about 1 % filler.

    Returns
    -------
    int
    """
    mean = n_kc * (k_min + k_max) / 2.0
    var = n_kc * ((k_max - k_min + 1) ** 2 - 1) / 12.0
    return int(min(n_kc * k_max, np.ceil(mean + CAPACITY_SD * np.sqrt(var))))


def padded_pn_kc_pairs(projection: np.ndarray, capacity: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PN -> KC synapse list of the projection followed by inert filler synapses up to ``capacity``.

    Parameters
    ----------
    projection : int array, shape (n_kc, n_pn)
        Binary PN -> KC matrix.
    capacity : int
        Length of the returned arrays; a projection with more synapses gets exactly its own number.

    Returns
    -------
    pre, post : int32 arrays
        PN and KC index of every synapse: the projection's synapses first (PN-major order), then
        the filler, spread over PNs and KCs by index alone (the same for every draw).
    present : float array
        1 for a synapse of the projection, 0 for filler (it transmits nothing).
    """
    n_kc, n_pn = projection.shape
    pre, post = np.nonzero(projection.T)          # PN j -> KC i
    n_fill = max(0, capacity - len(pre))
    fill = np.arange(n_fill)
    present = np.r_[np.ones(len(pre)), np.zeros(n_fill)]
    return (np.r_[pre, fill % n_pn].astype(np.int32), np.r_[post, fill % n_kc].astype(np.int32), present)


def build_mushroom_body(p: MushroomBodyParams, projection: np.ndarray, pn_rates: np.ndarray, step,
                        dan_rates: np.ndarray | None = None, record_all: bool = False) -> MushroomBody:
    """Build the circuit for a schedule of PN (and DAN) rates.

    Parameters
    ----------
    p : MushroomBodyParams
    projection : int array, shape (n_kc, n_pn)
        Binary PN -> KC matrix (:func:`mushroom_body.theory.sparse_projection`).
    pn_rates : float array, shape (n_steps, n_pn), Hz
        PN rate in each schedule step.
    step : Quantity [time]
        Length of one schedule step.
    dan_rates : float array, shape (n_steps,), Hz, optional
        DAN rate in each step; with it the MBON/DAN output compartment is built.
    record_all : bool
        Record every PN spike as well (``--record all``); by default PN spikes are only counted.

    Returns
    -------
    MushroomBody
    """
    kc_p, apl_p, out_p = p.kc, p.apl, p.output
    n_kc, n_pn = projection.shape
    if (n_kc, n_pn) != (kc_p.n_kc, kc_p.n_pn):
        raise ValueError(f"projection shape {projection.shape} != (n_kc, n_pn) = ({kc_p.n_kc}, {kc_p.n_pn})")
    pn_drive = TimedArray(np.asarray(pn_rates, float) * Hz, dt=step, name="pn_drive")
    pn = PoissonGroup(n_pn, rates="pn_drive(t, i)", namespace={"pn_drive": pn_drive}, name="pn")
    ns = {"g_L": kc_p.g_L, "E_L": kc_p.E_L, "C_m": kc_p.C_m, "E_exc": kc_p.E_exc, "E_inh": kc_p.E_inh,
          "tau_exc": kc_p.tau_exc, "w_apl": apl_p.w, "a_0": apl_p.a_0, "tau_elig": out_p.tau_elig,
          "tau_da": out_p.tau_da, "da_gate": out_p.da_gate}
    output = dan_rates is not None
    reset = "v = V_reset_kc"
    if output:
        reset += "\nelig += 1\nw_out += recovery * (1 - w_out) * int(da < da_gate)"
    ns.update(V_reset_kc=kc_p.V_reset, recovery=out_p.recovery)
    # forward Euler is stable while dt (g_L + g_exc + g_inh) / C_m < 2 (below 100 nS at dt = 0.1 ms and 5 pF);
    # the default drive (mean g_exc ~1-2 nS) needs g_inh of a few nS
    kc = NeuronGroup(n_kc, KC_EQS + (KC_OUTPUT_EQS if output else ""), threshold="v > V_th_kc", reset=reset,
                     refractory=kc_p.t_ref, method="euler", namespace={**ns, "V_th_kc": kc_p.V_th}, name="kc")
    kc.v = kc_p.E_L
    apl = NeuronGroup(1, "da/dt = -a / tau_apl : 1", method="exact", namespace={"tau_apl": apl_p.tau}, name="apl")
    kc.a_apl = linked_var(apl, "a", index=np.zeros(n_kc, dtype=int))
    pre, post, present = padded_pn_kc_pairs(projection, pn_kc_capacity(n_kc, kc_p.pn_per_kc_min, kc_p.pn_per_kc_max))
    pn_kc = Synapses(pn, kc, model="present : 1 (constant)", on_pre="g_exc_post += w_pn * present",
                     namespace={"w_pn": kc_p.w_pn}, name="pn_kc")
    pn_kc.connect(i=pre, j=post)
    pn_kc.present = present
    projection_pre = pre[present > 0]             # events counted for the projection's synapses only
    # depressing KC -> APL synapses: the APL counts active KCs more than it counts their spikes
    kc_apl = Synapses(kc, apl, model="dx/dt = (1 - x) / tau_rec : 1 (event-driven)",
                      on_pre="a_post += x\nx -= u_apl * x", namespace={"tau_rec": apl_p.tau_rec, "u_apl": apl_p.u},
                      name="kc_apl")
    kc_apl.connect(i=np.arange(n_kc, dtype=np.int32), j=np.zeros(n_kc, dtype=np.int32))
    kc_apl.x = 1.0
    kc_spikes = SpikeMonitor(kc, name="kc_spikes")
    pn_spikes = SpikeMonitor(pn, record=bool(record_all), name="pn_spikes")  # counts suffice for the metrics
    objects = [pn, kc, apl, pn_kc, kc_apl, kc_spikes, pn_spikes]
    circuit = MushroomBody(objects=objects, pn=pn, kc=kc, apl=apl, kc_spikes=kc_spikes, pn_spikes=pn_spikes,
                           pathways=[(pn_spikes, projection_pre), (kc_spikes, np.arange(n_kc))])
    if output:
        kc.w_out = 1.0
        _build_output(p, circuit, dan_rates, step)
    return circuit


def _build_output(p: MushroomBodyParams, c: MushroomBody, dan_rates, step) -> None:
    out_p = p.output
    n_kc = len(c.kc)
    mbon = NeuronGroup(out_p.n_mbon, MBON_EQS, threshold="v > V_th", reset="v = V_reset", refractory=out_p.t_ref,
                       method="euler", name="mbon",
                       namespace={"g_L": out_p.g_L, "E_L": out_p.E_L, "C_m": out_p.C_m, "E_exc": p.kc.E_exc,
                                  "tau_exc": out_p.tau_exc, "V_th": out_p.V_th, "V_reset": out_p.V_reset})
    mbon.v = out_p.E_L
    dan_drive = TimedArray(np.asarray(dan_rates, float) * Hz, dt=step, name="dan_drive")
    dan = PoissonGroup(out_p.n_dan, rates="dan_drive(t)", namespace={"dan_drive": dan_drive}, name="dan")
    kc_mbon = Synapses(c.kc, mbon, on_pre="g_exc_post += w_kc_mbon * w_out_pre",
                       namespace={"w_kc_mbon": out_p.w_kc_mbon}, name="kc_mbon")
    kc_pre = np.repeat(np.arange(n_kc, dtype=np.int32), out_p.n_mbon)
    kc_mbon.connect(i=kc_pre, j=np.tile(np.arange(out_p.n_mbon, dtype=np.int32), n_kc))
    dan_kc = Synapses(dan, c.kc, on_pre="w_out_post *= 1 - clip(eta * elig_post, 0, 1)\nda_post += 1",
                      namespace={"eta": out_p.eta}, name="dan_kc")
    dan_pre = np.repeat(np.arange(out_p.n_dan, dtype=np.int32), n_kc)
    dan_kc.connect(i=dan_pre, j=np.tile(np.arange(n_kc, dtype=np.int32), out_p.n_dan))
    mbon_spikes = SpikeMonitor(mbon, name="mbon_spikes")
    dan_spikes = SpikeMonitor(dan, name="dan_spikes")
    c.objects += [mbon, dan, kc_mbon, dan_kc, mbon_spikes, dan_spikes]
    c.mbon, c.dan, c.mbon_spikes, c.dan_spikes = mbon, dan, mbon_spikes, dan_spikes
    c.pathways += [(c.kc_spikes, kc_pre), (dan_spikes, dan_pre)]
