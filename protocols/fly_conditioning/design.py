"""Odours, trials and the PN/DAN rate schedule of the fly-conditioning protocol (numpy only).

Odours are unit-mean exponential glomerular patterns as in fly-hash
(:func:`protocols.fly_hash.design.random_odours`). CS+ is one random odour; the probes are morphs
``(1 - f) CS+ + f other`` towards fresh random odours, so their input similarity to CS+ spans ~1 to
~0; CS- is an independent odour. Odour index 0 is CS+, ``1..n_morphs`` the morphs (increasing
``f``), ``n_morphs + 1`` CS-.

Trials, one after another in a single run:

* ``pretest`` -- every probe alone (CS+ first, then the morphs from the most to the least similar, CS- last);
* ``training`` -- ``n_training`` times CS+ with DAN activity then CS- without;
* ``test`` -- the probe block again;
* ``extinction`` -- ``n_extinction`` CS+ trials without DAN;
* ``retest`` -- the probe block again.
"""
from __future__ import annotations

import numpy as np

from protocols.fly_hash.design import random_odours

__all__ = ["PHASES", "design_odours", "design_trials", "schedule"]

#: Trial phases in order; ``trial_phase`` in data.npz indexes this tuple.
PHASES = ("pretest", "training", "test", "extinction", "retest")


def design_odours(cfg, rng: np.random.Generator) -> dict:
    """CS+, its morphs and CS-.

    Returns
    -------
    dict
        ``odours`` (n_probes, n_pn) unit-mean patterns, ``mix`` (fraction away from CS+; CS- gets 1),
        ``cs_plus``, ``cs_minus`` (indices).
    """
    n_pn = cfg.circuit.kc.n_pn
    n = cfg.n_morphs
    cs_plus = random_odours(1, n_pn, rng)[0]
    others = random_odours(n, n_pn, rng)
    cs_minus = random_odours(1, n_pn, rng)[0]
    mixes = np.linspace(cfg.mix_min, cfg.mix_max, n) if n > 1 else np.array([cfg.mix_min])
    odours = [cs_plus]
    for f, other in zip(mixes, others):
        x = (1 - f) * cs_plus + f * other
        odours.append(x / x.mean())
    odours.append(cs_minus)
    return {"odours": np.array(odours), "mix": np.concatenate([[0.0], mixes, [1.0]]),
            "cs_plus": 0, "cs_minus": n + 1}


def design_trials(cfg, design: dict) -> dict:
    """The trial list: ``trial_phase`` (index into :data:`PHASES`), ``odour`` and ``dan`` (bool) per trial."""
    cs_p, cs_m = design["cs_plus"], design["cs_minus"]
    # CS+ first: its test is read before any probe presentation restores part of its weights
    block = [cs_p] + list(range(1, cfg.n_morphs + 1)) + [cs_m]
    phase, odour, dan = [], [], []

    def add(p, o, d):
        phase.append(PHASES.index(p))
        odour.append(o)
        dan.append(d)

    for o in block:
        add("pretest", o, False)
    for _ in range(cfg.n_training):
        add("training", cs_p, True)
        add("training", cs_m, False)
    for o in block:
        add("test", o, False)
    for _ in range(cfg.n_extinction):
        add("extinction", cs_p, False)
    for o in block:
        add("retest", o, False)
    return {"trial_phase": np.array(phase, dtype=np.int8), "odour": np.array(odour, dtype=np.int32),
            "dan": np.array(dan, dtype=bool)}


def schedule(cfg, design: dict, trials: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PN rates and DAN rates per schedule step, and the read-window starts.

    Returns
    -------
    pn_rates : float array (n_steps, n_pn), Hz
    dan_rates : float array (n_steps,), Hz
    read_start : float array (n_trials,), s
    """
    from core.units import in_unit

    step = in_unit(cfg.step, "ms")
    n_settle = round(in_unit(cfg.settle, "ms") / step)
    n_read = round(in_unit(cfg.read, "ms") / step)
    n_gap = round(in_unit(cfg.gap, "ms") / step)
    n_delay = round(in_unit(cfg.dan_delay, "ms") / step)
    per = n_settle + n_read + n_gap
    kc, out = cfg.circuit.kc, cfg.circuit.output
    rate, base = in_unit(kc.pn_rate, "Hz"), in_unit(kc.pn_baseline, "Hz")
    n_t = len(trials["odour"])
    pn_rates = np.full((n_t * per, kc.n_pn), base)
    dan_rates = np.full(n_t * per, in_unit(out.dan_baseline, "Hz"))
    for k, (o, d) in enumerate(zip(trials["odour"], trials["dan"])):
        pn_rates[k * per:k * per + n_settle + n_read] = rate * design["odours"][o]
        if d:
            dan_rates[k * per + n_delay:k * per + n_settle + n_read] = in_unit(out.dan_rate, "Hz")
    read_start = (np.arange(n_t) * per + n_settle) * step / 1000.0
    return pn_rates, dan_rates, read_start
