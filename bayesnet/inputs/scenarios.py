"""Collaboration-type scenarios: presets of context values, each justified by the review.

Pure: :func:`scenarios_from_mapping` validates an already parsed ``priors/scenarios.yaml``.
Contexts a scenario does not fix stay unobserved and are marginalised by queries.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bayesnet.errors import DuplicateIdError, QueryError, SchemaError, UnknownNodeError, UnknownStateError, closest
from bayesnet.inputs.codebook import Codebook
from bayesnet.inputs.evidence import COLLABORATION_TYPES
from bayesnet.inputs.fields import Record
from bayesnet.inputs.problems import Problems

__all__ = ["Scenario", "ScenarioValue", "Scenarios", "scenarios_from_mapping"]


@dataclass(frozen=True)
class ScenarioValue:
    """One context fixed by a scenario, with the review's words behind it."""

    node: str
    state: str
    basis: str
    section: str


@dataclass(frozen=True)
class Scenario:
    """A preset of context values for one collaboration type.

    Attributes
    ----------
    id, label, collaboration_type, description : str
    values : tuple of ScenarioValue
    """

    id: str
    label: str
    collaboration_type: str
    description: str
    values: tuple[ScenarioValue, ...]

    @property
    def assignment(self) -> dict[str, str]:
        """``{node: state}`` of the fixed contexts."""
        return {v.node: v.state for v in self.values}

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON output."""
        return {
            "id": self.id,
            "label": self.label,
            "collaboration_type": self.collaboration_type,
            "description": self.description,
            "values": {
                v.node: {"state": v.state, "basis": v.basis, "section": v.section} for v in self.values
            },
        }


@dataclass(frozen=True)
class Scenarios:
    """All scenarios, in file order."""

    items: tuple[Scenario, ...]

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def ids(self) -> tuple[str, ...]:
        """Scenario ids in file order."""
        return tuple(s.id for s in self.items)

    def __getitem__(self, scenario_id: str) -> Scenario:
        for s in self.items:
            if s.id == scenario_id:
                return s
        raise QueryError(
            f"unknown scenario {scenario_id!r}; known scenarios: {', '.join(self.ids)}",
            suggestions=closest(scenario_id, self.ids),
        )


def scenarios_from_mapping(data: Any, path: str, codebook: Codebook) -> Scenarios:
    """Validate a parsed ``scenarios.yaml`` against the codebook.

    Raises
    ------
    SchemaError, UnknownNodeError, UnknownStateError, DuplicateIdError
    """
    if not isinstance(data, Mapping):
        raise SchemaError(f"expected a mapping, found {type(data).__name__}", path=path, line=1)
    top = Record(data, path)
    log = Problems()
    log.check(lambda: top.check_keys(("version", "scenarios")))
    items = top.sequence("scenarios")
    assert items is not None
    out: list[Scenario] = []
    for i in range(len(items)):
        scenario = log.check(_scenario, top, i, path, codebook, out)
        if scenario is not None:
            out.append(scenario)
    log.raise_any()
    return Scenarios(tuple(out))


def _scenario(top: Record, index: int, path: str, codebook: Codebook, earlier: list[Scenario]) -> Scenario:
    """One scenario, every field and value checked (the first error raised carrying all)."""
    rec = top.child("scenarios", index)
    log = Problems()
    log.check(lambda: rec.check_keys(("id", "label", "collaboration_type", "description", "values")))
    sid = log.check(lambda: rec.ident("id"))
    if sid is not None and any(s.id == sid for s in earlier):
        log.add(DuplicateIdError(
            f"scenario {sid!r} is defined twice", path=path, line=rec.line_of("id"),
            field=rec.field_name("id"), value=sid,
        ))
    raw_values = log.check(lambda: rec.mapping("values")) or {}
    values_rec = rec.child("values") if raw_values else None
    values: list[ScenarioValue] = []
    for node_id in raw_values:
        assert values_rec is not None
        value = log.check(_value, values_rec, str(node_id), path, codebook)
        if value is not None:
            values.append(value)
    label = log.check(lambda: rec.text("label"))
    ctype = log.check(lambda: rec.choice("collaboration_type", COLLABORATION_TYPES))
    description = log.check(lambda: rec.text("description", required=False))
    log.raise_any()
    assert sid is not None
    return Scenario(id=sid, label=label or sid, collaboration_type=ctype or "", description=description or "",
                    values=tuple(values))


def _value(values_rec: Record, node_id: str, path: str, codebook: Codebook) -> ScenarioValue:
    if node_id not in codebook:
        raise UnknownNodeError(
            f"unknown node {node_id!r}", path=path, line=values_rec.line_of(node_id),
            field=values_rec.field_name(node_id), value=node_id,
            suggestions=closest(str(node_id), codebook.ids),
        )
    entry = values_rec.child(node_id)
    log = Problems()
    log.check(lambda: entry.check_keys(("state", "basis", "section")))
    state = log.check(lambda: entry.text("state"))
    node = codebook[node_id]
    if state is not None and state not in node.states:
        log.add(UnknownStateError(
            f"node {node_id!r} has no state {state!r}; its states are {', '.join(node.states)}",
            path=path, line=entry.line_of("state"), field=entry.field_name("state"),
            value=state, suggestions=closest(state, node.states),
        ))
    basis = log.check(lambda: entry.text("basis"))
    section = log.check(lambda: entry.text("section", required=False))
    log.raise_any()
    assert state is not None
    return ScenarioValue(node_id, state, basis or "", section or "")
