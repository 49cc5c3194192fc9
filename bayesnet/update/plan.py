"""Updating the evidence with newly coded studies: what would change, computed in memory.

Pure: takes the current :class:`~bayesnet.build.model.Model` and the incoming
:class:`~bayesnet.inputs.evidence.Source` objects (already read and validated, see
:func:`bayesnet.update.store.read_update_inputs`) and returns a :class:`Change` that holds the new
model. Nothing here reads or writes files; :mod:`bayesnet.update.store` writes a change to a
model folder.

Why this is conjugate updating: a link's reliability is ``Beta(a0 + w_support, b0 +
w_contradict)`` over the kind-weighted counts of *distinct* sources
(:mod:`bayesnet.build.parameters`), and the link table is recomputed from all sources each time.
Adding a study therefore adds its (distinct) votes to the counts: the updated posterior is
the next prior. Because :class:`~bayesnet.inputs.evidence.Evidence` holds its sources sorted, the
order in which studies arrive never changes the result. A study already present with the
same content changes nothing; one with the same id and new content replaces its old
contribution (it is never counted twice); a removed study takes its votes away.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from bayesnet.build.model import Model
from bayesnet.errors import CycleError, DuplicateIdError, UnknownNodeError, UnknownStateError, UpdateError, closest
from bayesnet.inputs.codebook import Codebook, Node
from bayesnet.inputs.evidence import Evidence, Source

__all__ = [
    "STATUSES",
    "Change",
    "SourceChange",
    "extend_codebook",
    "link_key",
    "new_node_hint",
    "plan_update",
]

STATUSES = ("added", "replaced", "unchanged", "removed")
"""What an update does to one source: a new id; the same id with new content; the same id
and content (nothing happens); taken out with ``--remove``."""

NEW_NODES_HINT = "if it is a new concept, give its codebook entry with --new-nodes FILE (Python: new_nodes=)"


@dataclass(frozen=True)
class SourceChange:
    """What one update does to one source.

    Attributes
    ----------
    id : str
    status : {'added', 'replaced', 'unchanged', 'removed'}
    path : str
        The incoming file (added, replaced, unchanged) or the file it was read from
        (removed).
    """

    id: str
    status: str
    path: str

    def to_dict(self) -> dict[str, str]:
        """Plain-data form."""
        return {"id": self.id, "status": self.status, "path": self.path}


def link_key(row: Any) -> tuple[str, str, str | None, str | None, int, str | None, str | None, str | None]:
    """``(from, to, when_node, when_state, lag, from_state, and_node, and_state)`` of a link-table
    row (missing moderator, state or joint cause: None)."""

    def clean(v: Any) -> str | None:
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)

    return (str(row["from"]), str(row["to"]), clean(row["when_node"]), clean(row["when_state"]), int(row["lag"]),
            clean(row.get("from_state")), clean(row.get("and_node")), clean(row.get("and_state")))


def _keyed(links: pd.DataFrame) -> dict[tuple, dict[str, Any]]:
    return {link_key(r): r for r in links.to_dict(orient="records")}


@dataclass(frozen=True)
class Change:
    """The effect of one update, and the model after it.

    Attributes
    ----------
    before, after : Model
        The model before and after the update (``after is before`` for a no-op).
    sources : tuple of SourceChange
        One entry per incoming source and per removed source, in id order.
    incoming : tuple of Source
        The added and replaced sources as they will be written (one file each).
    new_nodes : tuple of Node
        Codebook entries the update adds.
    new_links, dropped_links : pandas.DataFrame
        Link-table rows (all lags) present only after, or only before, the update.
    contradicted : pandas.DataFrame
        Links that existed before and whose sign an incoming source contradicts: columns
        ``from, to, when_node, when_state, lag, from_state, and_node, and_state, sign_before, sign_after,
        contradicted_by``.
    """

    before: Model
    after: Model
    sources: tuple[SourceChange, ...]
    incoming: tuple[Source, ...]
    new_nodes: tuple[Node, ...]
    new_links: pd.DataFrame
    dropped_links: pd.DataFrame
    contradicted: pd.DataFrame

    def ids(self, status: str) -> tuple[str, ...]:
        """Source ids with one status (see :data:`STATUSES`)."""
        if status not in STATUSES:
            raise UpdateError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
        return tuple(s.id for s in self.sources if s.status == status)

    @property
    def added(self) -> tuple[str, ...]:
        """Ids of new sources."""
        return self.ids("added")

    @property
    def replaced(self) -> tuple[str, ...]:
        """Ids of re-coded sources (same id, new content)."""
        return self.ids("replaced")

    @property
    def unchanged(self) -> tuple[str, ...]:
        """Ids of incoming sources already present with the same content."""
        return self.ids("unchanged")

    @property
    def removed(self) -> tuple[str, ...]:
        """Ids of removed sources."""
        return self.ids("removed")

    @property
    def is_noop(self) -> bool:
        """True when the update changes nothing (every incoming source already present)."""
        return not (self.added or self.replaced or self.removed or self.new_nodes)

    @property
    def before_hash(self) -> str:
        """Content hash of the evidence before (:meth:`Evidence.content_hash`)."""
        return self.before.evidence.content_hash()

    @property
    def after_hash(self) -> str:
        """Content hash of the evidence after."""
        return self.after.evidence.content_hash()

    def summary(self) -> dict[str, Any]:
        """Plain-data summary: ids per status, new nodes and links, the two hashes."""
        return {
            "added": list(self.added),
            "replaced": list(self.replaced),
            "unchanged": list(self.unchanged),
            "removed": list(self.removed),
            "new_nodes": [n.id for n in self.new_nodes],
            "new_links": [list(link_key(r)) for r in self.new_links.to_dict(orient="records")],
            "evidence_before": self.before_hash,
            "evidence_after": self.after_hash,
        }

    def __repr__(self) -> str:
        parts = [f"{len(getattr(self, s))} {s}" for s in STATUSES]
        return f"<bayesnet.update.Change: {', '.join(parts)}, {len(self.new_nodes)} new nodes>"


def new_node_hint(err: UnknownNodeError) -> UnknownNodeError:
    """The same error, with the hint that a new concept needs a codebook entry."""
    return UnknownNodeError(
        f"{err.reason}; {NEW_NODES_HINT}",
        path=err.path, line=err.line, field=err.field, value=err.value, suggestions=err.suggestions,
    )


def _check_nodes(src: Source, codebook: Codebook) -> None:
    """Refuse node ids or moderator states the (extended) codebook does not have."""
    for i, c in enumerate(src.cmocs):
        named = [("context", c.context), ("mechanism", c.mechanism), ("outcome", c.outcome)]
        if c.when is not None:
            named.append(("when", c.when[0]))
        for field, node in named:
            if node is not None and node not in codebook:
                raise UnknownNodeError(
                    f"unknown node {node!r}; {NEW_NODES_HINT}", path=src.path, line=c.line,
                    field=f"cmocs[{i}].{field}", value=node, suggestions=closest(node, codebook.ids),
                )
        if c.when is not None and c.when[1] not in codebook[c.when[0]].states:
            states = codebook[c.when[0]].states
            raise UnknownStateError(
                f"node {c.when[0]!r} has no state {c.when[1]!r}; its states are {', '.join(states)}",
                path=src.path, line=c.line, field=f"cmocs[{i}].when", value=c.when[1],
                suggestions=closest(c.when[1], states),
            )


def extend_codebook(codebook: Codebook, new_nodes: Iterable[Node]) -> tuple[Codebook, tuple[Node, ...]]:
    """The codebook with the new nodes, and the nodes that are really new.

    An entry identical to an existing node is accepted and not new; a different entry under
    an existing id is refused.

    Raises
    ------
    DuplicateIdError
    """
    fresh: list[Node] = []
    seen: set[str] = set()
    for node in new_nodes:
        if node.id in seen:
            raise DuplicateIdError(f"node {node.id!r} is given twice in the new nodes", value=node.id)
        seen.add(node.id)
        if node.id in codebook:
            if codebook[node.id] != node:
                raise DuplicateIdError(
                    f"node {node.id!r} is already in the codebook with a different entry; an update "
                    "adds nodes but never changes an existing one (edit priors/codebook.yaml by hand)",
                    path=codebook.path, value=node.id,
                )
            continue
        fresh.append(node)
    return codebook.with_nodes(fresh), tuple(fresh)


def _locate_cycle(err: CycleError, incoming: Sequence[Source]) -> CycleError:
    """Point a cycle at the first incoming CMOC that states one of its arrows."""
    pairs = set(zip(err.cycle, err.cycle[1:], strict=False))
    for src in incoming:
        for i, c in enumerate(src.cmocs):
            for arrow in c.arrows():
                parents = {arrow.source} | {m[0] for m in (arrow.when, arrow.partner) if m is not None}
                on_cycle = any((p, arrow.target) in pairs for p in parents)
                if arrow.lag == 0 and on_cycle:
                    return CycleError(err.reason, cycle=err.cycle, path=src.path, line=c.line,
                                      field=f"cmocs[{i}]", value=err.value)
    return err


def _contradicted(before: pd.DataFrame, after: pd.DataFrame, incoming: Sequence[Source]) -> pd.DataFrame:
    old = _keyed(before)
    new = _keyed(after)
    found: dict[tuple, list[str]] = {}
    for src in incoming:
        for arrow in sorted(src.arrows(), key=lambda a: (a.source, a.target, a.when or ("", ""), a.lag, a.sign)):
            key = (arrow.source, arrow.target, *(arrow.when or (None, None)), arrow.lag, arrow.source_state,
                   *(arrow.partner or (None, None)))
            row = old.get(key)
            if row is not None and arrow.sign != row["sign"] and src.id not in found.setdefault(key, []):
                found[key].append(src.id)
    rows = []
    for key, ids in found.items():
        after_row = new.get(key)
        rows.append({
            "from": key[0], "to": key[1], "when_node": key[2], "when_state": key[3], "lag": key[4],
            "from_state": key[5], "and_node": key[6], "and_state": key[7],
            "sign_before": int(old[key]["sign"]),
            "sign_after": None if after_row is None else int(after_row["sign"]),
            "contradicted_by": tuple(ids),
        })
    columns = ["from", "to", "when_node", "when_state", "lag", "from_state", "and_node", "and_state", "sign_before",
               "sign_after", "contradicted_by"]
    return pd.DataFrame(rows, columns=columns)


def plan_update(
    model: Model,
    incoming: Iterable[Source] = (),
    *,
    remove: Iterable[str] = (),
    new_nodes: Iterable[Node] = (),
) -> Change:
    """What adding ``incoming`` and removing ``remove`` would do to ``model``.

    Parameters
    ----------
    model : Model
        The current model.
    incoming : iterable of Source
        Newly coded or re-coded sources (see :func:`bayesnet.update.store.read_update_inputs`).
    remove : iterable of str
        Ids of sources to take out.
    new_nodes : iterable of Node
        Codebook entries for concepts the incoming sources name; an entry identical to
        one already in the codebook is accepted and ignored.

    Returns
    -------
    Change
        With ``change.after`` the new in-memory model (``root=None``).

    Raises
    ------
    UnknownNodeError, UnknownStateError
        A node the codebook (with the new nodes) lacks, with the closest ids.
    DuplicateIdError
        The same id in two incoming sources, or a new node clashing with an existing one.
    UpdateError
        Removing an id that is not there, or removing and adding the same id.
    CycleError
        A new link that would close a same-time cycle; the message names the cycle.
    """
    incoming = tuple(incoming)
    codebook, fresh = extend_codebook(model.codebook, new_nodes)
    by_id: dict[str, Source] = {}
    for src in incoming:
        if src.id in by_id:
            raise DuplicateIdError(
                f"source id {src.id!r} comes twice in this update (also in {by_id[src.id].path})",
                path=src.path, field="id", value=src.id,
            )
        _check_nodes(src, codebook)
        by_id[src.id] = src
    removing: dict[str, Source] = {}
    for sid in remove:
        old = model.evidence.get(sid)
        if old is None:
            options = closest(sid, model.evidence.ids)
            hint = f"; did you mean {' or '.join(repr(o) for o in options)}?" if options else ""
            raise UpdateError(f"cannot remove {sid!r}: the model has no source with that id{hint}")
        if sid in by_id:
            raise UpdateError(
                f"source {sid!r} is both removed and given in {by_id[sid].path}; to re-code it, "
                "give the new file without --remove"
            )
        removing[sid] = old
    changes: list[SourceChange] = []
    written: list[Source] = []
    for sid, src in by_id.items():
        old = model.evidence.get(sid)
        if old is None:
            status = "added"
        elif old.content_hash() == src.content_hash():
            status = "unchanged"
        else:
            status = "replaced"
        changes.append(SourceChange(sid, status, src.path))
        if status != "unchanged":
            written.append(src)
    changes.extend(SourceChange(sid, "removed", old.path) for sid, old in removing.items())
    changes.sort(key=lambda c: c.id)
    dropped = set(removing) | {s.id for s in written}
    empty = model.links.iloc[0:0]
    if not written and not removing and not fresh:
        return Change(model, model, tuple(changes), (), (), empty, empty, _contradicted(empty, empty, ()))
    evidence = Evidence([*(s for s in model.evidence if s.id not in dropped), *written])
    after = Model(codebook, evidence, model.settings, model.scenarios, dict(model.review_summary), None)
    try:
        after.dag  # noqa: B018 - the cycle check on the merged same-time graph
    except CycleError as err:
        raise _locate_cycle(err, written) from None
    old_keys, new_keys = set(_keyed(model.links)), set(_keyed(after.links))
    new_mask = [link_key(r) not in old_keys for r in after.links.to_dict(orient="records")]
    gone_mask = [link_key(r) not in new_keys for r in model.links.to_dict(orient="records")]
    return Change(
        before=model,
        after=after,
        sources=tuple(changes),
        incoming=tuple(sorted(written, key=lambda s: s.id)),
        new_nodes=fresh,
        new_links=after.links[new_mask].reset_index(drop=True),
        dropped_links=model.links[gone_mask].reset_index(drop=True),
        contradicted=_contradicted(model.links, after.links, written),
    )
