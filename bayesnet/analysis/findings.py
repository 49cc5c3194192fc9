"""Sensitivity to findings: how much observing each node would tell about the target.

As Netica's "sensitivity to findings" reports it: mutual information (entropy reduction,
in bits) and variance reduction of the target's state number, on the posterior-mean
network, from one forward-backward pass that keeps every node (the joint of the target
with each node, :mod:`bayesnet.engine.backward`). Checked in the tests against joint
distributions from :func:`bayesnet.inference.joint`. See docs/sensitivity.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet.analysis.ranking import TIE, sort_frame
from bayesnet.display import Card, bar_chart
from bayesnet.inference.evaluation import gradients
from bayesnet.inference.questions import Question
from bayesnet.inference.results import plain

if TYPE_CHECKING:
    from bayesnet.display.charts import Axes

__all__ = ["Findings", "findings_sensitivity"]


@dataclass(frozen=True)
class Findings:
    """How much observing each node would tell about the target, on the posterior-mean network.

    Attributes
    ----------
    question : Question
    frame : pandas.DataFrame
        Index ``node``, ranked by mutual information: ``label, kind, role, mutual_info,
        mi_percent`` (of the target's entropy), ``variance_reduction, vr_percent`` (of its
        variance), ``p_min, p_max`` (of ``P(target = state | F = f)`` over the node's states).
    entropy : float
        The target's entropy in the situation (bits).
    variance : float
        The variance of its state number.
    """

    question: Question
    frame: pd.DataFrame
    entropy: float
    variance: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        q = self.question
        return plain({
            "target": q.target, "state": q.state, "situation": q.situation.describe(), "entropy": self.entropy,
            "variance": self.variance,
            "nodes": [{"node": k, **v} for k, v in self.frame.to_dict(orient="index").items()],
        })

    def headline_text(self) -> str:
        """The answer in words: the node whose observation would tell most."""
        q = self.question
        if self.frame.empty:
            return "The situation fixes every node."
        top = self.frame.iloc[0]
        tied = [str(r["label"]) for _, r in self.frame.iloc[1:].iterrows()
                if abs(r["mutual_info"] - top["mutual_info"]) <= TIE]
        text = (f"Observing {top['label']} would tell most about {q.label(q.target)}: "
                f"{top['mutual_info']:.4f} bits, {top['mi_percent']:.1f}% of its uncertainty; "
                f"P({q.state}) would lie between {top['p_min']:.3f} and {top['p_max']:.3f}")
        return text + (f", tied with {', '.join(tied)}." if tied else ".")

    def _card(self) -> Card:
        q = self.question
        return Card(
            title=f"Sensitivity to findings for {q.describe(labels=True)}",
            headline=self.headline_text(),
            tables=[("What observing each node would tell", self.frame.set_index("label").drop(columns="kind"))],
            note="On the posterior-mean network (no intervals): mutual information in bits and as a share of the "
                 "target's entropy, variance reduction of its state number (Netica's sensitivity to findings).",
            formats={"mutual_info": ".4f", "mi_percent": ".1f", "variance_reduction": ".2e", "vr_percent": ".1f"},
        )

    def _repr_html_(self) -> str:
        return self._card().to_html()

    def plot(self, ax: Axes | None = None, *, top: int = 15) -> Axes:
        """Each node's mutual information with the target as a share of its entropy, largest first."""
        q = self.question
        frame = self.frame.head(top)
        return bar_chart(ax, list(frame["label"]), frame["mi_percent"].to_numpy(),
                         xlabel=f"% of the uncertainty about {q.label(q.target)} that observing the node removes",
                         title="Sensitivity to findings", colour="#1c4587")


def findings_sensitivity(q: Question) -> Findings:
    """Mutual information and variance reduction between each node and the target (Netica's
    "sensitivity to findings"), on the posterior-mean network, under the situation.

    For a node ``F`` not fixed by the situation, with ``P`` conditioned on the situation::

        I(T; F) = sum_t sum_f P(t, f) log2( P(t, f) / (P(t) P(f)) )           (bits)
        VR      = V(T) - sum_f P(f) V(T | f),   V(T) = sum_t P(t) (x_t - E[x_T])^2

    with ``x_t`` the state number ``0..k-1`` of the target (for a two-state target,
    ``VR = sum_f P(f) (P(t1 | f) - P(t1))^2``).

    Returns
    -------
    Findings
        Its ``frame`` has one row per node; nodes with no path to the target get zero.
    """
    model = q.model
    nodes = [v for v in model.spec.order if v != q.target and v not in q.situation.fixed]
    g = gradients(q, model.cpts, nodes=nodes, keep="all")
    total = float(g.total[0])
    p_t = g.value[:, 0] / total
    x = np.arange(len(p_t), dtype=float)
    var_t = float(np.sum(p_t * (x - np.sum(p_t * x)) ** 2))
    h_t = float(-np.sum(p_t[p_t > 0] * np.log2(p_t[p_t > 0])))
    rows = []
    for v in nodes:
        j = g.joint_with(v)
        assert j is not None
        joint = j[..., 0] / total  # (k_T, card_v)
        p_f = joint.sum(axis=0)
        outer = p_t[:, None] * p_f[None, :]
        nz = joint > 0
        mi = float(np.sum(joint[nz] * np.log2(joint[nz] / outer[nz])))
        seen = p_f > 0
        cond = joint[:, seen] / p_f[seen]
        e_f = (x[:, None] * cond).sum(axis=0)
        var_f = ((x[:, None] - e_f) ** 2 * cond).sum(axis=0)
        vr = var_t - float(np.sum(p_f[seen] * var_f))
        node = model.codebook[v]
        rows.append({
            "node": v, "label": node.label, "kind": node.kind, "role": node.role,
            "mutual_info": mi, "mi_percent": 100.0 * mi / h_t if h_t > 0 else 0.0,
            "variance_reduction": vr, "vr_percent": 100.0 * vr / var_t if var_t > 0 else 0.0,
            "p_min": float(cond[q.index].min()), "p_max": float(cond[q.index].max()),
        })
    frame = pd.DataFrame(rows, columns=["node", "label", "kind", "role", "mutual_info", "mi_percent",
                                        "variance_reduction", "vr_percent", "p_min", "p_max"])
    frame = sort_frame(frame.set_index("node"), "mutual_info")
    return Findings(q, frame, h_t, var_t)
