"""A result as a notebook shows it: a card with a title, the headline in words, tables, a note.

Every result type's ``_repr_html_`` builds a :class:`Card`: the headline first (the number
and its interval in the words a planner reads), then compact tables with labels rather than
ids, numbers rounded to what the evidence supports (three decimals), and long tables cut to
their first rows with the count of the rest. All text is HTML-escaped: a label can never
become markup.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Card", "draws_note", "interval_text", "probability_text"]

MAX_ROWS = 12
"""Rows a card shows of a table before it says how many more there are."""

_STYLE = (
    "<style>"
    ".bayesnet-card{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60em;margin:.4em 0}"
    ".bayesnet-card .bn-title{color:#555;font-size:.92em}"
    ".bayesnet-card .bn-headline{font-size:1.18em;margin:.15em 0 .45em 0}"
    ".bayesnet-card table{border-collapse:collapse;font-size:.9em;margin:.2em 0 .5em 0}"
    ".bayesnet-card th,.bayesnet-card td{padding:.15em .6em;text-align:left;border-bottom:1px solid #e4e4e4;"
    "vertical-align:top}"
    ".bayesnet-card td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".bayesnet-card caption{text-align:left;font-weight:600;padding:.3em 0}"
    ".bayesnet-card .bn-note{color:#666;font-size:.85em}"
    "</style>"
)


def probability_text(p: float) -> str:
    """``0.623`` (three decimals), or ``n/a`` for a missing value."""
    return "n/a" if _missing(p) else f"{p:.3f}"


def interval_text(mean: float, low: float, high: float, *, hdi_prob: float | None = None, signed: bool = False) -> str:
    """``0.623 (94% interval 0.581 to 0.664)``; the interval is left out when it is missing.

    Parameters
    ----------
    signed : bool
        Write a difference: ``+0.041 (94% interval -0.002 to +0.083)``.
    """
    spec = "+.3f" if signed else ".3f"
    text = "n/a" if _missing(mean) else format(mean, spec)
    if _missing(low) or _missing(high):
        return text
    mass = f"{hdi_prob:.0%} " if hdi_prob is not None else ""
    return f"{text} ({mass}interval {format(low, spec)} to {format(high, spec)})"


def draws_note(n_draws: int, hdi_prob: float | None, seed: int | None = None) -> str:
    """What the numbers are: ``Means and 94% highest-density intervals over 4000 posterior
    draws (seed 20210602).``, or that there are no draws."""
    if not n_draws or hdi_prob is None:
        return "The posterior-mean network's answers (no draws, so no intervals)."
    seeded = f" (seed {seed})" if seed is not None else ""
    return f"Means and {hdi_prob:.0%} highest-density intervals over {n_draws} posterior draws{seeded}."


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _numeric(value: object) -> str:
    """The class of a number's cell (right-aligned), or nothing for text."""
    return ' class="n"' if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _cell(value: object, spec: str | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _missing(value):
            return ""
        if spec is not None:
            return format(value, spec)
        return f"{value:.3f}" if isinstance(value, float) else str(value)
    if value is None or value is pd.NA:
        return ""
    return str(value)


@dataclass(frozen=True)
class Card:
    """What a notebook shows for a result.

    Attributes
    ----------
    title : str
        What was asked, e.g. ``P(Collaborative behaviour = collaborative | ...)``.
    headline : str
        The answer in words, one sentence.
    tables : sequence of (caption, DataFrame)
        Shown in order; the index is shown as the first column (labels, not ids).
    note : str
        What the numbers are (draws, interval mass), in small print.
    formats : mapping
        Column -> format spec (``"+.3f"``, ``".0%"``); other floats get three decimals.
    max_rows : int
        Rows shown per table.
    """

    title: str
    headline: str
    tables: Sequence[tuple[str, pd.DataFrame]] = ()
    note: str = ""
    formats: Mapping[str, str] = field(default_factory=dict)
    max_rows: int = MAX_ROWS

    def table_html(self, caption: str, frame: pd.DataFrame) -> str:
        """One table: escaped, formatted, cut to :attr:`max_rows`."""
        shown = frame.head(self.max_rows)
        names = [str(n) for n in shown.index.names if n is not None]
        head = "".join(f"<th>{html.escape(n)}</th>" for n in (names or [""]))
        head += "".join(f"<th>{html.escape(str(c).replace('_', ' '))}</th>" for c in shown.columns)
        rows = []
        for key, row in shown.iterrows():
            keys = key if isinstance(key, tuple) else (key,)
            cells = "".join(f"<td>{html.escape(str(k))}</td>" for k in keys)
            cells += "".join(f"<td{_numeric(v)}>{html.escape(_cell(v, self.formats.get(str(c))))}</td>"
                             for c, v in row.items())
            rows.append(f"<tr>{cells}</tr>")
        more = len(frame) - len(shown)
        if more > 0:
            width = len(shown.columns) + max(len(names), 1)
            rows.append(f'<tr><td colspan="{width}" class="bn-note">... and {more} more (see the full frame)</td></tr>')
        cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

    def to_html(self) -> str:
        """The card as an HTML fragment (with its own scoped style)."""
        parts = [
            _STYLE,
            '<div class="bayesnet-card">',
            f'<div class="bn-title">{html.escape(self.title)}</div>',
            f'<div class="bn-headline">{html.escape(self.headline)}</div>',
            *(self.table_html(caption, frame) for caption, frame in self.tables),
        ]
        if self.note:
            parts.append(f'<div class="bn-note">{html.escape(self.note)}</div>')
        parts.append("</div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()
