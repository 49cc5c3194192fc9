"""CPTs from evidence counts: normalisation, monotonicity in evidence, a hand-worked entry."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import betainc

from bayesnet import (
    load,
    query,
)
from tests.helpers import MINI_SOURCES, cmoc, make_model_dir, source


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return load(make_model_dir(tmp_path_factory.mktemp("mini") / "m"))


def test_every_cpt_column_sums_to_one(mini):
    for node, table in mini.cpts.items():
        assert np.allclose(table.sum(axis=0), 1.0, atol=1e-12), node
    draws = mini.cpt_draws(50, seed=1)
    for node, table in draws.items():
        assert table.shape[-1] == 50
        assert np.allclose(table.sum(axis=0), 1.0, atol=1e-12), node
        assert (table > 0).all() and (table < 1).all(), node


def _mean_weight(sign, support, contradict):
    """The posterior-mean weight by hand (direction_and_strength, default settings: e = 0.01,
    strength Beta(1 + n, 3), scale 3): sign * (2 P(pi > 1/2) - 1) * 3 * (1 + n) / (4 + n)."""
    p = 1 - betainc(0.01 + support, 0.01 + contradict, 0.5)
    n = support + contradict
    return sign * (2 * p - 1) * 3 * (1 + n) / (4 + n)


def test_hand_worked_entry(mini):
    """P(trust = high | conflict = present, initial_trust = high, quick_wins = present).

    Links into trust (kind weights: included 1, supporting 0.5):
      conflict -> trust (-): S76 (1) + S18 (0.5)  n = 1.5: P(dir) 0.99655, strength 5/11, w = -1.3542
      initial_trust -> trust (+): S36 (1)          n = 1:   P(dir) 0.99320, strength 2/5,  w = 1.1837
      quick_wins -> trust (+): S55, S76 (2)        n = 2:   P(dir) 0.99808, strength 1/2,  w = 1.4942
    eta = 0 + w1 (1/2) + w2 (1/2) + w3 (1/2): every parent is in its upper state.
    """
    w = [_mean_weight(-1, 1.5, 0), _mean_weight(1, 1, 0), _mean_weight(1, 2, 0)]
    assert w == pytest.approx([-1.354229536696637, 1.1836711343684516, 1.4942383131878967], abs=1e-12)
    eta = sum(w) / 2
    expected = 1 / (1 + math.exp(-eta))
    frame = mini.cpt_frame("trust")
    assert frame.loc[("present", "high", "present"), "high"] == pytest.approx(expected, abs=1e-12)


def test_root_base_rate_is_the_default(mini):
    assert mini.cpts["quick_wins"][:, 0].tolist() == pytest.approx([0.5, 0.5])


def _p_child_given_parent(model, child, parent, state):
    return query(model, child, given={parent: state}, draws=None).distribution[model.codebook[child].upper]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.integers(min_value=1, max_value=4), sign=st.sampled_from(["increases", "decreases"]),
       kind=st.sampled_from(["included_study", "supporting_source"]))
def test_one_more_supporting_source_moves_the_child_in_the_links_direction(tmp_path_factory, extra, sign, kind):
    """More sources behind a promoting link never lower P(child up | parent up); for an
    inhibiting link never raise it."""
    base = [*MINI_SOURCES, source(90, [cmoc("mandated", "conflict", sign)])]
    before = load(make_model_dir(tmp_path_factory.mktemp("a") / "m", sources=base))
    more = [*base, *(source(100 + i, [cmoc("mandated", "conflict", sign)], kind=kind) for i in range(extra))]
    after = load(make_model_dir(tmp_path_factory.mktemp("b") / "m", sources=more))
    p0 = _p_child_given_parent(before, "conflict", "mandated", "mandated")
    p1 = _p_child_given_parent(after, "conflict", "mandated", "mandated")
    if sign == "increases":
        assert p1 > p0
    else:
        assert p1 < p0
    # and every CPT entry moves the same way
    e0 = before.cpt_frame("conflict").loc["mandated", "present"]
    e1 = after.cpt_frame("conflict").loc["mandated", "present"]
    assert (e1 > e0) if sign == "increases" else (e1 < e0)


def test_evenly_split_evidence_gives_zero_mean_weight(tmp_path: Path):
    sources = [*MINI_SOURCES, source(60, [cmoc("mandated", "conflict", "increases")]),
               source(61, [cmoc("mandated", "conflict", "decreases")])]
    model = load(make_model_dir(tmp_path / "m", sources=sources))
    frame = model.cpt_frame("conflict")
    assert frame.loc["mandated", "present"] == pytest.approx(frame.loc["voluntary", "present"], abs=1e-12)
