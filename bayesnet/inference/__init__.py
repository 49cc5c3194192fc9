"""Questions and their answers: what is asked, over which draws, and what comes back.

* :mod:`~bayesnet.inference.questions` -- :class:`Question` and :class:`Situation`: a
  target, its state, observations, interventions and a scenario, resolved once;
* :mod:`~bayesnet.inference.posteriors` -- :class:`Posterior`: the parameter draws, their
  CPTs, seed and HDI mass every analysis of a question shares;
* :mod:`~bayesnet.inference.evaluation` -- the one route to the engine;
* :mod:`~bayesnet.inference.intervals` -- highest-density intervals and ArviZ objects;
* :mod:`~bayesnet.inference.results` -- :class:`QueryResult` and its kin;
* :mod:`~bayesnet.inference.queries` -- :func:`query` and :func:`joint`;
* :mod:`~bayesnet.inference.comparison` -- one node across several scenarios.

May import: :mod:`bayesnet.build`, :mod:`bayesnet.engine`, :mod:`bayesnet.inputs` and the
bottom modules.
"""

from bayesnet.defaults import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_SEED
from bayesnet.inference.comparison import Comparison, compare, contrast, versus
from bayesnet.inference.evaluation import answer, derivative_pass, evaluate, gradients
from bayesnet.inference.intervals import hdi, inference_data, summarise
from bayesnet.inference.posteriors import Posterior, posterior
from bayesnet.inference.queries import joint, query
from bayesnet.inference.questions import Question, Situation, parse_assignments, question, situation
from bayesnet.inference.results import JointResult, QueryResult, QueryResults, plain

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_HDI",
    "DEFAULT_SEED",
    "Comparison",
    "JointResult",
    "Posterior",
    "QueryResult",
    "QueryResults",
    "Question",
    "Situation",
    "answer",
    "compare",
    "contrast",
    "derivative_pass",
    "evaluate",
    "gradients",
    "hdi",
    "inference_data",
    "joint",
    "parse_assignments",
    "plain",
    "posterior",
    "query",
    "question",
    "situation",
    "summarise",
    "versus",
]
