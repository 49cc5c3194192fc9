"""Coded evidence: sources and their context-mechanism-outcome configurations (CMOCs).

Pure: builds :class:`Source` objects from parsed YAML mappings or spreadsheet rows and
checks every node id and state against the codebook. File reading is in
:mod:`bayesnet.inputs.folder`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bayesnet.errors import DuplicateIdError, SchemaError, UnknownNodeError, UnknownStateError, closest
from bayesnet.inputs.codebook import Codebook
from bayesnet.inputs.fields import Record, shown
from bayesnet.inputs.limits import MAX_ID_CHARS, SOURCE_ID
from bayesnet.inputs.problems import Problems

__all__ = [
    "CMOC",
    "COLLABORATION_TYPES",
    "DIRECTIONS",
    "SOURCE_KINDS",
    "Arrow",
    "Evidence",
    "Source",
    "source_from_mapping",
    "sources_from_rows",
]

SOURCE_KINDS = ("included_study", "supporting_source", "review_synthesis")
"""included_study: refs 31-81, the review's 51 studies; supporting_source: any other
reference cited as support; review_synthesis: the review's own uncited statements (S0)."""

DIRECTIONS = {"increases": 1, "decreases": -1}
"""Direction words of an arrow, read on the upper (last) state of both nodes."""

COLLABORATION_TYPES = (
    "integrated_care",
    "merger",
    "joint_commissioning",
    "vanguard",
    "primary_care_network",
    "buddying",
    "provider_chain",
    "alliance",
    "health_board",
    "clinical_network",
    "quality_improvement_collaborative",
    "mixed",
)
"""The collaboration types of the review's 'Literature characteristics'."""

_SOURCE_FIELDS = (
    "id",
    "kind",
    "reference",
    "citation",
    "year",
    "collaboration_type",
    "collaboration_type_basis",
    "cmocs",
)
_CMOC_FIELDS = (
    "context",
    "mechanism",
    "direction",
    "outcome",
    "outcome_direction",
    "when",
    "lag",
    "section",
    "quote",
    "context_state",
    "jointly_with",
)
SHEET_COLUMNS = (
    "source_id",
    "source_kind",
    "reference",
    "citation",
    "year",
    "collaboration_type",
    "collaboration_type_basis",
    *_CMOC_FIELDS,
)
"""Columns of the spreadsheet form (CSV/XLSX), one row per CMOC."""


@dataclass(frozen=True, order=True)
class Arrow:
    """One causal arrow as a source states it.

    Attributes
    ----------
    source : str
        Parent node id.
    target : str
        Child node id.
    sign : int
        +1 (increases) or -1 (decreases).
    when : tuple of (str, str) or None
        Moderator: the arrow acts only while that node is in that state.
    lag : int
        0 for a same-time arrow; 1 for a feedback arrow from one time slice to the next.
    source_state : str or None
        The arrow leaves from this one state of ``source`` (its indicator) rather than from
        the source's position on its ordered states. Always set when ``partner`` is.
    partner : tuple of (str, str) or None
        A joint cause: the arrow acts from ``source`` being in ``source_state`` *and* this node
        being in this state at once (an interaction of two parents). Of the two, ``source``
        is the one whose id sorts first, so one conjunction is one link however it was coded.
    """

    source: str
    target: str
    sign: int
    when: tuple[str, str] | None = None
    lag: int = 0
    source_state: str | None = None
    partner: tuple[str, str] | None = None

    @property
    def key(self) -> tuple[str, str, tuple[str, str] | None, int, str | None, tuple[str, str] | None]:
        """Identity of the link this arrow is evidence about (sign excluded)."""
        return (self.source, self.target, self.when, self.lag, self.source_state, self.partner)


@dataclass(frozen=True)
class CMOC:
    """A context-mechanism-outcome configuration as coded from one source.

    Attributes
    ----------
    context, mechanism : str
        Node ids.
    direction : int
        +1 or -1, the context -> mechanism arrow.
    outcome : str or None
    outcome_direction : int or None
    when : tuple of (str, str) or None
        Moderator of the context -> mechanism arrow.
    lag : int
        0, or 1 for a feedback arrow across time slices.
    section, quote : str
        Where in the review, and the words it rests on.
    line : int or None
        Line (YAML) or row (sheet) in the file.
    context_state : str or None
        The context -> mechanism arrow leaves from this one state of the context (see
        :class:`Arrow`); filled with the context's upper state when ``jointly_with`` is given
        without it.
    jointly_with : tuple of (str, str) or None
        The context acts jointly with this node in this state (an interaction).
    """

    context: str
    mechanism: str
    direction: int
    outcome: str | None = None
    outcome_direction: int | None = None
    when: tuple[str, str] | None = None
    lag: int = 0
    section: str = ""
    quote: str = ""
    line: int | None = None
    context_state: str | None = None
    jointly_with: tuple[str, str] | None = None

    def arrows(self) -> tuple[Arrow, ...]:
        """The one or two arrows this CMOC states."""
        source, state, partner = self.context, self.context_state, self.jointly_with
        if partner is not None and state is not None and partner < (source, state):
            (source, state), partner = partner, (source, state)
        first = Arrow(self.context if partner is None else source, self.mechanism, self.direction, self.when,
                      self.lag, state, partner)
        if self.outcome is None or self.outcome_direction is None:
            return (first,)
        return (first, Arrow(self.mechanism, self.outcome, self.outcome_direction))

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form, as written to YAML (direction words, no line)."""
        words = {v: k for k, v in DIRECTIONS.items()}
        out: dict[str, Any] = {
            "context": self.context,
            "mechanism": self.mechanism,
            "direction": words[self.direction],
        }
        if self.outcome is not None and self.outcome_direction is not None:
            out["outcome"] = self.outcome
            out["outcome_direction"] = words[self.outcome_direction]
        if self.context_state is not None:
            out["context_state"] = self.context_state
        if self.jointly_with is not None:
            out["jointly_with"] = {self.jointly_with[0]: self.jointly_with[1]}
        if self.when is not None:
            out["when"] = {self.when[0]: self.when[1]}
        if self.lag:
            out["lag"] = self.lag
        if self.section:
            out["section"] = self.section
        if self.quote:
            out["quote"] = self.quote
        return out


@dataclass(frozen=True)
class Source:
    """One source of evidence: an included study, a supporting source, or the review itself.

    Attributes
    ----------
    id : str
        ``S`` + the review's reference number.
    kind : str
        One of :data:`SOURCE_KINDS`.
    reference : int
    citation : str
    year : int or None
    collaboration_type : str or None
    collaboration_type_basis : str or None
    cmocs : tuple of CMOC
    path : str
        File it was read from.
    """

    id: str
    kind: str
    reference: int
    citation: str
    year: int | None
    collaboration_type: str | None
    collaboration_type_basis: str | None
    cmocs: tuple[CMOC, ...]
    path: str = "<memory>"

    def arrows(self) -> set[Arrow]:
        """Distinct arrows this source states (a link reported twice counts once)."""
        return {a for c in self.cmocs for a in c.arrows()}

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form, as written to YAML."""
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "reference": self.reference,
            "citation": self.citation,
        }
        if self.year is not None:
            out["year"] = self.year
        if self.collaboration_type is not None:
            out["collaboration_type"] = self.collaboration_type
            out["collaboration_type_basis"] = self.collaboration_type_basis
        out["cmocs"] = [c.to_dict() for c in self.cmocs]
        return out

    def content_hash(self) -> str:
        """SHA-256 of the source's content (not of its file layout or location)."""
        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class Evidence:
    """All sources, held sorted by id so that loading order never matters.

    Parameters
    ----------
    sources : iterable of Source
        Ids must be unique.
    """

    sources: tuple[Source, ...]

    def __init__(self, sources: Iterable[Source]) -> None:
        ordered = sorted(sources, key=lambda s: (s.reference, s.id))
        seen: dict[str, Source] = {}
        for src in ordered:
            if src.id in seen:
                raise DuplicateIdError(
                    f"source id {src.id!r} is defined twice (also in {seen[src.id].path})",
                    path=src.path,
                    field="id",
                    value=src.id,
                )
            seen[src.id] = src
        object.__setattr__(self, "sources", tuple(ordered))

    def __iter__(self) -> Iterator[Source]:
        return iter(self.sources)

    def __len__(self) -> int:
        return len(self.sources)

    def __contains__(self, source_id: object) -> bool:
        return any(s.id == source_id for s in self.sources)

    def get(self, source_id: str) -> Source | None:
        """The source with that id, or None."""
        return next((s for s in self.sources if s.id == source_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        """Source ids, in reference order."""
        return tuple(s.id for s in self.sources)

    def content_hash(self) -> str:
        """SHA-256 over all sources' content hashes, independent of files and order."""
        h = hashlib.sha256()
        for src in self.sources:
            h.update(src.id.encode())
            h.update(src.content_hash().encode())
        return h.hexdigest()


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _node(rec: Record, key: str, codebook: Codebook, *, required: bool = True) -> str | None:
    value = rec.text(key, required=required)
    if value is None:
        return None
    if value not in codebook:
        raise UnknownNodeError(
            f"unknown node {value!r}",
            path=rec.path,
            line=rec.line_of(key),
            field=rec.field_name(key),
            value=value,
            suggestions=closest(value, codebook.ids),
        )
    return value


def _direction(rec: Record, key: str, *, required: bool = True) -> int | None:
    value = rec.choice(key, DIRECTIONS, required=required)
    return None if value is None else DIRECTIONS[value]


def _parse_when(rec: Record, codebook: Codebook, key: str = "when",
                what: str = "the moderator") -> tuple[str, str] | None:
    """A ``node=state`` (sheet) or ``{node: state}`` (YAML) field: ``when`` or ``jointly_with``."""
    raw = rec.raw(key)
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        if "=" not in raw:
            rec.fail(key, f"expected 'node=state', found {shown(raw)}", raw)
        node_id, state = (part.strip() for part in raw.split("=", 1))
    elif isinstance(raw, Mapping) and len(raw) == 1:
        ((node_id, state),) = raw.items()
        node_id, state = str(node_id), str(state)
    else:
        rec.fail(key, f"expected one 'node: state' pair, found {shown(raw)}", raw)
    if node_id not in codebook:
        raise UnknownNodeError(
            f"unknown node {node_id!r} in {what}",
            path=rec.path,
            line=rec.line_of(key),
            field=rec.field_name(key),
            value=node_id,
            suggestions=closest(node_id, codebook.ids),
        )
    node = codebook[node_id]
    if state not in node.states:
        raise UnknownStateError(
            f"node {node_id!r} has no state {state!r}; its states are {', '.join(node.states)}",
            path=rec.path,
            line=rec.line_of(key),
            field=rec.field_name(key),
            value=state,
            suggestions=closest(state, node.states),
        )
    return (node_id, state)


def _context_state(rec: Record, context: str, codebook: Codebook, joint: bool) -> str | None:
    """``context_state``: a state of the context; required to be useful (more than two states,
    or a joint cause), and filled with the upper state for a joint cause that names none."""
    node = codebook[context]
    state = rec.text("context_state", required=False)
    if state is None:
        return node.upper if joint else None
    if state not in node.states:
        raise UnknownStateError(
            f"node {context!r} has no state {state!r}; its states are {', '.join(node.states)}",
            path=rec.path, line=rec.line_of("context_state"), field=rec.field_name("context_state"),
            value=state, suggestions=closest(state, node.states),
        )
    if len(node.states) == 2 and not joint:
        rec.fail("context_state", f"{context!r} has two states, so its arrow already leaves from its upper state "
                 f"{node.upper!r}: drop context_state and give the direction for {node.upper!r} (from "
                 f"{node.lower!r}, 'increases' is 'decreases')", state)
    return state


def cmoc_from_record(rec: Record, codebook: Codebook) -> CMOC:
    """Validate one CMOC mapping (YAML item or sheet row).

    Every field is checked; the first error is raised carrying all of them (see
    :mod:`bayesnet.inputs.problems`).
    """
    log = Problems()
    log.check(lambda: rec.check_keys(_CMOC_FIELDS))
    context = log.check(lambda: _node(rec, "context", codebook))
    mechanism = log.check(lambda: _node(rec, "mechanism", codebook))
    direction = log.check(lambda: _direction(rec, "direction"))
    outcome = log.check(lambda: _node(rec, "outcome", codebook, required=False))
    outcome_given = outcome is not None or rec.has("outcome")
    outcome_direction = log.check(lambda: _direction(rec, "outcome_direction", required=outcome_given))
    if not outcome_given and outcome_direction is not None:
        log.check(lambda: rec.fail("outcome_direction", "outcome_direction given without an outcome",
                                   rec.raw("outcome_direction")))
    if context is not None and context == mechanism:
        log.check(lambda: rec.fail("mechanism", f"a node cannot cause itself ({context!r})", mechanism))
    if outcome is not None and outcome == mechanism:
        log.check(lambda: rec.fail("outcome", f"a node cannot cause itself ({outcome!r})", outcome))
    when = log.check(lambda: _parse_when(rec, codebook))
    if when is not None and when[0] in (context, mechanism):
        log.check(lambda: rec.fail("when", f"a link cannot be moderated by its own end {when[0]!r}", when[0]))
    joint = log.check(lambda: _parse_when(rec, codebook, "jointly_with", "the joint cause"))
    if joint is not None and joint[0] in (context, mechanism):
        log.check(lambda: rec.fail("jointly_with", f"a joint cause must be a third node, not the link's own end "
                                   f"{joint[0]!r}", joint[0]))
    elif joint is not None and when is not None and joint[0] == when[0]:
        log.check(lambda: rec.fail("jointly_with", f"{joint[0]!r} is both the moderator and the joint cause; "
                                   "give it once", joint[0]))
    joint_given = joint is not None or rec.has("jointly_with")
    context_state = None
    if context is not None:
        context_state = log.check(lambda: _context_state(rec, context, codebook, joint_given))
    lag = log.check(lambda: rec.integer("lag", required=False, low=0, high=1)) or 0
    section = log.check(lambda: rec.text("section", required=False)) or ""
    quote = log.check(lambda: rec.text("quote", required=False)) or ""
    log.raise_any()
    assert context is not None and mechanism is not None and direction is not None
    return CMOC(
        context=context,
        mechanism=mechanism,
        direction=direction,
        outcome=outcome,
        outcome_direction=outcome_direction,
        when=when,
        lag=lag,
        section=section,
        quote=quote,
        line=rec.line_of("context"),
        context_state=context_state,
        jointly_with=joint,
    )


def _source_header(rec: Record, keys: Mapping[str, str]) -> dict[str, Any]:
    """Validate the source-level fields; ``keys`` maps field -> key in the record. Every field
    is checked; the first error is raised carrying all of them."""
    log = Problems()

    def source_id() -> str:
        sid = rec.text(keys["id"])
        assert sid is not None
        if len(sid) > MAX_ID_CHARS:
            rec.fail(keys["id"], f"source id {shown(sid)} is {len(sid)} characters long; source ids are at most "
                     f"{MAX_ID_CHARS} (MAX_ID_CHARS), as each names a file", sid)
        if not SOURCE_ID.match(sid):
            rec.fail(
                keys["id"], f"source id {sid!r} must start with an ASCII letter and hold only ASCII letters, "
                "digits, '-' and '_' (it names a file)", sid
            )
        return sid

    header = {
        "id": log.check(source_id),
        "kind": log.check(lambda: rec.choice(keys["kind"], SOURCE_KINDS)),
        "reference": log.check(lambda: rec.integer("reference", low=0)),
        "citation": log.check(lambda: rec.text("citation")),
        "year": log.check(lambda: rec.integer("year", required=False, low=1900, high=2100)),
    }
    ctype = log.check(lambda: rec.choice("collaboration_type", COLLABORATION_TYPES, required=False))
    header["collaboration_type"] = ctype
    header["collaboration_type_basis"] = log.check(
        lambda: rec.text("collaboration_type_basis", required=ctype is not None or rec.has("collaboration_type")))
    log.raise_any()
    return header


def source_from_mapping(data: Any, path: str, codebook: Codebook) -> Source:
    """Validate one parsed evidence YAML file.

    Parameters
    ----------
    data : Any
        What :func:`bayesnet.inputs.yamlio.read_yaml` returned.
    path : str
        The file, for messages.
    codebook : Codebook
        Node ids and states are checked against it.

    Raises
    ------
    SchemaError, UnknownNodeError, UnknownStateError
    """
    if not isinstance(data, Mapping):
        raise SchemaError(
            f"expected a mapping (one source with its cmocs), found {type(data).__name__}",
            path=path,
            line=1,
        )
    rec = Record(data, path)
    log = Problems()
    log.check(lambda: rec.check_keys(_SOURCE_FIELDS))
    header = log.check(lambda: _source_header(rec, {"id": "id", "kind": "kind"}))
    items = log.check(lambda: rec.sequence("cmocs")) or []
    found = [log.check(_cmoc_item, rec, i, codebook) for i in range(len(items))]
    log.raise_any()
    assert header is not None
    return Source(**header, cmocs=tuple(c for c in found if c is not None), path=path)


def _cmoc_item(rec: Record, index: int, codebook: Codebook) -> CMOC:
    return cmoc_from_record(rec.child("cmocs", index), codebook)


def sources_from_rows(rows: Iterable[tuple[int, Mapping[str, str]]], path: str, codebook: Codebook) -> list[Source]:
    """Validate a data-extraction sheet: one row per CMOC, sources repeated per row.

    Every row is checked; the first error is raised carrying all of them (see
    :mod:`bayesnet.inputs.problems`).

    Raises
    ------
    SchemaError
        Unknown column, a source whose fields disagree between rows, a missing value.
    """
    log = Problems()
    headers: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    cmocs: dict[str, list[CMOC]] = {}
    for number, row in rows:
        rec = Record(row, path, "", number)
        unknown = [k for k in row if k not in SHEET_COLUMNS]
        for column in unknown:
            log.add(rec.error(column, f"unknown column {column!r}", column, closest(column, SHEET_COLUMNS)))
        if unknown:
            break  # a bad header makes every row say the same: once is enough
        header = log.check(_source_header, rec, {"id": "source_id", "kind": "source_kind"})
        cmoc_keys = {k: v for k, v in row.items() if k in _CMOC_FIELDS and v != ""}
        cmoc = log.check(cmoc_from_record, Record(cmoc_keys, path, "", number), codebook) if cmoc_keys else None
        if header is None:
            continue
        sid = header["id"]
        if sid in headers and headers[sid] != header:
            diff = next(k for k in header if header[k] != headers[sid][k])
            log.add(rec.error(
                diff,
                f"source {sid!r} has {diff}={header[diff]!r} here but {headers[sid][diff]!r} in row {first_row[sid]}",
                header[diff],
            ))
            continue
        headers.setdefault(sid, header)
        first_row.setdefault(sid, number)
        cmocs.setdefault(sid, [])
        if cmoc is not None:
            cmocs[sid].append(cmoc)
    log.raise_any()
    return [Source(**headers[sid], cmocs=tuple(cmocs[sid]), path=path) for sid in headers]
