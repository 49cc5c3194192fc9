"""Exceptions raised by bayesnet.

Every error a user can cause names where and what: the file, the line or row, the field,
the bad value and, for unknown names, the closest known ones::

    BayesnetError
    ├── InputError                 bad files: codebook, evidence, settings, scenarios
    │   ├── FileFormatError        empty, not UTF-8, malformed YAML/CSV/XLSX
    │   ├── SchemaError            a field missing, of the wrong type or out of range
    │   ├── UnknownNodeError       a node id that is not in the codebook
    │   ├── UnknownStateError      a state that the node does not have
    │   ├── DuplicateIdError       the same id twice
    │   └── CycleError             a link that would close a cycle
    ├── QueryError                 a question the model cannot answer as asked
    │   └── ZeroProbabilityError   findings that cannot occur together
    ├── ParameterError             an option out of range (draws, HDI probability, seed ...)
    ├── EngineError                a network or CPTs the inference engine cannot use
    ├── OutputError                an output path that cannot be written
    ├── ExportError                a model a file format cannot hold as it is (state names)
    ├── MissingDependencyError     an optional package a feature needs is not installed
    └── UpdateError                an update that would lose or corrupt data

All of them subclass :class:`ValueError` as well, except :class:`UpdateError`,
:class:`OutputError` and :class:`MissingDependencyError` (an :class:`ImportError`), so
``except ValueError`` keeps working for callers that do not know this module.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

__all__ = [
    "BayesnetError",
    "CycleError",
    "DuplicateIdError",
    "EngineError",
    "ExportError",
    "FileFormatError",
    "InputError",
    "MissingDependencyError",
    "OutputError",
    "ParameterError",
    "QueryError",
    "SchemaError",
    "UnknownNodeError",
    "UnknownStateError",
    "UpdateError",
    "ZeroProbabilityError",
    "closest",
]


def closest(value: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Return up to ``n`` candidates closest to ``value`` (best first).

    Parameters
    ----------
    value : str
        The unknown name the user wrote.
    candidates : iterable of str
        The known names.
    n : int
        How many suggestions at most.

    Returns
    -------
    list of str
        Suggestions, possibly empty.
    """
    pool = sorted(set(candidates))
    found = difflib.get_close_matches(str(value), pool, n=n, cutoff=0.6)
    if not found:
        # Substring matches catch "communication" -> "interpersonal_communication".
        low = str(value).lower()
        found = [c for c in pool if low and (low in c.lower() or c.lower() in low)][:n]
    return found


class BayesnetError(Exception):
    """Base class of every error bayesnet raises on purpose."""


class InputError(BayesnetError, ValueError):
    """A problem in an input file or record.

    Attributes
    ----------
    path : str or None
        The file.
    line : int or None
        1-based line (YAML) or row (CSV/XLSX, the header being row 1).
    field : str or None
        The field, as a dotted path such as ``cmocs[2].mechanism``.
    value : Any
        The offending value.
    suggestions : list of str
        Closest valid names, best first.
    errors : list of InputError
        Every error found in the same read, in file order, this one first (readers collect
        them all: see :mod:`bayesnet.inputs.problems`); ``[self]`` when it is the only one.
        ``str(err)`` is this error's message and, when there are more, how many.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        value: Any = None,
        suggestions: Iterable[str] = (),
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.value = value
        self.suggestions = list(suggestions)
        self.reason = message
        self.errors: list[InputError] = [self]
        super().__init__(self._format())

    @property
    def message(self) -> str:
        """This error alone, located: ``path:line (field): reason; did you mean ...?``."""
        return self._format()

    def __str__(self) -> str:
        more = len(self.errors) - 1
        if more <= 0:
            return self._format()
        return (f"{self._format()} (and {more} more error{'s' if more > 1 else ''}: "
                "'bayesnet validate' lists every one)")

    def _format(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
        if self.field:
            where = f"{where} ({self.field})" if where else f"({self.field})"
        text = f"{where}: {self.reason}" if where else self.reason
        if self.suggestions:
            options = " or ".join(repr(s) for s in self.suggestions)
            text += f"; did you mean {options}?"
        return text


class FileFormatError(InputError):
    """A file that cannot be read as its format: empty, not UTF-8, malformed."""


class SchemaError(InputError):
    """A field missing, of the wrong type, or with a value outside its allowed set."""


class UnknownNodeError(InputError):
    """A node id that the codebook does not define."""


class UnknownStateError(InputError):
    """A state name that the node does not have."""


class DuplicateIdError(InputError):
    """The same id defined twice (node, source or scenario)."""


class CycleError(InputError):
    """A link that would close a cycle among same-time (lag 0) links.

    Attributes
    ----------
    cycle : list of str
        The node ids along the cycle, first node repeated at the end.
    """

    def __init__(self, message: str, *, cycle: list[str], **kwargs: Any) -> None:
        self.cycle = cycle
        super().__init__(message, **kwargs)


class QueryError(BayesnetError, ValueError):
    """A query that cannot be answered as asked (unknown names, contradictions)."""

    def __init__(self, message: str, *, suggestions: Iterable[str] = ()) -> None:
        self.suggestions = list(suggestions)
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)


class ZeroProbabilityError(QueryError):
    """Findings whose joint probability is zero under the model.

    Attributes
    ----------
    findings : dict
        The observed node -> state pairs.
    """

    def __init__(self, message: str, *, findings: dict[str, str] | None = None) -> None:
        self.findings = dict(findings or {})
        super().__init__(message)


class ParameterError(BayesnetError, ValueError):
    """An option out of its range, in scikit-learn's shape.

    Examples
    --------
    >>> str(ParameterError.out_of_range("hdi_prob", "query", "in (0, 1)", 1.5))
    "The 'hdi_prob' parameter of query must be in (0, 1). Got 1.5 instead."
    """

    @classmethod
    def out_of_range(cls, name: str, owner: str, constraint: str, got: Any) -> ParameterError:
        """Build the standard message for a parameter outside its constraint."""
        return cls(f"The {name!r} parameter of {owner} must be {constraint}. Got {got!r} instead.")


class EngineError(BayesnetError, ValueError):
    """A structure, CPT array or compiled query that does not fit: an unknown variable, a
    cycle, a wrong shape, a column that does not sum to one, a value out of range.

    Raised by :mod:`bayesnet.engine`, which speaks in variable names and state indices; a
    model built from valid files never causes one.
    """


class OutputError(BayesnetError):
    """An output path that cannot be written: a file where a folder is needed (or the
    reverse), a folder that does not exist or is not writable, an unknown file type, or a
    write the file system refused. Checked before any computation where possible."""


class ExportError(BayesnetError, ValueError):
    """A model that a file format cannot hold as it is, such as a state name the format does
    not allow (the message names the node, the value and the format), or a file written by
    an optional package in a form bayesnet does not know how to complete."""


class MissingDependencyError(BayesnetError, ImportError):
    """An optional package that a feature needs is not installed.

    Attributes
    ----------
    package : str
        The package to install.
    extra : str
        The bayesnet extra that installs it (``pip install 'bayesnet[EXTRA]'``).
    """

    def __init__(self, message: str, *, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(message, name=package)


class UpdateError(BayesnetError):
    """An update that was refused so that nothing is lost or corrupted."""
