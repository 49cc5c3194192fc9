"""One headline number per question, the same on every surface.

For the integrated care system's P(collaborative behaviour): the Python result, the command
line's query, compare, report and update --dry-run, and ArviZ's summary of the result all
give the mean over the same posterior draws, to the precision they print.
"""

from __future__ import annotations

import json
import re

import pytest

import bayesnet
from bayesnet.cli import main
from bayesnet.inference.intervals import arviz
from tests.helpers import REPO

TARGET, STATE, SCENARIO, DRAWS = "collaborative_behaviour", "collaborative", "integrated_care_system", 1000
STUDY = REPO / "inference_examples" / "update_buddying_study" / "study.yaml"


@pytest.fixture(scope="module")
def headline():
    model = bayesnet.load()
    result = bayesnet.query(model, TARGET, scenario=SCENARIO, draws=DRAWS)
    return result


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_the_python_result_and_arviz_summary_agree(headline):
    value = float(headline.distribution[STATE])
    assert value == pytest.approx(float(headline.draws[:, 1].mean()), abs=1e-15)
    az = arviz()
    summary = az.summary(headline.to_inference_data(), round_to="none")  # no warning: filterwarnings=error
    assert summary.loc[f"{TARGET}[{STATE}]", "mean"] == pytest.approx(value, abs=1e-12)
    low, high = headline.interval.loc[STATE]
    assert (summary.loc[f"{TARGET}[{STATE}]", "hdi_3%"], summary.loc[f"{TARGET}[{STATE}]", "hdi_97%"]) == \
        pytest.approx((low, high), abs=1e-12)
    assert low <= value <= high


def test_every_command_prints_the_same_headline(headline, capsys, tmp_path):
    value = float(headline.distribution[STATE])
    shown = f"{value:.3f}"
    q = _json(capsys, ["query", TARGET, "--scenario", SCENARIO, "--draws", str(DRAWS), "--format", "json"])
    assert q["distribution"][STATE] == pytest.approx(value, abs=1e-12)
    assert main(["query", TARGET, "--scenario", SCENARIO, "--draws", str(DRAWS)]) == 0
    assert re.search(rf"{STATE}\s+{shown}", capsys.readouterr().out)
    c = _json(capsys, ["compare", TARGET, "--scenario", SCENARIO, "--scenario", "buddying", "--draws", str(DRAWS),
                       "--format", "json"])
    assert next(s for s in c["situations"] if s["situation"] == SCENARIO)["probability"] == pytest.approx(value)
    folder = tmp_path / "report"
    assert main(["report", "--scenario", SCENARIO, "--draws", str(DRAWS), "--out", str(folder), "--quiet"]) == 0
    capsys.readouterr()
    assert f"**{headline.headline_text()}**" in (folder / "report.md").read_text(encoding="utf-8")  # its own words
    assert f"= {STATE}: {shown} (94% interval" in (folder / "index.html").read_text(encoding="utf-8")
    team = tmp_path / "team"
    assert main(["init", str(team)]) == 0
    capsys.readouterr()
    u = _json(capsys, ["update", str(STUDY), "--model", str(team), "--dry-run", "--draws", str(DRAWS),
                       "--format", "json"])
    row = next(r for r in u["queries"]["rows"] if r["scenario"] == SCENARIO)
    assert row["probability_before"] == pytest.approx(value, abs=1e-12)


def test_compare_reports_the_paired_contrast(capsys):
    c = _json(capsys, ["compare", TARGET, "--scenario", "buddying", "--scenario", SCENARIO, "--draws", str(DRAWS),
                       "--format", "json"])
    (contrast,) = c["contrasts"]
    assert (contrast["situation"], contrast["baseline"]) == (SCENARIO, "buddying")
    assert contrast["low"] <= contrast["difference"] <= contrast["high"] < 0
    assert contrast["p_higher"] < 0.1
    by_name = {s["situation"]: s["probability"] for s in c["situations"]}
    assert contrast["difference"] == pytest.approx(by_name[SCENARIO] - by_name["buddying"], abs=1e-12)


def test_a_query_contrasts_two_interventions(capsys):
    c = _json(capsys, ["query", TARGET, "--scenario", SCENARIO, "--do", "quick_wins=present", "--vs",
                       "quick_wins=absent", "--draws", str(DRAWS), "--format", "json"])
    (contrast,) = c["contrasts"]
    assert contrast["situation"] == "do quick_wins=present" and contrast["baseline"] == "do quick_wins=absent"
    assert contrast["difference"] > 0 and contrast["p_higher"] > 0.9
    assert main(["query", TARGET, "--vs", "quick_wins=absent", "--draws", "10"]) == 2
    assert "which the question does not set" in capsys.readouterr().err


def test_the_lever_ranking_shows_ties_and_how_likely_the_best_is():
    model = bayesnet.load()
    q = bayesnet.question(model, TARGET, scenario=SCENARIO)
    network_only = bayesnet.levers(q, None, k=2)
    tied = network_only.sets[network_only.sets["tied"]]
    assert len(tied) >= 2 and tied["rank"].duplicated().any()  # equal sets share a rank, not an order by name
    lv = bayesnet.levers(q, bayesnet.posterior(model, draws=DRAWS), k=2)
    assert len(lv.sets) >= 5
    assert lv.sets["p_best"].sum() == pytest.approx(1.0)
    assert lv.sets.iloc[0]["gain"] == pytest.approx(lv.after["probability"] - lv.before["probability"], abs=1e-12)
    assert (lv.sets["low"] <= lv.sets["gain"]).all() and (lv.sets["gain"] <= lv.sets["high"]).all()


def test_the_evidence_ranking_has_no_negative_value():
    model = bayesnet.load()
    q = bayesnet.question(model, TARGET, scenario=SCENARIO)
    r = bayesnet.evidence_ranking(q, bayesnet.posterior(model, draws=DRAWS))
    assert (r.frame["variance_reduction"] >= 0).all()
    assert (r.frame["sd_after"] <= r.sd + 1e-15).all()
