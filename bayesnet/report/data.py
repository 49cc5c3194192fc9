"""Everything a report shows, computed once: the analyses of one question in one situation.

Pure computation (no files): :func:`analyse` runs the tornado (contexts and mechanisms), the
sensitivity to findings, the lever search, the evidence ranking and the scenario comparison
on one shared set of posterior draws, and returns a :class:`ReportData` that the table, plot,
HTML and Markdown modules only format.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet import engine
from bayesnet.errors import ParameterError
from bayesnet.evidence_sensitivity import EvidenceRanking, StudyValue, evidence_ranking
from bayesnet.levers import LeverResult, levers
from bayesnet.query import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_SEED, situation
from bayesnet.sensitivity import Question, Tornado, check_analysis_args, findings_sensitivity, question, tornado
from bayesnet.uncertainty import hdi

if TYPE_CHECKING:
    from bayesnet.model import Model

__all__ = ["DEFAULT_TARGET", "ReportData", "analyse", "scenario_forest"]

DEFAULT_TARGET = "collaborative_behaviour"
"""The review's central outcome."""


@dataclass(frozen=True)
class ReportData:
    """The analyses behind one report.

    Attributes
    ----------
    question : Question
    tornado : Tornado
        Contexts and mechanisms.
    findings : pandas.DataFrame
        :func:`bayesnet.sensitivity.findings_sensitivity`.
    levers : LeverResult
    evidence : EvidenceRanking
    scenarios : pandas.DataFrame
        One row per scenario (and ``(none)``): ``label, probability, mean, low, high``.
    influence : dict
        Node -> swing relative to the largest swing, in [0, 1] (for the causal web).
    model_name : str
    settings : dict
        draws, seed, hdi_prob, k.
    node_labels : dict
        Node -> label.
    scenario_values : dict
        The scenario's own context values (before the user's replacements).
    """

    question: Question
    tornado: Tornado
    findings: pd.DataFrame
    levers: LeverResult
    evidence: EvidenceRanking
    scenarios: pd.DataFrame
    influence: dict[str, float]
    model_name: str
    settings: dict[str, Any] = field(default_factory=dict)
    node_labels: dict[str, str] = field(default_factory=dict)
    scenario_values: dict[str, str] = field(default_factory=dict)


def scenario_forest(
    model: Model,
    q: Question,
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    hdi_prob: float = DEFAULT_HDI,
) -> pd.DataFrame:
    """``P(target = state)`` under every scenario (and none), the user's ``given``/``do`` added.

    All rows share the same posterior draws.

    Returns
    -------
    pandas.DataFrame
        Index ``scenario`` (``"(none)"`` first); ``label, probability, mean, low, high``.
    """
    rows = []
    cpts = model.cpt_draws(draws, seed)
    names: list[str | None] = [None, *(s.id for s in model.scenarios)]
    for name in names:
        sit = situation(model, given=given, do=do, scenario=name)
        if q.target in sit.fixed:
            continue
        states = model.spec.states
        ev = {n: states[n].index(s) for n, s in sit.given.items()}
        dv = {n: states[n].index(s) for n, s in sit.do.items()}
        plan = engine.compile_query(model.structure, [q.target], evidence=list(ev), do=list(dv), optimize="greedy")
        point = float(plan(model.cpts, evidence=ev, do=dv, validate=False)[0, q.index])
        per = plan(cpts, evidence=ev, do=dv, validate=False)[:, q.index]
        low, high = hdi(per, hdi_prob)[0]
        label = "no scenario" if name is None else model.scenarios[name].label
        rows.append({"scenario": name or "(none)", "label": label, "probability": point, "mean": float(per.mean()),
                     "low": float(low), "high": float(high), "n_fixed": len(sit.fixed)})
    return pd.DataFrame(rows).set_index("scenario")


def analyse(
    model: Model,
    *,
    target: str = DEFAULT_TARGET,
    state: str | None = None,
    scenario: str | None = None,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    k: int = 2,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    hdi_prob: float = DEFAULT_HDI,
    show_progress: bool = False,
    step: Callable[[str], None] | None = None,
) -> ReportData:
    """Run every analysis of the report on one shared set of ``draws`` posterior draws.

    Parameters
    ----------
    k : int
        Size of the best set of levers.
    step : callable, optional
        Called with the name of each analysis as it starts (progress display).

    Raises
    ------
    QueryError, ParameterError
    """
    say = step or (lambda _name: None)
    q = question(model, target, state=state, given=given, do=do, scenario=scenario)
    say("tornado")
    n_draws, seed, hdi_prob = check_analysis_args(model, draws, seed, hdi_prob, "report")
    if n_draws is None:
        raise ParameterError.out_of_range("draws", "report", "a positive integer", draws)
    study = StudyValue(model, q, n_draws, seed)  # fed by the tornado's derivative pass
    t = tornado(model, target, state=state, given=given, do=do, scenario=scenario, kinds=("context", "mechanism"),
                draws=draws, seed=seed, hdi_prob=hdi_prob, show_progress=show_progress, shared=[study])
    say("findings")
    f = findings_sensitivity(model, target, state=state, given=given, do=do, scenario=scenario)
    say("levers")
    lv = levers(model, target, k=k, state=state, given=given, do=do, scenario=scenario, draws=draws, seed=seed,
                hdi_prob=hdi_prob, tornado_result=t)
    say("evidence")
    ev = evidence_ranking(model, target, state=state, given=given, do=do, scenario=scenario, draws=draws, seed=seed,
                          hdi_prob=hdi_prob, precomputed=study)
    say("scenarios")
    forest = scenario_forest(model, q, given=given, do=do, draws=draws, seed=seed, hdi_prob=hdi_prob)
    top = float(t.frame["swing"].max()) if len(t.frame) else 0.0
    influence = {v: (float(s) / top if top > 0 else 0.0) for v, s in t.frame["swing"].items()}
    name = str(model.root) if model.root is not None else "in-memory model"
    return ReportData(
        q, t, f, lv, ev, forest, influence, name,
        {"draws": draws, "seed": seed, "hdi_prob": hdi_prob, "k": lv.k},
        {n.id: n.label for n in model.codebook},
        dict(model.scenarios[scenario].assignment) if scenario is not None else {},
    )


def finite(x: float) -> bool:
    """True for a real number (not NaN)."""
    return not (isinstance(x, float) and math.isnan(x)) and np.isfinite(x)
