"""bayesnet: a Bayesian network of how inter-organisational collaborations in healthcare work.

Built from the realist review by Aunger, Millar and Greenhalgh (2021), "When trust,
confidence, and faith collide", BMC Health Services Research 21:602 (CC BY 4.0): its
causal web of contexts, mechanisms and outcomes, with conditional probability tables
drawn from how many of the review's sources support each link.

The package reads as its pipeline (``docs/architecture.md``)::

    load -> build -> engine -> inference -> analysis -> dynamics, update -> report -> cli

and this module gathers the names a user needs for every job, loaded on first use (so the
command line pays only for what it runs):

>>> import bayesnet
>>> model = bayesnet.load()                                # the embedded default model
>>> q = bayesnet.question(model, "collaborative_behaviour", scenario="buddying")
>>> post = bayesnet.posterior(model, draws=1000)           # shared by every analysis
>>> result = bayesnet.query(model, "collaborative_behaviour", scenario="buddying")
>>> t = bayesnet.tornado(q, post)                          # what matters most
"""

import importlib as _importlib
import typing as _typing

from bayesnet.errors import (
    BayesnetError,
    CycleError,
    DuplicateIdError,
    EngineError,
    ExportError,
    FileFormatError,
    InputError,
    MissingDependencyError,
    OutputError,
    ParameterError,
    QueryError,
    SchemaError,
    UnknownNodeError,
    UnknownStateError,
    UpdateError,
    ZeroProbabilityError,
)
from bayesnet.version import __version__

if _typing.TYPE_CHECKING:
    from bayesnet.analysis import (
        Claim,
        EvidenceRanking,
        Findings,
        Influence,
        LeverResult,
        Robustness,
        Sensitivity,
        Tornado,
        evidence_ranking,
        findings_sensitivity,
        influence,
        levers,
        robustness,
        sensitivity,
        sobol_indices,
        tornado,
    )
    from bayesnet.build import Model, export, load, select_sources, summary
    from bayesnet.dynamics import Inertia, Trajectory, collaborative_inertia, trajectory
    from bayesnet.inference import (
        Comparison,
        JointResult,
        Posterior,
        QueryResult,
        QueryResults,
        Question,
        Situation,
        compare,
        contrast,
        joint,
        posterior,
        query,
        question,
    )
    from bayesnet.inputs import Timeline, read_timeline
    from bayesnet.report import ReportFiles, render, write_report, write_trajectory_plot
    from bayesnet.update import Change, ChangeReport, change_report, init_model, update_folder, update_model

_LAZY = {
    "bayesnet.analysis": (
        "Claim", "EvidenceRanking", "Findings", "Influence", "LeverResult", "Robustness", "Sensitivity", "Tornado",
        "evidence_ranking", "findings_sensitivity", "influence", "levers", "robustness", "sensitivity",
        "sobol_indices", "tornado",
    ),
    "bayesnet.build": ("Model", "export", "load", "select_sources", "summary"),
    "bayesnet.dynamics": ("Inertia", "Trajectory", "collaborative_inertia", "trajectory"),
    "bayesnet.inference": (
        "Comparison", "JointResult", "Posterior", "QueryResult", "QueryResults", "Question", "Situation", "compare",
        "contrast", "joint", "posterior", "query", "question",
    ),
    "bayesnet.inputs": ("Timeline", "read_timeline"),
    "bayesnet.report": ("ReportFiles", "render", "write_report", "write_trajectory_plot"),
    "bayesnet.update": ("Change", "ChangeReport", "change_report", "init_model", "update_folder", "update_model"),
}
_WHERE = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "BayesnetError",
    "Change",
    "ChangeReport",
    "Claim",
    "Comparison",
    "CycleError",
    "DuplicateIdError",
    "EngineError",
    "EvidenceRanking",
    "ExportError",
    "FileFormatError",
    "Findings",
    "Inertia",
    "Influence",
    "InputError",
    "JointResult",
    "LeverResult",
    "MissingDependencyError",
    "Model",
    "OutputError",
    "ParameterError",
    "Posterior",
    "QueryError",
    "QueryResult",
    "QueryResults",
    "Question",
    "ReportFiles",
    "Robustness",
    "SchemaError",
    "Sensitivity",
    "Situation",
    "Timeline",
    "Tornado",
    "Trajectory",
    "UnknownNodeError",
    "UnknownStateError",
    "UpdateError",
    "ZeroProbabilityError",
    "__version__",
    "change_report",
    "collaborative_inertia",
    "compare",
    "contrast",
    "evidence_ranking",
    "export",
    "findings_sensitivity",
    "influence",
    "init_model",
    "joint",
    "levers",
    "load",
    "posterior",
    "query",
    "question",
    "read_timeline",
    "render",
    "robustness",
    "select_sources",
    "sensitivity",
    "sobol_indices",
    "summary",
    "tornado",
    "trajectory",
    "update_folder",
    "update_model",
    "write_report",
    "write_trajectory_plot",
]


def __getattr__(name: str) -> _typing.Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'bayesnet' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
