"""From validated inputs to a Bayesian network: links, DAG, parameters, CPTs, the model.

* :mod:`~bayesnet.build.graph` -- the link table (distinct sources per link) and the DAG;
* :mod:`~bayesnet.build.weights` -- how a link's evidence becomes its weight;
* :mod:`~bayesnet.build.streams` -- one random stream per parameter (common random numbers);
* :mod:`~bayesnet.build.parameters` -- the uncertain parameters, their means and draws;
* :mod:`~bayesnet.build.cpt` -- logistic CPTs from link weights;
* :mod:`~bayesnet.build.leaves` -- only the CPT slices one query reads, chunk by chunk;
* :mod:`~bayesnet.build.model` -- :class:`Model`, which holds all of it, :func:`load` and
  :func:`select_sources`;
* :mod:`~bayesnet.build.source_filter` -- the one syntax of source filters (:func:`parse_sources`);
* :mod:`~bayesnet.build.sharing` -- CPT draws two models share (leave-one-out, other settings);
* :mod:`~bayesnet.build.network` -- the adapter to pgmpy (the only module that imports it);
* :mod:`~bayesnet.build.contents` -- what a model holds, as plain data;
* :mod:`~bayesnet.build.interchange` -- what an exported network holds; BIF and XMLBIF text;
* :mod:`~bayesnet.build.agrum` -- the adapter to pyAgrum (the only module that imports it, an
  optional extra): GeNIe and Hugin files;
* :mod:`~bayesnet.build.exports` -- :func:`export`: the file format from the file's suffix.

Pure computation apart from :func:`load` (reads through :mod:`bayesnet.inputs`) and
:func:`export` (writes through :mod:`bayesnet.files`). May import:
:mod:`bayesnet.inputs`, :mod:`bayesnet.engine` (the :class:`~bayesnet.engine.Structure` a
model hands the engine) and the bottom modules.
"""

from bayesnet.build.contents import summary
from bayesnet.build.exports import export
from bayesnet.build.model import CPTs, Model, load, select_sources
from bayesnet.build.source_filter import SourceFilter, parse_sources

__all__ = ["CPTs", "Model", "SourceFilter", "export", "load", "parse_sources", "select_sources", "summary"]
