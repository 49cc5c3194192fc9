"""Orders that do not depend on rounding noise: values within a tolerance are ties.

Two contraction orders of the same query agree to about 1e-16, not exactly, so a ranking by
raw floats can swap two equal entries from one run (or one engine) to the next. Every
ranking of the analyses goes through :func:`rank` and every "best of" through
:func:`best_index`: values within ``tol`` of each other are tied, and ties are broken by
name (or by position), never by noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["TIE", "best_index", "rank", "sort_frame", "tie_groups"]

TIE = 1e-12
"""Values closer than this are the same value (far above float rounding, far below anything shown)."""


def tie_groups(values: np.ndarray, *, descending: bool = True, tol: float = TIE) -> tuple[np.ndarray, np.ndarray]:
    """Sort ``values`` and group ties.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The positions in sorted order (NaN last), and for each sorted position the index of
        its tie group: a group starts at a value and holds every next value within ``tol``
        of that first one.
    """
    values = np.asarray(values, dtype=float)
    key = np.where(np.isnan(values), np.inf, -values if descending else values)
    order = np.argsort(key, kind="stable")
    groups = np.empty(len(order), dtype=int)
    group, anchor = -1, None
    for i, pos in enumerate(order):
        v = key[pos]
        if anchor is None or not (v - anchor <= tol or (np.isinf(v) and np.isinf(anchor))):
            group, anchor = group + 1, v
        groups[i] = group
    return order, groups


def rank(values: np.ndarray, names: Sequence[Any], *, descending: bool = True, tol: float = TIE) -> np.ndarray:
    """Positions ordered by value (largest first unless ``descending=False``), ties by name
    (any sortable keys of one type: node ids, link numbers)."""
    order, groups = tie_groups(values, descending=descending, tol=tol)
    keyed = sorted(range(len(order)), key=lambda i: (groups[i], names[int(order[i])]))
    return order[keyed]


def best_index(values: np.ndarray, *, largest: bool = True, tol: float = TIE) -> int:
    """The first position whose value is within ``tol`` of the largest (or smallest)."""
    values = np.asarray(values, dtype=float)
    if largest:
        return int(np.flatnonzero(values >= np.nanmax(values) - tol)[0])
    return int(np.flatnonzero(values <= np.nanmin(values) + tol)[0])


def sort_frame(frame: pd.DataFrame, column: str, *, descending: bool = True, tol: float = TIE) -> pd.DataFrame:
    """``frame`` ordered by ``column`` with ties (within ``tol``) in the order of the index."""
    order = rank(frame[column].to_numpy(dtype=float), list(frame.index), descending=descending, tol=tol)
    return frame.iloc[order]
