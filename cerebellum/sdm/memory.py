"""Kanerva's binary Sparse Distributed Memory, read in the neuron view and in the pattern view.

* Neuron view, :class:`BinarySDM`: ``r`` hard locations at random addresses, each with a counter
  vector.  A write adds the pointer to every neuron within Hamming distance ``d`` of the address;
  a read takes the normalised majority over the neurons within ``d`` of the query (Kanerva 1988;
  ``update_Binary_Neuron_SDM`` in Bricken & Pehlevan's code).
* Pattern view, :func:`pattern_view_read`: the sums over neurons and over patterns swapped, so
  each stored pattern is weighted by the circle intersection ``I(dv)`` and no neuron is simulated
  (the limit ``r = 2^n``; Bricken & Pehlevan 2021, section 2, where these weights are shown to
  approximate softmax attention, see :mod:`cerebellum.sdm.attention_link`).

With all ``2^n`` addresses as neurons the two views read the same bits.

Sources
-------
* P. Kanerva, *Sparse Distributed Memory*, MIT Press 1988.
* T. Bricken & C. Pehlevan, "Attention Approximates Sparse Distributed Memory", NeurIPS 2021,
  arXiv:2111.05498; code ``TrentBrick/attention-approximates-sdm`` @ 4cb44d8
  (``Implementations_Associative_Memory.py``: ``update_Binary_Neuron_SDM``, ``update_using_cache``).
"""
from __future__ import annotations

import numpy as np

from core.checks import check_binary_array, check_int, check_int_array, check_rng
from cerebellum.sdm.attention_link import intersection_weights
from cerebellum.sdm.geometry import _check_nd
from cerebellum.sdm.packed_bits import _distance_blocks, _pack_bits, _unpack_words, hamming_distances

__all__ = [
    "BinarySDM",
    "pattern_weights",
    "pattern_view_ratio",
    "pattern_view_read",
]

# ---------------------------------------------------------------------------------------------
# Neuron view
# ---------------------------------------------------------------------------------------------

class BinarySDM:
    """Kanerva's binary SDM, neuron view: ``r`` hard locations with counters.

    * **Write** ``(address, pointer)``: every neuron within Hamming distance ``d`` of ``address``
      adds ``pointer`` to its storage vector ``x_v`` and increments its pattern count ``h``.
    * **Read** ``query``: with ``b = 1[H(query, x_a) <= d]``,
      ``out = g(sum_tau b x_v / sum_tau b h)``, ``g(e) = 1[e > 1/2]`` -- the normalised majority
      rule of ``update_Binary_Neuron_SDM`` in Bricken & Pehlevan's code
      (``((X_v @ q) / (h_v @ q)) > 0.5``).  When no active neuron stores anything the ratio is
      ``nan`` and the bit reads 0 (as ``nan > 0.5`` is false in their code).

    With ``addresses`` equal to all of ``{0,1}^n`` (``r = 2^n``) the read equals the pattern view
    (:func:`pattern_view_read`) exactly; with random addresses the number of neurons shared by two
    balls is Binomial(r, I(dv)/2^n), with mean :func:`expected_intersection`.

    **Scale.** Addresses are kept packed (``n/8`` bytes per neuron), distances are computed with
    XOR + popcount over blocks of neurons, and int32 counters are stored only for neurons that
    have been written to, so ``n = 1000, r = 10^6`` needs 128 MB of addresses, 8 MB of per-neuron
    bookkeeping and ``4 k`` bytes per written neuron.

    Parameters
    ----------
    n : int
        Dimension.
    r : int
        Number of neurons (ignored when ``addresses`` is given, except that it must match).
    d : int
        Radius, ``0 <= d <= n``.
    rng : numpy.random.Generator or int or None
        Source of the random neuron addresses.
    addresses : array_like, shape (r, n), optional
        Explicit neuron addresses (0/1).
    k : int, optional
        Length of the stored pointers (output bits); default ``n`` (autoassociation).  With
        ``k != n`` the memory is hetero-associative, like :func:`pattern_view_read` with
        ``pointers`` of shape ``(m, k)``.

    Attributes
    ----------
    addresses : numpy.ndarray, shape (r, n), uint8
        Unpacked on access (a fresh array; ``r n`` bytes).
    packed_addresses : numpy.ndarray, shape (r, ceil(n / 64)), uint64
        The stored form (kept word-major, ``(ceil(n / 64), r)``, so each XOR pass is contiguous).
    counters : numpy.ndarray, shape (r, k), int32
        Storage vectors ``x_v`` (sums of written pointers); a dense copy built on access (only the
        rows of neurons that were written are stored, see :meth:`counter_rows`).
    n_stored : numpy.ndarray, shape (r,), int32
        ``h``: number of patterns written to each neuron.
    """

    def __init__(self, n, r, d, rng=None, addresses=None, k=None):
        self.n, self.d = _check_nd(n, d)
        self.k = self.n if k is None else check_int("k", k, lo=1)
        if addresses is None:
            self.r = check_int("r", r, lo=1)
            gen = check_rng("rng", rng)
            # random 64-bit words (fast: one draw per 64 address bits), padding bits cleared
            mask = _pack_bits(np.ones(self.n, dtype=np.uint8))
            words = gen.integers(0, np.iinfo(np.uint64).max, size=(mask.size, self.r), dtype=np.uint64,
                                 endpoint=True)
            self._words = words & mask[:, None]
        else:
            addr = check_binary_array("addresses", addresses, n=self.n, ndim=(2,))
            self.r = check_int("r", r, lo=1)
            if addr.shape[0] != self.r:
                raise ValueError(f"addresses has {addr.shape[0]} rows: must equal r = {self.r}")
            self._words = np.ascontiguousarray(_pack_bits(addr).T)
        self.n_stored = np.zeros(self.r, dtype=np.int32)
        # counters are kept only for neurons that have been written to: ``_slot[tau]`` is the row of
        # ``_store`` holding x_tau (-1 = never written, counters all 0).  The store grows by doubling.
        self._slot = np.full(self.r, -1, dtype=np.int32 if self.r < 2**31 else np.int64)
        self._store = np.zeros((min(self.r, 1024), self.k), dtype=np.int32)
        self._n_slots = 0

    def __repr__(self):
        return (f"BinarySDM(n={self.n}, r={self.r}, d={self.d}, k={self.k}, "
                f"patterns written={int(self.n_stored.sum(dtype=np.int64))})")

    @property
    def packed_addresses(self) -> np.ndarray:
        """The stored addresses, ``(r, ceil(n / 64))`` uint64 words (a view of the word-major store)."""
        return self._words.T

    @property
    def addresses(self) -> np.ndarray:
        """Neuron addresses as a fresh ``(r, n)`` uint8 0/1 array (unpacked from the stored bits)."""
        return _unpack_words(self._words, self.n)

    @property
    def counters(self) -> np.ndarray:
        """Storage vectors ``x_v`` as a fresh dense ``(r, k)`` int32 array (zeros where nothing was
        written).  Materialising it costs ``4 r k`` bytes; :meth:`counter_rows` reads a few rows."""
        out = np.zeros((self.r, self.k), dtype=np.int32)
        written = np.flatnonzero(self._slot >= 0)
        out[written] = self._store[self._slot[written]]
        return out

    def counter_rows(self, neurons) -> np.ndarray:
        """Counters ``x_v`` of the given neuron indices, ``(len(neurons), k)`` int32."""
        idx = check_int_array("neurons", neurons, lo=0, hi=(self.r - 1, f"r - 1 = {self.r - 1}")).ravel()
        slots = self._slot[idx]
        out = np.zeros((idx.size, self.k), dtype=np.int32)
        out[slots >= 0] = self._store[slots[slots >= 0]]
        return out

    def _slots_for(self, neurons) -> np.ndarray:
        """Store rows of ``neurons`` (sorted, distinct), allocating rows for first-time writes."""
        slots = self._slot[neurons]
        new = slots < 0
        n_new = int(new.sum())
        if n_new:
            need = self._n_slots + n_new
            if need > self._store.shape[0]:
                grown = np.zeros((min(self.r, max(need, 2 * self._store.shape[0])), self.k), dtype=np.int32)
                grown[: self._n_slots] = self._store[: self._n_slots]
                self._store = grown
            slots[new] = np.arange(self._n_slots, need)
            self._slot[neurons[new]] = slots[new]
            self._n_slots = need
        return slots

    def address_rows(self, start, stop) -> np.ndarray:
        """Addresses of neurons ``start..stop-1`` as a ``(stop - start, n)`` uint8 0/1 array."""
        return _unpack_words(self._words[:, start:stop], self.n)

    def _packed_queries(self, name, query):
        q = check_binary_array(name, query, n=self.n)
        return q, _pack_bits(np.atleast_2d(q))

    def _active_blocks(self, qp):
        """Yield ``(start, stop, active)`` with boolean ``active (B, stop - start)`` per neuron block."""
        for start, stop, dist in _distance_blocks(qp, self._words):
            yield start, stop, dist <= self.d

    def distances(self, query) -> np.ndarray:
        """Hamming distance from ``query`` (``(n,)`` or ``(B, n)``) to every neuron address."""
        q, qp = self._packed_queries("queries", query)
        dist = np.empty((qp.shape[0], self.r), dtype=np.int64)
        for start, stop, block in _distance_blocks(qp, self._words):
            dist[:, start:stop] = block
        return dist[0] if q.ndim == 1 else dist

    def active(self, query) -> np.ndarray:
        """Boolean activations ``H(query, x_a) <= d``: shape ``(r,)`` or ``(B, r)``."""
        q, qp = self._packed_queries("queries", query)
        act = np.empty((qp.shape[0], self.r), dtype=bool)
        for start, stop, block in self._active_blocks(qp):
            act[:, start:stop] = block
        return act[0] if q.ndim == 1 else act

    def write(self, address, pointer=None) -> None:
        """Store ``pointer`` (default: ``address``, autoassociative) at ``address``.

        ``address`` is ``(n,)`` or ``(m, n)``; ``pointer`` is ``(k,)`` or ``(m, k)`` with the same
        leading shape (``k = n`` unless the memory was built with another ``k``).  Only the counter
        rows of neurons active for some written address are touched.
        """
        a, ap = self._packed_queries("address", address)
        if pointer is None:
            if self.k != self.n:
                raise ValueError(f"pointer is required: this memory stores k = {self.k} output bits, "
                                 f"not the n = {self.n} address bits")
            p = a
        else:
            p = check_binary_array("pointer", pointer, n=None)
            if p.shape[:-1] != a.shape[:-1] or p.shape[-1] != self.k:
                want = a.shape[:-1] + (self.k,)
                raise ValueError(f"pointer shape {p.shape} must equal {want} (address shape {a.shape} "
                                 f"with the last axis replaced by k = {self.k})")
        p2 = np.atleast_2d(p).astype(np.int32)
        for start, stop, act in self._active_blocks(ap):
            # (neuron, pattern) pairs, grouped by neuron; integer sums only (exact, no BLAS)
            cols, pats = np.nonzero(act.T)
            if cols.size == 0:
                continue
            rows, first = np.unique(cols, return_index=True)
            neurons = start + rows
            slots = self._slots_for(neurons)  # may grow (replace) self._store: index it afterwards
            self._store[slots] += np.add.reduceat(p2[pats], first, axis=0, dtype=np.int32)
            self.n_stored[neurons] += np.diff(np.append(first, cols.size)).astype(np.int32)

    def read_ratio(self, query) -> np.ndarray:
        """Normalised counter sums ``sum b x_v / sum b h`` (``nan`` where the denominator is 0)."""
        q, qp = self._packed_queries("queries", query)
        num = np.zeros((qp.shape[0], self.k), dtype=np.int64)
        den = np.zeros(qp.shape[0], dtype=np.int64)
        for start, stop, act in self._active_blocks(qp):
            # (query, neuron) pairs grouped by query; never-written neurons add 0 to both sums
            qs, cols = np.nonzero(act)
            slots = self._slot[start + cols]
            has = slots >= 0
            if not has.any():
                continue
            qs, cols, slots = qs[has], cols[has], slots[has]
            uq, first = np.unique(qs, return_index=True)
            num[uq] += np.add.reduceat(self._store[slots], first, axis=0, dtype=np.int64)
            den[uq] += np.add.reduceat(self.n_stored[start + cols], first, dtype=np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = num / den[:, None]
        ratio[den == 0] = np.nan
        return ratio[0] if q.ndim == 1 else ratio

    def read(self, query) -> np.ndarray:
        """Majority read ``1[ratio > 1/2]`` as uint8, shape ``(k,)`` or ``(B, k)``."""
        with np.errstate(invalid="ignore"):
            return (self.read_ratio(query) > 0.5).astype(np.uint8)

    def intersection_count(self, a, b) -> np.ndarray:
        """Number of neurons active for both ``a`` and ``b`` (rows paired if batched)."""
        qa, pa = self._packed_queries("queries", a)
        qb, pb = self._packed_queries("queries", b)
        if qa.shape != qb.shape:
            raise ValueError(f"a and b must have the same shape (activations {qa.shape[:-1] + (self.r,)} vs "
                             f"{qb.shape[:-1] + (self.r,)})")
        total = np.zeros(pa.shape[0], dtype=np.int64)
        for (start, stop, act_a), (_, _, act_b) in zip(self._active_blocks(pa), self._active_blocks(pb)):
            total += np.sum(act_a & act_b, axis=-1)
        return total[0] if qa.ndim == 1 else total


# ---------------------------------------------------------------------------------------------
# Pattern view
# ---------------------------------------------------------------------------------------------

def pattern_weights(query, addresses, n, d) -> np.ndarray:
    """Pattern-view read weights ``I(H(query, p_a^mu)) / sum_nu I(H(query, p_a^nu))``.

    Bricken & Pehlevan (2021) show that these weights are approximately
    ``softmax(beta * cos)`` with ``beta`` from :func:`fit_beta`.

    Parameters
    ----------
    query : array_like, shape (n,) or (B, n)
    addresses : array_like, shape (m, n)
        Pattern addresses.
    n, d : int
        Dimension and radius.

    Returns
    -------
    numpy.ndarray, shape (m,) or (B, m)
        ``nan`` rows where no pattern is within ``2d`` of the query.
    """
    n, d = _check_nd(n, d)
    addresses = check_binary_array("addresses", addresses, n=n, ndim=(2,))
    dv = hamming_distances(query, addresses)
    w = intersection_weights(np.atleast_2d(dv), n, d)
    return w[0] if np.ndim(dv) == 1 else w


def pattern_view_ratio(query, addresses, pointers, n, d) -> np.ndarray:
    """Intersection-weighted pointer average ``sum_mu w_mu p_p^mu`` (before the threshold)."""
    n, d = _check_nd(n, d)
    addresses = check_binary_array("addresses", addresses, n=n, ndim=(2,))
    pointers = check_binary_array("pointers", pointers, n=None, ndim=(2,))
    if pointers.shape[0] != addresses.shape[0]:
        raise ValueError(f"pointers has {pointers.shape[0]} rows: must equal the number of addresses "
                         f"({addresses.shape[0]})")
    w = pattern_weights(query, addresses, n, d)
    return w @ pointers.astype(np.float64)


def pattern_view_read(query, addresses, pointers, n, d) -> np.ndarray:
    """SDM read, pattern view: ``g(sum_mu I(dv_mu) p_p^mu / sum_mu I(dv_mu))``, ``g = 1[. > 1/2]``.

    The sums over neurons and over patterns are swapped (Bricken & Pehlevan 2021, section 2;
    ``update_using_cache`` in their code), so no neurons are simulated: the limit ``r = 2^n``.
    A query with no pattern within ``2d`` reads all zeros.

    Parameters
    ----------
    query : array_like, shape (n,) or (B, n)
    addresses : array_like, shape (m, n)
    pointers : array_like, shape (m, k)
        Pointers (``k = n`` for autoassociation).
    n, d : int

    Returns
    -------
    numpy.ndarray of uint8, shape (k,) or (B, k)
    """
    ratio = pattern_view_ratio(query, addresses, pointers, n, d)
    with np.errstate(invalid="ignore"):
        return (ratio > 0.5).astype(np.uint8)
