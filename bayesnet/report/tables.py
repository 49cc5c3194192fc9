"""The report's tables as DataFrames (full precision) and its key points as sentences.

Pure. The same frames are written as CSV (unrounded, for pasting into a paper) and shown,
rounded only at display, in the HTML and Markdown pages.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from bayesnet.report.data import ReportData

__all__ = [
    "DIGITS", "FORMULA_STARTS", "TABLES", "all_tables", "cell", "csv_text", "fmt", "key_points", "situation_table",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters with which a spreadsheet reads a text cell of a CSV file as a formula."""

DIGITS = {"d_weight": 5, "d_reliability": 5, "narrowing_if_support": 5, "narrowing_if_contradict": 5,
          "expected_narrowing": 5, "mutual_info": 4, "variance_reduction": 5, "mi_percent": 1, "vr_percent": 1}
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
    cols = ["node", "label", "role", "low_state", "high_state", "p_low_state", "p_high_state", "swing",
            "swing_low", "swing_high", "p_sign"]
    return _ranked(data.tornado.frame, "node")[["rank", *cols]]


def levers_table(data: ReportData) -> pd.DataFrame:
    """Each lever at its best state, ranked by gain."""
    cols = ["lever", "label", "state", "probability", "gain", "low", "high", "p_improves"]
    return _ranked(data.levers.singles, "lever")[["rank", *cols]]


def lever_set_table(data: ReportData) -> pd.DataFrame:
    """Before and after the best set of levers, and the set built up lever by lever."""
    lv = data.levers
    rows = [{"row": "before", "levers": "", **lv.before.to_dict()}]
    done: list[str] = []
    for r in lv.path.itertuples(index=False):
        done.append(f"{r.lever}={r.state}")
        rows.append({"row": f"+ {r.lever}", "levers": ", ".join(done), "probability": r.probability,
                     "mean": math.nan, "low": math.nan, "high": math.nan})
    rows.append({"row": "after", "levers": ", ".join(f"{k}={v}" for k, v in lv.best_set.items()),
                 **lv.after.to_dict()})
    return pd.DataFrame(rows, columns=["row", "levers", "probability", "mean", "low", "high"])


def givens_table(data: ReportData) -> pd.DataFrame:
    """Contexts that are not modifiable: fixed ones with the alternative, free ones with their swing."""
    cols = ["node", "label", "status", "state", "other_state", "p_other", "effect", "swing"]
    return data.levers.givens.reset_index()[cols]


def findings_table(data: ReportData) -> pd.DataFrame:
    """Nodes ranked by mutual information with the target."""
    cols = ["node", "label", "role", "mutual_info", "mi_percent", "variance_reduction", "vr_percent", "p_min",
            "p_max"]
    return _ranked(data.findings, "node")[["rank", *cols]]


def evidence_table(data: ReportData) -> pd.DataFrame:
    """Coded links ranked by the expected narrowing one more study would bring."""
    cols = ["link", "name", "n_support", "n_contradict", "support_ids", "reliability", "d_weight", "d_reliability",
            "narrowing_if_support", "narrowing_if_contradict", "p_support", "expected_narrowing"]
    out = data.evidence.frame.reset_index()
    out.insert(0, "rank", range(1, len(out) + 1))
    return out[["rank", *cols]]


def scenarios_table(data: ReportData) -> pd.DataFrame:
    """``P(target = state)`` under every scenario."""
    return data.scenarios.reset_index()[["scenario", "label", "probability", "mean", "low", "high"]]


TABLES: dict[str, tuple[str, Callable[[ReportData], pd.DataFrame]]] = {
    "tornado": ("Contexts and mechanisms, one at a time", tornado_table),
    "levers": ("Levers: modifiable contexts, each at its best state", levers_table),
    "lever_set": ("The best set of levers", lever_set_table),
    "givens": ("Givens: what shapes the situation (not advice)", givens_table),
    "findings": ("Sensitivity to findings", findings_table),
    "evidence": ("Which evidence matters", evidence_table),
    "scenarios": ("Collaboration types compared", scenarios_table),
}
"""Table name (also the CSV file name) -> (title, builder)."""


def all_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """Every table of the report, by name."""
    return {name: build(data) for name, (_, build) in TABLES.items()}


def _interval(low: float, high: float, prob: float) -> str:
    return f"{prob:.0%} HDI {low:.3f} to {high:.3f}"


def key_points(data: ReportData, *, top: int = 3) -> list[str]:
    """The report's conclusions in plain sentences (the numbers come from the tables)."""
    q = data.question
    prob = data.settings["hdi_prob"]
    b = data.tornado.baseline
    label = data.node_labels
    points = [
        f"In this situation ({q.situation.describe()}), P({q.target} = {q.state}) is {b['probability']:.3f} "
        f"({_interval(b['low'], b['high'], prob)} over {data.settings['draws']} posterior draws)."
    ]
    frame = data.tornado.frame
    lev = frame[frame["role"] == "lever"].head(top)
    if len(lev):
        parts = [
            f"{label.get(v, v)} ({v}): {r.high_state} rather than {r.low_state} moves it from {r.p_low_state:.3f} "
            f"to {r.p_high_state:.3f} (swing {r.swing:.3f}, {_interval(r.swing_low, r.swing_high, prob)}; "
            f"in the same direction in {r.p_sign:.0%} of draws)"
            for v, r in lev.iterrows()
        ]
        points.append("Modifiable contexts that matter most: " + "; ".join(parts) + ".")
    else:
        points.append("No modifiable context is left free by this situation.")
    lv = data.levers
    if lv.best_set:
        how = (f"exact search over {lv.evaluated} combinations" if lv.method == "exact"
               else f"greedy search; under diminishing returns no set of {lv.k} reaches above {lv.bound:.3f}")
        sets = ", ".join(f"{k}={v}" for k, v in lv.best_set.items())
        points.append(
            f"Best set of {lv.k} lever{'s' if lv.k > 1 else ''} ({how}): {sets}, from {lv.before['probability']:.3f} "
            f"({_interval(lv.before['low'], lv.before['high'], prob)}) to {lv.after['probability']:.3f} "
            f"({_interval(lv.after['low'], lv.after['high'], prob)}); higher in {lv.p_improves:.0%} of draws."
        )
    fixed = lv.givens[lv.givens["status"] != "free"].head(top)
    if len(fixed):
        parts = [f"{v}={r.state} ({r.other_state} would give {r.p_other:.3f})" for v, r in fixed.iterrows()]
        points.append("Givens that shape this situation (context, not advice): " + "; ".join(parts) + ".")
    ev = data.evidence.frame.head(top)
    if len(ev):
        parts = [
            f"{r['name']} ({r['n_support']} supporting source{'s' if r['n_support'] != 1 else ''}: "
            f"{r['support_ids'] or 'none'}; expected narrowing {r['expected_narrowing']:.4f})"
            for _, r in ev.iterrows()
        ]
        points.append(
            f"Coded links whose further study would most narrow the answer (the {prob:.0%} HDI is "
            f"{data.evidence.width:.3f} wide now): " + "; ".join(parts) + "."
        )
    if len(data.findings):
        v = data.findings.index[0]
        r = data.findings.iloc[0]
        points.append(
            f"Most informative single observation: {label.get(v, v)} ({v}), mutual information "
            f"{r['mutual_info']:.3f} bits ({r['mi_percent']:.1f}% of the target's entropy)."
        )
    return points
