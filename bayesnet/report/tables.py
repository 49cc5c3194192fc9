"""The report's tables as DataFrames: every column, the ids, full precision.

Pure. These frames are written as CSV (unrounded, for pasting into a paper); the pages show
views of them (:mod:`bayesnet.report.views`: labels, intervals in one cell, rounded only
there). :func:`csv_text` writes a frame so that no cell can run as a spreadsheet formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from bayesnet.report.data import ReportData

__all__ = [
    "DIGITS", "FORMULA_STARTS", "TABLES", "all_tables", "cell", "csv_text", "fmt", "situation_table", "sources_note",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters with which a spreadsheet reads a text cell of a CSV file as a formula."""

DIGITS = {"d_weight": 5, "variance_reduction": 6, "sd_after": 4, "p_changes_conclusion": 4, "mutual_info": 4,
          "mi_percent": 1, "vr_percent": 1, "change": 4, "p_change": 4}
"""Decimals shown per column (3 for any other number); CSV files keep full precision."""


def fmt(value: object, digits: int = 3) -> str:
    """A cell as text: floats to ``digits`` decimals, NaN and None empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def cell(column: str, value: object) -> str:
    """A cell of ``column`` as shown in the HTML and Markdown pages."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalar
    return fmt(value, DIGITS.get(column, 3))


def _neutral(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame, *, index: bool = False) -> str:
    """``frame`` as CSV (full precision) that a spreadsheet cannot run: a *text* cell (or
    index label) beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'`` (OWASP's advice against CSV injection), so a label ``=HYPERLINK(...)`` is
    shown, not followed. Numbers, negative ones included, are written as they are."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_neutral)
    safe.columns = [_neutral(c) for c in safe.columns]
    if index:
        safe.index = safe.index.map(_neutral)
    return safe.to_csv(index=index)


def _ranked(frame: pd.DataFrame, index_name: str) -> pd.DataFrame:
    out = frame.reset_index().rename(columns={"index": index_name})
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def situation_table(data: ReportData) -> pd.DataFrame:
    """The fixed nodes: ``node, label, state, how`` (scenario, observed, set)."""
    sit = data.question.situation
    rows = []
    for node, state in sit.given.items():
        preset = data.scenario_values.get(node) == state
        rows.append({"node": node, "label": data.node_labels.get(node, node), "state": state,
                     "how": "observed (scenario)" if preset else "observed"})
    for node, state in sit.do.items():
        rows.append({"node": node, "label": data.node_labels.get(node, node), "state": state, "how": "set (do)"})
    return pd.DataFrame(rows, columns=["node", "label", "state", "how"])


def tornado_table(data: ReportData) -> pd.DataFrame:
    """Contexts and mechanisms ranked by swing."""
    cols = ["node", "label", "role", "low_state", "high_state", "p_low_state", "p_low_state_low", "p_low_state_high",
            "p_high_state", "p_high_state_low", "p_high_state_high", "swing", "swing_low", "swing_high",
            "p_same_direction"]
    return _ranked(data.tornado.frame, "node")[["rank", *cols]]


def levers_table(data: ReportData) -> pd.DataFrame:
    """Each lever at its best state, ranked by gain."""
    cols = ["rank", "lever", "label", "state", "probability", "gain", "low", "high", "p_improves", "tied"]
    return data.levers.singles.reset_index()[cols]


def lever_set_table(data: ReportData) -> pd.DataFrame:
    """The best sets of levers the search found, ranked by gain, with P(best) and ties."""
    return data.levers.sets.drop(columns=["network"])


def givens_table(data: ReportData) -> pd.DataFrame:
    """Contexts that are not modifiable: fixed ones with the alternative, free ones with their swing."""
    cols = ["node", "label", "status", "state", "other_state", "p_other", "effect", "swing"]
    return data.levers.givens.reset_index()[cols]


def findings_table(data: ReportData) -> pd.DataFrame:
    """Nodes ranked by mutual information with the target."""
    cols = ["node", "label", "role", "mutual_info", "mi_percent", "variance_reduction", "vr_percent", "p_min",
            "p_max"]
    return _ranked(data.findings.frame, "node")[["rank", *cols]]


def evidence_table(data: ReportData) -> pd.DataFrame:
    """Coded links ranked by the expected variance reduction one more study would bring; their
    supporting sources by id (``support_ids``) and by short citation (``sources``)."""
    cols = ["link", "name", "label", "n_support", "n_contradict", "support_ids", "sources", "p_direction",
            "strength", "d_weight", "p_support", "p_none", "variance_reduction", "sd_now", "sd_after"]
    if "p_changes_conclusion" in data.evidence.frame:
        cols.append("p_changes_conclusion")
    out = data.evidence.frame.reset_index()
    out.insert(0, "rank", range(1, len(out) + 1))
    cites = data.citations
    out["sources"] = ["; ".join(cites[i].short if i in cites else i for i in str(ids).split(";") if i)
                      for ids in out["support_ids"]]
    return out[["rank", *cols]]


def scenarios_table(data: ReportData) -> pd.DataFrame:
    """``P(target = state)`` under every scenario."""
    return data.scenarios.reset_index()[["scenario", "label", "probability", "low", "high", "difference",
                                         "difference_low", "difference_high", "p_higher"]]


def studies_table(data: ReportData) -> pd.DataFrame | None:
    """The sources whose absence changes the answer, each left out in turn (exact), by the size of
    the change; with the claim that the best set of levers raises the answer, P(claim) without each."""
    if data.studies is None:
        return None
    cols = ["rank", "source", "cited", "citation", "kind", "collaboration_type", "year", "n_links", "dropped_links",
            "probability", "change"]
    if data.studies.claim is not None:
        cols += ["p_claim", "p_change", "holds"]
    out = data.studies.nonzero.reset_index()
    out["cited"] = [data.citations[i].short if i in data.citations else i for i in out["source"]]
    return out[cols]


def robustness_table(data: ReportData) -> pd.DataFrame | None:
    """The answer (and the claim) under every setting tried; row 0 is the model's own."""
    if data.robustness is None:
        return None
    return data.robustness.frame.reset_index()


TABLES: dict[str, tuple[str, Callable[[ReportData], pd.DataFrame | None]]] = {
    "tornado": ("Contexts and mechanisms, one at a time", tornado_table),
    "levers": ("Levers: modifiable contexts, each at its best state", levers_table),
    "lever_set": ("The best set of levers", lever_set_table),
    "givens": ("Givens: what shapes the situation (not advice)", givens_table),
    "findings": ("Sensitivity to findings", findings_table),
    "evidence": ("Which evidence matters", evidence_table),
    "scenarios": ("Collaboration types compared", scenarios_table),
    "studies": ("Studies that carry this answer", studies_table),
    "robustness": ("Robustness to the model's own settings", robustness_table),
}
"""Table name (also the CSV file name) -> (title, builder). A builder returns None when its
analysis was not run for this report (the robustness to settings is run on request)."""


def all_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """Every table of the report that was computed, by name."""
    built = {name: build(data) for name, (_, build) in TABLES.items()}
    return {name: frame for name, frame in built.items() if frame is not None}


def sources_note(data: ReportData) -> str | None:
    """The sentence saying which sources the model was built from, when a filter narrowed it."""
    sel = data.question.model.selection
    if sel is None:
        return None
    dropped = f" Links no kept source states, dropped: {'; '.join(sel.dropped_links)}." if sel.dropped_links else ""
    return (f"Sources: filter {sel.filter.text}: {len(sel.kept)} of {len(sel.kept) + len(sel.left_out)} sources "
            f"kept; left out: {', '.join(sel.left_out)}.{dropped}")
