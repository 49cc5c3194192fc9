"""One random stream per parameter, so that models that share a parameter share its draws.

Every link, base rate and bias is drawn from its own generator, seeded by the posterior's seed
and a stable name of the parameter (not by its position): a model built without one source,
with another setting, or with one more study draws every parameter it has in common with the
first model from the same stream. Their answers then differ only where their parameters
differ (common random numbers): leaving a study out, filtering sources or changing a setting
is a paired comparison, exactly equal to rebuilding the model that way.

Names are hashed with SHA-256 (not Python's ``hash``), so streams are the same in every
process.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["LINK", "ROOT", "BIAS", "stream"]

LINK = 0
"""Stream family of link weights (key: the link's name, its moderator and lag)."""
ROOT = 1
"""Stream family of root base rates (key: the node id)."""
BIAS = 2
"""Stream family of biases (key: the node id)."""


def stream(seed: int, family: int, key: str) -> np.random.Generator:
    """The generator of parameter ``key`` of ``family`` for posterior seed ``seed``."""
    digest = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng([seed, family, digest])
