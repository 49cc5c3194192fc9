"""What-if questions: the distribution of a node given observations (``given``), under
interventions (``do``, graph surgery) and in a collaboration-type ``scenario``.

Every answer carries the point answer from the posterior-mean network and, over posterior
draws of the parameters, the answer under each draw, its mean and a highest-density
interval (``arviz.hdi``), so an answer resting on four studies looks less certain than one
resting on forty. Inference runs through :func:`bayesnet.inference.evaluation.evaluate`,
checked in the tests against pgmpy's VariableElimination and pyAgrum's LazyPropagation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, overload

from bayesnet.defaults import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_SEED
from bayesnet.errors import QueryError
from bayesnet.inference.evaluation import evaluate
from bayesnet.inference.posteriors import Posterior, checked_posterior
from bayesnet.inference.questions import Question, question
from bayesnet.inference.results import JointResult, QueryResult, QueryResults

if TYPE_CHECKING:
    from bayesnet.build.model import Model

__all__ = ["answer_joint", "answer_query", "joint", "query"]


def answer_query(q: Question, post: Posterior | None) -> QueryResult:
    """The distribution of the question's (first) target, at the posterior mean and over ``post``."""
    model = q.model
    point = evaluate(model, model.cpts, [q.target], evidence=q.evidence, do=q.do)[0]
    if post is None:
        return QueryResult(q, point)
    per_draw = evaluate(model, post.tables, [q.target], evidence=q.evidence, do=q.do)
    return QueryResult(q, point, per_draw, post.hdi_prob, post.seed)


def answer_joint(q: Question, post: Posterior | None) -> JointResult:
    """The joint distribution of the question's targets."""
    if len(q.targets) < 2:
        raise QueryError("a joint query needs at least two targets")
    model = q.model
    point = evaluate(model, model.cpts, q.targets, evidence=q.evidence, do=q.do)[0]
    if post is None:
        return JointResult(q, point)
    per_draw = evaluate(model, post.tables, q.targets, evidence=q.evidence, do=q.do)
    return JointResult(q, point, per_draw, post.hdi_prob)


@overload
def query(  # type: ignore[overload-overlap]  # a str is a Sequence[str] too; str wins
    model: Model, targets: str, *, given: Mapping[str, str] | None = ..., do: Mapping[str, str] | None = ...,
    scenario: str | None = ..., draws: int | None = ..., seed: int = ..., hdi_prob: float = ...,
) -> QueryResult: ...


@overload
def query(
    model: Model, targets: Sequence[str], *, given: Mapping[str, str] | None = ...,
    do: Mapping[str, str] | None = ..., scenario: str | None = ..., draws: int | None = ..., seed: int = ...,
    hdi_prob: float = ...,
) -> QueryResults: ...


def query(
    model: Model,
    targets: str | Sequence[str],
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    scenario: str | None = None,
    draws: int | None = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    hdi_prob: float = DEFAULT_HDI,
) -> QueryResult | QueryResults:
    """The distribution of one or several nodes in a situation.

    Parameters
    ----------
    model : Model
    targets : str or sequence of str
        One node id (returns a :class:`QueryResult`) or several (returns a
        :class:`QueryResults`, one marginal each; see :func:`joint` for their joint).
    given : mapping, optional
        Observed ``{node: state}``.
    do : mapping, optional
        Intervened ``{node: state}``: the node's incoming links are cut (graph surgery).
    scenario : str, optional
        A collaboration-type preset from ``priors/scenarios.yaml``; its contexts are observed.
    draws : int or None
        Posterior draws for the interval (None: point answer only).
    seed : int
        Seed of the draws; the same seed gives the same draws.
    hdi_prob : float
        Mass of the highest-density interval, in (0, 1).

    Returns
    -------
    QueryResult or QueryResults

    Raises
    ------
    QueryError, ZeroProbabilityError, ParameterError

    Examples
    --------
    >>> import bayesnet
    >>> model = bayesnet.load()
    >>> bayesnet.query(model, "collaborative_behaviour", scenario="buddying").target
    'collaborative_behaviour'
    """
    post = checked_posterior(model, draws, seed, hdi_prob, owner="query")
    q = question(model, targets, given=given, do=do, scenario=scenario)
    if isinstance(targets, str):
        return answer_query(q, post)
    return QueryResults(tuple(answer_query(q.ask(t), post) for t in q.targets))


def joint(
    model: Model,
    targets: Sequence[str],
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    scenario: str | None = None,
    draws: int | None = None,
    seed: int = DEFAULT_SEED,
    hdi_prob: float = DEFAULT_HDI,
) -> JointResult:
    """The joint distribution of several nodes (see :func:`query` for the parameters)."""
    post = checked_posterior(model, draws, seed, hdi_prob, owner="joint")
    return answer_joint(question(model, list(targets), given=given, do=do, scenario=scenario), post)
