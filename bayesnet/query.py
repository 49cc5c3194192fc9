"""What-if questions: the distribution of a node given observations (``given``), under
interventions (``do``, graph surgery) and in a collaboration-type ``scenario``.

Every answer carries three things: the point answer from the posterior-mean network, the
mean over posterior draws of the parameters, and a highest-density interval over those
draws (``arviz.hdi``), so an answer resting on four studies looks less certain than one
resting on forty. Inference runs in :mod:`bayesnet.engine`, checked in the tests against
pgmpy's VariableElimination and pyAgrum's LazyPropagation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet import engine
from bayesnet.errors import ParameterError, QueryError, ZeroProbabilityError, closest
from bayesnet.uncertainty import check_hdi, hdi, inference_data

if TYPE_CHECKING:
    import arviz as az

    from bayesnet.model import Model

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_HDI",
    "DEFAULT_SEED",
    "JointResult",
    "QueryResult",
    "Situation",
    "cpt_frame",
    "joint",
    "parse_assignments",
    "query",
    "situation",
]

DEFAULT_DRAWS = 4000
"""Posterior draws per query unless told otherwise."""
DEFAULT_HDI = 0.94
"""Probability mass of the highest-density interval (ArviZ's default)."""
DEFAULT_SEED = 20210602
"""Seed of the default draws (the review's publication date), so answers are reproducible."""


@dataclass(frozen=True)
class Situation:
    """Resolved observations and interventions of one query.

    Attributes
    ----------
    given : dict
        Observed node -> state (the scenario's values, then the user's).
    do : dict
        Intervened node -> state.
    scenario : str or None
    overridden : dict
        Scenario values the user replaced: node -> (scenario state, user's state).
    """

    given: dict[str, str] = field(default_factory=dict)
    do: dict[str, str] = field(default_factory=dict)
    scenario: str | None = None
    overridden: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def fixed(self) -> set[str]:
        """Nodes fixed by observation or intervention."""
        return set(self.given) | set(self.do)

    def describe(self) -> str:
        """One line such as ``scenario=buddying, given quick_wins=present``."""
        parts = []
        if self.scenario:
            parts.append(f"scenario={self.scenario}")
        if self.given:
            parts.append("given " + ", ".join(f"{k}={v}" for k, v in self.given.items()))
        if self.do:
            parts.append("do " + ", ".join(f"{k}={v}" for k, v in self.do.items()))
        return "; ".join(parts) or "no observations"


def parse_assignments(items: Iterable[str], what: str) -> dict[str, str]:
    """Parse ``NODE=STATE`` strings (from the command line).

    Raises
    ------
    QueryError
        Malformed item, or one node given two different states.
    """
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise QueryError(f"expected NODE=STATE in {what}, found {item!r}")
        node, state = (s.strip() for s in item.split("=", 1))
        if not node or not state:
            raise QueryError(f"expected NODE=STATE in {what}, found {item!r}")
        if node in out and out[node] != state:
            raise QueryError(
                f"node {node!r} is given twice in {what} with different states ({out[node]!r} and {state!r})"
            )
        out[node] = state
    return out


def situation(
    model: Model,
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    scenario: str | None = None,
) -> Situation:
    """Check and merge a scenario, observations and interventions.

    The user's ``given`` and ``do`` replace the scenario's value for the same node (the
    replacement is recorded in ``overridden``).

    Raises
    ------
    QueryError
        Unknown node, state or scenario (with the closest names), or a node both observed
        and intervened on.
    """
    given_ = model.codebook.resolve(dict(given or {}), what="given")
    do_ = model.codebook.resolve(dict(do or {}), what="do")
    both = sorted(set(given_) & set(do_))
    if both:
        raise QueryError(f"node {both[0]!r} is both observed (given) and intervened on (do); choose one")
    merged: dict[str, str] = {}
    overridden: dict[str, tuple[str, str]] = {}
    if scenario is not None:
        preset = model.scenarios[scenario]
        for node, state in preset.assignment.items():
            user = given_.get(node, do_.get(node))
            if user is not None and user != state:
                overridden[node] = (state, user)
            if node not in do_:
                merged[node] = state
    merged.update(given_)
    return Situation(merged, do_, scenario, overridden)


def check_seed(seed: Any, owner: str) -> int:
    """Validate a seed: a non-negative integer."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError.out_of_range("seed", owner, "a non-negative integer", seed)
    return int(seed)


@dataclass(frozen=True)
class QueryResult:
    """The answer to one query about one node.

    Attributes
    ----------
    target : str
    states : tuple of str
    situation : Situation
    point : numpy.ndarray
        Shape ``(k,)``: the distribution under the posterior-mean network.
    draws : numpy.ndarray or None
        Shape ``(S, k)``: the distribution under each posterior draw (None if not asked).
    hdi_prob : float
    seed : int or None
    """

    target: str
    states: tuple[str, ...]
    situation: Situation
    point: np.ndarray
    draws: np.ndarray | None = None
    hdi_prob: float = DEFAULT_HDI
    seed: int | None = None

    @property
    def distribution(self) -> pd.Series:
        """Point answer as a Series indexed by state."""
        return pd.Series(self.point, index=pd.Index(self.states, name="state"), name=self.target)

    @property
    def n_draws(self) -> int:
        """Number of posterior draws behind the interval (0 if none)."""
        return 0 if self.draws is None else int(self.draws.shape[0])

    @property
    def mean(self) -> pd.Series | None:
        """Mean over draws, by state."""
        if self.draws is None:
            return None
        return pd.Series(self.draws.mean(axis=0), index=pd.Index(self.states, name="state"), name=self.target)

    @property
    def interval(self) -> pd.DataFrame | None:
        """HDI by state: columns ``low`` and ``high``."""
        if self.draws is None:
            return None
        bounds = hdi(self.draws, self.hdi_prob)
        return pd.DataFrame(bounds, index=pd.Index(self.states, name="state"), columns=["low", "high"])

    def to_inference_data(self) -> az.InferenceData:
        """The draws as ArviZ ``InferenceData`` (posterior group, one chain).

        The variable is named after the target, its dimension ``<target>_state`` has the
        target's states as coordinates, so ``az.summary`` and ``az.plot_forest`` work.
        """
        if self.draws is None:
            raise QueryError("this result has no draws: ask with draws=N to get an InferenceData")
        return inference_data(
            {self.target: self.draws},
            {self.target: self.states},
            attrs={
                "situation": self.situation.describe(),
                "hdi_prob": self.hdi_prob,
                "seed": -1 if self.seed is None else self.seed,
            },
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form: target, given, do, scenario, distribution (+ mean, interval, draws)."""
        out: dict[str, Any] = {
            "target": self.target,
            "given": dict(self.situation.given),
            "do": dict(self.situation.do),
            "scenario": self.situation.scenario,
            "distribution": {s: float(p) for s, p in zip(self.states, self.point, strict=True)},
        }
        if self.draws is not None:
            mean = self.mean
            interval = self.interval
            assert mean is not None and interval is not None
            out["mean"] = {s: float(mean[s]) for s in self.states}
            out["interval"] = {s: [float(interval.at[s, "low"]), float(interval.at[s, "high"])] for s in self.states}
            out["hdi_prob"] = self.hdi_prob
            out["draws"] = self.n_draws
            out["seed"] = self.seed
        if self.situation.overridden:
            out["overridden"] = {k: {"scenario": a, "now": b} for k, (a, b) in self.situation.overridden.items()}
        return out

    def __repr__(self) -> str:
        lines = [f"P({self.target} | {self.situation.describe()})"]
        interval = self.interval
        for i, s in enumerate(self.states):
            text = f"  {s:<14} {self.point[i]:.3f}"
            if interval is not None:
                text += f"  [{interval.at[s, 'low']:.3f}, {interval.at[s, 'high']:.3f}]"
            lines.append(text)
        if interval is not None:
            lines.append(f"  ({self.hdi_prob:.0%} HDI over {self.n_draws} posterior draws)")
        return "\n".join(lines)


@dataclass(frozen=True)
class JointResult:
    """The joint distribution of several nodes.

    Attributes
    ----------
    targets : tuple of str
    situation : Situation
    point : numpy.ndarray
        Shape ``(k1, k2, ...)``.
    draws : numpy.ndarray or None
        Shape ``(S, k1, k2, ...)``.
    """

    targets: tuple[str, ...]
    states: tuple[tuple[str, ...], ...]
    situation: Situation
    point: np.ndarray
    draws: np.ndarray | None = None
    hdi_prob: float = DEFAULT_HDI

    @property
    def frame(self) -> pd.DataFrame:
        """One row per joint configuration: probability (+ mean, low, high with draws)."""
        index = pd.MultiIndex.from_product([list(s) for s in self.states], names=list(self.targets))
        data: dict[str, Any] = {"probability": self.point.reshape(-1)}
        if self.draws is not None:
            flat = self.draws.reshape(self.draws.shape[0], -1)
            bounds = hdi(flat, self.hdi_prob)
            data.update(mean=flat.mean(axis=0), low=bounds[:, 0], high=bounds[:, 1])
        return pd.DataFrame(data, index=index)

    def __repr__(self) -> str:
        return f"P({', '.join(self.targets)} | {self.situation.describe()})\n{self.frame.round(4)}"


def _check_targets(model: Model, targets: Sequence[str], sit: Situation) -> None:
    for t in targets:
        if t not in model.codebook:
            raise QueryError(f"unknown target node {t!r}", suggestions=closest(t, model.codebook.ids))
        if t in sit.fixed:
            how = "observed" if t in sit.given else "intervened on"
            raise QueryError(f"target {t!r} is {how} in this query; ask about another node")
    if len(set(targets)) != len(targets):
        raise QueryError(f"a target is named twice: {', '.join(targets)}")


def _run(model: Model, targets: Sequence[str], sit: Situation, cpts: Mapping[str, np.ndarray]) -> np.ndarray:
    """Engine call with state names turned into indices; (S, *cards)."""
    states = model.spec.states
    plan = engine.compile_query(model.structure, list(targets), evidence=list(sit.given), do=list(sit.do))
    ev = {n: states[n].index(s) for n, s in sit.given.items()}
    dv = {n: states[n].index(s) for n, s in sit.do.items()}
    try:
        # the model's CPTs are valid by construction (tests check every column), so the
        # engine's per-call CPT checks, which cost as much as the contraction, are skipped
        return plan(cpts, evidence=ev, do=dv, validate=False)
    except engine.ZeroProbabilityError as err:
        raise _explain_zero(model, sit, cpts) from err


def _explain_zero(model: Model, sit: Situation, cpts: Mapping[str, np.ndarray]) -> ZeroProbabilityError:
    """Shrink the findings to a minimal set that is still impossible, and name it."""
    states = model.spec.states
    findings = dict(sit.given)
    dv = {n: states[n].index(s) for n, s in sit.do.items()}
    for node in list(findings):
        trial = {k: v for k, v in findings.items() if k != node}
        if not trial:
            continue
        plan = engine.compile_query(model.structure, [], evidence=list(trial), do=list(dv))
        prob = plan.evidence_probability(cpts, evidence={n: states[n].index(s) for n, s in trial.items()}, do=dv)
        if np.any(np.asarray(prob) <= 0.0):
            findings = trial
    listed = ", ".join(f"{k}={v}" for k, v in findings.items())
    return ZeroProbabilityError(
        f"the findings {listed} cannot occur together under this model (probability 0); "
        "drop one of them or intervene (do) instead of observing",
        findings=findings,
    )


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
) -> Any:
    """The distribution of one or several nodes in a situation.

    Parameters
    ----------
    model : Model
    targets : str or sequence of str
        One node id (returns a :class:`QueryResult`) or several (returns a list, one
        marginal each; see :func:`joint` for their joint distribution).
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
    QueryResult or list of QueryResult

    Raises
    ------
    QueryError, ZeroProbabilityError, ParameterError

    Examples
    --------
    >>> import bayesnet
    >>> model = bayesnet.load()
    >>> model.query("collaborative_behaviour", scenario="buddying")  # doctest: +SKIP
    """
    single = isinstance(targets, str)
    names = [targets] if isinstance(targets, str) else list(targets)
    if not names:
        raise QueryError("name at least one target node")
    hdi_prob = check_hdi(hdi_prob, "query")
    seed = check_seed(seed, "query")
    sit = situation(model, given=given, do=do, scenario=scenario)
    _check_targets(model, names, sit)
    results = []
    sampled = None
    if draws is not None:
        from bayesnet.model import check_draws

        sampled = model.cpt_draws(check_draws(draws, model, "query"), seed)
    for t in names:
        point = _run(model, [t], sit, model.cpts)[0]
        per_draw = _run(model, [t], sit, sampled) if sampled is not None else None
        results.append(
            QueryResult(t, model.spec.states[t], sit, point, per_draw, hdi_prob, seed if draws is not None else None)
        )
    return results[0] if single else results


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
    names = list(targets)
    if len(names) < 2:
        raise QueryError("a joint query needs at least two targets")
    hdi_prob = check_hdi(hdi_prob, "joint")
    sit = situation(model, given=given, do=do, scenario=scenario)
    _check_targets(model, names, sit)
    point = _run(model, names, sit, model.cpts)[0]
    per_draw = None
    if draws is not None:
        from bayesnet.model import check_draws

        per_draw = _run(
            model, names, sit, model.cpt_draws(check_draws(draws, model, "joint"), check_seed(seed, "joint"))
        )
    return JointResult(tuple(names), tuple(model.spec.states[t] for t in names), sit, point, per_draw, hdi_prob)


def cpt_frame(model: Model, node: str) -> pd.DataFrame:
    """The posterior-mean CPT of ``node``: one row per parent configuration, one column per state."""
    if node not in model.codebook:
        raise QueryError(f"unknown node {node!r}", suggestions=closest(node, model.codebook.ids))
    values = model.cpts[node][..., 0]
    parents = model.spec.parents[node]
    states = model.spec.states[node]
    if not parents:
        return pd.DataFrame([values], columns=pd.Index(states, name=node))
    flat = values.reshape(len(states), -1).T
    if len(parents) == 1:
        index = pd.Index(list(model.spec.states[parents[0]]), name=parents[0])
    else:
        index = pd.MultiIndex.from_product([list(model.spec.states[p]) for p in parents], names=list(parents))
    return pd.DataFrame(flat, index=index, columns=pd.Index(states, name=node))
