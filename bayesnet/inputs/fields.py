"""Typed access to the fields of a parsed record, with errors that say where.

A :class:`Record` wraps one mapping read from YAML (with line numbers) or one spreadsheet
row, the file it came from and the dotted path of the mapping inside the file. Each getter
checks one field and raises :class:`~bayesnet.errors.SchemaError` naming file, line, field
and value. Pure: no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from bayesnet.errors import SchemaError, closest
from bayesnet.inputs.limits import MAX_ID_CHARS
from bayesnet.inputs.problems import Problems

__all__ = ["SNAKE_CASE", "Record", "shown"]

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


def shown(value: Any, word: str | None = None) -> str:
    """``value`` as a message shows it: a YAML boolean as the word the file holds, with a hint.

    Parameters
    ----------
    value : Any
        The value as read.
    word : str, optional
        The text YAML read as ``value`` (``yes`` for True), when known.
    """
    if isinstance(value, bool):
        text = word if word is not None else str(value).lower()
        return (f"{text} (YAML reads an unquoted yes, no, on, off, true or false as true or false; "
                f"write '{text}' in quotes if you mean the word)")
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class Record:
    """One mapping of an input file with its location.

    Parameters
    ----------
    data : Mapping
        The parsed mapping (a :class:`~bayesnet.inputs.yamlio.LineDict` for YAML).
    path : str
        File it came from.
    prefix : str
        Dotted path of this mapping inside the file, e.g. ``cmocs[2]``.
    line : int or None
        Line or row of the mapping when ``data`` carries no per-key lines (spreadsheets).
    """

    data: Mapping[str, Any]
    path: str
    prefix: str = ""
    line: int | None = None

    def field_name(self, key: str) -> str:
        """Dotted name of ``key`` in the file."""
        return f"{self.prefix}.{key}" if self.prefix else key

    def line_of(self, key: str | None = None) -> int | None:
        """Line of ``key`` (or of the record) in the file."""
        line_of = getattr(self.data, "line_of", None)
        if line_of is not None:
            return int(line_of(key)) if key is not None else int(self.data.line)  # type: ignore[attr-defined]
        return self.line

    def error(self, key: str | None, message: str, value: Any = None, suggestions: Iterable[str] = ()) -> SchemaError:
        """A :class:`SchemaError` located at ``key`` (to raise, or to collect)."""
        return SchemaError(
            message,
            path=self.path,
            line=self.line_of(key),
            field=self.field_name(key) if key else (self.prefix or None),
            value=value,
            suggestions=suggestions,
        )

    def fail(self, key: str | None, message: str, value: Any = None, suggestions: Iterable[str] = ()) -> NoReturn:
        """Raise a :class:`SchemaError` located at ``key``."""
        raise self.error(key, message, value, suggestions)

    def check_keys(self, allowed: Iterable[str]) -> None:
        """Refuse keys outside ``allowed`` (every one of them, in one error that carries the
        others), suggesting the closest allowed one."""
        allowed = list(allowed)
        log = Problems()
        for key in self.data:
            if key not in allowed:
                log.add(self.error(key, f"unknown field {key!r}", key, closest(str(key), allowed)))
        log.raise_any()

    def has(self, key: str) -> bool:
        """True when ``key`` is present and not empty."""
        value = self.data.get(key)
        return value is not None and value != ""

    def raw(self, key: str) -> Any:
        """The value as read, or None."""
        return self.data.get(key)

    def shown(self, key: str) -> str:
        """The value of ``key`` as a message shows it (see :func:`shown`)."""
        word_of = getattr(self.data, "word_of", None)
        return shown(self.data.get(key), word_of(key) if word_of is not None else None)

    def text(self, key: str, *, required: bool = True) -> str | None:
        """A non-empty string field."""
        if not self.has(key):
            if required:
                self.fail(key, f"missing required field {key!r}")
            return None
        value = self.data[key]
        if isinstance(value, bool):
            self.fail(key, f"expected text, found {self.shown(key)}", value)
        if not isinstance(value, str | int | float):
            self.fail(key, f"expected text, found {type(value).__name__}", value)
        return str(value).strip()

    def ident(self, key: str, *, required: bool = True) -> str | None:
        """A snake_case identifier."""
        value = self.text(key, required=required)
        if value is not None and len(value) > MAX_ID_CHARS:
            self.fail(key, f"id {shown(value)} is {len(value)} characters long; ids are at most {MAX_ID_CHARS} "
                      "(MAX_ID_CHARS)", value)
        if value is not None and not SNAKE_CASE.match(value):
            self.fail(key, f"{value!r} is not a snake_case id (lower case, digits, underscores)", value)
        return value

    def choice(self, key: str, options: Iterable[str], *, required: bool = True) -> str | None:
        """A string that must be one of ``options``."""
        options = list(options)
        value = self.text(key, required=required)
        if value is not None and value not in options:
            self.fail(
                key,
                f"unknown value {value!r}; expected one of {', '.join(options)}",
                value,
                closest(value, options),
            )
        return value

    def integer(
        self, key: str, *, required: bool = True, low: int | None = None, high: int | None = None
    ) -> int | None:
        """An integer field, optionally bounded (inclusive)."""
        if not self.has(key):
            if required:
                self.fail(key, f"missing required field {key!r}")
            return None
        value = self.data[key]
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                self.fail(key, f"expected an integer, found {shown(value)}", value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"expected an integer, found {shown(value)}", value)
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.fail(key, f"expected an integer {bounds}, found {value}", value)
        return value

    def number(
        self,
        key: str,
        *,
        required: bool = True,
        low: float | None = None,
        high: float | None = None,
        open_low: bool = False,
        open_high: bool = False,
    ) -> float | None:
        """A real number, optionally bounded."""
        if not self.has(key):
            if required:
                self.fail(key, f"missing required field {key!r}")
            return None
        value = self.data[key]
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                self.fail(key, f"expected a number, found {shown(value)}", value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"expected a number, found {shown(value)}", value)
        value = float(value)
        if math.isnan(value):
            self.fail(key, "expected a number, found NaN", value)
        too_low = low is not None and (value <= low if open_low else value < low)
        too_high = high is not None and (value >= high if open_high else value > high)
        if too_low or too_high:
            lo = "(" if open_low else "["
            hi = ")" if open_high else "]"
            self.fail(key, f"expected a number in {lo}{low}, {high}{hi}, found {value}", value)
        return value

    def boolean(self, key: str, *, required: bool = True) -> bool | None:
        """A true/false field (YAML booleans, or 'true'/'false' in a sheet)."""
        if not self.has(key):
            if required:
                self.fail(key, f"missing required field {key!r}")
            return None
        value = self.data[key]
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            return value.strip().lower() == "true"
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, found {value!r}", value)
        return value

    def mapping(self, key: str, *, required: bool = True) -> Mapping[str, Any] | None:
        """A nested mapping."""
        if not self.has(key):
            if required:
                self.fail(key, f"missing required field {key!r}")
            return None
        value = self.data[key]
        if not isinstance(value, Mapping):
            self.fail(key, f"expected a mapping, found {type(value).__name__}", value)
        return value

    def sequence(self, key: str, *, required: bool = True) -> list[Any] | None:
        """A list field (an empty list is allowed when present)."""
        if key not in self.data or self.data[key] is None:
            if required:
                self.fail(key, f"missing required field {key!r}")
            return None
        value = self.data[key]
        if not isinstance(value, list):
            self.fail(key, f"expected a list, found {type(value).__name__}", value)
        return value

    def child(self, key: str, index: int | None = None) -> Record:
        """The nested mapping at ``key`` (or ``key[index]``) as a Record."""
        value = self.data[key] if index is None else self.data[key][index]
        name = self.field_name(key) + (f"[{index}]" if index is not None else "")
        if not isinstance(value, Mapping):
            self.fail(key, f"{name} must be a mapping, found {type(value).__name__}", value)
        return Record(value, self.path, name, self.line)
