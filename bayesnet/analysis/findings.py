"""Sensitivity to findings: how much observing each node would tell about the target.

As Netica's "sensitivity to findings" reports it: mutual information (entropy reduction,
in bits) and variance reduction of the target's state number, on the posterior-mean
network, from one forward-backward pass that keeps every node (the joint of the target
with each node, :mod:`bayesnet.engine.backward`). Checked in the tests against joint
distributions from :func:`bayesnet.inference.joint`. See docs/sensitivity.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayesnet.analysis.ranking import sort_frame
from bayesnet.inference.evaluation import gradients
from bayesnet.inference.questions import Question

__all__ = ["findings_sensitivity"]


def findings_sensitivity(q: Question) -> pd.DataFrame:
    """Mutual information and variance reduction between each node and the target (Netica's
    "sensitivity to findings"), on the posterior-mean network, under the situation.

    For a node ``F`` not fixed by the situation, with ``P`` conditioned on the situation::

        I(T; F) = sum_t sum_f P(t, f) log2( P(t, f) / (P(t) P(f)) )           (bits)
        VR      = V(T) - sum_f P(f) V(T | f),   V(T) = sum_t P(t) (x_t - E[x_T])^2

    with ``x_t`` the state number ``0..k-1`` of the target (for a two-state target,
    ``VR = sum_f P(f) (P(t1 | f) - P(t1))^2``).

    Returns
    -------
    pandas.DataFrame
        Index ``node``, ranked by mutual information: ``label, kind, role, mutual_info,
        mi_percent`` (of the target's entropy), ``variance_reduction, vr_percent`` (of its
        variance), ``p_min, p_max`` (of ``P(target = state | F = f)`` over the node's states).
        Nodes with no path to the target get zero.
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
    frame.attrs.update(question=q.describe(), entropy=h_t, variance=var_t)
    return frame
