"""One query's CPT slices built from parameter draws (bayesnet.build.leaves) equal the slices of
the whole CPT draws, so a question answered either way gets the same answer."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

import bayesnet
from bayesnet import engine
from bayesnet.build.draws import CPTDraws
from bayesnet.build.leaves import DrawnLeaves
from bayesnet.inference.evaluation import evaluate
from bayesnet.inference.queries import answer_query

N_DRAWS = 300
SEED = 17


@pytest.fixture(scope="module")
def model():
    return bayesnet.load()


def _situations(model, n, seed):
    """Random questions: a target, some observed and some set nodes (contexts and mechanisms)."""
    rng = np.random.default_rng(seed)
    ids = list(model.codebook.ids)
    for _ in range(n):
        target, *rest = (ids[i] for i in rng.choice(len(ids), size=int(rng.integers(1, 7)), replace=False))
        given, do = {}, {}
        for node in rest:
            states = model.codebook[node].states
            (given if rng.random() < 0.6 else do)[node] = states[int(rng.integers(len(states)))]
        yield target, given, do


def test_leaves_are_the_slices_of_the_whole_cpt_draws(model):
    """Every leaf (fixed parents sliced away, upper rows of halved tables, a chunk of draws)
    equals the engine's slice of the whole CPTs, bit for bit or to one rounding."""
    source = model.leaves(N_DRAWS, SEED)
    cpts = model.cpt_draws(N_DRAWS, SEED)
    for target, given, do in [*_situations(model, 25, 3), ("collaborative_behaviour", {}, {})]:
        q = bayesnet.question(model, target, given=given, do=do)
        plan = engine.plan_contraction(model.structure, [target], evidence=list(q.evidence), do=list(q.do))
        fixed = {**q.evidence, **q.do}
        for draws in (slice(None), slice(40, 130)):
            built = source.leaves(plan, fixed, draws)
            sliced = plan.operands([cpts[v] for v in plan.factors], fixed, draws, upper=True)
            for node, a, b in zip(plan.factors, built, sliced, strict=True):
                assert a.shape == b.shape, node
                np.testing.assert_allclose(a, b, rtol=0, atol=1e-15, err_msg=node)


def test_a_query_gets_the_same_answer_from_slices_and_from_whole_draws(model):
    """A fresh posterior's query reads built slices; once an analysis has built the whole CPT
    draws, the same query reads those: the answers agree to 1e-12."""
    for target, given, do in _situations(model, 12, 5):
        q = bayesnet.question(model, target, given=given, do=do)
        post = bayesnet.posterior(model, draws=N_DRAWS, seed=SEED + 1)
        model._draws.clear()
        assert isinstance(post.tables, DrawnLeaves) and not model.holds_cpt_draws(N_DRAWS, SEED + 1)
        from_slices = answer_query(q, post)
        post.cpts  # noqa: B018 - an analysis builds the whole draws
        assert model.holds_cpt_draws(N_DRAWS, SEED + 1) and post.tables is post.cpts
        from_whole = answer_query(q, post)
        np.testing.assert_allclose(from_slices.draws, from_whole.draws, rtol=0, atol=1e-12)
        np.testing.assert_allclose(from_slices.distribution, from_whole.distribution, rtol=0, atol=1e-12)


def test_the_joint_with_the_findings_is_the_same_from_slices(model):
    """``P(target, findings)`` unnormalised (what the explanation of impossible findings reads)
    is the same from slices as from the whole draws."""
    q = bayesnet.question(model, "trust", given={"mandated": "mandated"})
    source = model.leaves(N_DRAWS, SEED)
    whole = model.cpt_draws(N_DRAWS, SEED)
    a = evaluate(model, source, ["trust"], evidence=q.evidence, do=q.do, normalise=False)
    b = evaluate(model, whole, ["trust"], evidence=q.evidence, do=q.do, normalise=False)
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_cpt_draws_hold_large_two_state_tables_by_their_upper_row(model):
    """The cached CPT draws keep trust (and every two-state child of 64 or more parent
    configurations) by its upper row, yet read as whole CPTs, and slices, equal to build_cpts'."""
    draws = model.cpt_draws(N_DRAWS, SEED)
    whole = model.parameter_draws(N_DRAWS, SEED).cpts(model.spec)
    assert draws.halved("trust") and draws.halved("faith") and not draws.halved("mandated")
    assert list(draws) == list(model.spec.order) and len(draws) == len(whole)
    for node, table in whole.items():
        np.testing.assert_array_equal(draws[node], table, err_msg=node)
        np.testing.assert_array_equal(draws.table(node, slice(5, 9)), table[..., 5:9], err_msg=node)
    assert draws.nbytes < 0.6 * sum(a.nbytes for a in whole.values())
    assert model.bytes_per_draw * N_DRAWS == draws.nbytes
    for asked, given, do in [*_situations(model, 10, 8), ("trust", {"trust": "high"}, {}),
                             ("faith", {"trust": "low"}, {})]:
        target = "collaborative_behaviour" if asked in given else asked
        q = bayesnet.question(model, target, given=given, do=do)
        plan = engine.plan_contraction(model.structure, [target], evidence=list(q.evidence), do=list(q.do))
        fixed = {**q.evidence, **q.do}
        for upper in (True, False):
            got = draws.leaves(plan, fixed, slice(10, 50), upper=upper)
            want = plan.operands([whole[v] for v in plan.factors], fixed, slice(10, 50), upper=upper)
            for node, a, b in zip(plan.factors, got, want, strict=True):
                np.testing.assert_array_equal(a, b, err_msg=node)


def test_interventions_that_differ_per_column_read_slices_too(model):
    """A lever search sets nodes differently in each draw column; on the held draws (upper
    rows) and on one query's slices it gets what whole CPTs give, and never builds trust whole."""
    q = bayesnet.question(model, "collaborative_behaviour", scenario="buddying")
    rng = np.random.default_rng(4)
    per_column = {"quick_wins": rng.integers(-1, 2, N_DRAWS), "joint_teams": rng.integers(-1, 2, N_DRAWS)}
    whole = dict(model.parameter_draws(N_DRAWS, SEED).cpts(model.spec))
    want = evaluate(model, whole, [q.target], evidence=q.evidence, do=q.do, per_column=per_column)
    for source in (model.cpt_draws(N_DRAWS, SEED), model.leaves(N_DRAWS, SEED)):
        with mock.patch.object(CPTDraws, "__getitem__", side_effect=AssertionError("a whole CPT was built")):
            got = evaluate(model, source, [q.target], evidence=q.evidence, do=q.do, per_column=per_column)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_asking_whether_cpt_draws_hold_a_node_builds_no_table(model):
    draws = model.cpt_draws(N_DRAWS, SEED)
    halved = [n for n in model.spec.order if draws.halved(n)]
    assert halved
    with mock.patch.object(CPTDraws, "__getitem__", side_effect=AssertionError("a whole CPT was built")):
        assert all(n in draws for n in model.spec.order)
        assert "no_such_node" not in draws
        assert 3 not in draws
