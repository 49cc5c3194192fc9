"""The report's reviewing sections: the studies that carry the answer, its robustness to the
model's settings, and a header that states the source filter."""

from __future__ import annotations

import pandas as pd
import pytest

import bayesnet
from bayesnet.analysis import Claim, influence, robustness
from bayesnet.cli import main
from bayesnet.report import write_report
from tests.helpers import make_model_dir

TARGET = "collaborative_behaviour"
DRAWS = 80


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return bayesnet.load(make_model_dir(tmp_path_factory.mktemp("reviewing") / "m"))


def test_the_studies_section_holds_the_influence_of_each_source(model, tmp_path):
    q = bayesnet.question(model, TARGET, scenario="voluntary")
    post = bayesnet.posterior(model, draws=DRAWS, seed=2)
    files = write_report(q, post, tmp_path / "r", k=1, quiet=True, settings=3)
    lv = files.data.levers
    alone = influence(q, post, claim=Claim.best_levers(lv))
    studies = pd.read_csv(files.tables["studies"])
    assert list(studies["source"]) == list(alone.nonzero.index)
    assert studies["change"].to_numpy() == pytest.approx(alone.nonzero["change"].to_numpy(), abs=0)
    assert studies["p_claim"].to_numpy() == pytest.approx(alone.nonzero["p_claim"].to_numpy(), abs=0)
    md = files.markdown.read_text(encoding="utf-8")
    assert "## Studies that carry this answer" in md and "## Robustness to the model's own settings" in md
    box = md.split("## How to read this report", 1)[0]  # the headline box
    assert f"**Which studies carry it:** Leaving out {studies['source'][0]} ({studies['cited'][0]})" in box
    robust = robustness(q, post, claim=Claim.best_levers(lv), n=3)
    assert f"**Under other settings:** {robust.verdict()}" in box
    pd.testing.assert_frame_equal(pd.read_csv(files.tables["robustness"]).set_index("setting"), robust.frame,
                                  check_dtype=False)


def test_without_the_sections_the_report_says_nothing_of_them(model, tmp_path):
    q = bayesnet.question(model, TARGET)
    files = write_report(q, bayesnet.posterior(model, draws=40), tmp_path / "r", k=1, quiet=True, studies=False)
    md = files.markdown.read_text(encoding="utf-8")
    assert "Studies that carry" not in md and "Robustness" not in md
    assert "studies" not in files.tables and not (tmp_path / "r" / "studies.csv").exists()
    assert files.data.studies is None and files.data.robustness is None


def test_the_header_states_the_source_filter_and_the_links_it_drops(model, tmp_path, capsys):
    out = tmp_path / "filtered"
    assert main(["report", "--model", str(model.root), "--sources", "exclude_ids=S44", "--levers", "1",
                 "--draws", "40", "--out", str(out), "--quiet", "--no-studies"]) == 0
    capsys.readouterr()
    md = (out / "report.md").read_text(encoding="utf-8")
    header = md.split("## How to read this report", 1)[0]
    assert "sources exclude_ids=S44 (5 of 6; 2 links no kept source states dropped)" in header
    assert ("Sources: filter exclude_ids=S44: 5 of 6 sources kept; left out: S44. Links no kept source states, "
            "dropped: mandated -| initial_trust; trust -> collaborative_behaviour.") in header
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Sources: filter exclude_ids=S44: 5 of 6 sources kept" in html
