"""Per-study influence: exact (equal to rebuilding the model without the source), complete, and
ranked; claims re-asked without each source."""

from __future__ import annotations

import json

import numpy as np
import pytest

import bayesnet
from bayesnet.analysis import Claim, influence
from bayesnet.build.model import Model
from bayesnet.cli import main
from bayesnet.errors import ParameterError, QueryError
from bayesnet.inference.evaluation import answer
from bayesnet.inputs.evidence import Evidence
from tests.helpers import make_model_dir

DRAWS, SEED = 100, 5
TARGET = "collaborative_behaviour"


@pytest.fixture(scope="module")
def default():
    return bayesnet.load()


def _rebuilt(model, sid):
    return Model(model.codebook, Evidence([s for s in model.evidence if s.id != sid]), model.settings,
                 model.scenarios)


def _asked(model, scenario):
    return bayesnet.question(model, TARGET, scenario=scenario)


@pytest.mark.slow
def test_leaving_out_every_source_of_the_default_model_equals_rebuilding_it(default):
    """The issue's test, over all 65 sources: the headline and P(buddying above ICS) without each
    source equal those of the model rebuilt without it, over the same draws (to 1e-12)."""
    buddying, ics = _asked(default, "buddying"), _asked(default, "integrated_care_system")
    post = bayesnet.posterior(default, draws=DRAWS, seed=SEED)
    result = influence(buddying, post, claim=Claim.versus(buddying, ics))
    assert set(result.frame.index) == set(default.evidence.ids)
    now = answer(buddying, post.cpts).mean()
    for sid in default.evidence.ids:
        without = _rebuilt(default, sid)
        cpts = without.cpt_draws(DRAWS, SEED)
        b, i = answer(_asked(without, "buddying"), cpts), answer(_asked(without, "integrated_care_system"), cpts)
        row = result.frame.loc[sid]
        assert abs(row["probability"] - b.mean()) <= 1e-12, sid
        assert abs(row["change"] - (b.mean() - now)) <= 1e-12, sid
        assert row["p_claim"] == np.mean(b - i > 0), sid
        assert abs(row["difference"] - np.mean(b - i)) <= 1e-12, sid


def test_the_top_sources_agree_with_update_model(default):
    """The other route the issue names: bayesnet.update_model(model, remove=[id]).after."""
    q = _asked(default, "integrated_care_system")
    post = bayesnet.posterior(default, draws=DRAWS, seed=SEED)
    result = influence(q, post)
    for sid in result.frame.index[:3]:
        after = bayesnet.update_model(default, remove=[sid]).after
        theirs = answer(q.of(after), after.cpt_draws(DRAWS, SEED)).mean()
        assert abs(result.frame.loc[sid, "probability"] - theirs) <= 1e-12


def test_sources_the_question_does_not_read_change_it_by_exactly_zero(tmp_path):
    """S57 states only history -> initial_trust, whose table a question that sets initial trust
    does not read; S18's feedback arrow has lag 1 (the static network has none)."""
    model = bayesnet.load(make_model_dir(tmp_path / "m"))
    q = bayesnet.question(model, "trust", do={"initial_trust": "high"})
    result = influence(q, bayesnet.posterior(model, draws=DRAWS, seed=SEED))
    assert result.frame.loc["S57", "change"] == 0.0
    assert "S57" not in result.nonzero.index
    assert "trust -| conflict [next slice]" in result.frame.loc["S18", "links"]


def test_a_source_whose_links_leave_the_model_is_handled_exactly(tmp_path):
    """S44 alone states trust -> collaborative_behaviour and mandated -| initial_trust: without it the
    outcome has no cause left (a root with the base-rate prior)."""
    model = bayesnet.load(make_model_dir(tmp_path / "m"))
    q = bayesnet.question(model, TARGET, scenario="voluntary")
    post = bayesnet.posterior(model, draws=DRAWS, seed=SEED)
    result = influence(q, post)
    row = result.frame.loc["S44"]
    assert row["dropped_links"] == "mandated -| initial_trust; trust -> collaborative_behaviour"
    without = _rebuilt(model, "S44")
    assert TARGET in without.spec.roots
    expected = answer(q.of(without), without.cpt_draws(DRAWS, SEED)).mean()
    assert abs(row["probability"] - expected) <= 1e-12
    assert result.frame.index[0] == "S44"  # the only link to the target: it carries the answer


def test_ranks_follow_the_size_of_the_change_and_ties_share_a_rank(default):
    q = _asked(default, "integrated_care_system")
    result = influence(q, bayesnet.posterior(default, draws=DRAWS, seed=SEED))
    size = result.frame["change"].abs().to_numpy()
    assert np.all(np.diff(size) <= 1e-12)
    zeros = result.frame[result.frame["change"] == 0.0]
    assert len(zeros) and zeros["rank"].nunique() == 1
    assert result.frame["rank"].iloc[0] == 1


def test_ranking_by_the_claim(default):
    buddying, ics = _asked(default, "buddying"), _asked(default, "integrated_care_system")
    result = influence(buddying, bayesnet.posterior(default, draws=DRAWS, seed=SEED),
                       claim=Claim.versus(buddying, ics), rank_by="claim")
    moved = result.frame["p_change"].abs().to_numpy()
    assert np.all(np.diff(moved) <= 0)
    assert result.ranked_by == "claim"


def test_a_lever_claim_and_a_subset_of_sources(default):
    q = _asked(default, "integrated_care_system")
    claim = Claim.levers(q, {"quick_wins": "present"})
    assert claim.lower is q and claim.higher.situation.do == {"quick_wins": "present"}
    result = influence(q, bayesnet.posterior(default, draws=DRAWS, seed=SEED), claim=claim, sources=["S55", "S0"])
    assert set(result.frame.index) == {"S0", "S55"}
    assert result.p_claim > 0.9
    assert result.frame.loc["S55", "n_links"] == 2


def test_bad_arguments_are_named(default, tmp_path):
    q = _asked(default, "integrated_care_system")
    post = bayesnet.posterior(default, draws=10)
    with pytest.raises(QueryError, match="did you mean 'S55'"):
        influence(q, post, sources=["S555"])
    with pytest.raises(QueryError, match="needs a claim"):
        influence(q, post, rank_by="claim")
    with pytest.raises(ParameterError, match="rank_by"):
        influence(q, post, rank_by="size")
    other = bayesnet.load(make_model_dir(tmp_path / "m"))
    with pytest.raises(QueryError, match="another model"):
        influence(q, bayesnet.posterior(other, draws=10))
    with pytest.raises(QueryError, match="same situation"):
        Claim.versus(q, q)


def test_the_command_lists_every_source_that_changes_the_answer_with_citation_and_kind(default, capsys):
    """The issue's command (with fewer draws)."""
    assert main(["influence", TARGET, "--scenario", "integrated_care_system", "--format", "json",
                 "--draws", str(DRAWS), "--seed", str(SEED)]) == 0
    data = json.loads(capsys.readouterr().out)
    q = _asked(default, "integrated_care_system")
    expected = influence(q, bayesnet.posterior(default, draws=DRAWS, seed=SEED))
    listed = {s["source"]: s for s in data["sources"]}
    for sid in expected.nonzero.index:
        src = default.evidence.get(sid)
        assert listed[sid]["citation"] == src.citation and listed[sid]["kind"] == src.kind
        assert listed[sid]["change"] == pytest.approx(expected.frame.loc[sid, "change"], abs=1e-15)
        assert isinstance(listed[sid]["links"], list)
    assert data["headline"] == pytest.approx(expected.headline, abs=1e-15)


def test_the_command_prints_a_table_and_csv(capsys):
    assert main(["influence", TARGET, "--scenario", "buddying", "--versus", "integrated_care_system",
                 "--draws", "40", "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert ("Claim: Voluntary buddying arrangement gives a higher P(Collaborative behaviour (synergy) = "
            "collaborative) than Integrated Care System (Results: mandated, competitive)") in out
    assert "p_claim" in out
    assert main(["influence", TARGET, "--draws", "40", "--format", "csv", "--lever", "quick_wins=present"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.startswith("source,rank,citation") and "p_claim" in header
    assert main(["influence", TARGET, "--versus", "buddying", "--lever", "quick_wins=present"]) == 2
    assert "give one claim" in capsys.readouterr().err


@pytest.mark.slow
def test_the_worked_example_of_the_documentation_holds(default):
    """docs/sensitivity.md, section 7, with the default draws: the review's own statements (S0)
    and then S44 carry the integrated care system's answer most, and buddying stays above it
    with the included studies alone."""
    from bayesnet.defaults import DEFAULT_DRAWS, DEFAULT_SEED

    q = _asked(default, "integrated_care_system")
    result = influence(q, bayesnet.posterior(default, draws=DEFAULT_DRAWS, seed=DEFAULT_SEED))
    assert round(result.headline, 3) == 0.288
    assert list(result.frame.index[:4]) == ["S0", "S44", "S43", "S79"]
    assert round(result.frame.loc["S44", "probability"], 3) == 0.329
    assert result.frame.loc["S43", "dropped_links"] == "mandated -| trust; mandated -> sense_of_takeover"
    assert result.frame.loc["S44", "dropped_links"] == "initial_faith -> collaborative_behaviour"
    assert len(result.nonzero) == 48
    included = bayesnet.select_sources(default, "kind=included_study")
    c = bayesnet.compare(included, TARGET, ["integrated_care_system", "buddying"])
    row = c.contrasts.iloc[0]
    assert (round(row["difference"], 3), round(row["low"], 3), round(row["high"], 3)) == (0.098, 0.013, 0.199)
    assert round(row["p_higher"], 2) == 0.99
