"""Progress bars for long loops: tqdm on a terminal, silent otherwise or when asked."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["progress"]

T = TypeVar("T")


def progress(items: Iterable[T], *, enabled: bool, desc: str, total: int | None = None) -> Iterator[T]:
    """Iterate over ``items`` with a tqdm bar on stderr.

    The bar shows only when ``enabled`` is true and stderr is a terminal, so pipes, logs
    and tests stay clean.
    """
    if not enabled or not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=desc, total=total, leave=False, file=sys.stderr)
