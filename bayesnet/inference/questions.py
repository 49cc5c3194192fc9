"""A question resolved once: the target and its state, and the situation it is asked in.

A situation is what is known and what is done: observations (``given``), interventions
(``do``, graph surgery) and a collaboration-type ``scenario`` whose contexts are observed.
:func:`question` checks every name against the model, merges the scenario with the user's
own values, and turns states into the indices the engine takes, once; every query and
analysis then takes the :class:`Question` as it is.

Pure: no I/O.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bayesnet.errors import QueryError, closest

if TYPE_CHECKING:
    from bayesnet.build.model import Model

__all__ = ["Question", "Situation", "parse_assignments", "question", "situation"]


@dataclass(frozen=True)
class Situation:
    """Resolved observations and interventions.

    Attributes
    ----------
    given : dict
        Observed node -> state (the scenario's values, then the user's).
    do : dict
        Intervened node -> state.
    scenario : str or None
    overridden : dict
        Scenario values the user replaced: node -> (scenario state, user's state).
    asked_given, asked_do : dict
        The user's own observations and interventions, before the scenario was merged in
        (the same situation under another scenario starts from them).
    """

    given: Mapping[str, str] = field(default_factory=dict)
    do: Mapping[str, str] = field(default_factory=dict)
    scenario: str | None = None
    overridden: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    asked_given: Mapping[str, str] = field(default_factory=dict)
    asked_do: Mapping[str, str] = field(default_factory=dict)

    @property
    def fixed(self) -> set[str]:
        """Nodes fixed by observation or intervention."""
        return set(self.given) | set(self.do)

    def describe(self, labels: Mapping[str, str] | None = None, scenario_label: str | None = None) -> str:
        """One line such as ``scenario=buddying; given quick_wins=present``.

        Parameters
        ----------
        labels : mapping, optional
            Node id -> label: write ``scenario: Buddying; observed Quick wins = present;
            set ...`` in words instead (what notebooks and the command line show by default).
        scenario_label : str, optional
            The scenario's label, with ``labels``.
        """
        if labels is None:
            parts = []
            if self.scenario:
                parts.append(f"scenario={self.scenario}")
            if self.given:
                parts.append("given " + ", ".join(f"{k}={v}" for k, v in self.given.items()))
            if self.do:
                parts.append("do " + ", ".join(f"{k}={v}" for k, v in self.do.items()))
            return "; ".join(parts) or "no observations"
        words = []
        if self.scenario:
            words.append(f"scenario: {scenario_label or self.scenario}")
        own = {k: v for k, v in self.given.items() if k in self.asked_given or not self.scenario}
        if own:
            words.append("observed " + ", ".join(f"{labels.get(k, k)} = {v}" for k, v in own.items()))
        if self.do:
            words.append("set " + ", ".join(f"{labels.get(k, k)} = {v}" for k, v in self.do.items()))
        return "; ".join(words) or "nothing observed"


def parse_assignments(items: Iterable[str], what: str) -> dict[str, str]:
    """Parse ``NODE=STATE`` strings (as the command line gives them).

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
    return Situation(merged, do_, scenario, overridden, given_, do_)


@dataclass(frozen=True)
class Question:
    """``P(targets | situation)``, resolved against one model.

    Build with :func:`question`. Analyses follow the probability of ``state`` of the first
    target (:attr:`target`).

    Attributes
    ----------
    model : Model
    targets : tuple of str
    state : str
        The state of :attr:`target` whose probability analyses follow (default its upper one).
    situation : Situation
    evidence, do : mapping
        Node -> state index, as the engine takes them (read-only).
    """

    model: Model = field(repr=False)
    targets: tuple[str, ...]
    state: str
    situation: Situation
    evidence: Mapping[str, int]
    do: Mapping[str, int]

    @property
    def target(self) -> str:
        """The first target: the node the analyses explain."""
        return self.targets[0]

    @property
    def index(self) -> int:
        """Position of :attr:`state` among the target's states."""
        return self.model.spec.states[self.target].index(self.state)

    def describe(self, labels: bool = False) -> str:
        """``P(collaborative_behaviour = collaborative | scenario=...)``; with ``labels``,
        ``P(Collaborative behaviour = collaborative | scenario: Buddying; set ...)``."""
        name = self.label if labels else (lambda v: v)
        what = f"{name(self.target)} = {self.state}" if len(self.targets) == 1 else ", ".join(map(name, self.targets))
        return f"P({what} | {self.situation_text(labels)})"

    def label(self, node: str) -> str:
        """The node's label (its id if the codebook has none)."""
        return self.model.labels.get(node, node)

    def situation_text(self, labels: bool = True) -> str:
        """The situation in words (with labels) or ids: see :meth:`Situation.describe`."""
        sit = self.situation
        if not labels:
            return sit.describe()
        scenario = self.model.scenarios[sit.scenario].label if sit.scenario else None
        return sit.describe(self.model.labels, scenario)

    def ask(self, *targets: str, state: str | None = None) -> Question:
        """The same situation, asked about other target(s) (default state: the first's upper)."""
        return _resolved(self.model, targets, state, self.situation)

    def with_situation(self, sit: Situation) -> Question:
        """The same target and state in another (already resolved) situation."""
        _check_targets(self.model, self.targets, sit)
        evidence, do = _indices(self.model, sit)
        return replace(self, situation=sit, evidence=evidence, do=do)

    def of(self, model: Model) -> Question:
        """The same question asked of another model over the same codebook: the model without
        some sources, or with other settings (the situation is kept as resolved)."""
        if model.codebook is not self.model.codebook and model.codebook.nodes != self.model.codebook.nodes:
            raise QueryError("a question can be asked of another model only if both have the same codebook")
        return replace(self, model=model)


def _indices(model: Model, sit: Situation) -> tuple[Mapping[str, int], Mapping[str, int]]:
    """State indices of the observed and of the intervened nodes (read-only)."""
    states = model.spec.states
    return (
        types.MappingProxyType({n: states[n].index(s) for n, s in sit.given.items()}),
        types.MappingProxyType({n: states[n].index(s) for n, s in sit.do.items()}),
    )


def _check_targets(model: Model, targets: Sequence[str], sit: Situation) -> None:
    if not targets:
        raise QueryError("name at least one target node")
    for t in targets:
        if not isinstance(t, str) or t not in model.codebook:
            raise QueryError(f"unknown target node {t!r}", suggestions=closest(str(t), model.codebook.ids))
        if t in sit.fixed:
            how = "observed" if t in sit.given else "intervened on"
            raise QueryError(f"target {t!r} is {how} in this situation; ask about another node")
    if len(set(targets)) != len(targets):
        raise QueryError(f"a target is named twice: {', '.join(targets)}")


def question(
    model: Model,
    targets: str | Sequence[str],
    *,
    state: str | None = None,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    scenario: str | None = None,
) -> Question:
    """Check and resolve a question: its target(s), the state followed, and the situation.

    Parameters
    ----------
    model : Model
    targets : str or sequence of str
        The node asked about, or several (their joint distribution, or one marginal each).
    state : str, optional
        The state of the first target whose probability analyses follow (default: its
        upper state).
    given : mapping, optional
        Observed ``{node: state}``.
    do : mapping, optional
        Intervened ``{node: state}``: the node's incoming links are cut (graph surgery).
    scenario : str, optional
        A collaboration-type preset (``priors/scenarios.yaml``); its contexts are observed.

    Returns
    -------
    Question

    Raises
    ------
    QueryError
        Unknown node, state or scenario (with the closest names), a node both observed and
        intervened on, or a target that the situation fixes.

    Examples
    --------
    >>> import bayesnet
    >>> q = bayesnet.question(bayesnet.load(), "collaborative_behaviour", scenario="buddying")
    >>> q.state, q.situation.given["mandated"]
    ('collaborative', 'voluntary')
    """
    names = (targets,) if isinstance(targets, str) else tuple(targets)
    return _resolved(model, names, state, situation(model, given=given, do=do, scenario=scenario))


def _resolved(model: Model, names: tuple[str, ...], state: str | None, sit: Situation) -> Question:
    _check_targets(model, names, sit)
    node = model.codebook[names[0]]
    chosen = node.upper if state is None else state
    if chosen not in node.states:
        raise QueryError(
            f"node {node.id!r} has no state {chosen!r}; its states are {', '.join(node.states)}",
            suggestions=closest(str(chosen), node.states),
        )
    return Question(model, names, chosen, sit, *_indices(model, sit))
