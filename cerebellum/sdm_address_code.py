"""The mossy-fibre address code of the SDM circuit: ON/OFF fibre pairs (numpy only).

An ``n``-bit address drives ``2n`` mossy fibres: bit ``b`` drives fibre ``b`` when it is 1 and fibre
``n + b`` when it is 0, so every address activates exactly ``n`` fibres. A granule cell that
requires bit ``b`` to equal ``v`` listens to the fibre that bit drives when it equals ``v``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["active_fibres", "granule_fibres"]


def active_fibres(addresses) -> np.ndarray:
    """Mossy fibres active for each address: bit ``b`` -> fibre ``b`` if 1, else ``n + b``.

    Parameters
    ----------
    addresses : int array (..., n) of 0/1

    Returns
    -------
    numpy.ndarray of int64, shape (..., n)
    """
    a = np.asarray(addresses)
    n = a.shape[-1]
    return np.where(a == 1, np.arange(n), n + np.arange(n)).astype(np.int64)


def granule_fibres(bits, values, n: int) -> np.ndarray:
    """Fibre each granule-cell input comes from: bit ``bits[t, k]`` required to equal ``values[t, k]``.

    Parameters
    ----------
    bits : int array (r, K)
        Address bit sampled by each input.
    values : int array (r, K) of 0/1
        Value that bit must have for the input to be active.
    n : int
        Address bits.
    """
    return np.where(np.asarray(values) == 1, bits, n + np.asarray(bits)).astype(np.int64)
