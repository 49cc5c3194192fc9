"""Links from one state of a parent (``context_state``) and joint causes (``jointly_with``):
the format, its errors, the link table, the design matrix and the CPTs they give."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import bayesnet
from bayesnet.build.cpt import LinkTerm, design_matrix
from bayesnet.build.graph import link_name, row_link_name
from bayesnet.build.model import Model
from bayesnet.dynamics.unrolled import unroll
from bayesnet.errors import CycleError, SchemaError, UnknownNodeError, UnknownStateError
from bayesnet.inputs.evidence import SHEET_COLUMNS
from bayesnet.inputs.folder import read_codebook, read_model_files, read_source_file
from tests.helpers import cmoc, make_model_dir, source, write_yaml


def _node(node_id, kind, states, modifiable=None):
    out = {"id": node_id, "label": node_id.replace("_", " ").capitalize(), "kind": kind, "stage": "atemporal",
           "states": states, "definition": "Test node.", "section": "Test"}
    if kind == "context":
        out["modifiable"] = bool(modifiable)
    return out


CODEBOOK = {"version": 1, "nodes": [
    _node("ambition", "context", ["unambitious", "realistic", "over_ambitious"], True),
    _node("quick_wins", "context", ["absent", "present"], True),
    _node("trust", "mechanism", ["low", "high"]),
    _node("faith", "mechanism", ["low", "high"]),
    _node("progress", "mechanism", ["low", "high"]),
    _node("behaviour", "mechanism", ["competitive", "collaborative"]),
]}
SCENARIOS = {"version": 1, "scenarios": [
    {"id": "wins", "label": "Wins", "collaboration_type": "buddying",
     "values": {"quick_wins": {"state": "present", "basis": "test"}}},
]}
SOURCES = [
    # over-ambition lowers progress, and so does a lack of ambition: realistic aims are best
    source(54, [cmoc("ambition", "progress", "decreases", context_state="over_ambitious", outcome="faith",
                     outcome_direction="increases")]),
    source(18, [cmoc("ambition", "progress", "decreases", context_state="unambitious")], kind="supporting_source"),
    source(55, [cmoc("quick_wins", "trust")]),
    # the same conjunction coded both ways round is one link with two sources
    source(60, [cmoc("trust", "behaviour", jointly_with={"faith": "high"})]),
    source(61, [cmoc("faith", "behaviour", context_state="high", jointly_with={"trust": "high"})]),
]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    root = make_model_dir(tmp_path_factory.mktemp("states") / "m", sources=SOURCES, codebook=CODEBOOK,
                          scenarios=SCENARIOS)
    return bayesnet.load(root)


def test_the_link_table_holds_the_state_and_the_joint_cause(model):
    links = model.links
    from_state = links[links["from_state"].notna() & links["and_node"].isna()]
    assert sorted(from_state["from_state"]) == ["over_ambitious", "unambitious"]
    joint = links[links["and_node"].notna()]
    assert len(joint) == 1
    row = joint.iloc[0]
    assert (row["from"], row["from_state"], row["and_node"], row["and_state"]) == ("faith", "high", "trust", "high")
    assert row["support_ids"] == ("S60", "S61")
    names = {row_link_name(r) for r in links.to_dict(orient="records")}
    assert "ambition=over_ambitious -| progress" in names
    assert "ambition=unambitious -| progress" in names
    assert "faith=high & trust=high -> behaviour" in names
    assert row_link_name(row, labels=model.labels) == "Faith = high & Trust = high -> Behaviour"


def test_link_name_writes_a_state_and_a_joint_cause():
    assert link_name("ambition", "progress", -1, from_state="over_ambitious") == "ambition=over_ambitious -| progress"
    assert link_name("faith", "behaviour", 1, "mandated", "voluntary", from_state="high", and_node="trust",
                     and_state="high") == "faith=high & trust=high -> behaviour [when mandated=voluntary]"


def test_realistic_aims_are_best_in_every_draw(model):
    """An inverted U that no ordered coding of one parent can give."""
    p = {s: bayesnet.query(model, "progress", do={"ambition": s}, draws=500, seed=3) for s in
         ("unambitious", "realistic", "over_ambitious")}
    best = p["realistic"].draws[:, 1]
    assert (best > p["unambitious"].draws[:, 1]).mean() > 0.9
    assert (best > p["over_ambitious"].draws[:, 1]).mean() > 0.9
    assert p["realistic"].distribution["high"] > max(p["unambitious"].distribution["high"],
                                                     p["over_ambitious"].distribution["high"])


def test_the_joint_cause_acts_only_when_both_parents_are_in_their_states(model):
    """P(behaviour | trust, faith): the conjunction lifts (high, high) alone; the other three
    configurations share one value (the joint link is the only link into behaviour)."""
    table = model.cpt_frame("behaviour")["collaborative"]
    both = table.loc[("high", "high")]
    others = [table.loc[(f, t)] for f, t in (("low", "low"), ("low", "high"), ("high", "low"))]
    assert both > max(others)
    assert np.allclose(others, others[0], atol=1e-12)


def test_design_matrix_by_hand():
    states = {"a": ("lo", "mid", "hi"), "b": ("no", "yes"), "m": ("off", "on")}
    parents = ("a", "b", "m")
    terms = [LinkTerm("a"), LinkTerm("a", 1), LinkTerm("a", 2, ("b", 1)), LinkTerm("b", None, None, ("m", 1))]
    design = design_matrix(parents, states, terms)
    grid = np.indices([3, 2, 2]).reshape(3, -1).T
    for row, (a, b, m) in zip(design, grid, strict=True):
        assert row[0] == a / 2 - 0.5
        assert row[1] == (a == 1) - 0.5
        assert row[2] == (a == 2 and b == 1) - 0.5
        assert row[3] == ((b - 0.5) if m == 1 else 0.0)


def test_the_unrolled_network_repeats_the_state_links(model):
    """Ambition drawn afresh in each slice: the second slice's progress and behaviour read the
    same terms of their own slice's parents as the first."""
    net = unroll(model, n_slices=2, per_slice=("ambition", "quick_wins"))
    by_name = {c.node: c for c in net.spec.children}
    for node in ("progress", "behaviour"):
        first, second = by_name[f"{node}@1"], by_name[f"{node}@2"]
        assert second.parents == tuple(p.replace("@1", "@2") for p in first.parents)
        assert np.array_equal(first.design, second.design)


# -- the format and its errors ------------------------------------------------------------------


@pytest.fixture
def codebook(tmp_path: Path):
    root = make_model_dir(tmp_path / "m", sources=SOURCES, codebook=CODEBOOK, scenarios=SCENARIOS)
    return read_codebook(root / "priors" / "codebook.yaml")


def _bad(tmp_path: Path, cmocs) -> Path:
    return write_yaml(tmp_path / "bad" / "S99.yaml", source(99, cmocs))


def test_an_unknown_context_state_is_named_with_its_line_and_the_closest_state(tmp_path, codebook):
    path = _bad(tmp_path, [cmoc("ambition", "progress", "decreases", context_state="overambitious")])
    with pytest.raises(UnknownStateError) as info:
        read_source_file(path, codebook)
    err = info.value
    assert err.field == "cmocs[0].context_state" and err.line is not None
    assert "did you mean 'over_ambitious'" in str(err)


def test_a_state_of_a_two_state_context_is_refused_with_the_plain_form(tmp_path, codebook):
    path = _bad(tmp_path, [cmoc("quick_wins", "trust", "decreases", context_state="absent")])
    with pytest.raises(SchemaError, match=r"cmocs\[0\]\.context_state.*two states.*drop context_state"):
        read_source_file(path, codebook)


@pytest.mark.parametrize(("joint", "error", "message"), [
    ({"fiath": "high"}, UnknownNodeError, r"unknown node 'fiath' in the joint cause; did you mean 'faith'\?"),
    ({"faith": "hgh"}, UnknownStateError, r"no state 'hgh'"),
    ({"behaviour": "collaborative"}, SchemaError, r"a joint cause must be a third node"),
    ("faith", SchemaError, r"expected 'node=state'"),
])
def test_a_bad_joint_cause_is_named(tmp_path, codebook, joint, error, message):
    path = _bad(tmp_path, [cmoc("trust", "behaviour", jointly_with=joint)])
    with pytest.raises(error, match=message) as info:
        read_source_file(path, codebook)
    assert info.value.field == "cmocs[0].jointly_with"


def test_the_moderator_and_the_joint_cause_must_differ(tmp_path, codebook):
    path = _bad(tmp_path, [cmoc("trust", "behaviour", jointly_with={"faith": "high"}, when={"faith": "low"})])
    with pytest.raises(SchemaError, match="both the moderator and the joint cause"):
        read_source_file(path, codebook)


def test_the_sheet_form_reads_the_same_records(tmp_path, codebook):
    src = source(70, [cmoc("ambition", "progress", "decreases", context_state="over_ambitious"),
                      cmoc("trust", "behaviour", jointly_with={"faith": "high"})])
    from_yaml = read_source_file(write_yaml(tmp_path / "S70.yaml", src), codebook)
    path = tmp_path / "S70.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(SHEET_COLUMNS))
        writer.writeheader()
        for c in src["cmocs"]:
            row = {k: "" for k in SHEET_COLUMNS}
            row.update(source_id="S70", source_kind="included_study", reference="70", citation="Study 70.",
                       year="2010")
            for k, v in c.items():
                row[k] = ";".join(f"{a}={b}" for a, b in v.items()) if isinstance(v, dict) else str(v)
            writer.writerow(row)
    from_csv = read_source_file(path, codebook)

    def strip(sources):
        return [tuple(c.__class__(**{**c.__dict__, "line": None}) for c in s.cmocs) for s in sources]

    assert strip(from_csv) == strip(from_yaml)
    assert from_yaml[0].cmocs[1].context_state == "high"  # filled with the upper state
    assert from_yaml[0].cmocs[1].to_dict()["jointly_with"] == {"faith": "high"}


def test_a_joint_cause_that_closes_a_cycle_is_named(tmp_path):
    sources = [*SOURCES, source(80, [cmoc("behaviour", "faith", jointly_with={"quick_wins": "present"})])]
    root = make_model_dir(tmp_path / "m", sources=sources, codebook=CODEBOOK, scenarios=SCENARIOS)
    with pytest.raises(CycleError) as info:
        Model.from_files(read_model_files(root))
    assert "behaviour=collaborative & quick_wins=present -> faith (S80)" in str(info.value)
