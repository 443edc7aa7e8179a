"""Odours, presentations and the PN rate schedule of the fly-hash protocol (numpy only).

Odours are PN rate vectors with a common mean (the centring of Dasgupta et al. 2017, done
upstream of the KCs by lateral inhibition among PNs): exponentially distributed glomerular
responses normalised to mean 1, scaled by ``pn_rate`` and the concentration. Each family has a
base odour and morphs ``(1 - f) base + f other`` towards fresh random odours, so pairs span input
correlations from ~0 (different families) to ~1 (small ``f``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["random_odours", "design_odours", "schedule"]


def random_odours(n: int, n_pn: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` odours: exponential glomerular responses, each row normalised to mean 1."""
    x = rng.exponential(1.0, size=(n, n_pn))
    return x / x.mean(axis=1, keepdims=True)


def design_odours(cfg, rng: np.random.Generator) -> dict:
    """The odour set and the presentation order.

    Returns
    -------
    dict
        ``odours`` (n_odours, n_pn) unit-mean patterns; ``family`` and ``mix`` per odour;
        ``present_odour``, ``present_conc`` per presentation (shuffled order; every odour at unit
        concentration, every base also at each of ``cfg.concentrations``).
    """
    n_pn = cfg.circuit.kc.n_pn
    v = cfg.variants
    mixes = np.linspace(cfg.mix_min, cfg.mix_max, v) if v > 1 else np.array([cfg.mix_min])
    odours, family, mix = [], [], []
    for f in range(cfg.n_families):
        base = random_odours(1, n_pn, rng)[0]
        others = random_odours(v, n_pn, rng)
        odours.append(base)
        family.append(f)
        mix.append(0.0)
        for m, other in zip(mixes, others):
            x = (1 - m) * base + m * other
            odours.append(x / x.mean())
            family.append(f)
            mix.append(m)
    odours = np.array(odours)
    bases = np.flatnonzero(np.array(mix) == 0)
    present = [(o, 1.0) for o in range(len(odours))] + [(o, c) for c in cfg.concentrations for o in bases]
    order = rng.permutation(len(present))
    present = [present[k] for k in order]
    return {"odours": odours, "family": np.array(family), "mix": np.array(mix),
            "present_odour": np.array([o for o, _ in present]), "present_conc": np.array([c for _, c in present])}


def schedule(cfg, design: dict) -> tuple[np.ndarray, np.ndarray]:
    """PN rates per schedule step and the read-window starts.

    Returns
    -------
    rates : float array (n_steps, n_pn), Hz
    read_start : float array (n_presentations,), s
    """
    from core.units import in_unit

    step = in_unit(cfg.step, "ms")
    n_settle = round(in_unit(cfg.settle, "ms") / step)
    n_read = round(in_unit(cfg.read, "ms") / step)
    n_gap = round(in_unit(cfg.gap, "ms") / step)
    per = n_settle + n_read + n_gap
    kc = cfg.circuit.kc
    rate, base = in_unit(kc.pn_rate, "Hz"), in_unit(kc.pn_baseline, "Hz")
    n_p = len(design["present_odour"])
    rates = np.full((n_p * per, kc.n_pn), base)
    for k, (o, c) in enumerate(zip(design["present_odour"], design["present_conc"])):
        rates[k * per:k * per + n_settle + n_read] = rate * c * design["odours"][o]
    read_start = (np.arange(n_p) * per + n_settle) * step / 1000.0
    return rates, read_start
