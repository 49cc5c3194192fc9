"""Global sensitivity: Sobol indices of the target's probability over random context configurations.

The one-at-a-time tornado moves one context with the others as they are. Here every context
the situation leaves free varies at once: a configuration draws each context's state from its
base rate (its marginal under the situation's interventions, observations aside), sets them
all (``do``), and records ``g = P(target = state | situation, do(configuration))`` on the
posterior-mean network. Sobol indices (SALib: Saltelli's sampling and estimators, with
bootstrap confidence intervals) split the variance of ``g`` over configurations:

* ``S1`` (first order): the share of the variance due to the context alone;
* ``ST`` (total): the share in which the context takes part, alone or interacting.

``ST - S1`` measures interactions (moderated links, several causes of one mechanism). A context
with no path to the target has ``S1 = ST = 0`` exactly (the estimators difference outputs
that are then identical). Each configuration is one column of the engine's draw axis, the
contexts' CPTs one-hot, so the ``n * (D + 2)`` evaluations take a few batched calls.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from bayesnet.analysis.ranking import sort_frame
from bayesnet.checks import check_power_of_two, check_probability, check_seed
from bayesnet.defaults import DEFAULT_SEED
from bayesnet.inference.evaluation import answer, gradients
from bayesnet.inference.questions import Question

__all__ = ["sobol_indices"]

_BATCH = 2048


def _base_rates(q: Question, nodes: list[str]) -> dict[str, np.ndarray]:
    """``P(node = x | do)`` for every node (the situation's observations left out)."""
    model = q.model
    unobserved = q.with_situation(replace(q.situation, given={}))
    g = gradients(unobserved, model.cpts, nodes=nodes, keep="all")
    out = {}
    for v in nodes:
        j = g.joint_with(v)
        out[v] = np.full(model.spec.card(v), 1.0 / model.spec.card(v)) if j is None else j[..., 0].sum(axis=0)
    return out


def _evaluate(q: Question, nodes: list[str], states: np.ndarray) -> np.ndarray:
    """``g`` for each row of ``states`` (state indices of ``nodes``), each row one column of the
    draw axis with its own interventions."""
    out = np.empty(len(states))
    for start in range(0, len(states), _BATCH):
        batch = states[start:start + _BATCH]
        per_column = {v: batch[:, i] for i, v in enumerate(nodes)}
        out[start:start + len(batch)] = answer(q, q.model.cpts, per_column=per_column)
    return out


def sobol_indices(
    q: Question,
    *,
    n: int = 512,
    seed: int = DEFAULT_SEED,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """First-order and total Sobol indices of ``P(target = state)`` for every free context.

    Parameters
    ----------
    n : int
        Base sample size, a power of two (Sobol' sequences); ``n * (D + 2)`` configurations are
        evaluated for ``D`` free contexts.
    seed : int
        Seeds the scrambled Sobol' sequence and the bootstrap.
    conf_level : float
        Of the bootstrap confidence intervals ``S1_conf``, ``ST_conf`` (half-widths).

    Returns
    -------
    pandas.DataFrame
        Index ``node``, ranked by ``ST``: ``label, role, S1, S1_conf, ST, ST_conf``;
        ``attrs`` hold the variance and mean of ``g`` and the number of evaluations.
    """
    n = check_power_of_two(n, "n", "sobol_indices")
    seed = check_seed(seed, "sobol_indices")
    conf_level = check_probability(conf_level, "conf_level", "sobol_indices")
    model = q.model
    nodes = [c.id for c in model.codebook.of_kind("context") if c.id not in q.situation.fixed]
    columns = ["label", "role", "S1", "S1_conf", "ST", "ST_conf"]
    if not nodes:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="node"))
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    problem = {"num_vars": len(nodes), "names": nodes, "bounds": [[0.0, 1.0]] * len(nodes)}
    x = sample.sample(problem, int(n), calc_second_order=False, seed=seed)
    rates = _base_rates(q, nodes)
    states = np.empty(x.shape, dtype=np.intp)
    for i, v in enumerate(nodes):
        cum = np.cumsum(rates[v])
        states[:, i] = np.minimum(np.searchsorted(cum, x[:, i], side="right"), len(cum) - 1)
    y = _evaluate(q, nodes, states)
    res = analyze.analyze(problem, y, calc_second_order=False, conf_level=conf_level, seed=seed)
    frame = pd.DataFrame({
        "node": nodes,
        "label": [model.codebook[v].label for v in nodes],
        "role": [model.codebook[v].role for v in nodes],
        "S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"],
    })
    frame = sort_frame(frame.set_index("node"), "ST")
    frame.attrs.update(question=q.describe(), variance=float(np.var(y)), mean=float(np.mean(y)), evaluations=len(y))
    return frame
