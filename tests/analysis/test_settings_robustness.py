"""Robustness to the model's own settings: each row equals the model rebuilt with those settings,
the model's own row equals the plain answer, and a claim whose sign does change is caught."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

import bayesnet
from bayesnet.analysis import Claim, Variation, robustness
from bayesnet.analysis.settings_robustness import DEFAULT_VARIATIONS, parse_variations
from bayesnet.build.model import Model
from bayesnet.cli import main
from bayesnet.errors import ParameterError, SchemaError
from bayesnet.inference.evaluation import answer
from tests.helpers import cmoc, make_model_dir, source

DRAWS, SEED = 60, 3
TARGET = "collaborative_behaviour"


@pytest.fixture(scope="module")
def default():
    return bayesnet.load()


@pytest.fixture(scope="module")
def contrast(default):
    buddying = bayesnet.question(default, TARGET, scenario="buddying")
    ics = bayesnet.question(default, TARGET, scenario="integrated_care_system")
    post = bayesnet.posterior(default, draws=DRAWS, seed=SEED)
    return buddying, Claim.versus(buddying, ics), post, robustness(buddying, post, claim=Claim.versus(buddying, ics),
                                                                   n=6, seed=1)


def test_every_row_equals_the_model_rebuilt_with_its_settings(default, contrast):
    buddying, claim, _, result = contrast
    names = [v.name for v in DEFAULT_VARIATIONS]
    assert len(result.frame) == 7
    for i, row in result.frame.iterrows():
        settings = replace(default.settings, **{n: row[n] for n in names})
        rebuilt = Model(default.codebook, default.evidence, settings, default.scenarios)
        cpts = rebuilt.cpt_draws(DRAWS, SEED)
        b = answer(buddying.of(rebuilt), cpts)
        i_ = answer(claim.lower.of(rebuilt), cpts)
        assert abs(row["probability"] - b.mean()) <= 1e-12, i
        assert abs(row["difference"] - (b - i_).mean()) <= 1e-12, i
        assert row["p_claim"] == np.mean(b - i_ > 0), i


def test_the_first_row_is_the_model_as_it_is(default, contrast):
    result = contrast[-1]
    plain = bayesnet.compare(default, TARGET, ["integrated_care_system", "buddying"], draws=DRAWS, seed=SEED)
    own = result.frame.iloc[0]
    assert own["probability"] == plain.situations.loc["buddying", "probability"]
    assert own["difference"] == pytest.approx(plain.contrasts.iloc[0]["difference"], abs=1e-15)
    assert own["p_claim"] == plain.contrasts.iloc[0]["p_higher"]
    assert bool(own["holds"])
    assert result.summary.at["probability", "own"] == own["probability"]
    assert result.summary.at["probability", "min"] <= own["probability"] <= result.summary.at["probability", "max"]


def test_the_random_design_covers_each_range_and_is_reproducible(default, contrast):
    buddying, claim, post, result = contrast
    again = robustness(buddying, post, claim=claim, n=6, seed=1)
    assert result.frame.equals(again.frame)
    other = robustness(buddying, post, n=6, seed=2, vary=["weight_scale=1:5"])
    scales = other.frame["weight_scale"].to_numpy()[1:]
    assert sorted(np.floor((scales - 1) / 4 * 6).astype(int).tolist()) == list(range(6))  # one per stratum


def test_a_claim_whose_sign_does_change_is_caught(tmp_path):
    """quick_wins -> trust stated by an included study and contradicted by a supporting source: when
    a supporting source counts more than an included study, the link's sign turns."""
    sources = [source(55, [cmoc("quick_wins", "trust")]),
               source(18, [cmoc("quick_wins", "trust", "decreases")], kind="supporting_source"),
               source(44, [cmoc("trust", "collaborative_behaviour")])]
    model = bayesnet.load(make_model_dir(tmp_path / "m", sources=sources))
    q = bayesnet.question(model, "trust")
    claim = Claim.levers(q, {"quick_wins": "present"})
    result = robustness(q, bayesnet.posterior(model, draws=200, seed=SEED), claim=claim, design="grid",
                        vary=["kind_weight_supporting_source=0.25;2"])
    assert list(result.frame["kind_weight_supporting_source"]) == [0.5, 0.25, 2.0]
    assert list(result.frame["holds"]) == [True, True, False]
    assert result.sign_changes is True
    assert "changes sign in 1 of them" in result.verdict()
    steady = robustness(q, bayesnet.posterior(model, draws=200, seed=SEED), claim=claim, design="grid",
                        vary=["kind_weight_supporting_source=0;0.75"])
    assert steady.sign_changes is False and "never changes sign" in steady.verdict()


def test_a_grid_holds_every_combination(default, contrast):
    buddying, _, post, _ = contrast
    result = robustness(buddying, post, design="grid",
                        vary=[Variation("weight_model", values=("direction_and_strength", "signed_reliability")),
                              "bias_sd=0.25:1"])
    assert len(result.frame) == 1 + 2 * 3
    assert set(result.frame["bias_sd"].iloc[1:]) == {0.25, 0.625, 1.0}
    assert result.sign_changes is None and result.best_set_changes is None


def test_the_best_set_of_levers_under_each_setting(default):
    q = bayesnet.question(default, TARGET, scenario="integrated_care_system")
    post = bayesnet.posterior(default, draws=30, seed=SEED)
    result = robustness(q, post, n=2, k=1, vary=["weight_scale=2:4"])
    alone = bayesnet.levers(q, post, k=1)
    assert result.frame["best_set"].iloc[0] == ", ".join(f"{a}={b}" for a, b in alone.best_set.items())
    assert isinstance(result.best_set_changes, bool)


@pytest.mark.parametrize(("items", "message"), [
    (["weight_scale"], "expected --vary NAME=LOW:HIGH"),
    (["weight_scael=1:2"], "did you mean 'weight_scale'"),
    (["persistence=0:1"], "trajectories only"),
    (["weight_scale=3:1"], "low end first"),
    (["weight_scale=a:b"], "takes numbers"),
    (["direction_prior=0:1:log"], "above 0"),
    (["weight_scale=1:2", "weight_scale=2:3"], "given twice"),
])
def test_malformed_variations_are_named(items, message):
    with pytest.raises(ParameterError, match=message):
        parse_variations(items)


def test_values_out_of_a_settings_bounds_are_refused_by_the_settings_validator(default, contrast):
    buddying, _, post, _ = contrast
    with pytest.raises(SchemaError, match="weight_scale"):
        robustness(buddying, post, vary=["weight_scale=1:80"])
    with pytest.raises(SchemaError, match="weight_model"):
        robustness(buddying, post, vary=["weight_model=noisy_or"])
    with pytest.raises(ParameterError, match="at most 4,096"):
        robustness(buddying, post, design="grid", vary=[f"{n}=0.1;0.2;0.3;0.4;0.5" for n in
                                                        ("strength_a0", "strength_b0", "bias_sd", "weight_scale",
                                                         "direction_prior", "reliability_a0")])
    with pytest.raises(ParameterError, match="'n' parameter of robustness"):
        robustness(buddying, post, n=0)


def test_the_command_prints_the_range_and_whether_the_sign_changes(capsys):
    assert main(["robustness", TARGET, "--scenario", "buddying", "--versus", "integrated_care_system",
                 "--settings", "4", "--draws", "30"]) == 0
    out = capsys.readouterr().out
    assert "Over 5 settings (random design; the model's own first)" in out
    assert "never changes sign" in out
    assert main(["robustness", TARGET, "--scenario", "buddying", "--versus", "integrated_care_system",
                 "--grid", "--vary", "weight_model=direction_and_strength;signed_reliability", "--draws", "30",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["design"] == "grid" and len(data["settings"]) == 3 and data["sign_changes"] in (True, False)
    assert main(["robustness", TARGET, "--vary", "persistence=0:1"]) == 2
    assert "trajectories only" in capsys.readouterr().err
