"""The inference engine: exact answers for every parameter draw at once, in pure numpy.

It speaks in variable names and state indices and knows nothing of the review, the codebook
or files. Everything above it reaches it through :func:`bayesnet.inference.evaluation`.

* :mod:`~bayesnet.engine.structure` -- :class:`Structure` (variables, cardinalities,
  parents) and the nodes a query needs;
* :mod:`~bayesnet.engine.plan` -- the one contraction compiler (surgery, pruning, labels,
  path), shared by
* :mod:`~bayesnet.engine.forward` -- the batched forward pass, :func:`check_cpts` and
  interventions that differ per draw column, and
* :mod:`~bayesnet.engine.backward` -- the derivatives of a query with respect to every CPT.

May import: numpy, opt_einsum, :mod:`bayesnet.errors`, :mod:`bayesnet.progress`,
:mod:`bayesnet.parallel` (chunks of draws on all cores), :mod:`bayesnet.scratch` (reused
buffers).
"""

from bayesnet.engine.backward import Consumer, GradientPlan, Gradients, compile_gradients, run_pass
from bayesnet.engine.forward import (
    COLUMN_SUM_TOLERANCE,
    CompiledQuery,
    LeafSource,
    ZeroProbabilityError,
    check_cpts,
    compile_query,
    intervene_columns,
)
from bayesnet.engine.plan import DEFAULT_OPTIMIZE, ContractionPlan, plan_contraction
from bayesnet.engine.structure import Structure, relevant_nodes

__all__ = [
    "COLUMN_SUM_TOLERANCE",
    "DEFAULT_OPTIMIZE",
    "CompiledQuery",
    "Consumer",
    "ContractionPlan",
    "GradientPlan",
    "Gradients",
    "LeafSource",
    "Structure",
    "ZeroProbabilityError",
    "check_cpts",
    "compile_gradients",
    "compile_query",
    "intervene_columns",
    "plan_contraction",
    "relevant_nodes",
    "run_pass",
]
