"""The report's tables as the pages show them: labels, not ids; each number with its interval
in one cell; the columns a reader needs to act; the longest tables cut to their first rows.

Pure. Every view is made from the same frame that is written as CSV
(:func:`bayesnet.report.tables.all_tables`), which keeps every column, the ids and full
precision; a view only chooses, joins and rounds. Its cells are text, except the sources of
a link, which are :class:`Cited` so that each page can cite them its own way (the HTML page
with the full citation on hover and a link to the list of sources).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from bayesnet.report.data import ReportData
from bayesnet.report.tables import TABLES

__all__ = ["EXPLAIN", "MAX_ROWS", "Cited", "View", "cited_sources", "number", "share", "situation_view", "span",
           "table_views"]

MAX_ROWS = 25
"""Rows a page shows of a table; the rest are in its CSV file."""


EXPLAIN = {
    "tornado": "Each row sets one context or mechanism to each of its states (an intervention), everything "
               "else as in the situation. The bar runs from the probability at the state that gives the lowest "
               "to the one that gives the highest, each with its interval; the swing is the difference, with "
               "its paired interval, and 'same direction in' the share of draws in which the second state "
               "does give the higher probability. Levers are contexts people can change; givens cannot be "
               "changed.",
    "levers": "Each lever the situation leaves free, set to the state that raises the probability most: the "
              "gain over this situation is paired over the draws. Levers with the same gain share a rank.",
    "lever_set": "The best sets found on the posterior-mean network, each then evaluated over every draw: "
                 "'best in' is the share of draws in which the set beats the others listed. Sets with the same "
                 "gain share a rank and are marked tied.",
    "givens": "Contexts nobody in the collaboration can change. Observed ones are shown with the probability "
              "had they been otherwise: they explain the situation and are not advice.",
    "findings": "How much observing each node would tell about the target (Netica's sensitivity to "
                "findings): mutual information in bits, and the reduction in the variance of the target's "
                "state.",
    "evidence": "For every coded link: its sources, P(direction) (the probability it acts the way its sources "
                "say), its mean strength, and what one more study of it is worth: the answer's posterior sd "
                "expected after the study, averaged over what it could report (support, contradiction or "
                "nothing), and, where shown, the probability it would change the best set of levers.",
    "scenarios": "The same probability under each collaboration type, on the same draws, with the paired "
                 "difference from this report's situation and the share of draws in which it is higher.",
    "studies": "Each source left out in turn, exactly (the model rebuilt without it, over the same posterior "
               "draws): the probability without it and the change from now, largest first; only sources that "
               "change the answer are listed. 'Links it alone states' leave the model with it. 'Best set still "
               "raises it in' is the share of draws in which the best set of levers still raises the answer "
               "without the source.",
    "robustness": "The same question under other settings of the model (source-kind weights, the largest "
                  "effect of a link, the direction and strength priors, the spread of uncoded causes, the "
                  "weight model), over the same draws; row 0 is the model's own settings. 'Holds': the best set "
                  "of levers still raises the answer on average.",
}
"""What each table shows, in a sentence or three."""

@dataclass(frozen=True)
class Cited:
    """The sources of a link, by id, in a table cell."""

    ids: tuple[str, ...]


@dataclass(frozen=True)
class View:
    """One table as a page shows it.

    Attributes
    ----------
    name : str
        The table's name (its CSV file is ``<name>.csv``).
    title : str
    frame : pandas.DataFrame
        Text cells (and :class:`Cited` ones), headings in words.
    numeric : frozenset of str
        Columns of numbers (right-aligned).
    total : int
        Rows of the full table (in the CSV file).
    """

    name: str
    title: str
    frame: pd.DataFrame
    numeric: frozenset[str]
    total: int

    @property
    def more(self) -> int:
        """Rows left out of the page (they are in the CSV file)."""
        return self.total - len(self.frame)


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def number(x: Any, digits: int = 3, *, signed: bool = False) -> str:
    """``0.356``, ``+0.044``; empty for a missing value."""
    if _missing(x):
        return ""
    return format(float(x), f"{'+' if signed else ''}.{digits}f")


def span(mean: object, low: object, high: object, *, signed: bool = False) -> str:
    """``0.356 (0.219 to 0.502)``: a mean and its interval in one cell."""
    text = number(mean, signed=signed)
    if _missing(low) or _missing(high):
        return text
    return f"{text} ({number(low, signed=signed)} to {number(high, signed=signed)})"


def share(x: Any) -> str:
    """``97%``: a share of draws, never rounded to 0% or 100% unless it is exactly that
    (``over 99%``, ``under 1%``)."""
    if _missing(x):
        return ""
    p = float(x)
    if 0.995 <= p < 1.0:
        return "over 99%"
    if 0.0 < p < 0.005:
        return "under 1%"
    return f"{p:.0%}"


def _tied(x: object) -> str:
    return "tied" if bool(x) else ""


def _frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def _tornado(data: ReportData, t: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    hdi = f"{data.settings['hdi_prob']:.0%}"
    cols = ["#", "Node", "Role", "Set from \u2192 to", f"P at the first ({hdi} interval)",
            f"P at the second ({hdi} interval)", "Swing", "Same direction in"]
    rows = [dict(zip(cols, [
        str(r["rank"]), r["label"], r["role"], f"{r['low_state']} \u2192 {r['high_state']}",
        span(r["p_low_state"], r["p_low_state_low"], r["p_low_state_high"]),
        span(r["p_high_state"], r["p_high_state_low"], r["p_high_state_high"]),
        span(r["swing"], r["swing_low"], r["swing_high"]), share(r["p_same_direction"]),
    ], strict=True)) for _, r in t.iterrows()]
    return _frame(rows, cols), {"#", cols[4], cols[5], "Swing", "Same direction in"}


def _levers(data: ReportData, t: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    hdi = f"{data.settings['hdi_prob']:.0%}"
    cols = ["#", "Lever", "Best state", "P with it", f"Gain ({hdi} interval)", "Raises it in", "Tied"]
    rows = [dict(zip(cols, [
        str(r["rank"]), r["label"], r["state"], number(r["probability"]),
        span(r["gain"], r["low"], r["high"], signed=True), share(r["p_improves"]), _tied(r["tied"]),
    ], strict=True)) for _, r in t.iterrows()]
    return _frame(rows, cols), {"#", "P with it", cols[4], "Raises it in"}


def _lever_set(data: ReportData, t: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    hdi = f"{data.settings['hdi_prob']:.0%}"
    cols = ["#", "Set of levers", "P with the set", f"Gain ({hdi} interval)", "Raises it in", "Best in", "Tied"]
    rows = [dict(zip(cols, [
        str(r["rank"]), r["label"], number(r["probability"]), span(r["gain"], r["low"], r["high"], signed=True),
        share(r["p_improves"]), share(r["p_best"]), _tied(r["tied"]),
    ], strict=True)) for _, r in t.iterrows()]
    return _frame(rows, cols), {"#", "P with the set", cols[3], "Raises it in", "Best in"}


def _givens(data: ReportData, t: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    cols = ["Context", "Status", "State", "Other state", "P with the other", "Effect of the other", "Swing"]
    rows = [dict(zip(cols, [
        r["label"], r["status"], "" if _missing(r["state"]) else r["state"],
        "" if _missing(r["other_state"]) else r["other_state"], number(r["p_other"]),
        number(r["effect"], signed=True), number(r["swing"]),
    ], strict=True)) for _, r in t.iterrows()]
    return _frame(rows, cols), {"P with the other", "Effect of the other", "Swing"}


def _findings(data: ReportData, t: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    cols = ["#", "Node", "Role", "Mutual information (bits)", "Share of the target's entropy",
            "Variance reduction", "Share of its variance", "P over the node's states"]
    rows = [dict(zip(cols, [
        str(r["rank"]), r["label"], r["role"], number(r["mutual_info"], 4), f"{number(r['mi_percent'], 1)}%",
        number(r["variance_reduction"], 6), f"{number(r['vr_percent'], 1)}%",
        f"{number(r['p_min'])} to {number(r['p_max'])}",
    ], strict=True)) for _, r in t.iterrows()]
    return _frame(rows, cols), set(cols[3:])


def _evidence(data: ReportData, t: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    sd = data.evidence.sd
    cols = ["#", "Link", "Sources", "For / against", "P(direction)", "Strength",
            f"Sd after one more study (now {sd:.4f})"]
    changes = "p_changes_conclusion" in t
    if changes:
        cols.append("P(it changes the best set)")
    rows = []
    for _, r in t.iterrows():
        ids = tuple(i for i in str(r["support_ids"]).split(";") if i)
        row = [str(r["rank"]), r["label"], Cited(ids), f"{r['n_support']} / {r['n_contradict']}",
               number(r["p_direction"]), number(r["strength"]), number(r["sd_after"], 4)]
        if changes:
            row.append(share(r["p_changes_conclusion"]))
        rows.append(dict(zip(cols, row, strict=True)))
    return _frame(rows, cols), {"#", "For / against", "P(direction)", "Strength", cols[6], *cols[7:]}


def _scenarios(data: ReportData, t: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    hdi = f"{data.settings['hdi_prob']:.0%}"
    mine = data.question.situation.scenario or "(none)"
    cols = ["Collaboration type", f"P ({hdi} interval)", "Difference from this situation", "Higher in"]
    rows = [dict(zip(cols, [
        r["label"] + (" (this report's)" if r["scenario"] == mine else ""),
        span(r["probability"], r["low"], r["high"]),
        span(r["difference"], r["difference_low"], r["difference_high"], signed=True), share(r["p_higher"]),
    ], strict=True)) for _, r in t.iterrows()]
    return _frame(rows, cols), set(cols[1:])


def _studies(data: ReportData, t: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    claim = "p_claim" in t
    cols = ["#", "Source", "Kind", "Links it states", "Links it alone states", "P without it", "Change"]
    if claim:
        cols += ["Best set still raises it in", "Holds"]
    rows = []
    for _, r in t.iterrows():
        alone = [x for x in str(r["dropped_links"]).split("; ") if x]
        row = [str(r["rank"]), Cited((str(r["source"]),)), str(r["kind"]).replace("_", " "), str(r["n_links"]),
               "; ".join(alone), number(r["probability"]), number(r["change"], 4, signed=True)]
        if claim:
            row += [share(r["p_claim"]), "yes" if bool(r["holds"]) else "no"]
        rows.append(dict(zip(cols, row, strict=True)))
    return _frame(rows, cols), {"#", "Links it states", "P without it", "Change", *cols[7:8]}


_VIEWS: dict[str, Callable[[ReportData, pd.DataFrame], tuple[pd.DataFrame, set[str]]]] = {
    "tornado": _tornado, "levers": _levers, "lever_set": _lever_set, "givens": _givens, "findings": _findings,
    "evidence": _evidence, "scenarios": _scenarios, "studies": _studies,
}


def _plain(value: Any) -> str:
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # a numpy scalar
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return number(value)
    return "" if value is None else str(value)


def _generic(data: ReportData, t: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    """A table without a view of its own: every column, headings in words, numbers to three
    decimals (a new table is shown, rounded, until it is given a view)."""
    numeric = {str(c).replace("_", " ") for c in t.columns
               if pd.api.types.is_numeric_dtype(t[c]) and not pd.api.types.is_bool_dtype(t[c])}
    frame = pd.DataFrame({str(c).replace("_", " "): [_plain(v) for v in t[c]] for c in t.columns})
    return frame, numeric


def table_views(data: ReportData, tables: Mapping[str, pd.DataFrame], *, max_rows: int = MAX_ROWS) -> dict[str, View]:
    """Every table of :data:`~bayesnet.report.tables.TABLES` in ``tables`` as the pages show it.

    Parameters
    ----------
    data : ReportData
    tables : mapping
        Name -> the full frame (:func:`~bayesnet.report.tables.all_tables`); a table missing
        here (an analysis the report did not run) is left out.
    max_rows : int
        Rows shown per table.
    """
    out = {}
    for name, (title, _) in TABLES.items():
        if name not in tables:
            continue
        full = tables[name]
        frame, numeric = _VIEWS.get(name, _generic)(data, full.head(max_rows))
        out[name] = View(name, title, frame, frozenset(numeric), len(full))
    return out


def situation_view(situation: pd.DataFrame) -> View:
    """The fixed nodes (:func:`~bayesnet.report.tables.situation_table`) by their labels."""
    frame = pd.DataFrame({"Node": situation["label"], "State": situation["state"], "How": situation["how"]})
    return View("situation", "The situation", frame.reset_index(drop=True), frozenset(), len(frame))


def cited_sources(views: Mapping[str, View]) -> list[str]:
    """Ids of the sources the page cites, in the order they first appear."""
    seen: dict[str, None] = {}
    for view in views.values():
        for col in view.frame.columns:
            for value in view.frame[col]:
                if isinstance(value, Cited):
                    seen.update(dict.fromkeys(value.ids))
    return list(seen)
