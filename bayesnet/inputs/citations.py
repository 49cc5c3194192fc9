"""How every surface cites a source: first author and year, the full citation beside it.

A source's id (``S44``) is the review's reference number; a reader wants the work. Pure:
:func:`short_citation` reads the first author off the citation as the evidence file gives
it (Vancouver style, as the review's reference list writes it: ``Surname AB, Surname C.
Title...``, or an organisation as author) and adds the source's ``year``; :func:`cite_sources`
does it for every source of a model and tells apart two works with the same short form by a
letter after the year (``2021a``, ``2021b``), in the order of their reference numbers. The
review's own statements (``S0``) are cited as ``the review (Aunger et al. 2021)``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bayesnet.inputs.evidence import Source

__all__ = ["Citation", "cite_sources", "short_citation", "sorted_citations", "where"]

_MAX_AUTHOR = 50
"""Characters of an organisation's name kept in a short citation."""
_INITIALS = re.compile(r"^[A-Z\u00c0-\u00de][A-Z\u00c0-\u00de-]{0,3}$")
"""A Vancouver-style author's initials: ``J``, ``JA``, ``B-S``."""


@dataclass(frozen=True)
class Citation:
    """A source as the report cites it.

    Attributes
    ----------
    id : str
        ``S44``.
    short : str
        ``Foundation Trust Network 2014``, ``Aunger et al. 2021a``.
    full : str
        The citation as the evidence file gives it.
    reference : int
        The review's reference number (0: the review itself).
    kind : str
        ``included_study``, ``supporting_source`` or ``review_synthesis``.
    """

    id: str
    short: str
    full: str
    reference: int
    kind: str


def _surname(author: str) -> str:
    """``Aunger JA`` -> ``Aunger``; an organisation stays whole."""
    words = author.split()
    if len(words) > 1 and _INITIALS.match(words[-1]):
        return " ".join(words[:-1])
    return author


def _authors(citation: str) -> list[str]:
    """The authors before the title: the text up to the first full stop that ends a word."""
    head = re.split(r"(?<=\w)\.(?:\s|$)", citation.strip(), maxsplit=1)[0]
    return [a.strip() for a in head.split(",") if a.strip()]


def short_citation(citation: str, year: int | None) -> str:
    """``Aunger et al. 2021``, ``Vangen and Huxham 2003``, ``Lim 2014``, ``NHS England 2019``.

    Parameters
    ----------
    citation : str
        The full citation, authors first.
    year : int or None
        ``n.d.`` when missing.
    """
    authors = _authors(citation) or [citation.strip()]
    more = len(authors) > 2 or any(a.lower().startswith("et al") for a in authors)
    names = [_surname(a) for a in authors[:2] if not a.lower().startswith("et al")]
    if more:
        who = f"{names[0]} et al."
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = names[0]
    if len(who) > _MAX_AUTHOR:
        who = who[: _MAX_AUTHOR - 1].rstrip() + "\u2026"
    return f"{who} {year if year is not None else 'n.d.'}"


def cite_sources(sources: Iterable[Source]) -> dict[str, Citation]:
    """Every source's :class:`Citation`, by id; equal short forms get ``a``, ``b``, ...

    Parameters
    ----------
    sources : iterable of Source
        A model's :class:`~bayesnet.inputs.evidence.Evidence`, or its sources.
    """
    ordered = sorted(sources, key=lambda s: (s.reference, s.id))
    shorts = {s.id: short_citation(s.citation, s.year) for s in ordered}
    counts = Counter(shorts[s.id] for s in ordered if s.kind != "review_synthesis")
    seen: Counter[str] = Counter()
    out = {}
    for s in ordered:
        short = shorts[s.id]
        if s.kind == "review_synthesis":
            short = f"the review ({short})"
        elif counts[short] > 1:
            seen[short] += 1
            n = seen[short]
            short += "abcdefghijklmnopqrstuvwxyz"[n - 1] if n <= 26 else f"-{n}"
        out[s.id] = Citation(s.id, short, s.citation, s.reference, s.kind)
    return out


def sorted_citations(ids: Iterable[str], citations: Mapping[str, Citation]) -> list[Citation]:
    """The citations of ``ids`` as a list of sources orders them: the review first, then by
    short citation (ids without a citation are left out)."""
    known = {i: citations[i] for i in ids if i in citations}
    return sorted(known.values(), key=lambda c: (c.kind != "review_synthesis", c.short.lower(), c.reference))


def where(citation: Citation) -> str:
    """Where a source sits in the review and in the model's files: ``reference 44 of the
    review; evidence file S44``."""
    if citation.kind == "review_synthesis":
        return f"the review's own statements; evidence file {citation.id}"
    return f"reference {citation.reference} of the review; evidence file {citation.id}"
