"""How a link's evidence becomes its weight: the direction from the evidence, the strength
uncertain (issue 11's properties), and the first release's model kept as an alternative."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bayesnet.build.weights import LinkEvidence
from bayesnet.inputs.settings import Settings

DRAWS = 40_000


def _links(support, contradict, model="direction_and_strength"):
    s = dataclasses.replace(Settings(), weight_model=model)
    support = np.atleast_1d(np.asarray(support, dtype=float))
    contradict = np.broadcast_to(np.asarray(contradict, dtype=float), support.shape).copy()
    return LinkEvidence(np.ones_like(support), support, contradict, s, tuple(f"link {i}" for i in range(len(support))))


def _draws(evidence, seed=0):
    return evidence.draw(DRAWS, seed)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 10), kind_weight=st.sampled_from([0.5, 1.0]), seed=st.integers(0, 2**16))
def test_an_uncontradicted_link_keeps_its_direction(n, kind_weight, seed):
    """P(stated direction) >= 0.95 for 1 to 10 sources (full or half weight), none against."""
    evidence = _links(n * kind_weight, 0.0)
    assert evidence.direction_probability()[0] >= 0.95
    weights = _draws(evidence, seed).weights[0]
    se = np.sqrt(0.05 * 0.95 / DRAWS)
    assert np.mean(weights > 0) >= 0.95 - 4 * se


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 12), seed=st.integers(0, 2**16))
def test_balanced_evidence_leaves_the_direction_at_one_half(n, seed):
    evidence = _links(float(n), float(n))
    assert evidence.direction_probability()[0] == pytest.approx(0.5, abs=1e-12)
    share = float(np.mean(_draws(evidence, seed).weights[0] > 0))
    assert share == pytest.approx(0.5, abs=4 * np.sqrt(0.25 / DRAWS))
    assert evidence.mean_weight()[0] == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=20, deadline=None)
@given(support=st.integers(1, 10), contradict=st.integers(0, 10))
def test_the_direction_falls_with_the_contradicting_share(support, contradict):
    p = _links(float(support), float(contradict)).direction_probability()[0]
    more_against = _links(float(support), float(contradict + 1)).direction_probability()[0]
    more_for = _links(float(support + 1), float(contradict)).direction_probability()[0]
    assert more_against < p < more_for or (p == pytest.approx(1.0) and more_for == pytest.approx(1.0))


def test_the_weight_steadies_as_sources_are_added_and_its_expected_size_grows():
    """Spread falls and expected strength grows with 1, 2, 4, 8 sources (none contradicting)."""
    evidence = _links([1.0, 2.0, 4.0, 8.0], 0.0)
    weights = _draws(evidence).weights
    sd = weights.std(axis=1)
    assert np.all(np.diff(sd) < 0), sd
    assert np.all(np.diff(evidence.mean_strength()) > 0)
    np.testing.assert_allclose(weights.mean(axis=1), evidence.mean_weight(), atol=4 * sd.max() / np.sqrt(DRAWS))
    assert (np.abs(weights) <= Settings().weight_scale).all()


def test_a_new_study_reports_with_probabilities_that_sum_to_one():
    outcomes = _draws(_links([1.0, 3.0], [0.0, 1.0])).outcomes
    assert set(outcomes) == {"support", "contradict", "none"}
    np.testing.assert_allclose(sum(outcomes.values()), 1.0, atol=1e-12)


def test_the_first_release_model_is_kept_as_an_alternative():
    """signed_reliability: r ~ Beta(1 + support, 1 + contradict), w = sign * 3 * (2r - 1): one
    uncontradicted study reverses the link in a quarter of the draws (1 - (1 - 0.5^2))."""
    evidence = _links(1.0, 0.0, model="signed_reliability")
    assert evidence.direction_probability()[0] == pytest.approx(0.75, abs=1e-12)
    assert evidence.mean_weight()[0] == pytest.approx(3 * (2 * 2 / 3 - 1), abs=1e-12)
    weights = _draws(evidence).weights[0]
    assert np.mean(weights > 0) == pytest.approx(0.75, abs=4 * np.sqrt(0.75 * 0.25 / DRAWS))
    assert np.mean(np.abs(weights)) == pytest.approx(evidence.mean_strength()[0] * 3, abs=0.02)
    assert set(_draws(evidence).outcomes) == {"support", "contradict"}


def test_the_incomplete_beta_at_one_half_is_scipys():
    """below_half (which spares every command the import of scipy.special) is
    scipy.special.betainc(a, b, 1/2) to 2e-13 for a, b from 0.001 to 200 (the model's are below
    10), and to 1e-12 up to 1,000."""
    from scipy import special

    from bayesnet.build.weights import below_half

    rng = np.random.default_rng(0)
    for top, tol in ((200.0, 2e-13), (1000.0, 1e-12)):
        a = np.concatenate([10 ** rng.uniform(-3, np.log10(top), 4000), [0.01, 1.01, 2.51, 0.5, 1.0, top]])
        b = np.concatenate([10 ** rng.uniform(-3, np.log10(top), 4000), [0.01, 0.01, 1.0, 0.5, 2.0, top - 1]])
        np.testing.assert_allclose(below_half(a, b), special.betainc(a, b, 0.5), rtol=0, atol=tol)
