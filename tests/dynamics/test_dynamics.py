"""The time-sliced model: unrolling, trajectories, collaborative inertia, pictures, CLI, example."""

from __future__ import annotations

import json
import runpy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bayesnet
from bayesnet import (
    collaborative_inertia,
    load,
    posterior,
    query,
    trajectory,
)
from bayesnet.cli import main
from bayesnet.dynamics import trajectories, unroll
from bayesnet.dynamics.inertia import inertia_onset
from bayesnet.dynamics.unrolled import STAGE_NAMES, unrolled_cpts
from bayesnet.errors import ParameterError, QueryError, SchemaError
from bayesnet.report.trajectory_plot import plot_trajectories, write_trajectory_plot
from tests.helpers import MINI_SOURCES, REPO, cmoc, make_model_dir, source, traj_post, write_yaml

EXAMPLE = REPO / "inference_examples" / "trajectories"
QUICK_WIN = [{"slice": 2, "do": {"quick_wins": "present"}}]


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return load(make_model_dir(tmp_path_factory.mktemp("mini") / "m"))


@pytest.fixture(scope="module")
def mini_nolag(tmp_path_factory):
    """The mini model without its lag-1 link (trust -> conflict)."""
    sources = [s for s in MINI_SOURCES if s["id"] != "S18"]
    sources.append(source(18, [cmoc("conflict", "trust", "decreases")], kind="supporting_source"))
    return load(make_model_dir(tmp_path_factory.mktemp("nolag") / "m", sources=sources))


@pytest.fixture(scope="module")
def default():
    return bayesnet.load()


def _upper(model, node):
    return model.codebook[node].upper


# -- the unrolled network ------------------------------------------------------------------------


def test_unrolled_roles_and_parents(mini):
    net = unroll(mini, 3)
    assert set(net.static) == {"history_of_collaboration", "mandated", "initial_trust"}
    assert net.per_slice == ("quick_wins",)
    assert set(net.dynamic) == {"quick_wins", "conflict", "trust", "collaborative_behaviour"}
    assert net.persistent == ("trust",)  # the mini model has no faith
    assert net.name("mandated", 3) == "mandated@1" and net.name("trust", 3) == "trust@3"
    parents = net.spec.parents
    assert parents["conflict@1"] == ()  # a root of the static web in slice 1 ...
    assert parents["conflict@2"] == ("trust@1",)  # ... and fed by the lag-1 link afterwards
    assert parents["trust@2"] == ("conflict@2", "initial_trust@1", "quick_wins@2", "trust@1")
    assert parents["quick_wins@3"] == ()
    assert "mandated@2" not in parents
    assert len(net.spec.order) == 3 + 3 * 4



def test_a_changing_context_with_causes_is_renewed_in_every_slice_from_them(default):
    """Ambition (atemporal, modifiable, caused by initial trust) gets a copy per slice whose only
    parent is the one initial trust: setting the aims in slice 3 acts from slice 3 on, and
    without events every slice's ambition has the same distribution."""
    net = unroll(default, 4)
    assert "ambition" in net.dynamic and "ambition" not in net.static and "ambition" not in net.per_slice
    assert all(net.spec.parents[f"ambition@{t}"] == ("initial_trust@1",) for t in range(1, 5))
    base = trajectory(default, [], post=traj_post(default, draws=None), scenario="buddying", n_slices=4,
                      nodes=["ambition", "perception_of_progress"])
    assert np.ptp(base.point[0]) < 1e-12  # the same P(ambition = over_ambitious) in every slice
    aims = [{"slice": 3, "do": {"ambition": "realistic"}}]
    set_ = trajectory(default, aims, post=traj_post(default, draws=None), scenario="buddying", n_slices=4,
                      nodes=["ambition", "perception_of_progress"])
    np.testing.assert_allclose(set_.point[1, :2], base.point[1, :2], atol=1e-12)  # never reaches back
    assert set_.point[1, 2] > base.point[1, 2] + 1e-3  # realistic aims: more perceived progress there

def test_persistence_zero_adds_no_own_lag_link(mini):
    net = unroll(mini, 2, persistence=0.0)
    assert net.persistent == ()
    assert net.spec.parents["trust@2"] == ("conflict@2", "initial_trust@1", "quick_wins@2")


@pytest.mark.parametrize("which", ["mini", "default"])
def test_one_slice_cpts_are_the_static_ones(which, mini, default):
    model = mini if which == "mini" else default
    net = unroll(model, 1)
    point = unrolled_cpts(model, net)
    drawn = unrolled_cpts(model, net, posterior(model, draws=50, seed=7))
    static_drawn = model.cpt_draws(50, 7)
    assert set(point) == {f"{n}@1" for n in model.spec.order}
    for node in model.spec.order:
        np.testing.assert_array_equal(point[f"{node}@1"], model.cpts[node])
        np.testing.assert_array_equal(drawn[f"{node}@1"], static_drawn[node])


@pytest.mark.parametrize(
    "case",
    [
        ("mini", "voluntary", {}, ["trust", "conflict", "collaborative_behaviour"]),
        ("mini", None, {"given": {"collaborative_behaviour": "high"}}, ["trust", "quick_wins", "mandated"]),
        ("mini", None, {"do": {"trust": "high"}}, ["conflict", "collaborative_behaviour"]),
        ("default", "buddying", {"do": {"quick_wins": "present"}}, ["trust", "faith", "collaborative_behaviour"]),
        ("default", "integrated_care_system", {"given": {"acute_events": "present"}}, ["trust", "conflict"]),
    ],
)
def test_one_slice_agrees_with_the_static_model(case, mini, default):
    which, scenario, event, nodes = case
    model = mini if which == "mini" else default
    timeline = [{"slice": 1, **event}] if event else []
    traj = trajectory(
        model, timeline, post=traj_post(model, draws=200, seed=5), scenario=scenario, nodes=nodes, n_slices=1
    )
    for i, node in enumerate(nodes):
        static = query(model, node, scenario=scenario, given=event.get("given"), do=event.get("do"), draws=200, seed=5)
        k = model.spec.states[node].index(_upper(model, node))
        assert traj.point[i, 0] == pytest.approx(static.point[k], abs=1e-12)
        np.testing.assert_allclose(traj.draws[i, 0], static.draws[:, k], atol=1e-12, rtol=0)


# -- what persistence does -----------------------------------------------------------------------


def test_without_persistence_feedback_or_events_every_slice_repeats_the_static_model(mini_nolag):
    model = mini_nolag
    nodes = ["trust", "collaborative_behaviour", "quick_wins"]
    traj = trajectory(
        model, post=traj_post(model, draws=100, seed=3), scenario="voluntary", nodes=nodes, n_slices=4, persistence=0.0
    )
    for i, node in enumerate(nodes):
        static = query(model, node, scenario="voluntary", draws=100, seed=3)
        np.testing.assert_allclose(traj.point[i], static.point[-1], atol=1e-12, rtol=0)  # the network's answer
        for t in range(4):
            np.testing.assert_allclose(traj.draws[i, t], static.draws[:, -1], atol=1e-12, rtol=0)


@pytest.mark.parametrize("scenario", [None, "buddying", "integrated_care_system"])
def test_full_persistence_without_events_is_constant(scenario, default):
    """Issue 7: "with no events and persistence at its maximum the trajectory is constant"."""
    nodes = ["trust", "faith", "collaborative_behaviour"]
    frozen = trajectory(
        default, [], post=traj_post(default, draws=100, seed=8), scenario=scenario, nodes=nodes, persistence=1.0
    )
    np.testing.assert_allclose(frozen.point, frozen.point[:, :1].repeat(5, axis=1), atol=1e-12, rtol=0)
    np.testing.assert_allclose(frozen.draws, frozen.draws[:, :1].repeat(5, axis=1), atol=1e-12, rtol=0)
    static = query(default, "trust", scenario=scenario, draws=100, seed=8)
    assert frozen.point[0, 0] == pytest.approx(static.point[-1], abs=1e-12)
    # below the maximum the feedback loops move the same trajectory (so the check above can fail)
    moving = trajectory(
        default, [], post=traj_post(default, draws=None), scenario=scenario, nodes=nodes, persistence=0.5
    )
    assert np.abs(np.diff(moving.point[:2], axis=1)).max() > 1e-4  # far above the 1e-12 tolerance


def test_full_persistence_freezes_trust_against_events(mini):
    events = [*QUICK_WIN, {"slice": 3, "do": {"conflict": "present"}}, {"slice": 4, "given": {"quick_wins": "absent"}}]
    frozen = trajectory(
        mini,
        events,
        post=traj_post(mini, draws=50, seed=2),
        nodes=["trust", "collaborative_behaviour"],
        persistence=1.0,
    )
    np.testing.assert_allclose(frozen.point, frozen.point[:, :1].repeat(5, axis=1), atol=1e-12, rtol=0)
    np.testing.assert_allclose(frozen.draws, frozen.draws[:, :1].repeat(5, axis=1), atol=1e-12, rtol=0)


@pytest.mark.parametrize("persistence", [0.3, 0.5, 1.0])
def test_the_carry_over_mixture_worked_by_hand_over_two_slices(persistence, mini):
    """P(trust@2 = j | causes@2, trust@1 = i) = p [j == i] + (1 - p) P_static(trust = j | causes@2).

    On the mini model trust's causes are conflict, initial trust and quick wins (no lag-1
    link into trust), so its logistic part in slice 2 is the static CPT itself.
    """
    p = persistence
    net = unroll(mini, 2, persistence=p)
    parents = mini.spec.parents["trust"]
    assert net.spec.parents["trust@2"] == (
        *(f"{x}@2" if x != "initial_trust" else "initial_trust@1" for x in parents),
        "trust@1",
    )
    high, low = (mini.spec.states["trust"].index(s) for s in ("high", "low"))

    def config(**states):
        return tuple(mini.spec.states[x].index(states[x]) for x in parents)

    one = config(conflict="present", initial_trust="high", quick_wins="absent")
    two = config(conflict="absent", initial_trust="high", quick_wins="present")
    for unrolled, static in (
        (unrolled_cpts(mini, net), mini.cpts["trust"]),
        (unrolled_cpts(mini, net, posterior(mini, draws=40, seed=6)), mini.cpt_draws(40, 6)["trust"]),
    ):
        logistic = static[(high, *two)]  # (S,)
        entry = unrolled["trust@2"]
        np.testing.assert_allclose(entry[(high, *two, high)], p + (1 - p) * logistic, atol=1e-15, rtol=0)
        np.testing.assert_allclose(entry[(high, *two, low)], (1 - p) * logistic, atol=1e-15, rtol=0)
        np.testing.assert_allclose(entry[(low, *two, low)], p + (1 - p) * (1 - logistic), atol=1e-15, rtol=0)
    # the same through a timeline: every cause of trust set in both slices
    timeline = [
        {"slice": 1, "do": {"conflict": "present", "initial_trust": "high", "quick_wins": "absent"}},
        {"slice": 2, "do": {"conflict": "absent", "quick_wins": "present"}},
    ]
    traj = trajectory(
        mini, timeline, post=traj_post(mini, draws=40, seed=6), nodes=["trust"], n_slices=2, persistence=p
    )
    for got, cpt in ((traj.point[0], mini.cpts["trust"][..., 0]), (traj.draws[0], mini.cpt_draws(40, 6)["trust"])):
        a, b = cpt[(high, *one)], cpt[(high, *two)]  # P_static(trust high) in slice 1 and in slice 2
        np.testing.assert_allclose(got[0], a, atol=1e-12, rtol=0)
        np.testing.assert_allclose(got[1], p * a + (1 - p) * b, atol=1e-12, rtol=0)
    point = mini.cpts["trust"][..., 0]
    assert abs(point[(high, *one)] - point[(high, *two)]) > 0.1  # the slices' causes differ enough to tell p apart


# -- events --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "scenario"), [("mini", "voluntary"), ("default", "buddying"), ("default", "integrated_care_system")]
)
def test_a_quick_win_raises_trust_in_its_slice_and_never_lowers_it_later(which, scenario, mini, default):
    model = mini if which == "mini" else default
    base = trajectory(model, [], post=traj_post(model, draws=300, seed=11), scenario=scenario, nodes=["trust"])
    won = trajectory(model, QUICK_WIN, post=traj_post(model, draws=300, seed=11), scenario=scenario, nodes=["trust"])
    for values_base, values_won in (
        (base.point[0], won.point[0]),
        (base.draws[0].mean(axis=-1), won.draws[0].mean(axis=-1)),
    ):
        assert values_won[0] == pytest.approx(values_base[0], abs=1e-12)  # slice 1 precedes it
        assert values_won[1] > values_base[1] + 0.01
        assert np.all(values_won[2:] >= values_base[2:] - 1e-12)


def _quick_win_effect(model, scenario, persistence):
    base = trajectory(
        model, [], post=traj_post(model, draws=None), scenario=scenario, nodes=["trust"], persistence=persistence
    )
    won = trajectory(
        model, QUICK_WIN, post=traj_post(model, draws=None), scenario=scenario, nodes=["trust"], persistence=persistence
    )
    return won.point[0] - base.point[0]


def test_a_quick_win_never_lowers_trust_at_any_persistence(mini, default):
    """In its slice the effect is (1 - p) times the effect without persistence (slice 1 and
    the causes of trust in slice 2 do not depend on p); later it is never negative."""
    cases = {
        ("mini", "voluntary"): mini,
        ("default", "buddying"): default,
        ("default", "integrated_care_system"): default,
    }
    at_zero = {case: float(_quick_win_effect(model, case[1], 0.0)[1]) for case, model in cases.items()}
    assert min(at_zero.values()) > 0.05

    @settings(max_examples=20, deadline=None)
    @given(persistence=st.floats(0.0, 0.95), case=st.sampled_from(sorted(cases)))
    def check(persistence, case):  # an inner property, so that failures print p and the case, not the models
        effect = _quick_win_effect(cases[case], case[1], persistence)
        assert effect[0] == pytest.approx(0.0, abs=1e-12)
        assert effect[1] == pytest.approx((1 - persistence) * at_zero[case], abs=1e-12)
        assert np.all(effect[2:] >= -1e-12)

    check()


@pytest.mark.parametrize("scenario", ["buddying", "integrated_care_system"])
def test_an_acute_event_lowers_trust_in_the_next_slices(scenario, default):
    event = [{"slice": 2, "given": {"acute_events": "present"}}]
    base = trajectory(default, [], post=traj_post(default, draws=None), scenario=scenario, nodes=["trust"])
    hit = trajectory(default, event, post=traj_post(default, draws=None), scenario=scenario, nodes=["trust"])
    assert hit.point[0, 0] == pytest.approx(base.point[0, 0], abs=1e-12)  # a root: slice 1 is untouched
    assert hit.point[0, 1] < base.point[0, 1] - 0.005
    assert hit.point[0, 2] < base.point[0, 2]
    assert np.all(hit.point[0, 1:] <= base.point[0, 1:] + 1e-12)


def test_do_does_not_reach_back_but_an_observation_does(mini):
    base = trajectory(mini, [], post=traj_post(mini, draws=None), nodes=["trust", "conflict"])
    done = trajectory(
        mini, [{"slice": 3, "do": {"trust": "high"}}], post=traj_post(mini, draws=None), nodes=["trust", "conflict"]
    )
    seen = trajectory(
        mini, [{"slice": 3, "given": {"trust": "high"}}], post=traj_post(mini, draws=None), nodes=["trust", "conflict"]
    )
    np.testing.assert_allclose(done.point[:, :2], base.point[:, :2], atol=1e-12)
    assert seen.point[0, 1] > base.point[0, 1] + 1e-3  # high trust later says trust was higher before
    assert done.point[1, 3] < base.point[1, 3]  # high trust in slice 3 lowers conflict in slice 4 (lag 1)


def test_fixed_nodes_show_as_certain(mini):
    traj = trajectory(
        mini, QUICK_WIN, post=traj_post(mini, draws=50), scenario="voluntary", nodes=["quick_wins", "mandated", "trust"]
    )
    frame = traj.frame
    assert frame.loc[("quick_wins", 2), "probability"] == 1.0
    assert frame.loc[("quick_wins", 2), "fixed"] == "do"
    assert frame.loc[("quick_wins", 2), "low"] == frame.loc[("quick_wins", 2), "high"] == 1.0
    assert frame.loc[("quick_wins", 3), "fixed"] == ""
    assert (frame.loc["mandated", "probability"] == 0.0).all()  # voluntary: P(mandated = mandated) = 0
    assert (frame.loc["mandated", "fixed"] == "given").all()


def test_an_event_replaces_the_scenario_value_in_its_slice_only(tmp_path):
    scenarios = {
        "version": 1,
        "scenarios": [
            {
                "id": "winning",
                "label": "Winning",
                "collaboration_type": "buddying",
                "values": {"quick_wins": {"state": "present", "basis": "test"}},
            }
        ],
    }
    model = load(make_model_dir(tmp_path / "m", scenarios=scenarios))
    traj = trajectory(
        model,
        [{"slice": 2, "do": {"quick_wins": "absent"}}],
        post=traj_post(model, draws=None),
        scenario="winning",
        nodes=["quick_wins"],
    )
    assert list(traj.point[0]) == [1.0, 0.0, 1.0, 1.0, 1.0]
    assert traj.fixed[0] == ("given", "do", "given", "given", "given")


# -- results -------------------------------------------------------------------------------------


def test_frame_xarray_and_json(mini):
    traj = trajectory(mini, QUICK_WIN, post=traj_post(mini, draws=200, seed=2), nodes=["trust", "conflict"])
    frame = traj.frame
    assert frame.index.names == ["node", "slice"]
    assert list(frame.columns) == ["slice_name", "state", "probability", "low", "high", "network", "fixed"]
    assert list(frame.loc["trust", "slice_name"]) == list(STAGE_NAMES)
    p = frame["probability"]
    assert ((frame["low"] <= p + 1e-12) & (p <= frame["high"] + 1e-12)).all()
    # the headline is the mean over draws, as for every query; network is the posterior-mean network's
    np.testing.assert_allclose(p.to_numpy(), traj.draws.mean(axis=-1).reshape(-1), atol=1e-12)
    np.testing.assert_allclose(frame["network"].to_numpy(), traj.point.reshape(-1), atol=1e-12)
    ds = traj.to_xarray()
    assert ds["probability"].dims == ("node", "slice")
    assert ds["draws"].dims == ("node", "slice", "draw")
    assert list(ds.coords["slice_name"].values) == list(STAGE_NAMES)
    assert float(ds["probability"].sel(node="trust", slice=2)) == pytest.approx(frame.loc[("trust", 2), "probability"])
    data = json.loads(json.dumps(traj.to_dict()))
    assert [r["slice"] for r in data["trajectories"]["conflict"]] == [1, 2, 3, 4, 5]
    assert data["events"] == [
        {"slice": 2, "given": {}, "do": {"quick_wins": "present"}, "label": "do quick_wins=present"}
    ]
    assert traj.select(["conflict"]).nodes == ("conflict",)
    with pytest.raises(QueryError, match="does not follow 'faith'"):
        traj.select(["faith"])


def test_same_seed_same_draws_and_other_slices(mini):
    a = trajectory(mini, QUICK_WIN, post=traj_post(mini, draws=100, seed=4), nodes=["trust"])
    b = trajectory(mini, QUICK_WIN, post=traj_post(mini, draws=100, seed=4), nodes=["trust"])
    c = trajectory(mini, QUICK_WIN, post=traj_post(mini, draws=100, seed=5), nodes=["trust"])
    np.testing.assert_array_equal(a.draws, b.draws)
    assert not np.array_equal(a.draws, c.draws)
    eight = trajectory(mini, {"slices": 8, "events": QUICK_WIN}, post=traj_post(mini, draws=None), nodes=["trust"])
    assert eight.slice_names[-1] == "slice 8"
    np.testing.assert_allclose(eight.point[0, :5], a.point[0], atol=1e-12)  # later slices cannot reach back


def test_draws_built_in_chunks_give_the_same_answer(mini, monkeypatch):
    whole = trajectory(
        mini, QUICK_WIN, post=traj_post(mini, draws=150, seed=9), nodes=["trust", "collaborative_behaviour"]
    )
    monkeypatch.setattr(trajectories, "CACHE_BYTES", 0)
    monkeypatch.setattr(trajectories, "CHUNK_BYTES", 2000)  # a few draws per chunk
    chunked = trajectory(
        mini, QUICK_WIN, post=traj_post(mini, draws=150, seed=9), nodes=["trust", "collaborative_behaviour"]
    )
    np.testing.assert_allclose(chunked.draws, whole.draws, atol=1e-12, rtol=0)


# -- collaborative inertia -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "onset"),
    [
        ([0.6, 0.4, 0.6, 0.4, 0.3], 4),
        ([0.6, 0.7, 0.8], None),
        ([0.4, 0.3, 0.2], 1),
        ([0.4, 0.5, 0.4], 3),
        ([0.4, 0.4, 0.5], None),
    ],
)
def test_inertia_onset(values, onset):
    assert inertia_onset(values, 0.5) == onset


def test_inertia_and_levers_on_the_default_model(default):
    conflicts = [{"slice": [3, 4, 5], "do": {"conflict": "present"}}]
    result = collaborative_inertia(
        default, conflicts, post=traj_post(default, draws=100, seed=1), scenario="buddying", threshold=0.6
    )
    assert result.onset == inertia_onset(result.trajectory.point[0], 0.6)
    assert result.onset is not None and result.onset > 1
    assert 0.0 <= result.share_of_draws <= 1.0
    levers = result.levers
    assert set(levers["lever"]) <= {n.id for n in default.codebook if n.kind == "context" and n.modifiable}
    assert list(levers["delay"]) == sorted(levers["delay"], reverse=True)
    best = result.best
    assert best is not None and best["delay"] > 0
    assert "Best lever" in result.describe()
    # every lever's numbers match a direct run with that lever as do events
    for _, row in levers.head(3).iterrows():
        lever_slices = list(range(int(row["from_slice"]), 6))
        events = [*conflicts, {"slice": lever_slices, "do": {row["lever"]: row["state"]}}]
        if row["lever"] in unroll(default).static:
            events[-1]["slice"] = 1
        direct = trajectory(default, events, post=traj_post(default, draws=None), scenario="buddying", nodes=["faith"])
        assert direct.point[0, -1] == pytest.approx(row["final"], abs=1e-12)
        assert inertia_onset(direct.point[0], 0.6) == (None if row["avoided"] else row["onset"])


def test_no_inertia_gives_no_levers(default):
    result = collaborative_inertia(
        default, QUICK_WIN, post=traj_post(default, draws=None), scenario="buddying", threshold=0.3
    )
    assert result.onset is None and result.levers.empty and result.best is None
    assert "No collaborative inertia" in result.describe()
    assert result.to_dict()["levers"] == []


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"nodes": ["trsut"]}, QueryError, "unknown node 'trsut'; did you mean 'trust'"),
        ({"persistence": 1.5}, ParameterError, "'persistence' parameter of trajectory must be a number in \\[0, 1\\]"),
        ({"n_slices": 0}, ParameterError, "'n_slices' parameter of trajectory must be an integer in \\[1, 50\\]"),
        ({"scenario": "volntary"}, QueryError, "did you mean 'voluntary'"),
        ({"timeline": [{"slice": 7, "do": {"quick_wins": "present"}}]}, SchemaError, "slice 7 is outside"),
        ({"carried": ["quick_wins"]}, ParameterError, "only mechanisms carry"),
        ({"per_slice": ["trust"]}, ParameterError, "not a root context"),
    ],
)
def test_bad_trajectory_arguments(mini, kwargs, error, match):
    with pytest.raises(error, match=match):
        trajectory(mini, post=traj_post(mini), **kwargs)


def test_bad_draws_are_refused_when_the_posterior_is_made(mini):
    with pytest.raises(ParameterError, match="'draws' parameter of posterior must be a positive integer"):
        posterior(mini, draws=0)


def test_bad_inertia_threshold(mini):
    with pytest.raises(ParameterError, match="'threshold' parameter of collaborative_inertia"):
        collaborative_inertia(mini, post=traj_post(mini), node="trust", threshold=1.0)


# -- pictures ------------------------------------------------------------------------------------


def test_pictures(mini, tmp_path):
    traj = trajectory(mini, QUICK_WIN, post=traj_post(mini, draws=50), nodes=["trust", "conflict"])
    svg = write_trajectory_plot(traj, tmp_path / "t.svg", threshold=0.5)
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<svg" in text
    again = write_trajectory_plot(traj, tmp_path / "u.svg", threshold=0.5)
    assert again.read_bytes() == svg.read_bytes()  # reproducible
    png = write_trajectory_plot([traj, traj], tmp_path / "t.png", titles=["a", "b"])
    assert png.read_bytes().startswith(b"\x89PNG")
    assert len(plot_trajectories([traj, traj]).axes) == 2
    with pytest.raises(ParameterError, match=r"use \.svg or \.png"):
        write_trajectory_plot(traj, tmp_path / "t.pdf")
    with pytest.raises(ParameterError, match="1 titles for 2 trajectories"):
        plot_trajectories([traj, traj], titles=["a"])
    assert not (tmp_path / "t.pdf").exists()


# -- command line --------------------------------------------------------------------------------


def test_cli_trajectory(mini, tmp_path, capsys):
    timeline = write_yaml(tmp_path / "tl.yaml", {"scenario": "voluntary", "events": QUICK_WIN})
    out = tmp_path / "t.svg"
    code = main(
        [
            "trajectory",
            "--model",
            str(mini.root),
            "--timeline",
            str(timeline),
            "--draws",
            "50",
            "--format",
            "json",
            "--out",
            str(out),
            "--node",
            "trust",
            "--node",
            "conflict",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    data = json.loads(captured.out)
    assert data["scenario"] == "voluntary" and list(data["trajectories"]) == ["trust", "conflict"]
    assert data["inertia"] is None  # the mini model has no faith
    assert out.is_file() and f"wrote {out}" in captured.err
    assert main(["trajectory", "--model", str(mini.root), "--draws", "20", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "node,label,slice,slice_name,state,probability,low,high,network,fixed"
    assert len(lines) == 1 + 2 * 5  # trust and collaborative behaviour (no faith) in 5 slices
    assert main(["trajectory", "--model", str(mini.root), "--draws", "20", "--slices", "3"]) == 0
    assert "mid-life" in capsys.readouterr().out


def test_cli_errors_are_one_line(mini, tmp_path, capsys):
    bad = write_yaml(tmp_path / "bad.yaml", {"events": [{"slice": 2, "do": {"quick_wnis": "present"}}]})
    assert main(["trajectory", "--model", str(mini.root), "--timeline", str(bad), "--draws", "10"]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    assert f"{bad}:4 (events[0].do.quick_wnis): unknown node 'quick_wnis'; did you mean 'quick_wins'?" in err
    assert main(["trajectory", "--model", str(mini.root), "--draws", "10", "--out", str(tmp_path / "x.gif")]) == 2
    assert "use .svg or .png" in capsys.readouterr().err


def test_cli_reports_inertia_on_the_default_model(capsys):
    code = main(
        [
            "trajectory",
            "--scenario",
            "integrated_care_system",
            "--timeline",
            str(EXAMPLE / "mandated_early_conflict.yaml"),
            "--draws",
            "50",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "event in slice 2 (early life): early conflict" in out
    assert "Collaborative inertia from slice" in out


# -- the example ---------------------------------------------------------------------------------


def test_example_voluntary_ends_above_mandated_and_quick_wins_raise_trust(default, tmp_path):
    module = runpy.run_path(str(EXAMPLE / "run.py"))
    results = module["run"](default, draws=200)
    voluntary = results["voluntary"].trajectory.frame["probability"]
    mandated = results["mandated"].trajectory.frame["probability"]
    for node in ("trust", "faith", "collaborative_behaviour"):
        assert voluntary[(node, 5)] > mandated[(node, 5)] + 0.2
    assert results["voluntary"].onset is None
    assert results["mandated"].onset is not None
    effect = module["quick_win_effect"](default)
    assert effect.loc["connecting", "difference"] == pytest.approx(0.0, abs=1e-12)
    assert effect.loc["early life", "difference"] > 0.02
    assert (effect["difference"] >= -1e-12).all()
    assert module["main"](["--draws", "50", "--out", str(tmp_path / "both.png")]) == 0
    assert (tmp_path / "both.png").read_bytes().startswith(b"\x89PNG")
