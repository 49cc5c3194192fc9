"""Scratch arrays reused across calls, instead of fresh memory the kernel must map and zero.

A query's large temporaries (the CPT slices :mod:`bayesnet.build.leaves` builds, the
intermediates of a contraction) are a few MB each. Allocations that large are mapped afresh
by malloc and handed back to the kernel when freed, so every query paid again for the kernel
to map and zero its pages: measured on the default model (4,000 draws, the buddying
question), 17,000 page faults and 35-100 ms of system time a query, against 66 ms for the rest
of the work. :func:`take` lends an uninitialised array from a pool of such buffers and
:func:`give` returns it when its contents are no longer read; the pool keeps at most
:data:`LIMIT` bytes.

Whoever takes a buffer gives it back only once nothing reads it any more; an array that did
not come from :func:`take` is ignored by :func:`give`, and a lent array that is dropped
instead of given back is freed as any other (the pool holds lent buffers weakly).
"""

from __future__ import annotations

import bisect
import math
import threading
import weakref

import numpy as np

__all__ = ["LIMIT", "MIN_BYTES", "give", "held", "take"]

LIMIT = 256 * 2**20
"""Bytes of free buffers the pool keeps; more are released."""
MIN_BYTES = 256 * 2**10
"""Arrays smaller than this come from numpy directly (malloc reuses small blocks itself)."""

_LOCK = threading.Lock()
_FREE: list[tuple[int, int, np.ndarray]] = []  # (size, id, buffer), sorted by size
_LENT: weakref.WeakValueDictionary[int, np.ndarray] = weakref.WeakValueDictionary()
_HELD = [0]


def take(shape: tuple[int, ...], dtype: np.dtype | type = np.float64) -> np.ndarray:
    """An uninitialised array of ``shape`` and ``dtype`` (float64 or float32), from the pool
    when one is free."""
    itemsize = np.dtype(dtype).itemsize
    nbytes = math.prod(shape) * itemsize
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype=dtype)
    buf = None
    with _LOCK:
        i = bisect.bisect_left(_FREE, (nbytes, -1))
        if i < len(_FREE) and _FREE[i][0] <= 2 * nbytes:  # a buffer at most twice the size asked
            _, _, buf = _FREE.pop(i)
            _HELD[0] -= buf.nbytes
    if buf is None:
        buf = np.empty(nbytes, dtype=np.uint8)
    with _LOCK:
        _LENT[id(buf)] = buf
    return buf[:nbytes].view(dtype).reshape(shape)


def give(*arrays: np.ndarray) -> None:
    """Return arrays :func:`take` lent (others are ignored); their contents may be overwritten
    by the next :func:`take`."""
    with _LOCK:
        for arr in arrays:
            owner = arr.base if isinstance(arr.base, np.ndarray) else arr
            buf = _LENT.get(id(owner))
            if buf is None or buf is not owner:
                continue
            del _LENT[id(owner)]
            if _HELD[0] + buf.nbytes > LIMIT:
                continue
            bisect.insort(_FREE, (buf.nbytes, id(buf), buf))
            _HELD[0] += buf.nbytes


def held() -> int:
    """Bytes of free buffers the pool holds now."""
    return _HELD[0]
