"""One shared pool of worker threads for numpy work that releases the GIL.

numpy releases the GIL inside ``einsum``, ufuncs and matmul, so threads share the work of a
contraction over chunks of draws or of a large CPT's blocks across the machine's cores
(``bayesnet/engine/forward.py`` and ``bayesnet/build/cpt.py`` say what each gains). A task
already running in the pool runs its own tasks in line, so pool work never waits for itself.
BLAS is held to one thread while the pool runs (:func:`one_blas_thread`): the package's
matrix products are thin (a CPT's parent configurations times its few links), and OpenBLAS's
own threads only slow them down, by 10-20 times on a busy machine (a 1,024 x 12 by 12 x 1,000
product: 0.7 ms of CPU on one thread, 5-8 ms on two).
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["WORKERS", "one_blas_thread", "parallel_map"]

T = TypeVar("T")
R = TypeVar("R")

WORKERS = min(8, os.cpu_count() or 1)
"""Threads in the pool: the machine's cores, at most 8."""

_POOL: list[ThreadPoolExecutor] = []
_LOCK = threading.Lock()
_LOCAL = threading.local()


def _pool() -> ThreadPoolExecutor:
    with _LOCK:
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="bayesnet",
                                            initializer=_mark_worker))
        return _POOL[0]


def _mark_worker() -> None:
    _LOCAL.worker = True


def parallel_map(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[fn(x) for x in items]``, on the pool's threads when there is more than one item, more
    than one core, and the caller is not itself a pool thread."""
    work = list(items)
    if getattr(_LOCAL, "worker", False):
        return [fn(x) for x in work]
    with one_blas_thread():
        if len(work) < 2 or WORKERS < 2:
            return [fn(x) for x in work]
        return list(_pool().map(fn, work))


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Hold BLAS to one thread inside the block (process-wide; a pool thread leaves it alone)."""
    if getattr(_LOCAL, "worker", False):
        yield
        return
    with _blas().limit(limits=1):
        yield


@functools.cache
def _blas() -> Any:
    """threadpoolctl's view of the loaded BLAS (made once: ``threadpool_limits`` looks for the
    libraries on every call, 0.2-1 ms, a controller's ``limit`` takes 0.02 ms)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()
