"""Which evidence matters: link derivatives and the value of one more study.

References: finite differences with one perturbed weight set per link on the engine's draw
axis (CPTs from ``bayesnet.build.cpt.build_cpts``); the law of total variance computed from its
definition; the model with one more study added and drawn anew; a small hand-built network
where one link's weight is known to dominate.
"""

from __future__ import annotations

import numpy as np
import pytest

import bayesnet
from bayesnet import engine, evidence_ranking, load, query, question
from bayesnet.analysis.evidence_value import link_derivatives, study_value
from bayesnet.analysis.ranking import TIE
from bayesnet.build.cpt import build_cpts
from tests.helpers import ask, cmoc, make_model_dir, source, write_yaml


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
    """The id of the lag-0 link ``a -> b``."""
    links = model.spec.links
    return int(links["link"][(links["from"] == a) & (links["to"] == b)].iloc[0])


SITUATIONS = [{}, {"scenario": "b_high"}, {"given": {"level": "middle"}}, {"do": {"m": "high"}}]


@pytest.mark.parametrize("situation", SITUATIONS)
def test_derivative_matches_finite_differences_on_the_draw_axis(model, situation):
    """One perturbed weight set per link (and per sign of the step) on the draw axis."""
    d = link_derivatives(question(model, "t", **situation))
    q = question(model, "t", **situation)
    mean = model.mean_parameters
    w = mean.weights  # (L, 1)
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
    assert d.loc[_link(model, "c", "d"), "d_weight"] == 0.0


@pytest.mark.parametrize("situation", SITUATIONS)
def test_one_more_study_never_narrows_by_a_negative_amount(model, situation):
    """The preposterior identity: the expected variance reduction is Var - E_y[Var | y], computed
    here from its definition, and never negative."""
    q, post = ask(model, "t", **situation, draws=1500, seed=9)
    v = study_value(q, post)
    theta = query(model, "t", **situation, draws=1500, seed=9).draws[:, q.index]
    outcomes = post.parameters.outcomes
    for pos, link in enumerate(v.index):
        if v.loc[link, "variance_reduction"] == 0.0:
            continue
        expected_after = 0.0
        for y, like in outcomes.items():
            w = like[pos] / like[pos].sum()
            m = float(w @ theta)
            expected_after += like[pos].mean() * float(w @ (theta - m) ** 2)
            assert v.loc[link, f"mean_if_{y}"] == pytest.approx(m, abs=1e-12)
        assert v.loc[link, "variance_reduction"] == pytest.approx(theta.var() - expected_after, abs=1e-12)
    assert (v["variance_reduction"] >= 0).all()
    assert (v["sd_after"] <= v["sd_now"] + 1e-15).all()
    np.testing.assert_allclose(v[["p_support", "p_contradict", "p_none"]].sum(axis=1), 1.0, atol=1e-12)


def test_one_more_supporting_study_agrees_with_adding_it(model, tmp_path):
    """Reweighting the draws by a supporting report approximates the model with one more
    supporting included study on that link, drawn anew (within Monte Carlo error)."""
    from bayesnet import update_model

    draws = 8000
    q, post = ask(model, "t", draws=draws, seed=2)
    v = study_value(q, post)
    link = _link(model, "m", "t")
    change = update_model(model, [write_yaml(tmp_path / "S900.yaml", source(900, [cmoc("m", "t")]))])
    after = query(change.after, "t", draws=draws, seed=3).draws[:, 1]
    base = query(model, "t", draws=draws, seed=2).draws[:, 1]
    se = np.sqrt(after.var() / draws + base.var() / draws)
    assert v.loc[link, "mean_if_support"] == pytest.approx(after.mean(), abs=4 * se)
    assert abs(v.loc[link, "mean_if_support"] - base.mean()) > 4 * se  # the study does move the answer
    evidence = model.priors.links
    pos = list(model.spec.links["link"]).index(link)
    strength = (model.settings.strength_a0 + 1) / (model.settings.strength_a0 + 1 + model.settings.strength_b0)
    share = (model.settings.direction_prior + 1) / (2 * model.settings.direction_prior + 1)
    assert evidence.support[pos] == 1.0
    assert v.loc[link, "p_support"] == pytest.approx(strength * share, abs=0.02)


def test_the_link_that_dominates_is_ranked_first(model):
    r = evidence_ranking(*ask(model, "t", draws=2000, seed=4))
    first = r.frame.iloc[0]
    assert (first["from"], first["to"]) == ("m", "t")
    last = r.frame.loc[_link(model, "c", "d")]
    assert last["variance_reduction"] == 0.0 and last["d_weight"] == 0.0  # no path to t: exactly nothing
    base = query(model, "t", draws=2000, seed=4).draws[:, 1]
    assert last["mean_if_support"] == pytest.approx(base.mean(), abs=1e-12)
    assert last["sd_after"] == pytest.approx(r.sd, abs=1e-12)
    assert np.all(np.diff(r.frame["variance_reduction"].to_numpy()) <= TIE)  # ranked; ties by |derivative|, link
    data = r.to_dict()
    assert data["links"][0]["name"] == "m -> t" and data["sd"] == pytest.approx(r.sd)


def test_a_sure_conclusion_is_rarely_changed_and_a_coin_toss_often(model):
    from bayesnet.analysis import Conclusion

    c = bayesnet.compare(model, "t", [None, "b_high"], draws=2000)
    r = evidence_ranking(*ask(model, "t", draws=2000), conclusion=Conclusion.higher(c, "b_high"))
    assert c.contrasts.iloc[0]["p_higher"] > 0.99  # b raises t in nearly every draw
    assert r.conclusion == "b_high is higher than (none)"
    assert r.frame["p_changes_conclusion"].between(0, 0.01).all()
    close = Conclusion("a coin toss", ("x", "y"), np.stack([base := np.linspace(0, 1, 2000), base[::-1]]))
    r2 = evidence_ranking(*ask(model, "t", draws=2000), conclusion=close)
    assert r2.frame["p_changes_conclusion"].max() > 0  # a tied conclusion is easily changed


def test_supporting_evidence_counts_by_kind(model):
    v = link_derivatives(question(model, "t"))
    row = v.loc[_link(model, "b", "level")]
    assert row["n_support"] == 2 and row["support_ids"] == "S20;S21"
    assert row["p_direction"] > 0.99 and 0 < row["strength"] < 1
    assert row["name"] == "b -> level"
    assert v.loc[_link(model, "level", "t"), "name"] == "level -| t"


def test_the_best_levers_conclusion_names_the_set_by_its_labels(tmp_path):
    from bayesnet.analysis import Conclusion, levers
    from tests.analysis.test_sensitivity import SENS_SOURCES, TARGET, sens_codebook

    m = load(make_model_dir(tmp_path / "m", sources=SENS_SOURCES, codebook=sens_codebook()))
    lv = levers(*ask(m, TARGET, draws=200, seed=2), k=2)
    c = Conclusion.best_levers(lv)
    assert c.names == tuple(lv.sets["levers"])  # the candidates keep their ids
    assert c.description == f"best set of levers: {lv.sets['label'].iloc[0]}"
    assert "Quick wins = present" in c.description and "quick_wins" not in c.description
