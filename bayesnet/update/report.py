"""What an update changed: links, their weights, and the key answers, before and after.

:func:`change_report` compares the two models of a :class:`~bayesnet.update.Change`:

* every affected link (new, dropped, or whose sign or sources changed): its distinct
  supporting and contradicting sources, the probability it acts in its stated direction, and
  its weight (mean and equal-tailed interval, :mod:`bayesnet.build.weights`), before and after;
* the key answers: P(collaborative behaviour in its upper state) with no scenario and under
  each collaboration-type scenario, before and after: the headline (the mean over posterior
  draws, as every other surface shows it) with its highest-density interval
  (:func:`bayesnet.inference.queries.query`, the same number of draws and seed for both models);
* the sources added, replaced, unchanged and removed; new nodes and links; links whose sign
  the new evidence contradicts.

Pure computation plus rendering to Markdown and JSON; the CLI prints and writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet.build.graph import row_link_name
from bayesnet.build.weights import link_evidence
from bayesnet.checks import check_hdi_prob
from bayesnet.defaults import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_SEED, DEFAULT_TARGET
from bayesnet.display import Card
from bayesnet.display.charts import COLOURS, interval_chart
from bayesnet.errors import UpdateError
from bayesnet.inference.posteriors import checked_posterior
from bayesnet.inference.queries import query
from bayesnet.inference.results import plain
from bayesnet.update.plan import Change, link_key

if TYPE_CHECKING:
    from bayesnet.build.model import Model
    from bayesnet.display.charts import Axes
    from bayesnet.inputs.settings import Settings

__all__ = ["ChangeReport", "change_report", "check_report_options"]


LINK_COLUMNS = (
    "link_before", "link_after", "from", "to", "when", "lag", "from_state", "and_node", "and_state", "status",
    "sign_before", "sign_after",
    "n_support_before", "n_support_after", "n_contradict_before", "n_contradict_after",
    "p_direction_before", "p_direction_after",
    "weight_before", "low_before", "high_before", "weight_after", "low_after", "high_after",
    "support_ids_after", "contradict_ids_after",
)
QUERY_COLUMNS = (
    "scenario", "probability_before", "low_before", "high_before", "probability_after", "low_after", "high_after",
    "shift",
)


def _when(key: tuple) -> str:
    return f"{key[2]}={key[3]}" if key[2] is not None else ""


def _weights(rec: dict[str, Any], settings: Settings, prob: float) -> dict[str, float]:
    """P(direction), mean weight and its equal-tailed interval, of one link-table row."""
    evidence = link_evidence(pd.DataFrame([rec]), settings)
    low, high = evidence.weight_interval(prob)
    return {"p_direction": float(evidence.direction_probability()[0]), "weight": float(evidence.mean_weight()[0]),
            "low": float(low[0]), "high": float(high[0])}


def _link_rows(change: Change, settings: Settings, prob: float) -> pd.DataFrame:
    before = {link_key(r): r for r in change.before.links.to_dict(orient="records")}
    after = {link_key(r): r for r in change.after.links.to_dict(orient="records")}
    order = [k for k in after] + [k for k in before if k not in after]
    rows = []
    for key in order:
        old, new = before.get(key), after.get(key)
        same = old is not None and new is not None and all(
            old[c] == new[c] for c in ("sign", "support_ids", "contradict_ids", "w_support", "w_contradict")
        )
        if same:
            continue
        row: dict[str, Any] = {"from": key[0], "to": key[1], "when": _when(key), "lag": key[4],
                               "from_state": key[5], "and_node": key[6], "and_state": key[7]}
        for tag, rec in (("before", old), ("after", new)):
            if rec is None:
                row.update({f"link_{tag}": None, f"sign_{tag}": None, f"n_support_{tag}": None,
                            f"n_contradict_{tag}": None, f"p_direction_{tag}": None, f"weight_{tag}": None,
                            f"low_{tag}": None, f"high_{tag}": None})
                continue
            w = _weights(rec, settings, prob)
            row.update({f"link_{tag}": int(rec["link"]), f"sign_{tag}": int(rec["sign"]),
                        f"n_support_{tag}": int(rec["n_support"]), f"n_contradict_{tag}": int(rec["n_contradict"]),
                        f"p_direction_{tag}": w["p_direction"], f"weight_{tag}": w["weight"],
                        f"low_{tag}": w["low"], f"high_{tag}": w["high"]})
        row["support_ids_after"] = tuple(new["support_ids"]) if new is not None else ()
        row["contradict_ids_after"] = tuple(new["contradict_ids"]) if new is not None else ()
        if old is None:
            row["status"] = "new"
        elif new is None:
            row["status"] = "dropped"
        elif row["sign_before"] != row["sign_after"]:
            row["status"] = "sign flipped"
        elif abs(row["weight_after"]) > abs(row["weight_before"]):
            row["status"] = "strengthened"
        elif abs(row["weight_after"]) < abs(row["weight_before"]):
            row["status"] = "weakened"
        else:
            row["status"] = "sources changed"
        rows.append(row)
    return pd.DataFrame(rows, columns=list(LINK_COLUMNS))


def _query_rows(before: Model, after: Model, target: str, *, draws: int, seed: int, prob: float) -> pd.DataFrame:
    rows = []
    upper = after.codebook[target].upper
    for scenario in (None, *after.scenarios.ids):
        row: dict[str, Any] = {"scenario": scenario or "(none)"}
        for tag, model in (("before", before), ("after", after)):
            result = query(model, target, scenario=scenario, draws=draws, seed=seed, hdi_prob=prob)
            interval = result.interval
            assert interval is not None  # asked with draws
            row[f"probability_{tag}"] = float(result.distribution[upper])
            row[f"low_{tag}"] = float(interval.at[upper, "low"])
            row[f"high_{tag}"] = float(interval.at[upper, "high"])
        row["shift"] = row["probability_after"] - row["probability_before"]
        rows.append(row)
    return pd.DataFrame(rows, columns=list(QUERY_COLUMNS))


@dataclass(frozen=True)
class ChangeReport:
    """The report of one update (see :func:`change_report`).

    Attributes
    ----------
    model : str
        Where the model lives (or "in memory").
    sources : list of dict
        ``id, status, path`` per incoming or removed source.
    new_nodes : list of dict
        Codebook entries added.
    links : pandas.DataFrame
        One row per affected link (columns ``LINK_COLUMNS``); ``status`` is new, dropped,
        strengthened, weakened, sign flipped or sources changed.
    contradicted : pandas.DataFrame
        Links whose sign an incoming source contradicts.
    queries : pandas.DataFrame
        One row per scenario (``(none)`` first): P(target = state) before and after
        (``probability_*``, the headline, with the HDI ``low_*``, ``high_*``); ``shift`` is
        after minus before.
    target, state : str
        The query's node and the state whose probability is shown.
    evidence_before, evidence_after : str
        Evidence content hashes.
    prob : float
        Mass of every interval (link weights: equal-tailed; answers: HDI).
    draws, seed : int
        Posterior draws and seed behind the query intervals.
    """

    model: str
    sources: list[dict[str, str]]
    new_nodes: list[dict[str, Any]]
    links: pd.DataFrame
    contradicted: pd.DataFrame
    queries: pd.DataFrame
    target: str | None
    state: str | None
    evidence_before: str
    evidence_after: str
    prob: float
    draws: int
    seed: int
    notes: list[str] = field(default_factory=list)

    @property
    def is_noop(self) -> bool:
        """True when the update changed nothing."""
        return self.evidence_before == self.evidence_after and not self.new_nodes

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (full precision; None where a link did not exist)."""
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: plain(v) for k, v in rec.items()} for rec in frame.to_dict(orient="records")]

        return {
            "model": self.model,
            "no_change": self.is_noop,
            "evidence_before": self.evidence_before,
            "evidence_after": self.evidence_after,
            "sources": self.sources,
            "new_nodes": self.new_nodes,
            "links": records(self.links),
            "new_links": records(self.links[self.links["status"] == "new"]),
            "contradicted": records(self.contradicted),
            "queries": {
                "target": self.target,
                "state": self.state,
                "interval": f"{self.prob:.0%} HDI over {self.draws} posterior draws (seed {self.seed})",
                "rows": records(self.queries),
            },
            "weight_interval": f"{self.prob:.0%} equal-tailed interval of the link's weight",
            "notes": self.notes,
        }

    def headline_text(self) -> str:
        """The update in words: sources, links changed, and how the answer moved."""
        added = sum(1 for s in self.sources if s.get("status") != "removed")
        counts = self.links["status"].value_counts() if len(self.links) else pd.Series(dtype=int)
        changed = ", ".join(f"{int(n)} {status}" for status, n in counts.items()) or "none"
        text = ("No change: every incoming source is already in the model with the same content"
                if self.is_noop else f"{added} source(s) in, {len(self.new_nodes)} new node(s); links: {changed}")
        if self.target is not None and len(self.queries):
            r = self.queries.iloc[0]
            text += (f". P({self.target} = {self.state}) with no scenario: {r['probability_before']:.3f} -> "
                     f"{r['probability_after']:.3f} ({r['shift']:+.3f})")
            if len(self.queries) > 1:
                big = self.queries.iloc[int(np.argmax(np.abs(self.queries["shift"].to_numpy())))]
                text += f"; largest shift {big['shift']:+.3f} ({big['scenario']})"
        return text + "."

    def _card(self) -> Card:
        links = self.links.assign(link=[_link_name(r) for r in self.links.to_dict(orient="records")])
        cols = ["link", "status", "n_support_before", "n_support_after", "p_direction_before", "p_direction_after",
                "weight_before", "weight_after"]
        tables = [("Links", links[[c for c in cols if c in links]].set_index("link"))] if len(links) else []
        if len(self.queries):
            tables.append((f"P({self.target} = {self.state}) by scenario", self.queries.set_index("scenario")))
        return Card(
            title=f"What the update changes in {self.model}",
            headline=self.headline_text(),
            tables=tables,
            note=f"Answers: means and {self.prob:.0%} HDIs over {self.draws} posterior draws (seed {self.seed}) "
                 "for both models; link weights: equal-tailed intervals.",
            formats={"shift": "+.3f", "n_support_before": ".0f", "n_support_after": ".0f"},
        )

    def _repr_html_(self) -> str:
        return self._card().to_html()

    def plot(self, ax: Axes | None = None) -> Axes:
        """P(target = state) before (grey) and after (blue) the update, by scenario, with intervals.

        Raises
        ------
        UpdateError
            The report was made without a target (no answers to draw).
        """
        if self.target is None or self.queries.empty:
            raise UpdateError("this change report has no answers to draw: make it with a target")
        q = self.queries
        labels = list(q["scenario"])
        ax = interval_chart(ax, labels, q["probability_before"].to_numpy(), q["low_before"].to_numpy(),
                            q["high_before"].to_numpy(), colour="#999999", offset=0.15, label="before")
        return interval_chart(ax, labels, q["probability_after"].to_numpy(), q["low_after"].to_numpy(),
                              q["high_after"].to_numpy(), colour=COLOURS["mechanism"], offset=-0.15, label="after",
                              xlabel=f"P({self.target} = {self.state})", title="Before and after the update")

    def to_markdown(self) -> str:
        """The report as Markdown."""
        pct = f"{self.prob:.0%}"
        out = ["# Change report", "", f"Model: {self.model}  ",
               f"Evidence hash: `{self.evidence_before[:12]}` -> `{self.evidence_after[:12]}`"]
        if self.is_noop:
            out += ["", "**No change**: every incoming source is already in the model with the same content."]
        out += ["", "## Sources", "", "| source | change | file |", "|---|---|---|"]
        out += [f"| {s['id']} | {s['status']} | {s['path']} |" for s in self.sources] or ["| (none) | | |"]
        if self.new_nodes:
            out += ["", "## New nodes", "", "| id | kind | states | label |", "|---|---|---|---|"]
            out += [f"| {n['id']} | {n['kind']} | {'/'.join(n['states'])} | {n['label']} |" for n in self.new_nodes]
        out += ["", "## Links", "",
                f"P(direction): the probability the link acts as its sources state. Weight: its log-odds effect, "
                f"mean [{pct} equal-tailed interval]. Counts are distinct sources.", ""]
        if self.links.empty:
            out.append("No link changed.")
        else:
            out += ["| link | change | support | contradict | P(direction) | weight before | weight after |",
                    "|---|---|---|---|---|---|---|"]
            for r in self.links.to_dict(orient="records"):
                out.append(
                    f"| {_link_name(r)} | {r['status']} | {_pair(r['n_support_before'], r['n_support_after'])} "
                    f"| {_pair(r['n_contradict_before'], r['n_contradict_after'])} "
                    f"| {_probability(r['p_direction_before'])} -> {_probability(r['p_direction_after'])} "
                    f"| {_interval(r['weight_before'], r['low_before'], r['high_before'])} "
                    f"| {_interval(r['weight_after'], r['low_after'], r['high_after'])} |"
                )
        out += ["", "## Links the new evidence contradicts", ""]
        if self.contradicted.empty:
            out.append("None: no incoming source states a link in the opposite direction to the model.")
        else:
            out += ["| link | sign before | sign after | contradicted by |", "|---|---|---|---|"]
            for r in self.contradicted.to_dict(orient="records"):
                out.append(f"| {_link_name(r)} | {_sign(r['sign_before'])} | {_sign(r['sign_after'])} "
                           f"| {', '.join(r['contradicted_by'])} |")
        if self.target is not None:
            out += ["", f"## P({self.target} = {self.state}) by scenario", "",
                    f"Mean over {self.draws} posterior draws [{pct} HDI], seed {self.seed} for both models (the "
                    "shift carries Monte Carlo error of the order of the interval width over the square root of "
                    "the draws).",
                    "", "| scenario | before | after | shift |", "|---|---|---|---|"]
            for r in self.queries.to_dict(orient="records"):
                out.append(f"| {r['scenario']} "
                           f"| {_interval(r['probability_before'], r['low_before'], r['high_before'])} "
                           f"| {_interval(r['probability_after'], r['low_after'], r['high_after'])} "
                           f"| {r['shift']:+.3f} |")
        if self.notes:
            out += ["", "## Notes", ""] + [f"* {n}" for n in self.notes]
        return "\n".join(out) + "\n"


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def _pair(a: Any, b: Any) -> str:
    fa = "-" if _missing(a) else str(int(a))
    fb = "-" if _missing(b) else str(int(b))
    return f"{fa} -> {fb}"


def _interval(mean: Any, low: Any, high: Any) -> str:
    if _missing(mean):
        return "-"
    return f"{mean:.3f} [{low:.3f}, {high:.3f}]"


def _probability(p: Any) -> str:
    return "-" if _missing(p) else f"{p:.3f}"


def _sign(s: Any) -> str:
    return "-" if _missing(s) else ("+" if int(s) > 0 else "-")


def _link_name(r: dict[str, Any]) -> str:
    when_node, when_state = r.get("when_node"), r.get("when_state")
    if r.get("when"):
        when_node, when_state = str(r["when"]).split("=", 1)
    sign = r["sign_before"] if _missing(r.get("sign_after")) else r["sign_after"]
    name = row_link_name({**r, "when_node": when_node, "when_state": when_state}, sign=int(sign))
    ids = [str(int(r[k])) for k in ("link_before", "link_after") if not _missing(r.get(k))]
    return f"{name} (link {' -> '.join(dict.fromkeys(ids))})" if ids else name


def check_report_options(change: Change, *, draws: int, seed: int, hdi_prob: float) -> None:
    """Check the options of :func:`change_report` against both models of ``change``, cheaply
    (no draw is made), so that an update can refuse them before it writes anything.

    Raises
    ------
    ParameterError
        A number of draws that is not a positive integer or would not fit in memory for
        either model, a negative seed, an HDI mass outside (0, 1).
    """
    for model in (change.before, change.after):
        checked_posterior(model, draws, seed, hdi_prob, owner="change_report")


def change_report(
    change: Change,
    *,
    target: str = DEFAULT_TARGET,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    hdi_prob: float = DEFAULT_HDI,
) -> ChangeReport:
    """Compare the models before and after an update.

    Parameters
    ----------
    change : Change
        From :func:`bayesnet.update.plan_update` (or ``Model.update``).
    target : str
        The node whose upper-state probability is followed across scenarios (skipped, with
        a note, when the codebook has no such node).
    draws, seed : int
        Posterior draws behind the query intervals; the same seed for both models.
    hdi_prob : float
        Mass of every interval, in (0, 1).

    Returns
    -------
    ChangeReport
    """
    prob = check_hdi_prob(hdi_prob, "change_report")
    check_report_options(change, draws=draws, seed=seed, hdi_prob=prob)
    after = change.after
    notes: list[str] = []
    if target in after.codebook:
        queries = _query_rows(change.before, after, target, draws=draws, seed=seed, prob=prob)
        state: str | None = after.codebook[target].upper
        shown: str | None = target
    else:
        queries = pd.DataFrame(columns=list(QUERY_COLUMNS))
        state = shown = None
        notes.append(f"the codebook has no node {target!r}: no queries compared")
    where = change.before.name
    return ChangeReport(
        model=where,
        sources=[s.to_dict() for s in change.sources],
        new_nodes=[n.to_dict() for n in change.new_nodes],
        links=_link_rows(change, after.settings, prob),
        contradicted=change.contradicted,
        queries=queries,
        target=shown,
        state=state,
        evidence_before=change.before_hash,
        evidence_after=change.after_hash,
        prob=prob,
        draws=draws,
        seed=seed,
        notes=notes,
    )
