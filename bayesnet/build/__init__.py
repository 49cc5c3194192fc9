"""From validated inputs to a Bayesian network: links, DAG, parameters, CPTs, the model.

* :mod:`~bayesnet.build.graph` -- the link table (distinct sources per link) and the DAG;
* :mod:`~bayesnet.build.weights` -- how a link's evidence becomes its weight;
* :mod:`~bayesnet.build.streams` -- one random stream per parameter (common random numbers);
* :mod:`~bayesnet.build.parameters` -- the uncertain parameters, their means and draws;
* :mod:`~bayesnet.build.cpt` -- logistic CPTs from link weights;
* :mod:`~bayesnet.build.leaves` -- only the CPT slices one query reads, chunk by chunk;
* :mod:`~bayesnet.build.model` -- :class:`Model`, which holds all of it, and :func:`load`;
* :mod:`~bayesnet.build.network` -- the adapter to pgmpy (the only module that imports it),
  BIF and XMLBIF;
* :mod:`~bayesnet.build.contents` -- what a model holds, as plain data.

Pure computation apart from :func:`load` (reads through :mod:`bayesnet.inputs`). May import:
:mod:`bayesnet.inputs`, :mod:`bayesnet.engine` (the :class:`~bayesnet.engine.Structure` a
model hands the engine) and the bottom modules.
"""

from bayesnet.build.model import CPTs, Model, load
from bayesnet.build.contents import summary

__all__ = ["CPTs", "Model", "load", "summary"]
