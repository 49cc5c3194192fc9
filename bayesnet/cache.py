"""The one cache policy of the package: a small, thread-safe, least-recently-used map.

Models cache their CPT draws and unrolled networks in one of these (per instance, so a
model that is dropped takes its arrays with it); compiled contraction plans use
:func:`functools.lru_cache` on hashable structures. Values are computed outside the lock,
so two threads asking for the same new key may both compute it; the first stored wins.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["LRUCache"]

V = TypeVar("V")


class LRUCache(Generic[V]):
    """Keep the ``maxsize`` most recently used values.

    Parameters
    ----------
    maxsize : int
        At least 1.
    """

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("an LRUCache holds at least one value")
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value for ``key``, computed by ``compute()`` if it is not held."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            if key in self._items:  # another thread got there first
                self._items.move_to_end(key)
                return self._items[key]
            self._items[key] = value
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Drop every value."""
        with self._lock:
            self._items.clear()
