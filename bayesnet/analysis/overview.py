"""Every sensitivity analysis of one question, run once over one posterior.

:func:`sensitivity` is what the command line's ``sensitivity`` and the report both call: the
lever search reuses the tornado's sweeps, the value of one more study asks whether it would
change the best set of levers, and all of them share the posterior's draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from bayesnet.analysis.evidence_value import Conclusion, EvidenceRanking, evidence_ranking
from bayesnet.analysis.findings import Findings, findings_sensitivity
from bayesnet.analysis.lever_search import LeverResult, levers
from bayesnet.analysis.one_way import Tornado, tornado
from bayesnet.analysis.sobol import sobol_indices
from bayesnet.inference.posteriors import Posterior
from bayesnet.inference.questions import Question
from bayesnet.inference.results import plain

if TYPE_CHECKING:
    from bayesnet.display.charts import Axes

__all__ = ["Sensitivity", "sensitivity"]


@dataclass(frozen=True)
class Sensitivity:
    """The analyses of one question over one posterior.

    Attributes
    ----------
    question : Question
    posterior : Posterior
    tornado : Tornado
    findings : Findings
        :func:`~bayesnet.analysis.findings.findings_sensitivity`.
    levers : LeverResult
    evidence : EvidenceRanking
    sobol : pandas.DataFrame or None
        :func:`~bayesnet.analysis.sobol.sobol_indices`, when asked for.
    """

    question: Question
    posterior: Posterior
    tornado: Tornado
    findings: Findings
    levers: LeverResult
    evidence: EvidenceRanking
    sobol: pd.DataFrame | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form: one entry per analysis."""
        out: dict[str, Any] = {
            "tornado": self.tornado.to_dict(),
            "findings": [plain({"node": k, **v}) for k, v in self.findings.frame.to_dict(orient="index").items()],
            "levers": self.levers.to_dict(),
            "evidence": self.evidence.to_dict(),
        }
        if self.sobol is not None:
            out["sobol"] = [plain({"node": k, **v}) for k, v in self.sobol.to_dict(orient="index").items()]
        return out

    def _repr_html_(self) -> str:
        return "".join(part._repr_html_() for part in (self.tornado, self.levers, self.findings, self.evidence))

    def plot(self, ax: Axes | None = None, *, top: int = 15) -> Axes:
        """The tornado (what matters most): see :meth:`Tornado.plot`; each part has its own ``plot``."""
        return self.tornado.plot(ax, top=top)


def sensitivity(
    q: Question,
    post: Posterior,
    *,
    kinds: Sequence[str] = ("context",),
    k: int = 1,
    sobol: int | None = None,
    show_progress: bool = False,
    step: Callable[[str], None] | None = None,
) -> Sensitivity:
    """The tornado, sensitivity to findings, levers, evidence ranking (and Sobol indices) of ``q``.

    Parameters
    ----------
    q : Question
    post : Posterior
        Shared by every analysis.
    kinds : sequence of str
        Node kinds the tornado sweeps (``("context", "mechanism")`` adds mechanisms).
    k : int
        Size of the best set of levers.
    sobol : int, optional
        Base sample size of the Sobol indices (a power of two); None: not computed.
    show_progress : bool
        A tqdm bar over the derivative pass (only on a terminal).
    step : callable, optional
        Called with the name of each analysis as it starts (progress display).

    Returns
    -------
    Sensitivity

    Examples
    --------
    >>> import bayesnet
    >>> model = bayesnet.load()
    >>> q = bayesnet.question(model, "collaborative_behaviour", scenario="merger")
    >>> s = bayesnet.sensitivity(q, bayesnet.posterior(model, draws=200), k=2)
    >>> len(s.levers.best_set)
    2
    """
    say = step or (lambda _name: None)
    say("tornado")
    t = tornado(q, post, kinds=kinds, show_progress=show_progress)
    say("findings")
    findings = findings_sensitivity(q)
    say("levers")
    lv = levers(q, post, k=k, tornado_result=t)
    say("evidence")
    ev = evidence_ranking(q, post, conclusion=Conclusion.best_levers(lv) if len(lv.sets) > 1 else None)
    sob = None
    if sobol is not None:
        say("sobol")
        sob = sobol_indices(q, n=sobol, seed=post.seed)
    return Sensitivity(q, post, t, findings, lv, ev, sob)
