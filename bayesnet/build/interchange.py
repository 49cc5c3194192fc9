"""What an exported network holds, and its BIF and XMLBIF text.

Every export (:func:`bayesnet.build.exports.export`) writes the network with posterior-mean
parameters: the network ``model.network`` holds, whose answers are ``result.point`` (not the
headline, the mean over posterior draws). :func:`export_contents` gathers, once, what every
format is given: the network's name, each node's states, parents and CPT, its label and
definition, the same-time links into it with the sources for and against each, and the
citations of those sources.

BIF and XMLBIF are written here rather than by pgmpy's writers, which cannot carry these
(pgmpy 1.1.2: ``BIFWriter`` names a network without a name "unknown" and writes node
attributes unescaped; ``XMLBIFWriter`` keeps only the last attribute of a node in its single
``<PROPERTY>``). The text depends only on the model: the same model gives the same bytes.

Text a format cannot hold in a property is percent-encoded as in URLs (UTF-8 bytes as
``%XX``; ``%`` itself as ``%25``), so ``urllib.parse.unquote`` gives it back:

* BIF ``property`` lines: ``;`` (ends the property in pyAgrum's reader), ``=`` (pgmpy splits a
  property there), ``"`` (pgmpy drops it) and ``/`` (pgmpy reads ``//`` and ``/*`` as comments);
* XMLBIF ``<PROPERTY>`` text: ``=`` (pgmpy's reader fails on a second one); XML escaping does
  the rest;
* control characters (line breaks, tabs) everywhere.

Pure: no I/O.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bayesnet.build.graph import row_link_name
from bayesnet.errors import ExportError
from bayesnet.version import __version__

if TYPE_CHECKING:
    from bayesnet.build.model import Model

__all__ = [
    "BIF_RESERVED",
    "STATE_NAME",
    "XMLBIF_RESERVED",
    "ExportContents",
    "LinkNote",
    "NodeNote",
    "bif_text",
    "export_contents",
    "identifier",
    "percent_encode",
    "xmlbif_text",
]

STATE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
"""A state name every export format holds as it is: a letter, then letters, digits and
underscores (XMLBIF's and GeNIe's rule; BIF and Hugin's NET accept it too)."""

BIF_RESERVED = ';="/'
"""Characters percent-encoded in BIF ``property`` values (besides ``%`` and control characters)."""
XMLBIF_RESERVED = "="
"""Characters percent-encoded in XMLBIF ``<PROPERTY>`` values (besides ``%`` and control characters)."""


def percent_encode(text: str, reserved: str = "") -> str:
    """``text`` with ``%``, control characters and the ``reserved`` ones written as ``%XX``.

    Examples
    --------
    >>> percent_encode("legal_agreements -| trust [when mandated=voluntary]", "=")
    'legal_agreements -| trust [when mandated%3Dvoluntary]'
    """
    out = []
    for ch in text:
        if ch == "%" or ch in reserved or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("".join(f"%{byte:02X}" for byte in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def identifier(name: str) -> str:
    """``name`` as an identifier (letters, digits, underscores, starting with a letter), for
    formats whose network name must be one (BIF, GeNIe's XDSL, Hugin's NET).

    Examples
    --------
    >>> identifier("embedded default model")
    'embedded_default_model'
    """
    ident = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")
    if not ident:
        return "bayesnet_model"
    return ident if ident[0].isalpha() else f"n_{ident}"


@dataclass(frozen=True)
class LinkNote:
    """One same-time link into a node, as exports write it.

    Attributes
    ----------
    link : int
        The link's id (the ``link`` column of ``model.links``).
    name : str
        Its one written form (:func:`bayesnet.build.graph.link_name`).
    support, contradict : tuple of str
        Ids of the distinct sources for and against it.
    """

    link: int
    name: str
    support: tuple[str, ...]
    contradict: tuple[str, ...]

    @property
    def key(self) -> str:
        """The property name it is written under: ``link_<id>``."""
        return f"link_{self.link}"

    def text(self) -> str:
        """``"conflict -| trust (for: S0, S42) (against: S7)"``."""
        parts = [self.name]
        if self.support:
            parts.append(f"(for: {', '.join(self.support)})")
        if self.contradict:
            parts.append(f"(against: {', '.join(self.contradict)})")
        return " ".join(parts)


@dataclass(frozen=True)
class NodeNote:
    """What an export says about one node besides its numbers."""

    label: str
    definition: str
    links: tuple[LinkNote, ...]


@dataclass(frozen=True)
class ExportContents:
    """Everything an export writes, in the order it is written.

    Attributes
    ----------
    name : str
        ``model.name``, as it is.
    identifier : str
        The same as an identifier (:func:`identifier`).
    note : str
        One sentence saying what the file holds.
    order : tuple of str
        Nodes in codebook order.
    states, parents : mapping
        Node -> its states (lower to upper) and its parents.
    tables : mapping
        Node -> posterior-mean CPT, float64 of shape ``(card, *parent_cards)``.
    notes : mapping
        Node -> :class:`NodeNote`.
    sources : tuple of (str, str)
        ``(id, citation)`` of every source behind an exported link, by reference number.
    """

    name: str
    identifier: str
    note: str
    order: tuple[str, ...]
    states: Mapping[str, tuple[str, ...]]
    parents: Mapping[str, tuple[str, ...]]
    tables: Mapping[str, np.ndarray]
    notes: Mapping[str, NodeNote]
    sources: tuple[tuple[str, str], ...]

    def rows(self, node: str) -> list[tuple[tuple[str, ...], np.ndarray]]:
        """``(parent states, distribution)`` for each parent configuration, the first parent
        slowest (the order of BIF's rows and of XMLBIF's and GeNIe's tables)."""
        table = self.tables[node]
        parents = self.parents[node]
        columns = np.moveaxis(table, 0, -1).reshape(-1, table.shape[0])
        configs = itertools.product(*(self.states[p] for p in parents))
        return list(zip(configs, columns, strict=True))


def export_contents(model: Model) -> ExportContents:
    """Gather what every export of ``model`` writes (see :class:`ExportContents`).

    Raises
    ------
    ExportError
        A state name that is not a letter followed by letters, digits and underscores.
    """
    spec = model.spec
    order = tuple(node.id for node in model.codebook)
    for node in model.codebook:
        for state in node.states:
            if not STATE_NAME.fullmatch(state):
                suggestion = identifier(state)
                raise ExportError(
                    f"{model.codebook.path}: node {node.id!r} has state {state!r}, which BIF, XMLBIF, "
                    f"GeNIe and Hugin files cannot hold as it is: a state name must be a letter followed "
                    f"by letters, digits and underscores; rename it in the codebook (e.g. {suggestion!r})"
                )
    links = model.links
    same_time = links[links["lag"] == 0].sort_values("link")
    by_target: dict[str, list[LinkNote]] = {node: [] for node in order}
    cited: set[str] = set()
    for row in same_time.to_dict("records"):
        support, contradict = tuple(row["support_ids"]), tuple(row["contradict_ids"])
        by_target[row["to"]].append(LinkNote(
            link=int(row["link"]),
            name=row_link_name(row),
            support=support,
            contradict=contradict,
        ))
        cited.update(support, contradict)
    sources = tuple(
        (s.id, s.citation) for s in sorted(model.evidence, key=lambda s: s.reference) if s.id in cited
    )
    notes = {
        node.id: NodeNote(node.label, node.definition, tuple(by_target[node.id])) for node in model.codebook
    }
    tables = {node: np.asarray(model.cpts[node][..., 0], dtype=np.float64) for node in order}
    note = (
        f"The network with posterior-mean parameters, written by bayesnet {__version__}: its answers are "
        f"bayesnet's result.point, not the headline (the mean over posterior draws), and carry no interval."
    )
    return ExportContents(
        name=model.name,
        identifier=identifier(model.name),
        note=note,
        order=order,
        states={node: tuple(spec.states[node]) for node in order},
        parents={node: tuple(spec.parents[node]) for node in order},
        tables=tables,
        notes=notes,
        sources=sources,
    )


def _number(value: float) -> str:
    """The shortest text that reads back as the same float64."""
    return repr(float(value))


def bif_text(contents: ExportContents) -> str:
    """The network as BIF (the Interchange Format of Cozman, 1998, as pgmpy and pyAgrum read it).

    The network's name is :attr:`ExportContents.identifier`; the model's name, the note and the
    citations of the sources are ``//`` comments at the top (pgmpy drops network-level
    properties and fails on some words in them; pyAgrum ignores properties). Each variable has
    ``property`` lines ``label``, ``definition`` and ``link_<id>`` (the links into it, with the
    ids of their sources), percent-encoded (:data:`BIF_RESERVED`). Rows are labelled with
    their parents' states; numbers are written in full float64 precision.
    """
    lines = [
        f"// {percent_encode(contents.name)}",
        f"// {percent_encode(contents.note)}",
        "// Sources behind the links (the ids in each variable's link_<id> properties):",
        *(f"// {sid}: {percent_encode(citation)}" for sid, citation in contents.sources),
        f"network {contents.identifier} {{",
        "}",
    ]
    for node in contents.order:
        note = contents.notes[node]
        lines.append(f"variable {node} {{")
        states = contents.states[node]
        lines.append(f"    type discrete [ {len(states)} ] {{ {', '.join(states)} }};")
        props = [("label", note.label), ("definition", note.definition)]
        props += [(link.key, link.text()) for link in note.links]
        lines.extend(f"    property {key} = {percent_encode(value, BIF_RESERVED)} ;" for key, value in props if value)
        lines.append("}")
    for node in contents.order:
        parents = contents.parents[node]
        if not parents:
            lines.append(f"probability ( {node} ) {{")
            lines.append(f"    table {', '.join(map(_number, contents.tables[node]))} ;")
        else:
            lines.append(f"probability ( {node} | {', '.join(parents)} ) {{")
            for config, column in contents.rows(node):
                lines.append(f"    ( {', '.join(config)} ) {', '.join(map(_number, column))};")
        lines.append("}")
    return "\n".join(lines) + "\n"


def _property(parent: ET.Element, key: str, value: str) -> None:
    ET.SubElement(parent, "PROPERTY").text = f"{key} = {percent_encode(value, XMLBIF_RESERVED)}"


def xmlbif_text(contents: ExportContents) -> str:
    """The network as XMLBIF 0.3 (what pyAgrum reads as ``.bifxml`` and pgmpy as XMLBIF).

    ``<NAME>`` is the model's name as it is. The network has ``<PROPERTY>`` elements ``note``
    and ``source_<id>`` (each source's citation); each variable has ``label``, ``description``
    (the label again, under the name pyAgrum reads as the node's description), ``definition``
    and ``link_<id>``, as ``key = value`` with the value percent-encoded
    (:data:`XMLBIF_RESERVED`). Tables list each parent configuration (the first parent
    slowest) with the node's states fastest, in full float64 precision.
    """
    root = ET.Element("BIF", {"VERSION": "0.3"})
    network = ET.SubElement(root, "NETWORK")
    ET.SubElement(network, "NAME").text = contents.name
    _property(network, "note", contents.note)
    for sid, citation in contents.sources:
        _property(network, f"source_{sid}", citation)
    for node in contents.order:
        note = contents.notes[node]
        variable = ET.SubElement(network, "VARIABLE", {"TYPE": "nature"})
        ET.SubElement(variable, "NAME").text = node
        for state in contents.states[node]:
            ET.SubElement(variable, "OUTCOME").text = state
        props = [("label", note.label), ("description", note.label), ("definition", note.definition)]
        props += [(link.key, link.text()) for link in note.links]
        for key, value in props:
            if value:
                _property(variable, key, value)
    for node in contents.order:
        definition = ET.SubElement(network, "DEFINITION")
        ET.SubElement(definition, "FOR").text = node
        for parent in contents.parents[node]:
            ET.SubElement(definition, "GIVEN").text = parent
        values = [value for _, column in contents.rows(node) for value in column]
        ET.SubElement(definition, "TABLE").text = " ".join(map(_number, values))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
