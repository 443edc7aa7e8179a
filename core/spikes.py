"""Spike trains to counts and rates: the binning every protocol's analysis uses (numpy only).

Spikes are given as two arrays, cell index ``i`` and time ``t`` (seconds), as a Brian2
``SpikeMonitor`` records them.
"""
from __future__ import annotations

import numpy as np

__all__ = ["window_counts", "grid_window_starts", "periodic_window_counts", "binned_population_rate"]


def window_counts(spike_i, spike_t, starts, length: float, n_cells: int) -> np.ndarray:
    """Spike counts per (window, cell) in ``[start, start + length)``.

    Parameters
    ----------
    spike_i : int array
        Cell of each spike.
    spike_t : float array (s)
        Time of each spike.
    starts : float array (s), sorted
        Window starts; windows must not overlap (``length`` no longer than the gap to the next).
    length : float (s)
        Window length.
    n_cells : int
        Number of cells (columns of the result).

    Returns
    -------
    numpy.ndarray of int64, shape (len(starts), n_cells)
    """
    spike_i = np.asarray(spike_i, dtype=np.int64)
    spike_t = np.asarray(spike_t, dtype=float)
    starts = np.asarray(starts, dtype=float)
    out = np.zeros((len(starts), n_cells), dtype=np.int64)
    if len(starts) == 0 or spike_t.size == 0:
        return out
    k = np.searchsorted(starts, spike_t, side="right") - 1
    ok = (k >= 0) & (spike_t < starts[np.clip(k, 0, None)] + length)
    np.add.at(out, (k[ok], spike_i[ok]), 1)
    return out


def grid_window_starts(starts, dt: float) -> np.ndarray:
    """Window starts moved to half a time step before the nearest step of the ``dt`` grid (s).

    Spikes are recorded on the grid ``k dt``; a window edge that falls on the grid would count a
    spike there or not depending on the rounding of the sums that made the edge. Half a step
    before the step, the window ``[start, start + length)`` (``length`` a whole number of steps)
    holds exactly the spikes of its steps, whichever way the edge was summed.

    Parameters
    ----------
    starts : float array (s)
    dt : float (s)
        Integration time step.
    """
    return (np.round(np.asarray(starts, dtype=float) / dt) - 0.5) * dt


def periodic_window_counts(spike_i, spike_t, period: float, settle: float, n_windows: int,
                           n_columns: int, column_of=None) -> np.ndarray:
    """Counts per (window, column) over the read part ``[settle, period)`` of consecutive windows.

    Window ``w`` spans ``[w period, (w + 1) period)``; spikes before ``settle`` inside it are not
    counted. ``column_of`` maps cell indices to columns (e.g. ``i // copies``), default identity.
    """
    t = np.asarray(spike_t, dtype=float)
    i = np.asarray(spike_i, dtype=np.int64)
    w = np.floor(t / period + 1e-9).astype(int)
    keep = (t - w * period >= settle - 1e-9) & (w < n_windows)
    counts = np.zeros((n_windows, n_columns), dtype=np.int64)
    cols = i[keep] if column_of is None else column_of(i[keep])
    np.add.at(counts, (w[keep], cols), 1)
    return counts


def binned_population_rate(spike_t, n_cells: int, onsets, t_start: float, t_stop: float,
                           bin_width: float) -> tuple[np.ndarray, np.ndarray]:
    """Population rate (Hz per cell) in bins of ``bin_width`` around each onset.

    Parameters
    ----------
    spike_t : float array (s)
        Spike times of the whole population.
    n_cells : int
        Cells in the population (rate = count / n_cells / bin_width).
    onsets : float array (s), shape (n_trials,)
    t_start, t_stop : float (s)
        Window relative to each onset, ``t_start < t_stop``.
    bin_width : float (s), > 0

    Returns
    -------
    time : array (n_bins,)
        Bin centres relative to onset (s).
    rates : array (n_trials, n_bins)
        Hz.
    """
    n_cells = int(n_cells)
    if n_cells < 1:
        raise ValueError(f"n_cells = {n_cells} is out of range: allowed n_cells >= 1")
    bin_width = float(bin_width)
    if not np.isfinite(bin_width) or bin_width <= 0:
        raise ValueError(f"bin_width = {bin_width} is out of range: allowed bin_width > 0")
    if not t_stop > t_start:
        raise ValueError(f"t_stop = {t_stop} is out of range: allowed t_stop > t_start = {t_start}")
    n_bins = int(round((t_stop - t_start) / bin_width))
    edges = t_start + np.arange(n_bins + 1) * bin_width
    ts = np.sort(np.asarray(spike_t, dtype=float))
    onsets = np.atleast_1d(np.asarray(onsets, dtype=float))
    idx = np.searchsorted(ts, onsets[:, None] + edges[None, :])
    counts = np.diff(idx, axis=1)
    centres = edges[:-1] + bin_width / 2
    return centres, counts / (n_cells * bin_width)
