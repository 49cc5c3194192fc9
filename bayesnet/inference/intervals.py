"""Summaries of posterior draws: highest-density intervals and ArviZ objects.

The highest-density interval is ArviZ's (``arviz.hdi`` of a one-dimensional array, unimodal:
sort, then the narrowest window holding ``floor(hdi_prob * n)`` further draws), computed here
in numpy for every column at once; ``tests/inference/test_intervals.py`` checks that it is
ArviZ's to the bit. Importing ArviZ takes 1-2 s (it loads xarray, scipy.stats and
matplotlib), more than the rest of a command-line query, so it is imported only for
:func:`inference_data`: lazily and without its start-up FutureWarning about the 1.x refactor,
which says nothing about this package's use of the stable ``InferenceData`` API.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import arviz as az

__all__ = ["arviz", "chains", "hdi", "inference_data", "summarise"]


def arviz() -> Any:
    """The ``arviz`` module, imported quietly."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module="arviz")
        import arviz as az
    return az


def hdi(samples: np.ndarray, hdi_prob: float) -> np.ndarray:
    """Highest-density interval of each column of ``samples`` (shape ``(S, k)``).

    Returns
    -------
    numpy.ndarray
        Shape ``(k, 2)``: low and high per column (a single draw gives a zero-width interval).
    """
    samples = np.asarray(samples, dtype=float)
    if samples.ndim == 1:
        samples = samples[:, None]
    n = samples.shape[0]
    if n < 2:
        return np.stack([samples[0], samples[0]], axis=-1)
    ordered = np.sort(samples, axis=0)
    inside = int(np.floor(hdi_prob * n))  # arviz: interval_idx_inc
    widths = ordered[inside:] - ordered[: n - inside]
    low = np.argmin(widths, axis=0)  # the first narrowest window, as arviz takes it
    columns = np.arange(samples.shape[1])
    return np.stack([ordered[low, columns], ordered[low + inside, columns]], axis=-1)


def summarise(samples: np.ndarray | None, hdi_prob: float) -> tuple[float, float, float]:
    """Mean, and low and high ends of the HDI, of one quantity's draws (NaN without draws)."""
    if samples is None:
        return (math.nan, math.nan, math.nan)
    low, high = hdi(samples, hdi_prob)[0]
    return float(np.mean(samples)), float(low), float(high)


def chains(n_draws: int) -> int:
    """How many equal chains ``n_draws`` independent draws are laid out as: 4, else 2, else 1."""
    return next(c for c in (4, 2, 1) if (n_draws % c == 0 and n_draws // c >= 4) or c == 1)


def _as_chains(d: np.ndarray) -> np.ndarray:
    c = chains(d.shape[0])
    return d.reshape(c, d.shape[0] // c, *d.shape[1:])


def inference_data(
    draws: Mapping[str, np.ndarray],
    states: Mapping[str, Sequence[str]],
    *,
    attrs: Mapping[str, Any] | None = None,
) -> az.InferenceData:
    """Posterior draws as ``InferenceData`` with ``chain`` and ``draw`` dimensions.

    The draws are independent, so they are split into :func:`chains` independent batches of
    equal length, in order: ArviZ's diagnostics then run without warnings (and say what
    independent draws must: r_hat about 1, an effective sample size about the draws').

    Parameters
    ----------
    draws : mapping
        Variable name -> array ``(S, k)``: a distribution over ``k`` states per draw.
    states : mapping
        Variable name -> its ``k`` state names; the dimension is ``<name>_state``.
    attrs : mapping, optional
        Provenance (situation, HDI probability, seed).
    """
    az = arviz()
    return az.from_dict(
        posterior={name: _as_chains(np.asarray(d)) for name, d in draws.items()},
        coords={f"{name}_state": list(states[name]) for name in draws},
        dims={name: [f"{name}_state"] for name in draws},
        attrs=dict(attrs or {}),
    )
