"""Hamming distances between 0/1 vectors stored as packed 64-bit words.

Rows of ``n`` bits are packed into ``ceil(n / 64)`` uint64 words (``np.packbits``, zero padded);
a distance is the XOR of two rows counted with ``np.bitwise_count``, one word at a time and in
blocks of at most ``_BLOCK_ELEMENTS`` (query, row) pairs, never in floating point.  Memory is
``n/8`` bytes per row plus one block, so the binary SDM's activation test ``H(query, x_a) <= d``
(Kanerva 1988) scales to ``n = 1000``, ``r = 10^6`` neurons.  :func:`hamming_distances` is the
public entry point; the private helpers serve :class:`cerebellum.sdm.memory.BinarySDM`.
"""
from __future__ import annotations

import numpy as np

from core.checks import check_binary_array

__all__ = [
    "hamming_distances",
]

#: Upper bound on the elements of one temporary ``(queries, neurons)`` block in the chunked
#: distance, write and read loops (a few MB), so memory stays flat in ``r``.
_BLOCK_ELEMENTS = 1 << 18


def _pack_bits(bits: np.ndarray) -> np.ndarray:
    """Pack 0/1 rows ``(..., n)`` into ``(..., ceil(n / 64))`` uint64 words (zero padded)."""
    packed = np.packbits(np.asarray(bits, dtype=np.uint8), axis=-1)
    pad = (-packed.shape[-1]) % 8
    if pad:
        packed = np.concatenate([packed, np.zeros(packed.shape[:-1] + (pad,), np.uint8)], axis=-1)
    return np.ascontiguousarray(packed).view(np.uint64)


def _unpack_words(words_t: np.ndarray, n: int) -> np.ndarray:
    """Inverse of :func:`_pack_bits` for word-major ``(w, M)`` storage: ``(M, n)`` uint8 0/1."""
    rows = np.ascontiguousarray(words_t.T).view(np.uint8)
    return np.unpackbits(rows, axis=1, count=n)


def _packed_distances(q: np.ndarray, a_t: np.ndarray) -> np.ndarray:
    """Hamming distances ``(B, M)`` (int32) between packed rows ``q (B, w)`` and ``a_t (w, M)``.

    XOR and ``np.bitwise_count`` one 64-bit word at a time into preallocated ``(B, M)`` buffers;
    the word-major layout of ``a_t`` keeps every pass contiguous.
    """
    shape = (q.shape[0], a_t.shape[1])
    out = np.zeros(shape, dtype=np.int32)
    xor = np.empty(shape, dtype=np.uint64)
    cnt = np.empty(shape, dtype=np.uint8)
    for j in range(q.shape[1]):
        np.bitwise_xor(q[:, j, None], a_t[None, j], out=xor)
        np.bitwise_count(xor, out=cnt)
        out += cnt
    return out


def _distance_blocks(q: np.ndarray, a_t: np.ndarray):
    """Yield ``(start, stop, distances)`` over blocks of the columns (rows of the address matrix)
    of word-major packed ``a_t (w, M)``."""
    step = max(1, _BLOCK_ELEMENTS // max(1, q.shape[0]))
    for start in range(0, a_t.shape[1], step):
        stop = min(start + step, a_t.shape[1])
        yield start, stop, _packed_distances(q, a_t[:, start:stop])


def hamming_distances(queries, addresses) -> np.ndarray:
    """Hamming distances between each query row and each address row.

    Computed on packed bits (``np.packbits`` + ``np.bitwise_count``), never in floating point, so
    memory is ``n/8`` bytes per row plus the ``(B, M)`` result.

    Parameters
    ----------
    queries : array_like, shape (n,) or (B, n)
        0/1 vectors.
    addresses : array_like, shape (M, n)
        0/1 vectors.

    Returns
    -------
    numpy.ndarray of int64, shape (M,) or (B, M)
    """
    a = check_binary_array("addresses", addresses, ndim=(2,))
    q = check_binary_array("queries", queries, n=a.shape[1])
    qp, ap = _pack_bits(np.atleast_2d(q)), np.ascontiguousarray(_pack_bits(a).T)
    dist = np.empty((qp.shape[0], a.shape[0]), dtype=np.int64)
    for start, stop, block in _distance_blocks(qp, ap):
        dist[:, start:stop] = block
    return dist[0] if q.ndim == 1 else dist
