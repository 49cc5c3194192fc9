"""The codebook: every node of the review's causal web, its states and its meaning.

Pure: builds :class:`Codebook` from an already parsed mapping (see
:func:`bayesnet.inputs.folder.read_codebook` for the file).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bayesnet.errors import (
    DuplicateIdError,
    QueryError,
    SchemaError,
    UnknownNodeError,
    UnknownStateError,
    closest,
)
from bayesnet.inputs.fields import Record, shown
from bayesnet.inputs.problems import Problems

__all__ = ["KINDS", "STAGES", "Codebook", "Node", "codebook_from_mapping"]

KINDS = ("context", "mechanism", "outcome")
"""Node kinds, as in the review's Fig. 7: contexts are green boxes, mechanisms and outcomes
blue ellipses."""

STAGES = ("early", "middle", "atemporal", "performance")
"""Where the review's Results sections place a node in a collaboration's life."""

_NODE_FIELDS = (
    "id", "label", "kind", "stage", "states", "modifiable", "definition", "section",
    "base_rate", "base_rate_basis",
)


@dataclass(frozen=True)
class Node:
    """One concept of the causal web.

    Attributes
    ----------
    id : str
        snake_case identifier.
    label : str
        Human-readable name.
    kind : {'context', 'mechanism', 'outcome'}
    stage : {'early', 'middle', 'atemporal', 'performance'}
    states : tuple of str
        Ordered states; the last is the "upper" one on which link directions are read.
    modifiable : bool or None
        For contexts: whether implementers can change it. None for other kinds.
    definition : str
        One sentence in the project's words.
    section : str
        The review section the concept comes from.
    base_rate : float or None
        P(upper state) of a root context before observation, when the codebook states one.
    base_rate_basis : str or None
        Where ``base_rate`` comes from.
    """

    id: str
    label: str
    kind: str
    stage: str
    states: tuple[str, ...]
    modifiable: bool | None
    definition: str
    section: str
    base_rate: float | None = None
    base_rate_basis: str | None = None

    @property
    def upper(self) -> str:
        """The upper state, on which link directions are read."""
        return self.states[-1]

    @property
    def lower(self) -> str:
        """The lower state."""
        return self.states[0]

    @property
    def role(self) -> str:
        """``'lever'`` (a context implementers can change), ``'given'`` (one they cannot), or the
        node's kind (``'mechanism'``, ``'outcome'``)."""
        if self.kind == "context":
            return "lever" if self.modifiable else "given"
        return self.kind

    def state_index(self, state: str) -> int:
        """Index of ``state``; raises :class:`UnknownStateError` with suggestions."""
        try:
            return self.states.index(state)
        except ValueError:
            raise UnknownStateError(
                f"node {self.id!r} has no state {state!r}; its states are {', '.join(self.states)}",
                value=state,
                suggestions=closest(state, self.states),
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form, as ``bayesnet nodes --format json`` prints it."""
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "stage": self.stage,
            "states": list(self.states),
            "modifiable": self.modifiable,
            "definition": self.definition,
            "section": self.section,
            "base_rate": self.base_rate,
            "base_rate_basis": self.base_rate_basis,
        }


@dataclass(frozen=True)
class Codebook:
    """All nodes, in file order, with lookup by id.

    Parameters
    ----------
    nodes : tuple of Node
    path : str
        Where it was read from (for messages).
    """

    nodes: tuple[Node, ...]
    path: str = "<codebook>"
    _by_id: Mapping[str, Node] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {n.id: n for n in self.nodes})

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._by_id

    def __getitem__(self, node_id: str) -> Node:
        try:
            return self._by_id[node_id]
        except KeyError:
            raise UnknownNodeError(
                f"unknown node {node_id!r}",
                path=self.path,
                value=node_id,
                suggestions=closest(node_id, self._by_id),
            ) from None

    @property
    def ids(self) -> tuple[str, ...]:
        """Node ids in file order."""
        return tuple(n.id for n in self.nodes)

    def of_kind(self, *kinds: str) -> tuple[Node, ...]:
        """Nodes whose kind is one of ``kinds``."""
        return tuple(n for n in self.nodes if n.kind in kinds)

    def resolve(self, assignments: Mapping[str, str], *, what: str = "finding") -> dict[str, str]:
        """Check node ids and states of a ``{node: state}`` mapping.

        Raises
        ------
        QueryError
            For an unknown node or state, with the closest known ones.
        """
        out: dict[str, str] = {}
        for node_id, state in assignments.items():
            if node_id not in self._by_id:
                raise QueryError(
                    f"unknown node {node_id!r} in {what}", suggestions=closest(node_id, self._by_id)
                )
            node = self._by_id[node_id]
            if state not in node.states:
                raise QueryError(
                    f"node {node_id!r} has no state {state!r} (in {what}); its states are "
                    f"{', '.join(node.states)}",
                    suggestions=closest(str(state), node.states),
                )
            out[node_id] = state
        return out

    def with_nodes(self, extra: Iterable[Node]) -> Codebook:
        """A new codebook with ``extra`` nodes appended (ids must be new)."""
        extra = tuple(extra)
        for node in extra:
            if node.id in self._by_id:
                raise DuplicateIdError(
                    f"node {node.id!r} is already in the codebook", value=node.id, path=self.path
                )
        return Codebook(self.nodes + extra, self.path)


def node_from_record(rec: Record) -> Node:
    """Validate one node mapping: every field is checked, and the first error is raised
    carrying all of them (see :mod:`bayesnet.inputs.problems`)."""
    log = Problems()
    log.check(lambda: rec.check_keys(_NODE_FIELDS))
    node_id = log.check(lambda: rec.ident("id"))
    kind = log.check(lambda: rec.choice("kind", KINDS))
    stage = log.check(lambda: rec.choice("stage", STAGES))
    states = log.check(lambda: _states(rec, node_id))
    modifiable = log.check(lambda: rec.boolean("modifiable", required=kind == "context"))
    if kind is not None and kind != "context" and modifiable is not None:
        log.check(lambda: rec.fail("modifiable", f"only contexts are modifiable or not; {node_id!r} is a {kind}",
                                   modifiable))
    base_rate = log.check(
        lambda: rec.number("base_rate", required=False, low=0.0, high=1.0, open_low=True, open_high=True))
    basis = log.check(lambda: rec.text("base_rate_basis", required=base_rate is not None))
    if base_rate is not None and kind is not None and kind != "context":
        log.check(lambda: rec.fail("base_rate", f"only contexts take a base rate; {node_id!r} is a {kind}", base_rate))
    label = log.check(lambda: rec.text("label"))
    definition = log.check(lambda: rec.text("definition")) or ""
    section = log.check(lambda: rec.text("section")) or ""
    log.raise_any()
    assert node_id is not None and kind is not None and stage is not None and states is not None
    return Node(
        id=node_id,
        label=label or node_id,
        kind=kind,
        stage=stage,
        states=states,
        modifiable=modifiable,
        definition=definition,
        section=section,
        base_rate=base_rate,
        base_rate_basis=basis,
    )


def _states(rec: Record, node_id: str | None) -> tuple[str, ...]:
    states_raw = rec.sequence("states")
    assert states_raw is not None
    if len(states_raw) < 2:
        rec.fail("states", f"node {node_id!r} needs at least two states, found {len(states_raw)}", states_raw)
    states: list[str] = []
    for state in states_raw:
        if not isinstance(state, str) or not state.strip():
            rec.fail("states", f"state names must be non-empty text, found {shown(state)}", state)
        if state in states:
            rec.fail("states", f"state {state!r} appears twice", state)
        states.append(state.strip())
    return tuple(states)


def codebook_from_mapping(data: Any, path: str) -> Codebook:
    """Validate a parsed codebook file.

    Parameters
    ----------
    data : Any
        What :func:`bayesnet.inputs.yamlio.read_yaml` returned.
    path : str
        The file, for messages.

    Raises
    ------
    SchemaError, DuplicateIdError
    """
    if not isinstance(data, Mapping):
        raise SchemaError(
            f"expected a mapping with a 'nodes' list, found {type(data).__name__}", path=path
        )
    top = Record(data, path)
    log = Problems()
    log.check(lambda: top.check_keys(("version", "nodes")))
    items = top.sequence("nodes")
    assert items is not None
    if not items:
        top.fail("nodes", "the codebook has no nodes")
    nodes: list[Node] = []
    seen: dict[str, int | None] = {}
    for i in range(len(items)):
        rec = log.check(top.child, "nodes", i)
        node = None if rec is None else log.check(node_from_record, rec)
        if rec is None or node is None:
            continue
        if node.id in seen:
            log.add(DuplicateIdError(
                f"node id {node.id!r} is defined twice (first at line {seen[node.id]})",
                path=path,
                line=rec.line_of("id"),
                field=rec.field_name("id"),
                value=node.id,
            ))
            continue
        seen[node.id] = rec.line_of("id")
        nodes.append(node)
    log.raise_any()
    return Codebook(tuple(nodes), path)
