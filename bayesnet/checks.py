"""Validators of options (draws, seeds, probabilities, counts), in one place.

Every function checks one value and returns it in its canonical type, or raises
:class:`~bayesnet.errors.ParameterError` in scikit-learn's shape, naming the option and the
function it was given to::

    The 'hdi_prob' parameter of query must be in (0, 1). Got 1.5 instead.

Booleans are refused where a number is expected (``True`` is not one draw). Pure: imports
nothing of the package but its errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

import numpy as np

from bayesnet.errors import ParameterError, closest

__all__ = [
    "MAX_DRAW_BYTES",
    "check_choice",
    "check_draws",
    "check_hdi_prob",
    "check_int_range",
    "check_positive_int",
    "check_power_of_two",
    "check_probability",
    "check_seconds",
    "check_seed",
    "check_suffix",
]

MAX_DRAW_BYTES = 4 * 2**30
"""Most memory the CPT draws of one posterior may take (4 GiB). On the default model, whose
largest table (trust, 12 parents, held by its upper row) dominates, that is about 98,000
draws; 4,000 take 175 MB. More draws would not narrow the Monte Carlo error of an interval
enough to matter."""


def _is_int(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | np.integer)


def _is_real(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float | np.integer | np.floating)


def check_positive_int(value: Any, name: str, owner: str) -> int:
    """An integer of at least 1."""
    if not _is_int(value) or value < 1:
        raise ParameterError.out_of_range(name, owner, "a positive integer", value)
    return int(value)


def check_int_range(value: Any, name: str, owner: str, low: int, high: int) -> int:
    """An integer in ``[low, high]``."""
    if not _is_int(value) or not low <= value <= high:
        raise ParameterError.out_of_range(name, owner, f"an integer in [{low}, {high}]", value)
    return int(value)


def check_power_of_two(value: Any, name: str, owner: str) -> int:
    """A power of two, at least 2 (Sobol' sequences)."""
    if not _is_int(value) or value < 2 or value & (value - 1):
        raise ParameterError.out_of_range(name, owner, "a power of two, at least 2", value)
    return int(value)


def check_probability(value: Any, name: str, owner: str, *, closed: bool = False) -> float:
    """A number in the open interval (0, 1), or in [0, 1] when ``closed``."""
    inside = _is_real(value) and (0.0 <= value <= 1.0 if closed else 0.0 < value < 1.0)
    if not inside:
        raise ParameterError.out_of_range(name, owner, "a number in [0, 1]" if closed else "in (0, 1)", value)
    return float(value)


def check_choice(value: Any, name: str, owner: str, options: Iterable[str]) -> str:
    """One of ``options``, with the closest one suggested."""
    allowed = list(options)
    if not isinstance(value, str) or value not in allowed:
        hint = closest(str(value), allowed, n=1)
        more = f"; did you mean {hint[0]!r}?" if hint else ""
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be one of {', '.join(map(repr, allowed))}. "
            f"Got {value!r} instead{more}"
        )
    return value


def check_suffix(path: Any, suffixes: Iterable[str], *, what: str) -> str:
    """The lower-cased suffix of a file name, which must be one of ``suffixes`` (each with its
    dot, lower case); the message lists them and suggests the closest. Returns the suffix.

    Examples
    --------
    >>> check_suffix("model.xmbif", (".bif", ".bifxml", ".xmlbif"), what="export")
    Traceback (most recent call last):
    ...
    bayesnet.errors.ParameterError: model.xmbif: unknown export format '.xmbif'; use .bif, .bifxml or .xmlbif; \
did you mean '.xmlbif'?
    """
    allowed = list(suffixes)
    name = str(path)
    suffix = PurePath(name).suffix.lower()
    if suffix not in allowed:
        listed = ", ".join(allowed[:-1]) + " or " + allowed[-1] if len(allowed) > 1 else allowed[0]
        hint = closest(suffix, allowed, n=1) if suffix else []
        more = f"; did you mean {hint[0]!r}?" if hint else ""
        raise ParameterError(f"{name}: unknown {what} format {suffix!r}; use {listed}{more}")
    return suffix


def check_seed(value: Any, owner: str) -> int:
    """A seed: a non-negative integer."""
    if not _is_int(value) or value < 0:
        raise ParameterError.out_of_range("seed", owner, "a non-negative integer", value)
    return int(value)


def check_seconds(value: Any, name: str, owner: str) -> float:
    """A finite, non-negative number of seconds (a time limit)."""
    if not _is_real(value) or not 0.0 <= float(value) < float("inf"):
        raise ParameterError.out_of_range(name, owner, "a non-negative number of seconds", value)
    return float(value)


def check_hdi_prob(value: Any, owner: str) -> float:
    """The mass of a highest-density interval, in (0, 1)."""
    return check_probability(value, "hdi_prob", owner)


def check_draws(value: Any, owner: str, *, bytes_per_draw: int = 0, limit: int = MAX_DRAW_BYTES) -> int:
    """A number of posterior draws, saying what too many would cost in memory.

    Parameters
    ----------
    value : int
    owner : str
        The function it was given to, for the message.
    bytes_per_draw : int
        Memory one draw of every CPT takes (0: no memory bound).
    limit : int
        Most bytes all draws may take.
    """
    n = check_positive_int(value, "draws", owner)
    if bytes_per_draw and n * bytes_per_draw > limit:
        most = limit // bytes_per_draw
        raise ParameterError(
            f"The 'draws' parameter of {owner} must be at most {most:,} for this model. Got {n:,} instead: its "
            f"CPT draws alone would take {n * bytes_per_draw / 2**30:,.1f} GiB of memory "
            f"(limit {limit / 2**30:.0f} GiB)."
        )
    return n
