"""The posterior draws an answer is computed over: parameter draws, their CPTs, count, seed,
and the mass of every interval summarising them.

Every analysis of one question takes the same :class:`Posterior`, so its answers share
their draws (common random numbers): differences between situations or settings are then
not Monte Carlo noise. The model caches the CPT draws per ``(draws, seed)``, so making a
posterior twice costs nothing.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bayesnet.checks import check_draws, check_hdi_prob, check_seed
from bayesnet.defaults import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_SEED

if TYPE_CHECKING:
    from bayesnet.build.draws import CPTDraws
    from bayesnet.build.model import CPTs, Model
    from bayesnet.build.parameters import ParameterDraws
    from bayesnet.engine import LeafSource

__all__ = ["Posterior", "checked_posterior", "posterior"]



@dataclass(frozen=True, eq=False)
class Posterior:
    """Posterior draws of every parameter of one model, and the CPTs they give.

    Build with :func:`posterior`.

    Attributes
    ----------
    model : Model
    n_draws : int
    seed : int
        Seeds a local generator: the same seed gives the same draws.
    hdi_prob : float
        Mass of every highest-density interval computed over these draws.
    """

    model: Model = field(repr=False)
    n_draws: int
    seed: int
    hdi_prob: float

    @property
    def parameters(self) -> ParameterDraws:
        """The parameter draws behind :attr:`cpts` (cached by the model)."""
        return self.model.parameter_draws(self.n_draws, self.seed)

    @property
    def cpts(self) -> CPTDraws:
        """CPTs for every draw, ``(card, *parent_cards, n_draws)`` (read-only, cached by the model)."""
        return self.model.cpt_draws(self.n_draws, self.seed)

    @property
    def tables(self) -> CPTs | LeafSource:
        """What one question reads: :attr:`cpts` if the model holds them already (an analysis or
        a sweep built them), else a source that builds only the CPT slices the question reads,
        chunk by chunk (:meth:`bayesnet.Model.leaves`). The answers are the same to rounding;
        a single query is 3-4 times faster and needs a few MB instead of the whole draws."""
        if self.model.holds_cpt_draws(self.n_draws, self.seed):
            return self.cpts
        return self.model.leaves(self.n_draws, self.seed)

    def describe(self) -> str:
        """``4000 posterior draws (seed 20210602), 94% HDI``."""
        return f"{self.n_draws} posterior draws (seed {self.seed}), {self.hdi_prob:.0%} HDI"


def posterior(
    model: Model, *, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED, hdi_prob: float = DEFAULT_HDI
) -> Posterior:
    """Posterior draws of ``model``'s parameters, for every query and analysis to share.

    Parameters
    ----------
    model : Model
    draws : int
        Number of draws (bounded by the memory their CPTs would take).
    seed : int
        A non-negative integer; the same seed gives the same draws.
    hdi_prob : float
        Mass of every highest-density interval, in (0, 1).

    Raises
    ------
    ParameterError
        An option out of range, named as such.

    Examples
    --------
    >>> import bayesnet
    >>> bayesnet.posterior(bayesnet.load(), draws=1000).describe()
    '1000 posterior draws (seed 20210602), 94% HDI'
    """
    post = checked_posterior(model, draws, seed, hdi_prob, owner="posterior")
    assert post is not None
    return post


def checked_posterior(
    model: Model, draws: int | None, seed: int, hdi_prob: float, *, owner: str
) -> Posterior | None:
    """:func:`posterior` for a function named ``owner`` (its errors name it); None when
    ``draws`` is None (a point answer only), after checking the seed and HDI mass anyway."""
    seed = check_seed(seed, owner)
    hdi_prob = check_hdi_prob(hdi_prob, owner)
    if draws is None:
        return None
    return Posterior(model, check_draws(draws, owner, bytes_per_draw=model.bytes_per_draw), seed, hdi_prob)
