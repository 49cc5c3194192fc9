"""What an answer depends on: contexts, levers, observations, evidence.

* :mod:`~bayesnet.analysis.one_way` -- the tornado: each context (or mechanism) set one at
  a time;
* :mod:`~bayesnet.analysis.findings` -- sensitivity to findings (mutual information);
* :mod:`~bayesnet.analysis.lever_search` -- the best levers (modifiable contexts) and the
  givens;
* :mod:`~bayesnet.analysis.evidence_value` -- which links the answer hangs on, and what one
  more study on each would be worth;
* :mod:`~bayesnet.analysis.sobol` -- global sensitivity (Sobol indices);
* :mod:`~bayesnet.analysis.claims` -- :class:`Claim`, a conclusion drawn from two answers;
* :mod:`~bayesnet.analysis.source_influence` -- which studies carry an answer (each left out);
* :mod:`~bayesnet.analysis.settings_robustness` -- the same answer under many of the model's
  own settings;
* :mod:`~bayesnet.analysis.overview` -- all of them for one question, sharing one pass.

Each takes a :class:`~bayesnet.inference.Question` and a
:class:`~bayesnet.inference.Posterior`. May import: :mod:`bayesnet.inference` and below.
"""

from bayesnet.analysis.claims import Claim
from bayesnet.analysis.evidence_value import (
    Conclusion,
    EvidenceRanking,
    evidence_ranking,
    link_derivatives,
    link_frame,
    study_value,
)
from bayesnet.analysis.findings import Findings, findings_sensitivity
from bayesnet.analysis.lever_search import LeverResult, givens, levers
from bayesnet.analysis.one_way import ContextSweep, Tornado, context_sweep, swept_nodes, tornado
from bayesnet.analysis.overview import Sensitivity, sensitivity
from bayesnet.analysis.settings_robustness import Robustness, Variation, robustness
from bayesnet.analysis.sobol import sobol_indices
from bayesnet.analysis.source_influence import Influence, influence

__all__ = [
    "Claim",
    "Conclusion",
    "ContextSweep",
    "EvidenceRanking",
    "Findings",
    "Influence",
    "LeverResult",
    "Robustness",
    "Sensitivity",
    "Tornado",
    "Variation",
    "context_sweep",
    "evidence_ranking",
    "findings_sensitivity",
    "givens",
    "influence",
    "levers",
    "link_derivatives",
    "link_frame",
    "robustness",
    "sensitivity",
    "sobol_indices",
    "study_value",
    "swept_nodes",
    "tornado",
]
