"""Which sources a model is built from: one filter syntax for the API, the command line and reports.

A filter is a comma-separated list of terms ``KEY=VALUE``; a source is kept when it satisfies
every term (AND), and a term with several values separated by ``;`` is satisfied by any of
them (OR)::

    kind=included_study                       the review's included studies only
    exclude_kind=review_synthesis             everything but the review's own uncited statements
    type=merger;integrated_care               collaboration types (none: sources without one)
    exclude_type=none
    year=2010-2018   year=2010-   year=-2015   year=2016
    ids=S55;S76                               an explicit list
    exclude_ids=S0;S18

``kind=included_study,type=merger`` keeps the included studies of mergers. A year term leaves
out the sources that give no year. :func:`parse_sources` is the one parser;
:func:`bayesnet.build.model.select_sources` builds the model of the matching sources.

A link that no kept source states leaves the link table (no source, no link), exactly as if
the files of the other sources had never been in the folder: its child loses that cause and,
with no cause left, becomes a root whose level follows the base-rate prior.
:class:`SourceSelection` names those links. A filter that keeps no source is refused, naming
the values the other terms would leave.

Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from bayesnet.build.graph import row_link_name
from bayesnet.errors import QueryError, closest
from bayesnet.inputs.evidence import COLLABORATION_TYPES, SOURCE_KINDS, Evidence, Source

__all__ = [
    "FILTER_KEYS",
    "NO_TYPE",
    "SourceFilter",
    "SourceSelection",
    "dropped_links",
    "parse_sources",
    "reference_order",
]

FILTER_KEYS: Mapping[str, str] = {
    "kind": f"source kinds kept ({', '.join(SOURCE_KINDS)})",
    "exclude_kind": "source kinds left out",
    "type": "collaboration types kept (none: sources that state no type)",
    "exclude_type": "collaboration types left out",
    "year": "years kept: FROM-TO, FROM-, -TO or one year (sources without a year are left out)",
    "ids": "source ids kept",
    "exclude_ids": "source ids left out",
}
"""Every key of the filter syntax, with what it selects."""

NO_TYPE = "none"
"""The value of ``type=`` that stands for a source stating no collaboration type."""

_TYPES = (*COLLABORATION_TYPES, NO_TYPE)
_SHOWN = 10
"""Ids an error message lists before saying how many more there are."""
_ALLOWED: Mapping[str, tuple[str, ...]] = {"kind": SOURCE_KINDS, "exclude_kind": SOURCE_KINDS, "type": _TYPES,
                                           "exclude_type": _TYPES}


@dataclass(frozen=True)
class _Term:
    key: str
    values: tuple[str, ...]
    years: tuple[int | None, int | None] = (None, None)

    @property
    def text(self) -> str:
        return f"{self.key}={';'.join(self.values)}"

    def field(self, src: Source) -> str | None:
        """The value of the source this term reads, as text."""
        if self.key in ("kind", "exclude_kind"):
            return src.kind
        if self.key in ("type", "exclude_type"):
            return src.collaboration_type or NO_TYPE
        if self.key == "year":
            return None if src.year is None else str(src.year)
        return src.id

    def matches(self, src: Source) -> bool:
        value = self.field(src)
        if self.key == "year":
            low, high = self.years
            return src.year is not None and (low is None or src.year >= low) and (high is None or src.year <= high)
        inside = value in self.values
        return not inside if self.key.startswith("exclude_") else inside


@dataclass(frozen=True)
class SourceFilter:
    """A parsed source filter: terms that must all hold.

    Build with :func:`parse_sources`. ``str(f)`` is its canonical text (the terms in the order
    given), which parses back to the same filter.
    """

    terms: tuple[_Term, ...]

    @property
    def text(self) -> str:
        """The filter as written in the one syntax, e.g. ``kind=included_study,type=merger``."""
        return ",".join(t.text for t in self.terms)

    def __str__(self) -> str:
        return self.text

    def matches(self, src: Source) -> bool:
        """Whether ``src`` satisfies every term."""
        return all(t.matches(src) for t in self.terms)

    def select(self, evidence: Evidence) -> Evidence:
        """The sources of ``evidence`` the filter keeps.

        Raises
        ------
        QueryError
            An id the evidence does not hold (with the closest ids), or no source kept (with
            the values the other terms leave for each term).
        """
        for term in self.terms:
            if term.key in ("ids", "exclude_ids"):
                for sid in term.values:
                    if sid not in evidence:
                        raise QueryError(f"the source filter {self.text!r} names source {sid!r}, which the model "
                                         "does not hold", suggestions=closest(sid, evidence.ids))
        kept = [s for s in evidence if self.matches(s)]
        if not kept:
            raise QueryError(f"no source matches the source filter {self.text!r}; {self._near(evidence)}")
        return Evidence(kept)

    def _near(self, evidence: Evidence) -> str:
        """For each term, the values among the sources that satisfy every other term."""
        parts = []
        for term in self.terms:
            others = [s for s in evidence if all(t.matches(s) for t in self.terms if t is not term)]
            if not others:
                continue
            found = Counter(term.field(s) for s in others)
            head = f"without {term.text} it would keep {len(others)} source{'s' if len(others) != 1 else ''}"
            if term.key == "year":
                years = sorted(int(y) for y in found if y is not None)
                shown = f"{years[0]}-{years[-1]}" if years else "none given"
                parts.append(f"{head}, of years {shown}")
            elif term.key in ("ids", "exclude_ids"):
                ids = sorted((v for v in found if v is not None), key=reference_order)
                more = f", ... ({len(ids) - _SHOWN} more)" if len(ids) > _SHOWN else ""
                parts.append(f"{head}: {', '.join(ids[:_SHOWN])}{more}")
            else:
                listed = ", ".join(f"{v} ({n})" for v, n in sorted(found.items(), key=lambda kv: str(kv[0])))
                parts.append(f"{head}, of {term.key.removeprefix('exclude_')} {listed}")
        return "; ".join(parts) if parts else "no term keeps any source even alone"

    def __and__(self, other: SourceFilter) -> SourceFilter:
        return SourceFilter(self.terms + other.terms)


def _fail(text: str, why: str, suggestions: Iterable[str] = ()) -> QueryError:
    return QueryError(f"source filter {text!r}: {why}", suggestions=suggestions)


def _years(text: str, value: str) -> tuple[int | None, int | None]:
    low, sep, high = value.partition("-")
    try:
        lo = int(low) if low.strip() else None
        hi = (int(high) if high.strip() else None) if sep else lo
    except ValueError:
        raise _fail(text, f"expected year=FROM-TO, FROM-, -TO or one year, found year={value}") from None
    if lo is None and hi is None:
        raise _fail(text, "year= needs at least one end, e.g. year=2010-2018")
    if lo is not None and hi is not None and lo > hi:
        raise _fail(text, f"the years run from {lo} to {hi}: the first must not be after the second")
    return (lo, hi)


def parse_sources(sources: str | SourceFilter) -> SourceFilter:
    """Parse a source filter (or return one already parsed).

    Parameters
    ----------
    sources : str or SourceFilter
        ``KEY=VALUE[;VALUE...]`` terms separated by commas; keys in :data:`FILTER_KEYS`.

    Returns
    -------
    SourceFilter

    Raises
    ------
    QueryError
        An empty filter, a term without ``=``, an unknown key, kind or collaboration type
        (with the closest names), a malformed year range.

    Examples
    --------
    >>> str(parse_sources("kind=included_study, type=merger;alliance"))
    'kind=included_study,type=merger;alliance'
    """
    if isinstance(sources, SourceFilter):
        return sources
    if not isinstance(sources, str):
        raise QueryError(f"a source filter is text such as 'kind=included_study'; got {sources!r}")
    text = sources.strip()
    if not text:
        raise QueryError("the source filter is empty; give terms such as 'kind=included_study' or 'year=2010-2018'")
    terms = []
    for raw in text.split(","):
        part = raw.strip()
        key, sep, value = (s.strip() for s in part.partition("="))
        if not sep or not key:
            raise _fail(text, f"expected KEY=VALUE, found {part!r}; keys: {', '.join(FILTER_KEYS)}")
        if key not in FILTER_KEYS:
            raise _fail(text, f"unknown key {key!r}; keys: {', '.join(FILTER_KEYS)}", closest(key, FILTER_KEYS))
        values = tuple(v.strip() for v in value.split(";"))
        if not all(values):
            raise _fail(text, f"{key}= needs values separated by ';', found {key}={value!r}")
        years: tuple[int | None, int | None] = (None, None)
        if key == "year":
            if len(values) != 1:
                raise _fail(text, f"give one year range, found year={value}")
            years = _years(text, values[0])
        allowed = _ALLOWED.get(key, ())
        for v in values if allowed else ():
            if v not in allowed:
                what = key.removeprefix("exclude_")
                raise _fail(text, f"unknown {what} {v!r}; one of {', '.join(allowed)}", closest(v, allowed))
        terms.append(_Term(key, values, years))
    return SourceFilter(tuple(terms))


@dataclass(frozen=True)
class SourceSelection:
    """How a model was narrowed to some of its sources.

    Attributes
    ----------
    filter : SourceFilter
    kept, left_out : tuple of str
        Source ids.
    dropped_links : tuple of str
        Links (written as :func:`bayesnet.build.graph.link_name` writes them) that only left-out
        sources state: they are not in the filtered model.
    """

    filter: SourceFilter
    kept: tuple[str, ...]
    left_out: tuple[str, ...]
    dropped_links: tuple[str, ...]

    def describe(self) -> str:
        """``sources kind=included_study (51 of 65; 33 links no kept source states dropped)``."""
        n = len(self.kept) + len(self.left_out)
        dropped = len(self.dropped_links)
        tail = f"; {dropped} link{'s' if dropped != 1 else ''} no kept source states dropped" if dropped else ""
        return f"sources {self.filter.text} ({len(self.kept)} of {n}{tail})"

    def to_dict(self) -> dict[str, object]:
        """Plain-data form."""
        return {"filter": self.filter.text, "kept": list(self.kept), "left_out": list(self.left_out),
                "dropped_links": list(self.dropped_links)}


def dropped_links(before: pd.DataFrame, after: pd.DataFrame) -> tuple[str, ...]:
    """Names of the links of the link table ``before`` that the table ``after`` does not hold."""

    def names(links: pd.DataFrame) -> dict[tuple[Any, ...], str]:
        out = {}
        for row in links.to_dict(orient="records"):
            key = tuple(row.get(c) if isinstance(row.get(c), str) else None
                        for c in ("from", "to", "when_node", "when_state", "from_state", "and_node", "and_state"))
            out[(*key, int(row["lag"]))] = row_link_name(row)
        return out

    kept = names(after)
    return tuple(name for key, name in names(before).items() if key not in kept)


def reference_order(source_id: str) -> tuple[int, str]:
    """Sort key of a source id by its reference number (``S9`` before ``S10``)."""
    digits = "".join(ch for ch in source_id if ch.isdigit())
    return (int(digits) if digits else 10**9, source_id)
