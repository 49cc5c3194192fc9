"""Which evidence matters: link derivatives and the value of one more study.

References: finite differences with one perturbed weight set per link on the engine's draw
axis (CPTs from ``bayesnet.cpt.build_cpts``), and full recomputation of every CPT with the
redrawn reliability followed by an engine query; a small hand-built network where one
link's weight is known to dominate.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from bayesnet import (
    engine,
    evidence_ranking,
    load,
    query,
    question,
)
from bayesnet.analysis.evidence_value import link_derivatives, study_value
from bayesnet.analysis.ranking import TIE
from bayesnet.build.cpt import build_cpts
from bayesnet.inference.intervals import hdi
from tests.helpers import ask, cmoc, make_model_dir, source


def _node(id_, kind, states=("low", "high"), **extra):
    out = {"id": id_, "label": id_, "kind": kind, "stage": "middle", "states": list(states),
           "definition": f"{id_}.", "section": "Middle"}
    if kind == "context":
        out["modifiable"] = extra.pop("modifiable", False)
    out.update(extra)
    return out


CODEBOOK = {"version": 1, "nodes": [
    _node("a", "context", base_rate=0.8, base_rate_basis="test"),
    _node("b", "context", modifiable=True),
    _node("c", "context"),
    _node("m", "mechanism"),
    _node("d", "mechanism"),
    _node("level", "mechanism", ("low", "middle", "high")),
    _node("t", "outcome"),
]}
SCENARIOS = {"version": 1, "scenarios": [
    {"id": "b_high", "label": "b high", "collaboration_type": "buddying",
     "values": {"b": {"state": "high", "basis": "test"}}},
]}


def dominance_sources():
    """``m -> t`` rests on one study; ``a -> m`` and ``b -> t`` on five each; ``c -> d`` has no
    path to ``t``; ``b -> level -> t`` runs through a three-state mechanism."""
    out = [source(1, [cmoc("m", "t")]), source(2, [cmoc("c", "d")])]
    out += [source(10 + i, [cmoc("a", "m"), cmoc("b", "t")]) for i in range(5)]
    out += [source(20, [cmoc("b", "level"), cmoc("level", "t", "decreases")]),
            source(21, [cmoc("b", "level")], kind="supporting_source")]
    return out


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    root = tmp_path_factory.mktemp("evidence") / "m"
    return load(make_model_dir(root, sources=dominance_sources(), codebook=CODEBOOK, scenarios=SCENARIOS))


def _link(model, a, b):
    links = model.spec.links
    return int(np.flatnonzero((links["from"] == a).to_numpy() & (links["to"] == b).to_numpy())[0])


SITUATIONS = [{}, {"scenario": "b_high"}, {"given": {"level": "middle"}}, {"do": {"m": "high"}}]


@pytest.mark.parametrize("situation", SITUATIONS)
def test_derivative_matches_finite_differences_on_the_draw_axis(model, situation):
    """One perturbed weight set per link (and per sign of the step) on the draw axis."""
    d = link_derivatives(question(model, "t", **situation))
    q = question(model, "t", **situation)
    mean = model.mean_parameters
    w = model.priors.weight(mean.reliability)  # (L, 1)
    n_links, h = w.shape[0], 1e-5
    weights = np.repeat(w, 2 * n_links + 1, axis=1)
    for link in range(n_links):
        weights[link, 1 + 2 * link] += h
        weights[link, 2 + 2 * link] -= h
    s = weights.shape[1]
    cpts = build_cpts(model.spec, weights=weights, bias={k: np.repeat(v, s) for k, v in mean.bias.items()},
                      base_rate={k: np.repeat(v, s) for k, v in mean.base_rate.items()})
    plan = engine.compile_query(model.structure, ["t"], evidence=list(q.evidence), do=list(q.do))
    p = plan(cpts, evidence=q.evidence, do=q.do)[:, q.index]
    fd = (p[1::2] - p[2::2]) / (2 * h)
    np.testing.assert_allclose(d["d_weight"].to_numpy(), fd, atol=1e-8)
    scale = model.priors.weight_scale
    np.testing.assert_allclose(d["d_reliability"], d["d_weight"] * d["sign"] * 2 * scale)
    assert d.loc[_link(model, "c", "d"), "d_weight"] == 0.0


def _direct(model, q, link, *, alpha, beta, draws, seed):
    """Redraw one link's reliability by its quantile, rebuild every CPT, and query."""
    params = model.priors.draw(draws, seed)
    rel = params.reliability.copy()
    u = special.betainc(model.priors.alpha[link], model.priors.beta[link], rel[link])
    rel[link] = special.betaincinv(alpha, beta, u)
    cpts = build_cpts(model.spec, weights=model.priors.weight(rel), bias=params.bias, base_rate=params.base_rate)
    plan = engine.compile_query(model.structure, ["t"], evidence=list(q.evidence), do=list(q.do))
    return plan(cpts, evidence=q.evidence, do=q.do)[:, q.index]


@pytest.mark.parametrize("situation", SITUATIONS)
def test_one_more_study_is_exact_against_full_recomputation(model, situation):
    draws, seed = 400, 9
    v = study_value(*ask(model, "t", **situation, draws=draws, seed=seed))
    q = question(model, "t", **situation)
    base = engine.compile_query(model.structure, ["t"], evidence=list(q.evidence), do=list(q.do))(
        model.cpt_draws(draws, seed), evidence=q.evidence, do=q.do)[:, q.index]
    width = float(np.diff(hdi(base, 0.94)[0])[0])
    assert v["width"].iloc[0] == pytest.approx(width, abs=1e-12)
    a, b = model.priors.alpha, model.priors.beta
    for link in range(len(v)):
        for kind, (aa, bb) in {"support": (a[link] + 1, b[link]), "contradict": (a[link], b[link] + 1)}.items():
            p = _direct(model, q, link, alpha=aa, beta=bb, draws=draws, seed=seed)
            assert v.loc[link, f"mean_if_{kind}"] == pytest.approx(p.mean(), abs=1e-12), (link, kind)
            assert v.loc[link, f"width_if_{kind}"] == pytest.approx(np.diff(hdi(p, 0.94)[0])[0], abs=1e-12)
    p_sup = a / (a + b)
    np.testing.assert_allclose(v["expected_narrowing"], p_sup * v["narrowing_if_support"]
                               + (1 - p_sup) * v["narrowing_if_contradict"])


def test_the_link_that_dominates_is_ranked_first(model):
    r = evidence_ranking(*ask(model, "t", draws=2000, seed=4))
    first = r.frame.iloc[0]
    assert (first["from"], first["to"]) == ("m", "t")
    assert abs(first["d_weight"]) == r.frame["d_weight"].abs().max()
    last = r.frame.loc[_link(model, "c", "d")]
    assert last["expected_narrowing"] == 0.0 and last["d_weight"] == 0.0
    base = query(model, "t", draws=2000, seed=4).draws[:, 1]
    assert last["mean_if_support"] == pytest.approx(base.mean(), abs=1e-12)
    assert last["width_if_contradict"] == pytest.approx(r.width, abs=1e-12)
    assert np.all(np.diff(r.frame["expected_narrowing"].to_numpy()) <= TIE)  # ranked; ties (within rounding) by name
    data = r.to_dict()
    assert data["links"][0]["name"] == "m -> t" and data["width"] == pytest.approx(r.width)


def test_supporting_evidence_counts_by_kind(model):
    v = link_derivatives(question(model, "t"))
    row = v.loc[_link(model, "b", "level")]
    assert row["n_support"] == 2 and row["support_ids"] == "S20;S21"
    assert row["reliability"] == pytest.approx((1 + 1.5) / (2 + 1.5))
    assert row["name"] == "b -> level"
    assert v.loc[_link(model, "level", "t"), "name"] == "level -| t"
