"""The parallel-fibre eligibility trace of a granule cell, as Brian2 equations and event code.

Model (:mod:`cerebellum.params.plasticity`): every spike, ``eligibility_delay`` later, adds
``1/kernel_peak_value`` to the first stage of an ``n``-stage chain of leaky integrators,
``dx_1/dt = -x_1/tau_e``, ``dx_k/dt = (x_{k-1} - x_k)/tau_e``; the eligibility is the last stage,
``elig = x_n``, a sum over spikes of the gamma kernel ``s^(n-1) exp(-s) / (n-1)!`` (``s`` = time since
the kick in units of ``tau_e``) with peak 1 per spike.

Two forms of the same model:

``"chain"``
    The chain as differential equations of the cell group (``x_1 ... x_n``), integrated for every
    cell at every time step by the group's method.
``"event"``
    The chain is linear and only kicked at spikes, so its state at any time follows in closed form
    from its state at the last kick: with ``s = (t - t_e)/tau_e``,
    ``x_j(t) = exp(-s) * sum_{k<=j} x_k(t_e) s^(j-k)/(j-k)!`` (the matrix exponential of the chain).
    Each cell stores ``e_1 ... e_n`` (the chain at its last kick) and ``t_e``; a kick advances them
    to the present and adds to ``e_1``, and ``elig`` is a subexpression that advances ``e_n`` to the
    time it is read. The work is per spike and per read, none per time step, and the kernel is the
    exact one (the ``"chain"`` form carries the integration error of its method, about 3 % of the
    peak for forward Euler at ``dt = tau_e / 20``).

Both forms are exact superpositions over all spikes (not only the last one).
"""
from __future__ import annotations

from brian2 import second

from cerebellum.params import PlasticityTiming

__all__ = ["ELIGIBILITY_UPDATES", "eligibility_equations", "eligibility_kick_code"]

#: How the eligibility is computed: integrated every step, or advanced in closed form at events.
ELIGIBILITY_UPDATES = ("chain", "event")


def _check(timing, update):
    if not isinstance(timing, PlasticityTiming):
        raise TypeError(f"eligibility = {timing!r} must be a PlasticityTiming")
    if update not in ELIGIBILITY_UPDATES:
        raise ValueError(f"eligibility_update = {update!r} is not allowed: choose one of "
                         f"{', '.join(ELIGIBILITY_UPDATES)}")


def _advanced(j: int, s: str, suffix: str = "") -> str:
    """``sum_{k<=j} e_k s^(j-k)/(j-k)!`` in Horner form (without the ``exp(-s)`` factor)."""
    expr = f"e_1{suffix}"
    for k in range(2, j + 1):
        # e_k + s/(j-k+1) * (previous): the lower stage carries one more power of s
        expr = f"e_{k}{suffix} + {s}*({expr})/{float(j - k + 1)!r}"
    return expr


def eligibility_equations(timing: PlasticityTiming, update: str = "chain") -> tuple[list[str], dict]:
    """Equation lines and namespace entries that give a cell group the variable ``elig``.

    Parameters
    ----------
    timing : PlasticityTiming
        ``n_stages`` and ``tau_e`` of the kernel.
    update : {"chain", "event"}
        See the module docstring.

    Returns
    -------
    lines : list of str
        Brian2 equation lines (``"chain"``: ``x_1 ... x_n`` and ``elig = x_n``; ``"event"``:
        ``e_1 ... e_n``, ``t_e`` and the subexpression ``elig``, whose constants are literals because
        a subexpression read as ``elig_pre`` is resolved in the reading synapses' namespace).
    namespace : dict
        ``tau_e`` (``"chain"``).
    """
    _check(timing, update)
    n = timing.n_stages
    if update == "chain":
        lines = ["dx_1/dt = -x_1/tau_e : 1"]
        lines += [f"dx_{k}/dt = (x_{k - 1} - x_{k})/tau_e : 1" for k in range(2, n + 1)]
        lines.append(f"elig = x_{n} : 1")
        return lines, {"tau_e": timing.tau_e}
    tau = f"({float(timing.tau_e / second)!r}*second)"
    s = f"((t - t_e)/{tau})"
    lines = [f"e_{k} : 1" for k in range(1, n + 1)]
    lines.append("t_e : second")
    lines.append(f"elig = exp(-{s}) * ({_advanced(n, s)}) : 1")
    return lines, {}


def eligibility_kick_code(timing: PlasticityTiming, update: str = "chain", suffix: str = "") -> str:
    """Statements that add one spike's kick (``1 / kernel_peak_value``) to the eligibility.

    Parameters
    ----------
    timing : PlasticityTiming
    update : {"chain", "event"}
    suffix : str
        ``"_post"`` in a synapse's ``on_pre`` acting on its target, ``""`` in a reset.

    The kick amount is a literal, so the code needs no namespace.
    """
    _check(timing, update)
    kick = repr(1.0 / timing.kernel_peak_value)
    if update == "chain":
        return f"x_1{suffix} += {kick}"
    n = timing.n_stages
    tau = f"({float(timing.tau_e / second)!r}*second)"
    # Advance e_n ... e_2 to the present from the old lower stages (highest first), then e_1, then kick.
    lines = [f"elig_s = (t - t_e{suffix})/{tau}", "elig_d = exp(-elig_s)"]
    lines += [f"e_{j}{suffix} = elig_d*({_advanced(j, 'elig_s', suffix)})" for j in range(n, 1, -1)]
    lines.append(f"e_1{suffix} = elig_d*e_1{suffix} + {kick}")
    lines.append(f"t_e{suffix} = t")
    return "\n".join(lines)

