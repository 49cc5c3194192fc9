"""Event timelines for the time-sliced model: what happens, in which slice of a collaboration.

A timeline is a list of events, each in one slice (1 = the first) and each observing
(``given``) or setting (``do``) nodes in that slice, with an optional scenario and number of
slices. It is written in Python or as a small YAML file::

    scenario: buddying            # optional: a collaboration-type preset
    slices: 5                     # optional: number of slices (default 5)
    events:
      - slice: 2
        do: {quick_wins: present}
        label: quick win          # optional: shown on the plot's time axis
      - slice: 4
        given: {acute_events: present}
      - slice: [3, 4, 5]          # a list repeats the event in each slice
        do: {regular_meetings: present}

Reading checks the shape (:func:`read_timeline`, :func:`timeline_from_mapping`) and names
the file, line and field of any error; :func:`check_timeline` then checks the names against
a model (unknown nodes or states with the closest ones, slices outside the range, a node
both observed and set in one slice, a static node changed after the first slice).
Pure apart from :func:`read_timeline`, which reads one file through
:func:`bayesnet.inputs.yamlio.read_yaml` (safe loading, with line numbers).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from pathlib import Path
from typing import Any

from bayesnet.errors import SchemaError, UnknownNodeError, UnknownStateError, closest
from bayesnet.inputs.codebook import Codebook
from bayesnet.inputs.fields import Record, shown
from bayesnet.inputs.yamlio import read_yaml

__all__ = [
    "MAX_SLICES",
    "Event",
    "SliceSituation",
    "Timeline",
    "as_timeline",
    "check_timeline",
    "read_timeline",
    "timeline_from_mapping",
]

MAX_SLICES = 50
"""Most slices a timeline may ask for (the unrolled network grows linearly with them)."""

_TOP_KEYS = ("version", "description", "scenario", "slices", "events")
_EVENT_KEYS = ("slice", "given", "do", "label")
_PYTHON = "<timeline>"


@dataclass(frozen=True)
class Event:
    """Observations and interventions in one slice.

    Attributes
    ----------
    slice : int
        1-based slice.
    given : dict
        Observed ``{node: state}``.
    do : dict
        Intervened ``{node: state}``.
    label : str or None
        Short text for plots; default :meth:`describe`.
    path : str
        File it came from (``<timeline>`` for Python input).
    field : str
        Where in the file, e.g. ``events[1]``.
    lines : dict
        ``"slice"``, ``"given.<node>"``, ``"do.<node>"`` -> line (YAML input only).
    """

    slice: int
    given: Mapping[str, str] = _field(default_factory=dict)
    do: Mapping[str, str] = _field(default_factory=dict)
    label: str | None = None
    path: str = _PYTHON
    field: str = "events"
    lines: Mapping[str, int] = _field(default_factory=dict, compare=False, repr=False)

    def describe(self) -> str:
        """``label`` or a text such as ``do quick_wins=present``."""
        if self.label:
            return self.label
        parts = []
        if self.do:
            parts.append("do " + ", ".join(f"{k}={v}" for k, v in self.do.items()))
        if self.given:
            parts.append("given " + ", ".join(f"{k}={v}" for k, v in self.given.items()))
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (JSON output)."""
        return {"slice": self.slice, "given": dict(self.given), "do": dict(self.do), "label": self.describe()}


@dataclass(frozen=True)
class Timeline:
    """Events over the slices of one collaboration.

    Attributes
    ----------
    events : tuple of Event
        In the order given.
    slices : int or None
        Number of slices the timeline asks for (None: the caller's default).
    scenario : str or None
    path : str
    lines : dict
        ``"slices"``, ``"scenario"`` -> line (YAML input only).
    """

    events: tuple[Event, ...] = ()
    slices: int | None = None
    scenario: str | None = None
    path: str = _PYTHON
    lines: Mapping[str, int] = _field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (JSON output)."""
        return {"scenario": self.scenario, "slices": self.slices, "events": [e.to_dict() for e in self.events]}


@dataclass(frozen=True)
class SliceSituation:
    """The merged observations and interventions of one slice."""

    given: dict[str, str] = _field(default_factory=dict)
    do: dict[str, str] = _field(default_factory=dict)


# -- shape ----------------------------------------------------------------------------------


def _fail(
    path: str, line: int | None, fld: str, message: str, *, value: Any = None, suggestions: Iterable[str] = ()
) -> SchemaError:
    return SchemaError(message, path=path, line=line, field=fld, value=value, suggestions=suggestions)


def _slices_of(rec: Record) -> list[int]:
    """The event's slice(s): an integer or a list of integers, each at least 1."""
    if "slice" not in rec.data or rec.data["slice"] is None:
        rec.fail("slice", "missing required field 'slice' (the slice the event happens in, 1 = the first)")
    raw = rec.data["slice"]
    values = raw if isinstance(raw, list) else [raw]
    if not values:
        rec.fail("slice", "expected a slice number or a non-empty list of them, found []", raw)
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int):
            found = rec.shown("slice") if v is raw else shown(v)
            rec.fail("slice", f"expected a slice number (an integer, 1 = the first), found {found}", v)
        if v < 1:
            rec.fail("slice", f"slice {v} is before the first slice; slices are numbered from 1", v)
        out.append(v)
    if len(set(out)) != len(out):
        rec.fail("slice", f"slice list {values} repeats a slice", raw)
    return out


def _assignment(rec: Record, key: str) -> tuple[dict[str, str], dict[str, int]]:
    """A ``{node: state}`` mapping of strings, with the line of each node."""
    if key not in rec.data or rec.data[key] is None:
        return {}, {}
    raw = rec.data[key]
    if not isinstance(raw, Mapping):
        rec.fail(key, f"expected a mapping of node: state, found {type(raw).__name__} {shown(raw)}", raw)
    sub = rec.child(key)
    out: dict[str, str] = {}
    lines: dict[str, int] = {}
    for node, state in raw.items():
        if not isinstance(node, str):
            sub.fail(None, f"expected a node id, found {shown(node)}", node)
        if isinstance(state, bool) or not isinstance(state, str | int | float):
            sub.fail(node, f"expected a state name, found {sub.shown(node)}", state)
        out[node] = str(state).strip()
        line = sub.line_of(node)
        if line is not None:
            lines[f"{key}.{node}"] = line
    return out, lines


def timeline_from_mapping(data: Any, path: str = _PYTHON) -> Timeline:
    """Check the shape of a parsed timeline (a mapping with ``events``, or a list of events).

    Parameters
    ----------
    data : mapping or list
        ``{events: [...], slices: N, scenario: NAME}`` or just the list of events.
    path : str
        Where it came from, for messages.

    Returns
    -------
    Timeline
        Node and state names are not checked here (see :func:`check_timeline`).

    Raises
    ------
    SchemaError
        Naming file, line, field and value.
    """
    if isinstance(data, list):
        data = {"events": data}
    if not isinstance(data, Mapping):
        raise _fail(
            path,
            1,
            "",
            f"expected a mapping with 'events' (or a list of events), found {type(data).__name__}",
            value=data,
        )
    top = Record(data, path)
    top.check_keys(_TOP_KEYS)
    slices = top.integer("slices", required=False, low=1, high=MAX_SLICES)
    scenario = top.text("scenario", required=False)
    raw_events = top.sequence("events", required=False) or []
    events: list[Event] = []
    for i in range(len(raw_events)):
        rec = top.child("events", i)
        rec.check_keys(_EVENT_KEYS)
        slices_of_event = _slices_of(rec)
        given, given_lines = _assignment(rec, "given")
        do, do_lines = _assignment(rec, "do")
        if not given and not do:
            rec.fail(None, "an event needs 'given' or 'do' (or both) with at least one node: state")
        label = rec.text("label", required=False)
        lines = {**given_lines, **do_lines}
        slice_line = rec.line_of("slice")
        if slice_line is not None:
            lines["slice"] = slice_line
        events.extend(Event(s, given, do, label, path, rec.prefix, lines) for s in slices_of_event)
    top_lines = {k: ln for k in ("slices", "scenario") if k in data and (ln := top.line_of(k)) is not None}
    return Timeline(tuple(events), slices, scenario, path, top_lines)


def read_timeline(path: str | Path) -> Timeline:
    """Read a timeline YAML file (safe loading, line-aware).

    Raises
    ------
    FileFormatError
        Missing, empty, not UTF-8 or malformed YAML.
    SchemaError
        A field of the wrong shape, with its line.
    """
    return timeline_from_mapping(read_yaml(path), str(path))


def as_timeline(value: Timeline | Mapping[str, Any] | Sequence[Any] | str | Path | None) -> Timeline:
    """A :class:`Timeline` from a Timeline, a mapping, a list of events, a YAML file's path, or None."""
    if value is None:
        return Timeline()
    if isinstance(value, Timeline):
        return value
    if isinstance(value, str | Path):
        return read_timeline(value)
    if isinstance(value, Event):
        value = [value]
    if isinstance(value, list | tuple) and value and all(isinstance(e, Event) for e in value):
        return Timeline(tuple(value))
    if isinstance(value, Mapping | list | tuple):
        return timeline_from_mapping(value if isinstance(value, Mapping) else list(value))
    raise SchemaError(
        f"expected a timeline (a mapping with 'events' or a list of events), found {type(value).__name__}",
        path=_PYTHON,
        value=value,
    )


# -- names, range and consistency -----------------------------------------------------------


def check_timeline(
    timeline: Timeline,
    codebook: Codebook,
    *,
    n_slices: int,
    static: Collection[str] = (),
) -> dict[int, SliceSituation]:
    """Check a timeline against a model and merge its events per slice.

    Parameters
    ----------
    timeline : Timeline
    codebook : Codebook
    n_slices : int
        Slices of the unrolled model; events must fall in ``1..n_slices``.
    static : collection of str
        Nodes with one copy for the whole collaboration: they may only be set or observed in
        slice 1 (see :func:`bayesnet.dynamics.unrolled`).

    Returns
    -------
    dict
        Slice -> :class:`SliceSituation` (slices without events are left out).

    Raises
    ------
    SchemaError
        A slice outside ``1..n_slices``; a node both observed and set in one slice; one node
        given two states in one slice; a static node in a slice after the first.
    UnknownNodeError, UnknownStateError
        With the closest names.
    """
    merged: dict[int, SliceSituation] = {}
    where: dict[tuple[int, str], tuple[str, str, int | None]] = {}  # (slice, node) -> (how, field, line)
    for event in timeline.events:
        f_slice = f"{event.field}.slice"
        if not 1 <= event.slice <= n_slices:
            raise _fail(
                event.path,
                event.lines.get("slice"),
                f_slice,
                f"slice {event.slice} is outside the model's slices 1..{n_slices}; ask for more "
                f"slices ('slices:' in the timeline or --slices) or move the event",
                value=event.slice,
            )
        sit = merged.setdefault(event.slice, SliceSituation())
        for how, assignment in (("given", event.given), ("do", event.do)):
            for node_id, state in assignment.items():
                fld = f"{event.field}.{how}.{node_id}"
                line = event.lines.get(f"{how}.{node_id}")
                if node_id not in codebook:
                    raise UnknownNodeError(
                        f"unknown node {node_id!r}",
                        path=event.path,
                        line=line,
                        field=fld,
                        value=node_id,
                        suggestions=closest(node_id, codebook.ids),
                    )
                node = codebook[node_id]
                if state not in node.states:
                    raise UnknownStateError(
                        f"node {node_id!r} has no state {state!r}; its states are {', '.join(node.states)}",
                        path=event.path,
                        line=line,
                        field=fld,
                        value=state,
                        suggestions=closest(state, node.states),
                    )
                if node_id in static and event.slice != 1:
                    raise _fail(
                        event.path,
                        line,
                        fld,
                        f"{node_id!r} is static in the time-sliced model (one value for the whole "
                        f"collaboration), so it cannot change in slice {event.slice}: set it in the "
                        f"scenario or in slice 1",
                        value=node_id,
                    )
                previous = where.get((event.slice, node_id))
                if previous is not None:
                    p_how, p_field, p_line = previous
                    at = f" (line {p_line})" if p_line is not None else ""
                    if p_how != how:
                        raise _fail(
                            event.path,
                            line,
                            fld,
                            f"node {node_id!r} is both observed (given) and set (do) in slice "
                            f"{event.slice}, also at {p_field}{at}; choose one",
                            value=node_id,
                        )
                    old = (sit.given if how == "given" else sit.do)[node_id]
                    if old != state:
                        raise _fail(
                            event.path,
                            line,
                            fld,
                            f"node {node_id!r} gets two states in slice {event.slice}: {old!r} at "
                            f"{p_field}{at} and {state!r} here",
                            value=state,
                        )
                where[(event.slice, node_id)] = (how, fld, line)
                (sit.given if how == "given" else sit.do)[node_id] = state
    return dict(sorted(merged.items()))
