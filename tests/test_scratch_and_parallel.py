"""The two bottom modules behind interactive speed: reused scratch buffers and the shared pool."""

from __future__ import annotations

import gc
import threading

import numpy as np

from bayesnet import parallel, scratch


def test_a_given_buffer_is_lent_again_and_foreign_arrays_are_ignored():
    a = scratch.take((256, 1024))  # 2 MB
    a[...] = 1.0
    owner = a.base
    scratch.give(a)
    scratch.give(np.ones((256, 1024)))  # not lent: ignored
    b = scratch.take((128, 2048))  # the same size: the same buffer, contents not reset
    assert b.base is owner and b.shape == (128, 2048)
    scratch.give(b.reshape(-1))  # any view of a lent buffer gives it back
    c = scratch.take((64, 1024))  # 512 KB: the 2 MB buffer is more than twice that
    assert c.base is not None and c.base is not owner
    scratch.give(c)


def test_small_arrays_and_dropped_loans_cost_nothing():
    small = scratch.take((3, 5))
    assert small.base is None and small.shape == (3, 5)
    lent = scratch.take((1024, 256))
    held = scratch.held()
    del lent
    gc.collect()
    scratch.give(np.empty(0))
    assert scratch.held() == held  # a dropped loan is freed as any array, not kept


def test_the_pool_keeps_at_most_its_limit(monkeypatch):
    monkeypatch.setattr(scratch, "LIMIT", scratch.held() + 3 * 2**20)
    arrays = [scratch.take((2**18,)) for _ in range(3)]  # 2 MB each
    scratch.give(*arrays)
    assert scratch.held() <= scratch.LIMIT


def test_parallel_map_keeps_order_and_runs_nested_work_in_line():
    seen: set[str] = set()

    def inner(x: int) -> int:
        seen.add(threading.current_thread().name)
        return x * x

    def outer(x: int) -> list[int]:
        return parallel.parallel_map(inner, range(x))  # inside the pool: in line, no deadlock

    assert parallel.parallel_map(outer, [3, 1, 4, 1, 5]) == [[x * x for x in range(n)] for n in [3, 1, 4, 1, 5]]
    assert parallel.parallel_map(inner, []) == []
    if parallel.WORKERS > 1:
        assert all(name.startswith("bayesnet") for name in seen)
