"""Credible intervals from posterior draws: reproducible, exact per draw, narrowing with
evidence, and a mean over draws that behaves as derived below."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayesnet
from bayesnet import (
    load,
    query,
)
from tests.helpers import MINI_SOURCES, cmoc, make_model_dir, source
from tests.public_networks import pgmpy_query


@pytest.fixture(scope="module")
def default():
    return bayesnet.load()


def _random_situations(model, n, seed):
    rng = np.random.default_rng(seed)
    ids = list(model.codebook.ids)
    for _ in range(n):
        picked = [ids[i] for i in rng.choice(len(ids), size=5, replace=False)]
        target, *rest = picked
        given, do = {}, {}
        for i, node in enumerate(rest):
            states = model.codebook[node].states
            (given if i % 2 == 0 else do)[node] = states[int(rng.integers(len(states)))]
        yield target, given, do


def test_each_draw_agrees_with_pgmpy_variable_elimination(default):
    """The batched engine answers every draw exactly: pgmpy, looping over draws, agrees to 1e-9."""
    n = 4
    cpts = default.cpt_draws(n, seed=99)
    states = default.spec.states
    for target, given_, do in _random_situations(default, 8, seed=3):
        result = query(default, target, given=given_, do=do, draws=n, seed=99)
        ev = {k: states[k].index(v) for k, v in given_.items()}
        dv = {k: states[k].index(v) for k, v in do.items()}
        for s in range(n):
            expected = pgmpy_query(default.structure, cpts, s, [target], evidence=ev, do=dv)
            np.testing.assert_allclose(result.draws[s], expected, rtol=0, atol=1e-9)


def test_same_seed_identical_draws_different_seed_different(default):
    a = query(default, "collaborative_behaviour", scenario="merger", draws=500, seed=1)
    b = query(default, "collaborative_behaviour", scenario="merger", draws=500, seed=1)
    c = query(default, "collaborative_behaviour", scenario="merger", draws=500, seed=2)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert not np.array_equal(a.draws, c.draws)


def test_mean_over_draws_equals_the_mean_model_where_the_answer_is_linear(default):
    """Derivation: with nothing observed downstream, a root context's marginal is its base
    rate p, and p ~ Beta(c p0, c (1 - p0)), so the mean over draws estimates E[p] = p0, the
    posterior-mean model's answer, with Monte Carlo standard error sd(p) / sqrt(S). For a
    mechanism the answer is a sigmoid of the weights (nonlinear), so no such identity holds
    (Jensen): there we compare with a pgmpy loop below."""
    s = 20000
    result = query(default, "quick_wins", draws=s, seed=4)
    draws = result.draws[:, 1]
    se = draws.std(ddof=1) / np.sqrt(s)
    assert abs(draws.mean() - result.point[1]) < 4 * se
    # and on an observed-root situation the root stays exactly at its observed state
    observed = query(default, "mandated", given={"quick_wins": "present"}, draws=100, seed=4)
    np.testing.assert_allclose(observed.draws[:, 1], default.cpt_draws(100, 4)["mandated"][1, :], atol=1e-12)


def test_mean_over_draws_is_within_monte_carlo_error_of_a_pgmpy_loop(default):
    """Nonlinear case: the engine's 4,000-draw mean and a pgmpy loop over 40 of the same kind
    of draws (another seed) estimate the same expectation; they agree within MC error."""
    big = query(default, "collaborative_behaviour", scenario="buddying", draws=4000, seed=7)
    small_n = 40
    cpts = default.cpt_draws(small_n, seed=8)
    ev = {k: default.spec.states[k].index(v) for k, v in big.situation.given.items()}
    loop = np.array(
        [
            pgmpy_query(default.structure, cpts, s, ["collaborative_behaviour"], evidence=ev, do={})[1]
            for s in range(small_n)
        ]
    )
    se = np.sqrt(loop.var(ddof=1) / small_n + big.draws[:, 1].var(ddof=1) / 4000)
    assert abs(loop.mean() - big.draws[:, 1].mean()) < 4 * se


def _width(model, **kw):
    res = query(model, "collaborative_behaviour", draws=4000, seed=11, **kw)
    low, high = res.interval.loc["high"]
    return high - low


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.integers(min_value=2, max_value=8))
def test_interval_narrows_when_every_link_gains_supporting_sources(tmp_path_factory, extra):
    """Every link of the small model gains `extra` supporting included studies; with the
    contexts observed (so base-rate uncertainty is out), the 94% HDI of P(collaborative
    behaviour) must narrow."""
    before = load(make_model_dir(tmp_path_factory.mktemp("before") / "m"))
    more = list(MINI_SOURCES)
    for i in range(extra):
        cmocs = []
        for row in before.links[before.links["lag"] == 0].to_dict(orient="records"):
            direction = "increases" if row["sign"] > 0 else "decreases"
            cmocs.append(cmoc(row["from"], row["to"], direction))
        more.append(source(200 + i, cmocs))
    after = load(make_model_dir(tmp_path_factory.mktemp("after") / "m", sources=more))
    situation = {"history_of_collaboration": "collaborative", "quick_wins": "present", "mandated": "voluntary"}
    assert _width(after, given=situation) < _width(before, given=situation)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 400),
    k=st.integers(1, 3),
    prob=st.floats(0.01, 0.99),
    ties=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_hdi_is_arvizs_to_the_bit(n, k, prob, ties, seed):
    """The numpy HDI (every column at once) returns exactly what arviz.hdi returns for each
    column, ties in the draws and the width included."""
    from bayesnet.inference.intervals import arviz, hdi

    rng = np.random.default_rng(seed)
    samples = rng.beta(2.0, 5.0, size=(n, k))
    if ties:
        samples = np.round(samples, 1)
    expected = np.stack([np.asarray(arviz().hdi(samples[:, j], hdi_prob=prob)) for j in range(k)])
    np.testing.assert_array_equal(hdi(samples, prob), expected)
    np.testing.assert_array_equal(hdi(samples[:, 0], prob), expected[:1])
