"""Updating a model folder with newly coded studies: plan, write safely, report the change.

* :mod:`~bayesnet.update.plan` -- what an update would change, computed in memory
  (:func:`plan_update`, :class:`Change`);
* :mod:`~bayesnet.update.store` -- a team's model folder on disk: ``init``, atomic updates
  under a lock, recovery, the audit trail;
* :mod:`~bayesnet.update.report` -- links and key answers before and after.

May import: :mod:`bayesnet.inference` and below.
"""

from bayesnet.update.plan import Change, plan_update
from bayesnet.update.report import ChangeReport, change_report
from bayesnet.update.store import init_model, read_history, read_update_inputs, recover, update_folder, update_model

__all__ = [
    "Change",
    "ChangeReport",
    "change_report",
    "init_model",
    "plan_update",
    "read_history",
    "read_update_inputs",
    "recover",
    "update_folder",
    "update_model",
]
