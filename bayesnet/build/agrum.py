"""The adapter to pyAgrum: GeNIe (``.xdsl``) and Hugin (``.net``) files, through pyAgrum's writers.

This is the only module that imports pyAgrum, an optional extra (``pip install
'bayesnet[exports]'``); without it :func:`import_pyagrum` raises
:class:`~bayesnet.errors.MissingDependencyError` naming the extra. pyAgrum is imported
inside the functions, so nothing else pays for it.

pyAgrum builds the files (:func:`pyagrum.saveBN`), and this module completes them. Measured
on pyAgrum 3.3.1:

* its XDSL writer rounds every probability to 6 significant digits, and lists a node's
  parent configurations with the *first* parent in ``<parents>`` changing fastest, where GeNIe
  (SMILE) changes the *last* one fastest (as pgmpy's XDSL reader and writer do, and as a
  GeNIe-written copy of the Asia network reads: its ``dysp`` table gives Lauritzen and
  Spiegelhalter's numbers only that way). pyAgrum's reader makes the same choice, so pyAgrum
  reads back its own files, but GeNIe would read every table with two or more parents
  permuted. The ``<probabilities>`` are rewritten in SMILE's order and in full float64
  precision, after checking that pyAgrum's rounded numbers are ours in pyAgrum's order. A
  consequence: pyAgrum 3.3.1 reads the tables of these files' nodes with two or more parents
  permuted (its reading of GeNIe's own files has the same problem);
* both writers name each node by its id (GeNIe's ``<name>``, Hugin's ``label``): they get the
  codebook label;
* the NET writer leaves state names unquoted (Hugin's NET language writes them as strings):
  they are quoted;
* both writers write a network name with spaces as it is, which neither format allows: the
  network gets :attr:`~bayesnet.build.interchange.ExportContents.identifier`, and the
  model's name goes where free text is allowed (GeNIe's ``name`` attribute, a NET ``label``);
* its NET writer ends each row of a table with a ``%`` comment naming the parents' states,
  which pgmpy's NET reader (1.1.2) takes for numbers: the comments are left out;
* neither carries definitions or sources: GeNIe gets them as the ``<comment>`` of each node
  and of the network (what GeNIe shows as descriptions); NET gets node attributes
  ``definition`` and ``link_<id>`` and network attributes ``note`` and ``source_<id>``, as
  strings with ``"`` and ``\\`` percent-encoded (:data:`NET_RESERVED`).

A pyAgrum whose files do not have the shapes these corrections expect raises
:class:`~bayesnet.errors.ExportError` rather than writing a file that says something else.
"""

from __future__ import annotations

import re
import tempfile
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from bayesnet.build.interchange import ExportContents, NodeNote, percent_encode
from bayesnet.errors import ExportError, MissingDependencyError

__all__ = ["EXTRA", "GENIE_NEWLINE", "NET_RESERVED", "import_pyagrum", "net_text", "to_pyagrum", "xdsl_text"]

EXTRA = "exports"
"""The bayesnet extra that installs pyAgrum."""
NET_RESERVED = '"\\'
"""Characters percent-encoded in NET strings (besides ``%`` and control characters)."""
GENIE_NEWLINE = "\\n"
"""How GeNIe's own files break lines in a ``<comment>``: a backslash and an ``n``."""


def import_pyagrum() -> ModuleType:
    """pyAgrum, or :class:`~bayesnet.errors.MissingDependencyError` naming the extra to install.

    pyAgrum's SWIG bindings warn at import (``DeprecationWarning``: "builtin type ... has no
    __module__"); the warning is silenced here, where it is not ours to act on.
    """
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning, message=r"builtin type .* has no __module__")
            import pyagrum
    except ImportError as err:
        raise MissingDependencyError(
            f"GeNIe (.xdsl) and Hugin (.net) files are written by pyAgrum, which is not installed: "
            f"pip install 'bayesnet[{EXTRA}]'",
            package="pyagrum",
            extra=EXTRA,
        ) from err
    return pyagrum


def to_pyagrum(contents: ExportContents) -> Any:
    """The network as a ``pyagrum.BayesNet`` (named by its identifier; each node's description is its label).

    Raises
    ------
    MissingDependencyError
        pyAgrum is not installed.
    """
    gum = import_pyagrum()
    bn = gum.BayesNet(contents.identifier)
    for node in contents.order:
        variable = gum.LabelizedVariable(node, contents.notes[node].label, 0)
        for state in contents.states[node]:
            variable.addLabel(state)
        bn.add(variable)
    for node in contents.order:
        for parent in contents.parents[node]:
            bn.addArc(parent, node)
    for node in contents.order:
        tensor = bn.cpt(node)
        parents = contents.parents[node]
        # toarray() and fillWith() lay the variables out in the reverse of tensor.names
        axes = [0 if name == node else 1 + parents.index(name) for name in reversed(list(tensor.names))]
        values = np.transpose(contents.tables[node], axes)
        tensor.fillWith(values.ravel().tolist())
        if not np.array_equal(np.asarray(tensor.toarray()), values):
            raise ExportError(f"pyAgrum {gum.__version__} did not take the CPT of {node!r} as given")
    return bn


def _saved(contents: ExportContents, suffix: str) -> tuple[str, str]:
    """pyAgrum's own file for ``suffix``, as text, and pyAgrum's version."""
    gum = import_pyagrum()
    bn = to_pyagrum(contents)
    with tempfile.TemporaryDirectory(prefix="bayesnet-export-") as folder:
        path = Path(folder) / f"network{suffix}"
        gum.saveBN(bn, str(path), allowModificationWhenSaving=False)
        return path.read_text(encoding="utf-8"), str(gum.__version__)


def _genie_text(lines: list[str]) -> str:
    """Lines as GeNIe writes a multi-line comment: joined by a backslash and an ``n``."""
    return GENIE_NEWLINE.join(line.replace("\n", " ") for line in lines)


def _comment(note: NodeNote) -> str:
    lines = [note.definition] if note.definition else []
    if note.links:
        lines += [""] if lines else []
        lines += ["Links into this node, with the sources for and against each:"]
        lines += [link.text() for link in note.links]
    return _genie_text(lines)


def _network_comment(contents: ExportContents) -> str:
    lines = [contents.name, contents.note]
    if contents.sources:
        lines += ["", "Sources behind the links:"]
        lines += [f"{sid}: {citation}" for sid, citation in contents.sources]
    return _genie_text(lines)


def xdsl_text(contents: ExportContents) -> str:
    """The network as a GeNIe/SMILE ``.xdsl`` file (pyAgrum's, completed; see the module notes).

    Raises
    ------
    MissingDependencyError
        pyAgrum is not installed.
    ExportError
        pyAgrum's file does not have the shape these corrections expect.
    """
    text, version = _saved(contents, ".xdsl")
    root = ET.fromstring(text)  # noqa: S314 - the file pyAgrum has just written from our own network
    cpts = {cpt.get("id"): cpt for cpt in root.iter("cpt")}
    if set(cpts) != set(contents.order):
        raise ExportError(f"pyAgrum {version} wrote an XDSL file whose nodes are not the network's")
    for node, cpt in cpts.items():
        assert node is not None
        parents_element = cpt.find("parents")
        listed = (parents_element.text or "").split() if parents_element is not None else []
        probabilities = cpt.find("probabilities")
        if sorted(listed) != sorted(contents.parents[node]) or probabilities is None:
            raise ExportError(f"pyAgrum {version} wrote node {node!r} of the XDSL file in an unexpected form")
        parents = contents.parents[node]
        # pyAgrum: the node's states fastest, then the listed parents, the first one fastest
        as_pyagrum = np.transpose(contents.tables[node], [1 + parents.index(p) for p in reversed(listed)] + [0])
        theirs = np.array([float(x) for x in (probabilities.text or "").split()])
        if theirs.size != as_pyagrum.size or not np.allclose(theirs, as_pyagrum.ravel(), rtol=1e-5, atol=1e-12):
            raise ExportError(f"pyAgrum {version} wrote the CPT of {node!r} in an order bayesnet does not know")
        # SMILE: the node's states fastest, then the listed parents, the last one fastest
        as_smile = np.transpose(contents.tables[node], [1 + parents.index(p) for p in listed] + [0])
        probabilities.text = " ".join(repr(float(x)) for x in as_smile.ravel())
    genie = root.find("extensions/genie")
    if genie is None:
        raise ExportError(f"pyAgrum {version} wrote an XDSL file without GeNIe's extension")
    genie.set("name", contents.name)
    network_comment = ET.Element("comment")
    network_comment.text = _network_comment(contents)
    genie.insert(0, network_comment)
    for element in genie.findall("node"):
        node = element.get("id") or ""
        name = element.find("name")
        if node not in contents.notes or name is None:
            raise ExportError(f"pyAgrum {version} wrote GeNIe's entry of {node!r} in an unexpected form")
        note = contents.notes[node]
        name.text = note.label
        text = _comment(note)
        if text:
            comment = ET.Element("comment")
            comment.text = text
            element.insert(list(element).index(name) + 1, comment)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _string(text: str) -> str:
    return f'"{percent_encode(text, NET_RESERVED)}"'


_NET_HEADER = re.compile(r"^net \{\n(?P<body>.*?)^\}\n", re.M | re.S)
_NET_NODE = re.compile(r"^node (?P<node>\w+) \{\n(?P<body>.*?)^\}\n", re.M | re.S)
_NET_STATES = re.compile(r"^(?P<indent>\s*)states = \((?P<states>[^)\"]*)\);\n", re.M)
_NET_LABEL = re.compile(r"^(?P<indent>\s*)label = \"[^\"]*\";\n", re.M)
_NET_POTENTIAL = re.compile(r"^potential \(.*?^\}\n", re.M | re.S)
_NET_ROW_COMMENT = re.compile(r"[ \t]*%[^\n]*")


def net_text(contents: ExportContents) -> str:
    """The network as a Hugin ``.net`` file (pyAgrum's, completed; see the module notes).

    Raises
    ------
    MissingDependencyError
        pyAgrum is not installed.
    ExportError
        pyAgrum's file does not have the shape these corrections expect.
    """
    text, version = _saved(contents, ".net")
    header = _NET_HEADER.search(text)
    if header is None:
        raise ExportError(f"pyAgrum {version} wrote a NET file without its 'net {{ ... }}' block first")
    attributes = [("label", contents.name), ("note", contents.note)]
    attributes += [(f"source_{sid}", citation) for sid, citation in contents.sources]
    added = "".join(f"  {key} = {_string(value)};\n" for key, value in attributes)
    text = text[: header.end("body")] + added + text[header.end("body"):]
    seen: list[str] = []

    def complete(match: re.Match[str]) -> str:
        node, body = match.group("node"), match.group("body")
        states, label = _NET_STATES.search(body), _NET_LABEL.search(body)
        if node not in contents.notes or states is None or label is None:
            raise ExportError(f"pyAgrum {version} wrote node {node!r} of the NET file in an unexpected form")
        if tuple(states.group("states").split()) != contents.states[node]:
            raise ExportError(f"pyAgrum {version} wrote the states of {node!r} in another order or form")
        seen.append(node)
        note = contents.notes[node]
        quoted = " ".join(f'"{state}"' for state in contents.states[node])
        lines = [("label", note.label), ("definition", note.definition)]
        lines += [(link.key, link.text()) for link in note.links]
        indent = label.group("indent")
        ours = "".join(f"{indent}{key} = {_string(value)};\n" for key, value in lines if value)
        body = body[: states.start()] + f"{states.group('indent')}states = ({quoted});\n" + body[states.end():]
        body = _NET_LABEL.sub(lambda _: ours, body, count=1)
        return f"node {node} {{\n{body}}}\n"

    text = _NET_NODE.sub(complete, text)
    if sorted(seen) != sorted(contents.order):
        raise ExportError(f"pyAgrum {version} wrote a NET file whose nodes are not the network's")
    return _NET_POTENTIAL.sub(lambda m: _NET_ROW_COMMENT.sub("", m.group(0)), text)
