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
    top.check_keys(("version", "scenarios"))
    items = top.sequence("scenarios")
    assert items is not None
    out: list[Scenario] = []
    for i in range(len(items)):
        rec = top.child("scenarios", i)
        rec.check_keys(("id", "label", "collaboration_type", "description", "values"))
        sid = rec.ident("id")
        assert sid is not None
        if any(s.id == sid for s in out):
            raise DuplicateIdError(
                f"scenario {sid!r} is defined twice", path=path, line=rec.line_of("id"),
                field=rec.field_name("id"), value=sid,
            )
        raw_values = rec.mapping("values")
        assert raw_values is not None
        values_rec = rec.child("values")
        values: list[ScenarioValue] = []
        for node_id in raw_values:
            if node_id not in codebook:
                raise UnknownNodeError(
                    f"unknown node {node_id!r}", path=path, line=values_rec.line_of(node_id),
                    field=values_rec.field_name(node_id), value=node_id,
                    suggestions=closest(str(node_id), codebook.ids),
                )
            entry = values_rec.child(node_id)
            entry.check_keys(("state", "basis", "section"))
            state = entry.text("state")
            assert state is not None
            node = codebook[node_id]
            if state not in node.states:
                raise UnknownStateError(
                    f"node {node_id!r} has no state {state!r}; its states are {', '.join(node.states)}",
                    path=path, line=entry.line_of("state"), field=entry.field_name("state"),
                    value=state, suggestions=closest(state, node.states),
                )
            values.append(
                ScenarioValue(node_id, state, entry.text("basis") or "", entry.text("section", required=False) or "")
            )
        out.append(
            Scenario(
                id=sid,
                label=rec.text("label") or sid,
                collaboration_type=rec.choice("collaboration_type", COLLABORATION_TYPES) or "",
                description=rec.text("description", required=False) or "",
                values=tuple(values),
            )
        )
    return Scenarios(tuple(out))
