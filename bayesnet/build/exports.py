"""Write the posterior-mean network in a format other tools open, chosen by the file's suffix.

====================  ==========  =============================================================
suffix                format      opened by
====================  ==========  =============================================================
``.bif``              BIF         pgmpy, pyAgrum, bnlearn (R)
``.bifxml``           XMLBIF      pyAgrum (which reads XMLBIF only under ``.bifxml``), pgmpy,
                                  Weka; ``.xmlbif`` and ``.xml`` are accepted too
``.xdsl``             GeNIe       GeNIe and SMILE (BayesFusion), pgmpy; needs the ``exports`` extra
``.net``              Hugin NET   Hugin, GeNIe, pyAgrum, pgmpy; needs the ``exports`` extra
====================  ==========  =============================================================

All four carry the network's structure, state names and posterior-mean CPTs (full float64
precision), its name, each node's label, definition and the same-time links into it with
the ids of the sources for and against each, and the citations of those sources (see
:mod:`~bayesnet.build.interchange` and :mod:`~bayesnet.build.agrum` for where each format
puts them). None carries the posterior draws, the feedback links across time, or the
scenarios. The answers of the file are ``result.point``, not bayesnet's headline.

The tests check every format against pgmpy's readers and, but for GeNIe's, pyAgrum's
(pyAgrum 3.3.1 reads GeNIe tables of nodes with two or more parents with the parents in the
other order; see :mod:`~bayesnet.build.agrum`). GeNIe, Hugin, bnlearn and Weka are not run here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bayesnet.build.agrum import EXTRA, import_pyagrum, net_text, xdsl_text
from bayesnet.build.interchange import ExportContents, bif_text, export_contents, xmlbif_text
from bayesnet.checks import check_suffix
from bayesnet.errors import ParameterError
from bayesnet.files import write_text_atomic

if TYPE_CHECKING:
    from bayesnet.build.model import Model

__all__ = ["EXPORT_FORMATS", "ExportFormat", "export", "export_format"]


@dataclass(frozen=True)
class ExportFormat:
    """One file format :func:`export` writes.

    Attributes
    ----------
    name : str
        ``"BIF"``, ``"XMLBIF"``, ``"GeNIe XDSL"`` or ``"Hugin NET"``.
    suffixes : tuple of str
        The suffixes it is written under, the usual one first.
    opened_by : str
        The tools that open it.
    extra : str or None
        The bayesnet extra it needs (``pip install 'bayesnet[EXTRA]'``), if any.
    write : callable
        :class:`~bayesnet.build.interchange.ExportContents` -> the file's text.
    """

    name: str
    suffixes: tuple[str, ...]
    opened_by: str
    extra: str | None
    write: Callable[[ExportContents], str]


EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("BIF", (".bif",), "pgmpy, pyAgrum, bnlearn (R)", None, bif_text),
    ExportFormat("XMLBIF", (".bifxml", ".xmlbif", ".xml"), "pyAgrum (as .bifxml only), pgmpy, Weka", None, xmlbif_text),
    ExportFormat("GeNIe XDSL", (".xdsl",), "GeNIe, SMILE, pgmpy", EXTRA, xdsl_text),
    ExportFormat("Hugin NET", (".net",), "Hugin, GeNIe, pyAgrum, pgmpy", EXTRA, net_text),
)
"""The formats :func:`export` writes, in the order ``--help`` lists them."""

_BY_SUFFIX = {suffix: fmt for fmt in EXPORT_FORMATS for suffix in fmt.suffixes}


def export_format(path: str | Path) -> ExportFormat:
    """The format a file name asks for, checked before anything is computed.

    Raises
    ------
    ParameterError
        An unknown suffix (the message lists the valid ones and the closest), or a folder.
    MissingDependencyError
        A format whose extra is not installed (the message names it).
    """
    suffix = check_suffix(path, _BY_SUFFIX, what="export")
    if Path(path).is_dir():
        raise ParameterError(f"{path}: is a directory, expected a file name for the export")
    fmt = _BY_SUFFIX[suffix]
    if fmt.extra == EXTRA:
        import_pyagrum()
    return fmt


def export(model: Model, path: str | Path) -> Path:
    """Write ``model``'s posterior-mean network to ``path``, in the format its suffix names.

    Parameters
    ----------
    model : Model
    path : str or pathlib.Path
        ``.bif`` (BIF), ``.bifxml`` (XMLBIF; ``.xmlbif`` and ``.xml`` too, but pyAgrum opens
        only ``.bifxml``), ``.xdsl`` (GeNIe) or ``.net`` (Hugin); the last two need pyAgrum
        (``pip install 'bayesnet[exports]'``). Parent folders are created; the file is
        written atomically, and the same model always gives the same bytes.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ParameterError
        An unknown suffix or a folder; nothing is computed or written.
    MissingDependencyError
        ``.xdsl`` or ``.net`` without pyAgrum; nothing is computed or written.
    ExportError
        A state name the formats cannot hold (nothing is written).

    Examples
    --------
    >>> import bayesnet
    >>> bayesnet.export(bayesnet.load(), "model.bifxml")  # doctest: +SKIP
    PosixPath('model.bifxml')
    """
    fmt = export_format(path)
    text = fmt.write(export_contents(model))
    return write_text_atomic(path, text)
