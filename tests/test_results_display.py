"""Every result shows itself in a notebook: an HTML card with labels and its headline, and a
``.plot()`` that returns matplotlib Axes (issue 15)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.axes import Axes

import bayesnet
from bayesnet.analysis.findings import findings_sensitivity

TARGET = "collaborative_behaviour"
STUDY = Path(__file__).parent.parent / "inference_examples" / "update_buddying_study" / "study.yaml"
TIMELINE = [{"slice": 2, "do": {"quick_wins": "present"}, "label": "quick win"}]


@pytest.fixture(scope="module")
def model():
    return bayesnet.load()


@pytest.fixture(scope="module")
def post(model):
    return bayesnet.posterior(model, draws=200, seed=3)


@pytest.fixture(scope="module")
def q(model):
    return bayesnet.question(model, TARGET, scenario="buddying", given={"quick_wins": "present"})


@pytest.fixture(scope="module")
def results(model, post, q):
    other = bayesnet.question(model, TARGET, scenario="merger")
    traj = bayesnet.trajectory(model, TIMELINE, bayesnet.posterior(model, draws=40, seed=3), scenario="buddying",
                               baseline=True)
    _, inertia = bayesnet.dynamics.trajectory_and_inertia(model, TIMELINE, None, scenario="merger")
    return {
        "query": bayesnet.query(model, TARGET, scenario="buddying", given={"quick_wins": "present"}, draws=200),
        "queries": bayesnet.query(model, ["trust", "faith"], scenario="buddying", draws=100),
        "joint": bayesnet.joint(model, ["trust", "faith"], draws=100),
        "comparison": bayesnet.compare(model, TARGET, scenarios=["buddying", "merger"], draws=200),
        "tornado": bayesnet.tornado(q, post),
        "findings": findings_sensitivity(q),
        "levers": bayesnet.levers(q, post, k=2),
        "evidence": bayesnet.evidence_ranking(q, post),
        "sensitivity": bayesnet.sensitivity(q, post, k=1),
        "trajectory": traj,
        "inertia": inertia,
        "influence": bayesnet.influence(q, post, claim=bayesnet.Claim.versus(q, other), sources=["S44", "S0", "S18"]),
        "robustness": bayesnet.robustness(q, post, claim=bayesnet.Claim.versus(q, other), n=3, seed=1),
        "change": bayesnet.change_report(bayesnet.update_model(model, [STUDY]), draws=100),
    }


KINDS = ["query", "queries", "joint", "comparison", "tornado", "findings", "levers", "evidence", "sensitivity",
         "trajectory", "inertia", "influence", "robustness", "change"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_result_shows_an_html_card_with_labels(results, model, kind):
    page = results[kind]._repr_html_()
    assert page.count('class="bayesnet-card"') >= 1
    titles = re.findall(r'<div class="bn-title">(.*?)</div>', page)
    headlines = re.findall(r'<div class="bn-headline">(.*?)</div>', page)
    assert titles and headlines and all(h.strip() for h in headlines)
    for title in titles:  # labels, not ids, in what the reader reads first
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", html.unescape(title).split("scenario")[0]), title
    assert "<table>" in page or kind == "inertia"


@pytest.mark.parametrize("kind", KINDS)
def test_every_result_plots_on_axes(results, kind):
    ax = results[kind].plot()
    try:
        assert isinstance(ax, Axes)
        assert ax.get_lines() or ax.patches or ax.collections
        ticks = [t.get_text() for t in ax.get_yticklabels()] + [ax.get_xlabel(), ax.get_title()]
        assert any(ticks)
    finally:
        plt.close(ax.figure)


def test_plot_draws_into_the_axes_it_is_given(results):
    fig, ax = plt.subplots()
    try:
        assert results["tornado"].plot(ax) is ax
        assert results["comparison"].plot(ax=ax, kind="contrasts") is ax
    finally:
        plt.close(fig)


def test_the_headline_in_the_card_is_the_headline_of_the_frame(results, model):
    r = results["query"]
    p = r.frame.loc["collaborative", "probability"]
    assert f"{p:.3f}" in r.headline_text()
    assert r.headline_text().startswith(f"{model.codebook[TARGET].label} = collaborative: ")
    c = results["comparison"]
    best = c.situations["probability"].max()
    assert f"{best:.3f}" in c.headline_text()
    lv = results["levers"]
    assert f"{lv.sets.iloc[0]['gain']:+.3f}" in lv.headline_text()
    t = results["tornado"]
    assert t.frame.iloc[0]["label"] in t.headline_text()


def test_ties_are_named_in_the_headline(model):
    """With every cause of the target set, no context can move it: every lever and every
    tornado bar ties at zero, and the headlines say so."""
    parents = model.spec.parents["trust"]
    q = bayesnet.question(model, "trust", do={p: model.codebook[p].upper for p in parents})
    lv = bayesnet.levers(q, None, k=1)
    assert lv.singles["tied"].all() and "tied with" in lv.headline_text()
    t = bayesnet.tornado(q)
    assert (t.frame["swing"].abs() <= 1e-12).all() and "tied with" in t.headline_text()
    free = bayesnet.tornado(bayesnet.question(model, "trust"))
    top = free.frame["swing"].iloc[0]
    n_tied = int(((free.frame["swing"] - top).abs() <= 1e-12).sum())
    assert ("tied with" in free.headline_text()) == (n_tied > 1)


def test_trajectory_baseline_is_the_same_collaboration_without_events(model):
    post = bayesnet.posterior(model, draws=30, seed=5)
    traj = bayesnet.trajectory(model, TIMELINE, post, scenario="buddying", baseline=True)
    quiet = bayesnet.trajectory(model, [], post, scenario="buddying")
    assert traj.baseline is not None
    assert (traj.baseline.draws == quiet.draws).all()  # the same draws: the difference is the events'
    assert (traj.frame["without_events"].to_numpy() == quiet.frame["probability"].to_numpy()).all()
    assert traj.select(["faith"]).baseline.nodes == ("faith",)
    assert bayesnet.trajectory(model, [], post, scenario="buddying", baseline=True).baseline is None
