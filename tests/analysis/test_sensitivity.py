"""Sensitivity analyses: the CPT-derivative engine, the tornado, sensitivity to findings, and
the lever search.

References are independent of the code under test: separate ``bayesnet.inference.queries`` calls (the
batched engine), joint distributions from ``bayesnet.query.joint``, and brute-force
enumeration of lever sets, on small hand-made models; the derivative engine is also checked
on bundled public networks with random evidence and interventions.
"""

from __future__ import annotations

import copy
import itertools
import json

import numpy as np
import pytest

from bayesnet import (
    findings_sensitivity,
    joint,
    levers,
    load,
    query,
    question,
    tornado,
)
from bayesnet.analysis.ranking import TIE
from bayesnet.cli import main
from bayesnet.engine import compile_gradients, compile_query
from bayesnet.errors import ParameterError, QueryError
from bayesnet.inference.intervals import hdi
from tests import public_networks as pn
from tests.helpers import MINI_CODEBOOK, MINI_SOURCES, ask, cmoc, make_model_dir, source

TARGET = "collaborative_behaviour"


def _node(id_: str, kind: str, states: list[str], modifiable: bool | None = None, **extra):
    out = {"id": id_, "label": id_.replace("_", " ").capitalize(), "kind": kind, "stage": "middle",
           "states": states, "definition": f"{id_}.", "section": "Middle"}
    if kind == "context":
        out["modifiable"] = modifiable
    out.update(extra)
    return out


def sens_codebook() -> dict:
    """The small model plus levers, a mechanism that leads nowhere near the target, and a
    context with no path to it (``joint_teams -> side_effect``)."""
    book = copy.deepcopy(MINI_CODEBOOK)
    book["nodes"] += [
        _node("realistic_ambition", "context", ["unrealistic", "realistic"], True),
        _node("leadership_stability", "context", ["unstable", "stable"], True, base_rate=0.7,
              base_rate_basis="test"),
        _node("joint_teams", "context", ["absent", "present"], True),
        _node("side_effect", "mechanism", ["low", "high"]),
    ]
    return book


SENS_SOURCES = [
    *MINI_SOURCES,
    source(90, [cmoc("mandated", "conflict")]),
    source(91, [cmoc("realistic_ambition", "trust"), cmoc("leadership_stability", "conflict", "decreases")]),
    source(92, [cmoc("joint_teams", "side_effect"), cmoc("realistic_ambition", "collaborative_behaviour")]),
    source(93, [cmoc("conflict", "collaborative_behaviour", "decreases")]),
]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    root = tmp_path_factory.mktemp("sens") / "m"
    return load(make_model_dir(root, sources=SENS_SOURCES, codebook=sens_codebook()))


SITUATIONS = [
    {},
    {"scenario": "voluntary"},
    {"given": {"trust": "high"}},  # a finding downstream of most contexts: do differs from observe
    {"do": {"quick_wins": "present"}, "given": {"initial_trust": "low"}},
]


# -- the derivative engine ---------------------------------------------------------------


def test_gradients_reproduce_the_query_and_every_intervention_on_public_networks():
    """``f_t = sum(G_v * theta_v)`` for every CPT, and ``sum over parents of G_v[x]`` is the
    query under ``do(v = x)``, against the engine, with random findings and interventions."""
    rng = np.random.default_rng(11)
    for name in ("asia", "alarm"):
        structure, point = pn.load_network(name)
        cpts = pn.dirichlet_draws(structure, point, 3, rng)
        names = list(structure.variables)
        for _ in range(4):
            perm = [str(v) for v in rng.permutation(names)]
            target, observed, intervened = perm[0], perm[1:4], perm[4:5]
            do = {v: int(rng.integers(structure.card(v))) for v in intervened}
            state = pn.forward_sample(structure, cpts, 0, rng, do=do)
            ev = {v: state[v] for v in observed}
            plan = compile_gradients(structure, target, evidence=list(ev), do=list(do))
            g = plan.gradients(cpts, evidence=ev, do=do)
            want = compile_query(structure, [target], evidence=list(ev), do=list(do))(cpts, evidence=ev, do=do)
            np.testing.assert_allclose(g.posterior().T, want, atol=1e-12)
            for v in g.nodes:
                grad = g.grad(v)
                lin = (grad * cpts[v][None]).reshape(grad.shape[0], -1, grad.shape[-1]).sum(axis=1)
                np.testing.assert_allclose(lin, g.value, rtol=1e-10, atol=1e-15, err_msg=f"{name} {v}")
            for v in [n for n in perm[5:9] if n in g.nodes]:
                f = g.under_do(v)
                for x in range(structure.card(v)):
                    dd = {**do, v: x}
                    ref = compile_query(structure, [target], evidence=list(ev), do=list(dd))(cpts, evidence=ev, do=dd)
                    np.testing.assert_allclose((f[:, x] / f[:, x].sum(axis=0)).T, ref, atol=1e-12,
                                               err_msg=f"{name} do({v}={x}) {ev} {do}")


def test_joint_with_and_configurations_on_public_networks():
    """The reductions of the compact derivatives (joint with every node, including the target's
    children, and the derivative over the allowed parent configurations) against the engine
    and the full derivative."""
    rng = np.random.default_rng(12)
    structure, point = pn.load_network("alarm")
    cpts = pn.dirichlet_draws(structure, point, 2, rng)
    for _ in range(3):
        perm = [str(v) for v in rng.permutation(list(structure.variables))]
        target, observed = perm[0], perm[1:4]
        state = pn.forward_sample(structure, cpts, 0, rng)
        ev = {v: state[v] for v in observed}
        g = compile_gradients(structure, target, evidence=list(ev), keep="all").gradients(cpts, evidence=ev)
        children = [v for v in structure.variables if target in structure.parents_of(v) and v not in ev]
        for v in [*children, *perm[4:10]]:
            if v in ev:
                continue
            want = compile_query(structure, [target, v], evidence=list(ev))(cpts, evidence=ev)  # (S, kT, kv)
            got = g.joint_with(v) / g.total
            np.testing.assert_allclose(np.moveaxis(got, -1, 0), want, atol=1e-12, err_msg=f"{target} {v} {ev}")
        for v in g.nodes:
            live, sub = g.configurations(v)
            full = g.grad(v)
            flat = full.reshape(full.shape[0], full.shape[1], -1, full.shape[-1])
            np.testing.assert_array_equal(sub, flat[:, :, live])
            rest = np.setdiff1d(np.arange(flat.shape[2]), live)
            assert not flat[:, :, rest].any()


def test_joint_with_every_node_matches_joint_queries(model):
    plan = compile_gradients(model.structure, TARGET, evidence=["quick_wins"], keep="all")
    g = plan.gradients(model.cpts, evidence={"quick_wins": 1})
    for v in ("trust", "conflict", "side_effect", "history_of_collaboration"):
        got = g.joint_with(v)[..., 0] / g.total[0]
        want = joint(model, [TARGET, v], given={"quick_wins": "present"}).point
        np.testing.assert_allclose(got, want, atol=1e-14)


# -- tornado -------------------------------------------------------------------------------


@pytest.mark.parametrize("situation", SITUATIONS)
def test_tornado_agrees_with_separate_queries(model, situation):
    draws, seed = 300, 5
    t = tornado(*ask(model, TARGET, **situation, draws=draws, seed=seed), kinds=("context", "mechanism"))
    fixed = t.question.situation.fixed
    assert set(t.frame.index) == {n.id for n in model.codebook if n.kind != "outcome"} - fixed - {TARGET}
    base = query(model, TARGET, draws=draws, seed=seed, **situation)
    assert t.baseline["probability"] == pytest.approx(base.distribution["high"], abs=1e-12)  # the headline
    assert t.baseline["network"] == pytest.approx(base.point[1], abs=1e-12)
    np.testing.assert_allclose(t.baseline_draws, base.draws[:, 1], atol=1e-12)
    for v, row in t.frame.iterrows():
        per_state = {}
        for s in model.spec.states[v]:
            do = {**situation.get("do", {}), v: s}
            r = query(model, TARGET, draws=draws, seed=seed, given=situation.get("given"), do=do,
                      scenario=situation.get("scenario"))
            assert t.states.loc[(v, s), "probability"] == pytest.approx(r.distribution["high"], abs=1e-12), (v, s)
            assert t.states.loc[(v, s), "network"] == pytest.approx(r.point[1], abs=1e-12), (v, s)
            np.testing.assert_allclose(t.draws[v][model.spec.states[v].index(s)], r.draws[:, 1], atol=1e-12)
            per_state[s] = r
        lo, hi = per_state[row["low_state"]], per_state[row["high_state"]]
        headline = {s: r.distribution["high"] for s, r in per_state.items()}
        assert row["swing"] == pytest.approx(headline[row["high_state"]] - headline[row["low_state"]], abs=1e-12)
        assert row["swing"] == pytest.approx(max(headline.values()) - min(headline.values()), abs=1e-12)
        diff = hi.draws[:, 1] - lo.draws[:, 1]
        np.testing.assert_allclose([row["swing_low"], row["swing_high"]], hdi(diff, 0.94)[0], atol=1e-12)
        # each end of the bar with its own interval
        np.testing.assert_allclose([row["p_high_state_low"], row["p_high_state_high"]], hdi(hi.draws[:, 1], 0.94)[0],
                                   atol=1e-12)
        np.testing.assert_allclose([row["p_low_state_low"], row["p_low_state_high"]], hdi(lo.draws[:, 1], 0.94)[0],
                                   atol=1e-12)
        assert row["p_low_state_low"] <= row["p_low_state"] <= row["p_low_state_high"]
        assert row["p_same_direction"] == pytest.approx(np.mean(diff > 0))
    assert np.all(np.diff(t.frame["swing"].to_numpy()) <= TIE)  # ranked; ties (within rounding) by name


def test_a_context_with_no_path_to_the_target_has_zero_swing_and_zero_information(model):
    t = tornado(*ask(model, TARGET, draws=200, seed=1))
    row = t.frame.loc["joint_teams"]
    assert row["swing"] == 0.0
    assert row["swing_low"] == 0.0 and row["swing_high"] == 0.0
    assert row["p_same_direction"] == 0.0
    f = findings_sensitivity(question(model, TARGET)).frame
    assert f.loc["joint_teams", "mutual_info"] == pytest.approx(0.0, abs=1e-14)
    assert f.loc["joint_teams", "variance_reduction"] == pytest.approx(0.0, abs=1e-14)
    assert f.loc["side_effect", "mutual_info"] == pytest.approx(0.0, abs=1e-14)
    assert f.loc["trust", "mutual_info"] > 1e-4


def test_contexts_only_unless_mechanisms_are_asked_for(model):
    t = tornado(*ask(model, TARGET, draws=None))
    assert set(t.frame["kind"]) == {"context"}
    assert np.isnan(t.frame["swing_low"]).all() and np.isnan(t.baseline["low"])
    assert {"lever", "given"} == set(t.frame["role"])
    assert t.frame.loc["quick_wins", "role"] == "lever" and t.frame.loc["mandated", "role"] == "given"
    with pytest.raises(ParameterError, match="'kinds' parameter of tornado"):
        tornado(*ask(model, TARGET, draws=None), kinds=("contexts",))


def test_tornado_of_another_state_and_json(model):
    t = tornado(*ask(model, "trust", state="low", draws=50))
    assert t.question.state == "low"
    ref = query(model, "trust", do={"quick_wins": "present"}, draws=None).point[0]
    assert t.states.loc[("quick_wins", "present"), "network"] == pytest.approx(ref, abs=1e-12)
    data = json.loads(json.dumps(t.to_dict()))
    assert data["state"] == "low" and data["nodes"][0]["node"] == t.frame.index[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "trsut"}, "unknown target node 'trsut'; did you mean 'trust'?"),
        ({"target": "trust", "state": "hihg"}, "node 'trust' has no state 'hihg'"),
        ({"target": "trust", "given": {"trust": "high"}}, "target 'trust' is observed"),
    ],
)
def test_bad_questions_are_named(model, kwargs, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace("?", r"\?")):
        question(model, kwargs.pop("target"), **kwargs)


# -- sensitivity to findings ----------------------------------------------------------------


@pytest.mark.parametrize("situation", SITUATIONS[:3])
def test_mutual_information_and_variance_reduction_match_joint_queries(model, situation):
    f = findings_sensitivity(question(model, TARGET, **situation)).frame
    for v in ("trust", "quick_wins", "conflict", "initial_trust"):
        if v not in f.index:
            continue
        p = joint(model, [TARGET, v], **situation).point  # (target, v)
        pt, pv = p.sum(axis=1), p.sum(axis=0)
        mi = float(np.sum(p * np.log2(p / np.outer(pt, pv))))
        assert f.loc[v, "mutual_info"] == pytest.approx(mi, abs=1e-12)
        cond = p[1] / pv  # P(target upper | v); two-state target: VR = sum_f P(f) (P(t|f) - P(t))^2
        assert f.loc[v, "variance_reduction"] == pytest.approx(float(np.sum(pv * (cond - pt[1]) ** 2)), abs=1e-12)
        assert f.loc[v, "p_min"] == pytest.approx(cond.min()) and f.loc[v, "p_max"] == pytest.approx(cond.max())
    assert np.all(np.diff(f["mutual_info"].to_numpy()) <= TIE)  # ranked; ties (within rounding) by name
    assert (f["mutual_info"] > -1e-12).all()


# -- levers ---------------------------------------------------------------------------------


def _brute_force(model, k, **situation):
    """Every set of ``k`` levers answered on its own: (network, mean over 200 draws of seed 2) per set."""
    sit_fixed = set(situation.get("given", {})) | set(situation.get("do", {}))
    if situation.get("scenario"):
        sit_fixed |= set(model.scenarios[situation["scenario"]].assignment)
    cands = [n.id for n in model.codebook.of_kind("context") if n.modifiable and n.id not in sit_fixed]
    out = {}
    for combo in itertools.combinations(cands, k):
        for states in itertools.product(*(model.spec.states[v] for v in combo)):
            do = {**situation.get("do", {}), **dict(zip(combo, states, strict=True))}
            r = query(model, TARGET, given=situation.get("given"), do=do, scenario=situation.get("scenario"),
                      draws=200, seed=2)
            out[tuple(sorted(zip(combo, states, strict=True)))] = (r.point[1], r.distribution["high"])
    return out


@pytest.mark.parametrize("situation", SITUATIONS[:3])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_exact_search_is_the_best_set_and_greedy_agrees_here(model, situation, k):
    exact = levers(*ask(model, TARGET, **situation, draws=200, seed=2), k=k, method="exact")
    greedy = levers(*ask(model, TARGET, **situation, draws=200, seed=2), k=k, method="greedy")
    every = _brute_force(model, k, **situation)
    assert exact.method == "exact" and greedy.method == "greedy"
    # the search keeps the best sets of the network and ranks them by their headline (mean over draws)
    key = tuple(sorted(exact.best_set.items()))
    assert exact.after["probability"] == pytest.approx(every[key][1], abs=1e-12)
    assert exact.after["network"] == pytest.approx(every[key][0], abs=1e-12)
    best_network = max(v[0] for v in every.values())
    listed = [tuple(sorted(tuple(pair.split("=")) for pair in s.split(", "))) for s in exact.sets["levers"]]
    assert any(every[s][0] == pytest.approx(best_network, abs=1e-12) for s in listed)
    assert exact.after["probability"] == pytest.approx(max(every[s][1] for s in listed), abs=1e-12)
    # on this model the levers act on different nodes and all push one way: greedy finds the optimum
    assert greedy.best_set == exact.best_set
    assert greedy.after["probability"] == pytest.approx(exact.after["probability"], abs=1e-12)
    assert greedy.bound is not None and greedy.bound >= greedy.after["network"] - 1e-12
    assert exact.sets["p_best"].sum() == pytest.approx(1.0)
    assert (exact.sets["rank"].diff().dropna() >= 0).all()
    # before/after over draws are separate queries on the same draws
    do = {**situation.get("do", {}), **exact.best_set}
    after = query(model, TARGET, given=situation.get("given"), do=do, scenario=situation.get("scenario"),
                  draws=200, seed=2)
    lo, hi = after.interval.loc["high"]
    assert (exact.after["low"], exact.after["high"]) == pytest.approx((lo, hi), abs=1e-12)
    before = query(model, TARGET, draws=200, seed=2, **situation)
    assert exact.p_improves == pytest.approx(np.mean(after.draws[:, 1] > before.draws[:, 1]))


def test_best_single_lever_is_the_top_of_the_singles_and_givens_are_not_advice(model):
    lv = levers(*ask(model, TARGET, scenario="voluntary", draws=100), k=1)
    top = lv.singles.index[0]
    assert lv.best_set == {top: lv.singles.loc[top, "state"]}
    assert set(lv.singles.index) == {"quick_wins", "realistic_ambition", "leadership_stability", "joint_teams"}
    assert set(lv.givens.index) == {"history_of_collaboration", "mandated"}
    fixed = lv.givens.loc["mandated"]
    assert fixed["status"] == "observed" and fixed["state"] == "voluntary" and fixed["other_state"] == "mandated"
    ref = query(model, TARGET, given={"mandated": "mandated"}, draws=None).point[1]
    assert fixed["p_other"] == pytest.approx(ref, abs=1e-12)
    assert lv.givens.loc["history_of_collaboration", "status"] == "free"
    json.dumps(lv.to_dict())


def test_auto_goes_greedy_past_max_exact_and_bad_options(model):
    lv = levers(*ask(model, TARGET, draws=None), k=2, max_exact=5)
    assert lv.method == "greedy" and lv.evaluated > 0
    assert levers(*ask(model, TARGET, draws=None), k=2).method == "exact"
    assert levers(*ask(model, TARGET, draws=None), k=10).k == 4  # capped at the number of levers
    with pytest.raises(ParameterError, match="'k' parameter of levers must be a positive integer"):
        levers(*ask(model, TARGET, draws=None), k=0)
    with pytest.raises(ParameterError, match="'method' parameter of levers"):
        levers(*ask(model, TARGET, draws=None), method="best")


# -- command line ---------------------------------------------------------------------------


def test_cli_sensitivity_formats(model, capsys):
    base = ["sensitivity", TARGET, "--model", str(model.root), "--draws", "60", "--scenario", "voluntary"]
    assert main([*base, "--levers", "2", "--mechanisms"]) == 0
    out = capsys.readouterr().out
    for heading in ("set one at a time", "Sensitivity to findings", "best set:", "Givens", "Coded links"):
        assert heading in out
    assert main([*base, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"model", "tornado", "findings", "levers", "evidence"}
    assert data["tornado"]["scenario"] == "voluntary"
    assert main([*base, "--format", "csv", "--table", "findings"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("node,label,kind,role,mutual_info")
    assert main([*base, "--format", "csv", "--table", "sobol", "--sobol", "64"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "node,label,role,S1,S1_conf,ST,ST_conf"
    assert main(["sensitivity", "trsut", "--model", str(model.root), "--draws", "10"]) == 2
    assert "did you mean 'trust'?" in capsys.readouterr().err


# -- global sensitivity (Sobol) ---------------------------------------------------------------


def test_sobol_indices(model):
    from bayesnet.analysis.sobol import _evaluate, sobol_indices

    s = sobol_indices(question(model, TARGET), n=256, seed=3)
    assert set(s.index) == {n.id for n in model.codebook.of_kind("context")}
    assert s.loc["joint_teams", "S1"] == 0.0 and s.loc["joint_teams", "ST"] == 0.0
    assert s.index[0] == tornado(*ask(model, TARGET, draws=None)).frame.index[0]
    assert s["S1"].sum() <= 1.0 + s["S1_conf"].sum()
    assert (s["ST"] >= s["S1"] - s["S1_conf"] - s["ST_conf"]).all()
    assert s.attrs["evaluations"] == 256 * (len(s) + 2)
    # every configuration is an intervention on all free contexts at once
    q = question(model, TARGET, scenario="voluntary")
    nodes = ["history_of_collaboration", "quick_wins", "realistic_ambition", "leadership_stability", "joint_teams"]
    states = np.random.default_rng(0).integers(0, 2, size=(6, len(nodes)))
    got = _evaluate(q, nodes, states)
    for row, value in zip(states, got, strict=True):
        do = {v: model.spec.states[v][i] for v, i in zip(nodes, row, strict=True)}
        assert value == pytest.approx(query(model, TARGET, scenario="voluntary", do=do, draws=None).point[1],
                                      abs=1e-12)
    with pytest.raises(ParameterError, match="power of two"):
        sobol_indices(question(model, TARGET), n=100)
