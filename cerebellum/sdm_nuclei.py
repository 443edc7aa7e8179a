"""The deep-nuclear decision stage of the SDM circuit: layout, wiring and the spike-count read (numpy only).

Every pointer bit ``j`` owns two groups of ``g = dcn_per_group`` nuclear cells. Cell
``(role n_out + j) g + c`` (``c = 0 .. g - 1``) belongs to bit ``j``; role 0 is the *bit* group,
inhibited by the bit's Purkinje cells, role 1 the *reference* group, inhibited by the unwritten
reference Purkinje cells. The two groups of one bit inhibit each other. Purkinje cells inhibit, so
a bit whose Purkinje cells fire less than the reference cells (a location written with pointer bit
1, depressed by LTD) leaves its bit group firing more than its reference group: the read is
``count(bit group) > count(reference group)`` over the read window (:func:`dcn_bits`).

Functions
---------
``dcn_layout(n_out, g)``
    Pointer bit and role of every nuclear cell.
``dcn_wiring(n_out, pcs_per_bit, g)``
    Purkinje→nuclear and bit↔reference synapse indices.
``dcn_initial_potentials(v_reset, v_th, n_out, g)``
    Membrane potentials spread evenly between reset and threshold, the same in both groups.
``dcn_drive_offsets(i_e, spread, n_out, g)``
    Extra bias current of every cell: an even spread across each group, the same in both groups.
``dcn_group_counts(cell_counts, n_out, g)``
    Per-cell spike counts summed into (bit group, reference group) counts per pointer bit.
``dcn_bits(count_bit, count_ref)``
    The spiking read: 1 where the bit group fired more spikes than the reference group.
"""
from __future__ import annotations

import numpy as np

from core.checks import check_int

__all__ = ["BIT", "REFERENCE", "dcn_layout", "dcn_wiring", "dcn_initial_potentials", "dcn_drive_offsets",
           "dcn_group_counts", "dcn_bits"]

#: Role of the nuclear group inhibited by a pointer bit's own Purkinje cells.
BIT = 0
#: Role of the nuclear group inhibited by the unwritten reference Purkinje cells.
REFERENCE = 1


def _sizes(n_out, g):
    return check_int("n_out", n_out, lo=1), check_int("dcn_per_group", g, lo=1)


def dcn_layout(n_out: int, g: int) -> tuple[np.ndarray, np.ndarray]:
    """Pointer bit and role (:data:`BIT` or :data:`REFERENCE`) of each of the ``2 n_out g`` cells.

    Returns
    -------
    bit, role : int64 arrays of shape (2 n_out g,)
    """
    n_out, g = _sizes(n_out, g)
    cell = np.arange(2 * n_out * g)
    group = cell // g
    return (group % n_out).astype(np.int64), (group // n_out).astype(np.int64)


def dcn_wiring(n_out: int, pcs_per_bit: int, g: int) -> tuple[tuple, tuple]:
    """Synapse indices of the decision stage.

    Purkinje cells follow :meth:`cerebellum.sdm_circuit.SDMCircuit.pc_groups`: ``k = pcs_per_bit``
    cells per pointer bit, then ``k`` reference cells.

    Returns
    -------
    pc_to_dcn : (i, j) int64 arrays
        Every Purkinje cell of bit ``j`` onto every cell of bit ``j``'s bit group, and every
        reference Purkinje cell onto every cell of every reference group.
    lateral : (i, j) int64 arrays
        Every cell of a bit group onto every cell of the same bit's reference group, and back.
    """
    n_out, g = _sizes(n_out, g)
    k = check_int("pcs_per_bit", pcs_per_bit, lo=1)
    bit, role = dcn_layout(n_out, g)
    cells = np.arange(bit.size)
    bit_cells, ref_cells = cells[role == BIT], cells[role == REFERENCE]
    # bit group: PC b*k + m -> the g cells of bit b
    pc_bit = np.repeat(np.arange(n_out * k), g)
    dcn_bit = np.repeat(bit_cells.reshape(n_out, g), k, axis=0).ravel()
    # reference group: each of the k reference PCs -> every reference cell
    pc_ref = np.repeat(n_out * k + np.arange(k), ref_cells.size)
    dcn_ref = np.tile(ref_cells, k)
    pc_to_dcn = (np.concatenate([pc_bit, pc_ref]), np.concatenate([dcn_bit, dcn_ref]))
    # mutual inhibition within each pointer bit: g x g each way
    b_grid = bit_cells.reshape(n_out, g)
    r_grid = ref_cells.reshape(n_out, g)
    src_b = np.repeat(b_grid, g, axis=1).ravel()
    dst_r = np.tile(r_grid, (1, g)).ravel()
    src_r = np.repeat(r_grid, g, axis=1).ravel()
    dst_b = np.tile(b_grid, (1, g)).ravel()
    lateral = (np.concatenate([src_b, src_r]), np.concatenate([dst_r, dst_b]))
    return pc_to_dcn, lateral


def dcn_initial_potentials(v_reset: float, v_th: float, n_out: int, g: int) -> np.ndarray:
    """Initial membrane potentials: cell ``c`` of every group at ``v_reset + (c + 1/2)/g (v_th - v_reset)``.

    Parameters
    ----------
    v_reset, v_th : float
        Reset and threshold potentials (any one unit, e.g. mV); the result is in the same unit.
    n_out, g : int

    Returns
    -------
    float array of shape (2 n_out g,)
    """
    n_out, g = _sizes(n_out, g)
    if not v_th > v_reset:
        raise ValueError(f"v_th = {v_th} is out of range: allowed v_th > v_reset = {v_reset}")
    phase = (np.arange(g) + 0.5) / g
    return np.tile(v_reset + phase * (v_th - v_reset), 2 * n_out)


def dcn_drive_offsets(i_e: float, spread: float, n_out: int, g: int) -> np.ndarray:
    """Extra bias current of every nuclear cell: ``i_e s (2c/(g - 1) - 1)`` for cell ``c`` of a group.

    Parameters
    ----------
    i_e : float
        Bias current of the cell type (any one unit, e.g. pA); the result is in the same unit.
    spread : float
        Relative spread ``s``, ``0 <= s < 1`` (a group of one cell gets no offset).
    n_out, g : int

    Returns
    -------
    float array of shape (2 n_out g,), summing to 0 over every group
    """
    n_out, g = _sizes(n_out, g)
    if not 0.0 <= float(spread) < 1.0:
        raise ValueError(f"spread = {spread} is out of range: allowed 0 <= spread < 1")
    ramp = np.linspace(-1.0, 1.0, g) if g > 1 else np.zeros(1)
    return np.tile(float(i_e) * float(spread) * ramp, 2 * n_out)


def dcn_group_counts(cell_counts, n_out: int, g: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum per-cell spike counts into the two groups of every pointer bit.

    Parameters
    ----------
    cell_counts : int array (windows, 2 n_out g)
        Spikes of every nuclear cell in each window (e.g. :func:`core.spikes.window_counts`).
    n_out, g : int

    Returns
    -------
    count_bit, count_ref : int64 arrays (windows, n_out)
    """
    n_out, g = _sizes(n_out, g)
    c = np.asarray(cell_counts, dtype=np.int64)
    if c.ndim != 2 or c.shape[1] != 2 * n_out * g:
        raise ValueError(f"cell_counts has shape {c.shape}: must be (windows, 2 n_out g = {2 * n_out * g})")
    per_group = c.reshape(c.shape[0], 2, n_out, g).sum(axis=3)
    return per_group[:, BIT], per_group[:, REFERENCE]


def dcn_bits(count_bit, count_ref) -> np.ndarray:
    """The spiking read: bit ``j`` is 1 where its bit group fired more spikes than its reference group.

    Parameters
    ----------
    count_bit, count_ref : int arrays (queries, n_out)
        Spikes of each group in the read window of each query. Equal counts read 0 (as the
        Purkinje-rate comparison reads equal rates).

    Returns
    -------
    uint8 array (queries, n_out)
    """
    b = np.asarray(count_bit)
    r = np.asarray(count_ref)
    if b.shape != r.shape:
        raise ValueError(f"count_bit and count_ref must have the same shape (got {b.shape} and {r.shape})")
    return (b > r).astype(np.uint8)
