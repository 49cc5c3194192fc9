"""Everything a report shows, computed once: the analyses of one question in one situation.

Pure computation (no files): :func:`analyse` runs :func:`bayesnet.analysis.sensitivity`
(the tornado of contexts and mechanisms, the sensitivity to findings, the lever search, the
evidence ranking) and the scenario comparison on one posterior, and returns a
:class:`ReportData` that the table, plot, HTML and Markdown modules only format.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bayesnet.analysis.claims import Claim
from bayesnet.analysis.evidence_value import EvidenceRanking
from bayesnet.analysis.findings import Findings
from bayesnet.analysis.lever_search import LeverResult
from bayesnet.analysis.one_way import Tornado
from bayesnet.analysis.overview import sensitivity
from bayesnet.analysis.settings_robustness import Robustness, robustness
from bayesnet.analysis.source_influence import Influence
from bayesnet.analysis.source_influence import influence as leave_one_out
from bayesnet.inference.comparison import Comparison, contrast
from bayesnet.inference.posteriors import Posterior
from bayesnet.inference.queries import answer_query
from bayesnet.inference.questions import Question, situation
from bayesnet.inference.results import QueryResult
from bayesnet.inputs.citations import Citation

__all__ = ["NO_SCENARIO", "THIS_SITUATION", "ReportData", "analyse", "scenario_comparison", "scenario_forest"]

THIS_SITUATION = "this situation"
"""The report's own situation, as the scenario comparison names it."""
NO_SCENARIO = "No scenario"
"""The situation without a scenario, as the scenario comparison names it (``(none)`` in tables)."""


@dataclass(frozen=True)
class ReportData:
    """The analyses behind one report.

    Attributes
    ----------
    question : Question
    posterior : Posterior
    answer : QueryResult
        ``P(target | situation)`` over the posterior: the headline.
    tornado : Tornado
        Contexts and mechanisms.
    findings : Findings
        :func:`bayesnet.analysis.findings.findings_sensitivity`.
    levers : LeverResult
    evidence : EvidenceRanking
    scenarios : pandas.DataFrame
        One row per scenario (and ``(none)``): see :func:`scenario_forest`.
    comparison : Comparison
        The situation and every scenario on the same draws (:func:`scenario_comparison`).
    influence : dict
        Node -> swing relative to the largest swing, in [0, 1] (for the causal web).
    model_name : str
    settings : dict
        draws, seed, hdi_prob, k.
    node_labels : dict
        Node -> label.
    scenario_values : dict
        The scenario's own context values (before the user's replacements).
    citations : dict
        Source id -> :class:`~bayesnet.report.citations.Citation`.
    studies : Influence or None
        Each source left out, with the claim that the best set of levers raises the answer.
    robustness : Robustness or None
        The answer (and that claim) under other settings of the model, when asked for.
    """

    question: Question
    posterior: Posterior
    answer: QueryResult
    tornado: Tornado
    findings: Findings
    levers: LeverResult
    evidence: EvidenceRanking
    scenarios: pd.DataFrame
    comparison: Comparison
    influence: dict[str, float]
    model_name: str
    settings: dict[str, Any] = field(default_factory=dict)
    node_labels: dict[str, str] = field(default_factory=dict)
    scenario_values: dict[str, str] = field(default_factory=dict)
    citations: dict[str, Citation] = field(default_factory=dict)
    studies: Influence | None = None
    robustness: Robustness | None = None


def scenario_comparison(q: Question, post: Posterior) -> Comparison:
    """The report's situation (first, the baseline: :data:`THIS_SITUATION`) and the same
    target under every scenario (and none, :data:`NO_SCENARIO`), the user's own given and do
    added, answered on the same draws: every contrast is paired."""
    model = q.model
    names, questions = [THIS_SITUATION], [q]
    for name in [None, *(s.id for s in model.scenarios)]:
        sit = situation(model, given=q.situation.asked_given, do=q.situation.asked_do, scenario=name)
        if q.target not in sit.fixed:
            names.append(name or NO_SCENARIO)
            questions.append(q.with_situation(sit))
    return contrast(questions, post, names=names, baseline=0)


def scenario_forest(q: Question, post: Posterior, *, comparison: Comparison | None = None) -> pd.DataFrame:
    """``P(target = state)`` under every scenario (and none), the user's own given and do added,
    each contrasted with the report's situation draw by draw.

    Parameters
    ----------
    comparison : Comparison, optional
        :func:`scenario_comparison` of ``q`` and ``post``, already run.

    Returns
    -------
    pandas.DataFrame
        Index ``scenario`` (``"(none)"`` first); ``label, probability, low, high`` (mean and
        HDI), ``difference, difference_low, difference_high, p_higher`` (the paired contrast
        with the report's situation), ``n_fixed``.
    """
    model = q.model
    result = comparison if comparison is not None else scenario_comparison(q, post)
    situations = result.situations.iloc[1:]
    contrasts = result.contrasts.set_index("situation")
    ids = ["(none)" if n == NO_SCENARIO else n for n in situations.index]
    frame = pd.DataFrame({
        "label": [model.scenarios[n].label if n != "(none)" else NO_SCENARIO for n in ids],
        "probability": situations["probability"].to_numpy(), "low": situations["low"].to_numpy(),
        "high": situations["high"].to_numpy(),
        "difference": contrasts["difference"].to_numpy(), "difference_low": contrasts["low"].to_numpy(),
        "difference_high": contrasts["high"].to_numpy(), "p_higher": contrasts["p_higher"].to_numpy(),
        "n_fixed": [len(x.situation.fixed) for x in result.questions[1:]],
    }, index=pd.Index(ids, name="scenario"))
    return frame


def analyse(
    q: Question,
    post: Posterior,
    *,
    k: int = 2,
    show_progress: bool = False,
    step: Callable[[str], None] | None = None,
    studies: bool = True,
    settings: int = 0,
) -> ReportData:
    """Run every analysis of the report on one posterior.

    Parameters
    ----------
    q : Question
    post : Posterior
        Shared by every analysis.
    k : int
        Size of the best set of levers.
    show_progress : bool
        A tqdm bar over the derivative pass (only on a terminal).
    step : callable, optional
        Called with the name of each analysis as it starts (progress display).
    studies : bool
        Leave each source out in turn (:func:`~bayesnet.analysis.influence`).
    settings : int
        Answer again under this many other settings of the model
        (:func:`~bayesnet.analysis.robustness`; 0: not at all).

    Raises
    ------
    QueryError, ParameterError
    """
    say = step or (lambda _name: None)
    s = sensitivity(q, post, kinds=("context", "mechanism"), k=k, show_progress=show_progress, step=say)
    say("scenarios")
    comparison = scenario_comparison(q, post)
    forest = scenario_forest(q, post, comparison=comparison)
    t = s.tornado
    top = float(t.frame["swing"].max()) if len(t.frame) else 0.0
    influence = {v: (float(sw) / top if top > 0 else 0.0) for v, sw in t.frame["swing"].items()}
    model = q.model
    scenario = q.situation.scenario
    claim = Claim.best_levers(s.levers) if s.levers.best_set else None
    carried = None
    if studies:
        say("studies")
        carried = leave_one_out(q, post, claim=claim)
    robust = None
    if settings:
        say("robustness")
        robust = robustness(q, post, claim=claim, n=settings)
    return ReportData(
        question=q, posterior=post, answer=answer_query(q, post), tornado=t, findings=s.findings,
        levers=s.levers, evidence=s.evidence, scenarios=forest, comparison=comparison, influence=influence,
        model_name=model.name,
        settings={"draws": post.n_draws, "seed": post.seed, "hdi_prob": post.hdi_prob, "k": s.levers.k},
        node_labels={n.id: n.label for n in model.codebook},
        scenario_values=dict(model.scenarios[scenario].assignment) if scenario is not None else {},
        citations=dict(model.citations), studies=carried, robustness=robust,
    )


def finite(x: float) -> bool:
    """True for a real number (not NaN)."""
    return not (isinstance(x, float) and math.isnan(x)) and np.isfinite(x)
