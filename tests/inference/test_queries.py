"""Queries: observe vs intervene, errors, results, intervals (on a small hand-made model)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bayesnet import (
    joint,
    load,
    query,
)
from bayesnet.cli import main
from bayesnet.errors import ParameterError, QueryError, ZeroProbabilityError
from bayesnet.inference import parse_assignments
from tests.helpers import MINI_SOURCES, cmoc, make_model_dir, settings_data, source, write_yaml


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    # mandated -> conflict gives trust a back-door path through initial trust and conflict
    sources = [*MINI_SOURCES, source(90, [cmoc("mandated", "conflict")])]
    return load(make_model_dir(tmp_path_factory.mktemp("mini") / "m", sources=sources))


def test_distribution_sums_to_one_and_is_a_series(mini):
    result = query(mini, "trust", scenario="voluntary", draws=200)
    assert result.distribution.sum() == pytest.approx(1.0)
    assert list(result.distribution.index) == ["low", "high"]
    assert result.mean.sum() == pytest.approx(1.0)
    low, high = result.interval.loc["high"]
    assert 0 <= low <= high <= 1
    assert "94% HDI over 200 posterior draws" in repr(result)


def test_do_equals_given_on_a_root(mini):
    a = query(mini, "collaborative_behaviour", given={"quick_wins": "present"}, draws=100, seed=3)
    b = query(mini, "collaborative_behaviour", do={"quick_wins": "present"}, draws=100, seed=3)
    np.testing.assert_allclose(a.point, b.point, atol=1e-12)
    np.testing.assert_allclose(a.draws, b.draws, atol=1e-12)


def test_do_differs_from_given_with_a_back_door(mini):
    """Observing high initial trust also says mandated is less likely (and so conflict);
    setting it does not."""
    seen = query(mini, "trust", given={"initial_trust": "high"}, draws=None).distribution["high"]
    done = query(mini, "trust", do={"initial_trust": "high"}, draws=None).distribution["high"]
    assert seen > done + 1e-3


def test_several_targets_and_joint(mini):
    results = query(mini, ["trust", "conflict"], draws=50)
    assert [r.target for r in results] == ["trust", "conflict"]
    j = joint(mini, ["trust", "conflict"], draws=50)
    frame = j.frame
    assert frame["probability"].sum() == pytest.approx(1.0)
    marginal = frame["probability"].groupby(level="trust").sum()
    assert marginal["high"] == pytest.approx(results[0].distribution["high"], abs=1e-12)  # headline: mean over draws
    network = frame["network"].groupby(level="trust").sum()
    assert network["high"] == pytest.approx(results[0].point[1], abs=1e-12)


def test_same_seed_same_draws(mini):
    a = query(mini, "trust", draws=300, seed=5)
    b = query(mini, "trust", draws=300, seed=5)
    c = query(mini, "trust", draws=300, seed=6)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert not np.array_equal(a.draws, c.draws)


def test_inference_data_has_named_dims(mini):
    idata = query(mini, "trust", draws=100).to_inference_data()
    posterior = idata.posterior["trust"]
    assert posterior.dims == ("chain", "draw", "trust_state")
    assert list(posterior.coords["trust_state"].values) == ["low", "high"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"given": {"trsut": "high"}}, "unknown node 'trsut' in given; did you mean 'trust'?"),
        (
            {"given": {"trust": "hihg"}},
            "node 'trust' has no state 'hihg' (in given); its states are low, high; did you mean 'high'?",
        ),
        (
            {"given": {"quick_wins": "present"}, "do": {"quick_wins": "present"}},
            "node 'quick_wins' is both observed (given) and intervened on (do)",
        ),
        (
            {"scenario": "volntary"},
            "unknown scenario 'volntary'; known scenarios: voluntary; did you mean 'voluntary'?",
        ),
    ],
)
def test_bad_queries_get_clear_errors(mini, kwargs, message):
    with pytest.raises(QueryError) as info:
        query(mini, "collaborative_behaviour", draws=None, **kwargs)
    assert message in str(info.value)


def test_target_that_is_observed_is_refused(mini):
    with pytest.raises(QueryError, match="target 'trust' is observed"):
        query(mini, "trust", given={"trust": "high"}, draws=None)


def test_node_given_twice_with_different_states():
    with pytest.raises(QueryError, match="node 'trust' is given twice in --given with different states"):
        parse_assignments(["trust=high", "trust=low"], "--given")
    assert parse_assignments(["trust=high", "trust=high"], "--given") == {"trust": "high"}


@pytest.mark.parametrize(("draws", "match"), [(0, "positive integer. Got 0"), (-5, "Got -5"), (10**9, "GiB of memory")])
def test_bad_draws(mini, draws, match):
    with pytest.raises(ParameterError, match=match):
        query(mini, "trust", draws=draws)


@pytest.mark.parametrize("hdi_prob", [0.0, 1.0, 1.5, -0.1])
def test_bad_hdi(mini, hdi_prob):
    with pytest.raises(ParameterError, match=r"The 'hdi_prob' parameter of query must be in \(0, 1\)"):
        query(mini, "trust", draws=10, hdi_prob=hdi_prob)


def test_impossible_findings_are_named(mini, monkeypatch):
    """With a deterministic CPT (a user's own model could have one) the minimal set of
    incompatible findings is named."""
    cpts = {k: v.copy() for k, v in mini.cpts.items()}
    # conflict is certainly absent when mandated is voluntary
    idx = mini.spec.parents["conflict"].index("mandated")
    sl = [slice(None)] * cpts["conflict"].ndim
    sl[1 + idx] = 0
    block = cpts["conflict"][tuple(sl)]
    block[0], block[1] = 1.0, 0.0
    cpts["conflict"][tuple(sl)] = block
    monkeypatch.setitem(mini.__dict__, "cpts", cpts)
    with pytest.raises(ZeroProbabilityError) as info:
        query(
            mini, "trust", given={"mandated": "voluntary", "conflict": "present", "quick_wins": "present"}, draws=None
        )
    assert info.value.findings == {"mandated": "voluntary", "conflict": "present"}
    assert "cannot occur together" in str(info.value)


def test_cli_query_json(mini, capsys):
    code = main(
        ["query", "trust", "--model", str(mini.root), "--scenario", "voluntary", "--draws", "100", "--format", "json"]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["target"] == "trust" and data["scenario"] == "voluntary"
    assert sum(data["distribution"].values()) == pytest.approx(1.0)
    assert data["draws"] == 100
    assert set(data["interval"]) == {"low", "high"}


def test_cli_errors_are_one_line(mini, capsys):
    code = main(["query", "trsut", "--model", str(mini.root), "--draws", "10"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "did you mean 'trust'?" in err
    assert main(["query", "trust", "--model", str(mini.root), "--draws", "0"]) == 2
    assert "positive integer" in capsys.readouterr().err


def test_findings_impossible_in_some_draws_blame_the_draws_not_the_findings(tmp_path, capsys):
    """A tiny base-rate concentration draws some root probabilities as exactly 0: the
    headline (posterior-mean network) is fine, and the message must say that the draws, not
    the findings, are impossible, in how many of them, and which setting to change."""
    root = make_model_dir(tmp_path / "m")
    settings = settings_data()
    settings["settings"]["base_rate_concentration"]["value"] = 0.001
    write_yaml(root / "priors" / "settings.yaml", settings)
    model = load(root)
    assert query(model, "trust", given={"quick_wins": "present"}, draws=None).distribution.sum() == pytest.approx(1)
    with pytest.raises(ZeroProbabilityError) as info:
        query(model, "trust", given={"quick_wins": "present"}, draws=200, seed=1)
    text = str(info.value)
    assert "cannot occur together" not in text
    assert "not the finding" in text and "base_rate_concentration" in text
    zero = int(text.split("probability exactly 0 in ", 1)[1].split(" of the 200", 1)[0])
    assert 0 < zero < 200
    assert main(["query", "trust", "--given", "quick_wins=present", "--model", str(root), "--draws", "200",
                 "--seed", "1"]) == 2
    assert f"in {zero} of the 200 posterior draws" in capsys.readouterr().err
