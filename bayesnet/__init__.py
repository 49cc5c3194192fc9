"""bayesnet: a Bayesian network of how inter-organisational collaborations in healthcare work.

Built from the realist review by Aunger, Millar and Greenhalgh (2021), "When trust,
confidence, and faith collide", BMC Health Services Research 21:602 (CC BY 4.0): its
causal web of contexts, mechanisms and outcomes, with conditional probability tables
drawn from how many of the review's sources support each link.

>>> import bayesnet
>>> model = bayesnet.load()                       # the embedded default model
>>> model.query("collaborative_behaviour", scenario="buddying")   # doctest: +SKIP
"""

from bayesnet.errors import (
    BayesnetError,
    CycleError,
    DuplicateIdError,
    FileFormatError,
    InputError,
    ParameterError,
    QueryError,
    SchemaError,
    UnknownNodeError,
    UnknownStateError,
    UpdateError,
    ZeroProbabilityError,
)
from bayesnet.model import Model, load
from bayesnet.query import JointResult, QueryResult, joint, query

__version__ = "0.1.0"

__all__ = [
    "BayesnetError",
    "CycleError",
    "DuplicateIdError",
    "FileFormatError",
    "InputError",
    "JointResult",
    "Model",
    "ParameterError",
    "QueryError",
    "QueryResult",
    "SchemaError",
    "UnknownNodeError",
    "UnknownStateError",
    "UpdateError",
    "ZeroProbabilityError",
    "__version__",
    "joint",
    "load",
    "query",
]
