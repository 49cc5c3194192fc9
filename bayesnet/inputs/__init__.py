"""Reading and validating the inputs: a model folder's files, new studies, timelines.

* :mod:`~bayesnet.inputs.yamlio` -- safe YAML (line-aware) and spreadsheet rows;
* :mod:`~bayesnet.inputs.fields` -- typed fields of one record, with located errors;
* :mod:`~bayesnet.inputs.codebook` -- the nodes of the causal web;
* :mod:`~bayesnet.inputs.evidence` -- sources and their CMOCs;
* :mod:`~bayesnet.inputs.settings` -- the model's constants;
* :mod:`~bayesnet.inputs.scenarios` -- collaboration-type presets;
* :mod:`~bayesnet.inputs.timeline` -- events over the slices of a collaboration;
* :mod:`~bayesnet.inputs.folder` -- a whole model folder, and the embedded default one.

Only reads: nothing here writes. May import: :mod:`bayesnet.errors`, :mod:`bayesnet.checks`,
pyyaml, openpyxl.
"""

from bayesnet.inputs.codebook import Codebook, Node
from bayesnet.inputs.evidence import CMOC, Evidence, Source
from bayesnet.inputs.folder import ModelFiles, default_model_dir, read_evidence, read_model_files
from bayesnet.inputs.scenarios import Scenario, Scenarios
from bayesnet.inputs.settings import Settings
from bayesnet.inputs.timeline import Event, Timeline, read_timeline

__all__ = [
    "CMOC",
    "Codebook",
    "Event",
    "Evidence",
    "ModelFiles",
    "Node",
    "Scenario",
    "Scenarios",
    "Settings",
    "Source",
    "Timeline",
    "default_model_dir",
    "read_evidence",
    "read_model_files",
    "read_timeline",
]
