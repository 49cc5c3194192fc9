"""One node across several collaboration-type scenarios, side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from bayesnet.defaults import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_SEED
from bayesnet.inference.queries import query

if TYPE_CHECKING:
    from bayesnet.build.model import Model

__all__ = ["compare"]


def compare(
    model: Model,
    target: str,
    scenarios: Sequence[str],
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    draws: int | None = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    hdi_prob: float = DEFAULT_HDI,
) -> pd.DataFrame:
    """The distribution of ``target`` under each scenario.

    All scenarios share the same posterior draws, so their differences are not Monte Carlo
    noise.

    Returns
    -------
    pandas.DataFrame
        Index (scenario, state); columns ``probability`` (posterior-mean network) and, with
        draws, ``mean``, ``low``, ``high`` (the HDI).
    """
    frames = []
    for name in scenarios:
        result = query(model, target, given=given, do=do, scenario=name, draws=draws, seed=seed,
                       hdi_prob=hdi_prob)
        frame = result.distribution.to_frame("probability")
        if result.draws is not None:
            frame["mean"] = result.mean
            interval = result.interval
            assert interval is not None  # asked with draws
            frame["low"] = interval["low"]
            frame["high"] = interval["high"]
        frame.insert(0, "scenario", name)
        frames.append(frame.reset_index())
    return pd.concat(frames, ignore_index=True).set_index(["scenario", "state"])
