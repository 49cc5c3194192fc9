"""Updating the evidence in memory: classification, conjugacy, order independence, refusals,
and the change report (bayesnet.update.plan, Model.update, bayesnet.update.report)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bayesnet import (
    load,
    query,
    update_model,
)
from bayesnet.build.model import Model
from bayesnet.errors import CycleError, DuplicateIdError, SchemaError, UnknownNodeError, UpdateError
from bayesnet.update.plan import link_key, plan_update
from bayesnet.update.report import change_report
from tests.helpers import MINI_SOURCES, cmoc, make_model_dir, source, tree_digest, write_yaml
from tests.strategies import studies, to_source

NEW_NODE = {
    "id": "joint_appointments", "label": "Joint appointments", "kind": "context", "stage": "middle",
    "states": ["absent", "present"], "modifiable": True, "definition": "Posts held jointly.",
    "section": "Middle",
}


@pytest.fixture(scope="module")
def mini_dir(tmp_path_factory):
    return make_model_dir(tmp_path_factory.mktemp("upd") / "m")


@pytest.fixture(scope="module")
def mini(mini_dir):
    return load(mini_dir)


def link(model: Model, frm: str, to: str, when=(None, None), lag: int = 0) -> dict:
    rows = {link_key(r): r for r in model.links.to_dict(orient="records")}
    return rows[(frm, to, *when, lag, None, None, None)]


def src(ref, items, **kw):
    return to_source(source(ref, items, **kw))


# --- classification -----------------------------------------------------------------


def test_added_replaced_unchanged_removed(mini):
    s55 = next(s for s in MINI_SOURCES if s["id"] == "S55")
    recoded = source(57, [cmoc("history_of_collaboration", "initial_trust", "decreases")])
    change = plan_update(
        mini, [src(200, [cmoc("quick_wins", "trust")]), to_source(s55), to_source(recoded)], remove=["S18"]
    )
    assert change.added == ("S200",)
    assert change.replaced == ("S57",)
    assert change.unchanged == ("S55",)
    assert change.removed == ("S18",)
    assert [s.id for s in change.incoming] == ["S200", "S57"]
    assert not change.is_noop
    assert change.after.evidence.ids == tuple(sorted(
        {*mini.evidence.ids, "S200"} - {"S18"}, key=lambda i: int(i[1:])))
    # the unchanged source keeps its old object (and file); the re-coded one is the new version
    assert change.after.evidence.get("S55") is mini.evidence.get("S55")
    assert change.after.evidence.get("S57").cmocs[0].direction == -1
    assert change.before is mini and change.after.root is None


def test_reimporting_the_same_content_is_a_noop(mini):
    change = plan_update(mini, [to_source(s) for s in MINI_SOURCES])
    assert change.is_noop
    assert change.after is mini
    assert change.unchanged == tuple(sorted(s["id"] for s in MINI_SOURCES))
    assert change.before_hash == change.after_hash
    assert change.new_links.empty and change.contradicted.empty


def test_replacing_never_double_counts(mini):
    before = link(mini, "quick_wins", "trust")
    again = to_source(source(55, [cmoc("quick_wins", "trust"), cmoc("quick_wins", "trust", quote="new quote")]))
    change = plan_update(mini, [again])
    assert change.replaced == ("S55",)
    after = link(change.after, "quick_wins", "trust")
    assert after["n_support"] == before["n_support"] == 2
    assert after["support_ids"] == before["support_ids"]


def test_recoding_against_the_sign_is_reported_as_contradiction(mini):
    flipped = to_source(source(55, [cmoc("quick_wins", "trust", "decreases")]))
    change = plan_update(mini, [flipped])
    row = link(change.after, "quick_wins", "trust")
    assert (row["n_support"], row["n_contradict"]) == (1, 1)
    contra = change.contradicted
    assert len(contra) == 1
    assert contra.iloc[0]["contradicted_by"] == ("S55",)
    assert contra.iloc[0]["sign_before"] == 1


def test_remove_then_add_back_restores_everything(mini):
    removed = plan_update(mini, remove=["S76", "S44"]).after
    restored = plan_update(removed, [s for s in mini.evidence if s.id in {"S76", "S44"}]).after
    assert restored.evidence.content_hash() == mini.evidence.content_hash()
    pd.testing.assert_frame_equal(restored.links, mini.links)
    np.testing.assert_array_equal(restored.priors.links.support, mini.priors.links.support)
    np.testing.assert_array_equal(restored.priors.links.contradict, mini.priors.links.contradict)


def test_removing_the_only_source_of_a_link_drops_it(mini):
    change = plan_update(mini, remove=["S44"])
    dropped = {link_key(r)[:2] for r in change.dropped_links.to_dict(orient="records")}
    assert dropped == {("mandated", "initial_trust"), ("trust", "collaborative_behaviour")}


# --- conjugacy and order independence ---------------------------------------------------


def test_one_study_adds_its_kind_weight_to_the_counts(mini):
    """The updated posterior is the next prior: each study adds its kind weight to the counts the
    weight model reads (support for the stated direction, contradiction for the other)."""
    settings_ = mini.settings
    before = link(mini, "quick_wins", "trust")
    change = plan_update(mini, [src(201, [cmoc("quick_wins", "trust")]),
                                src(202, [cmoc("quick_wins", "trust", "decreases")], kind="supporting_source")])
    after = link(change.after, "quick_wins", "trust")
    assert after["w_support"] == before["w_support"] + settings_.kind_weight_included_study
    assert after["w_contradict"] == before["w_contradict"] + settings_.kind_weight_supporting_source
    i = next(k for k, r in enumerate(change.after.spec.links.to_dict(orient="records"))
             if link_key(r) == ("quick_wins", "trust", None, None, 0, None, None, None))
    assert change.after.priors.links.support[i] == after["w_support"]
    assert change.after.priors.links.contradict[i] == after["w_contradict"]


def _votes(src_, key):
    signs = {a.sign for a in src_.arrows()
             if (a.source, a.target, *(a.when or (None, None)), a.lag, a.source_state, *(a.partner or (None, None)))
             == key}
    return signs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=studies(min_size=1, max_size=6), data=st.data())
def test_update_order_never_matters(mini, batch, data):
    """Any order, any split into successive updates: the same evidence, links and priors."""
    sources = [to_source(s) for s in batch]
    one_shot = plan_update(mini, sources).after
    order = data.draw(st.permutations(sources))
    cut = data.draw(st.integers(0, len(order)))
    model = mini
    for part in (order[:cut], order[cut:]):
        model = plan_update(model, part).after
    assert model.evidence.content_hash() == one_shot.evidence.content_hash()
    pd.testing.assert_frame_equal(model.links, one_shot.links)
    np.testing.assert_array_equal(model.priors.links.support, one_shot.priors.links.support)
    np.testing.assert_array_equal(model.priors.links.contradict, one_shot.priors.links.contradict)
    # conjugacy: on a link whose sign did not flip, each new source adds its kind weight once,
    # to the supporting side if it agrees with the sign and to the contradicting side if not
    weights = mini.settings.kind_weights
    before = {link_key(r): r for r in mini.links.to_dict(orient="records")}
    for key, row in ((link_key(r), r) for r in one_shot.links.to_dict(orient="records")):
        old = before.get(key)
        if old is None or old["sign"] != row["sign"]:
            continue
        plus = minus = 0.0
        for s in sources:
            votes = _votes(s, key)
            if votes == {row["sign"]}:
                plus += weights[s.kind]
            elif votes:
                minus += weights[s.kind]
        assert row["w_support"] == pytest.approx(old["w_support"] + plus)
        assert row["w_contradict"] == pytest.approx(old["w_contradict"] + minus)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=studies(min_size=1, max_size=5))
def test_an_update_with_nothing_new_changes_nothing(mini, batch):
    sources = [to_source(s) for s in batch]
    first = plan_update(mini, sources)
    again = plan_update(first.after, sources)
    assert again.is_noop and again.after is first.after
    back = plan_update(first.after, remove=[s.id for s in sources]).after
    assert back.evidence.content_hash() == mini.evidence.content_hash()
    pd.testing.assert_frame_equal(back.links, mini.links)


# --- new nodes, cycles and other refusals ----------------------------------------------


def test_unknown_node_is_refused_with_closest_ids_and_the_new_nodes_hint(mini, tmp_path):
    bad = write_yaml(tmp_path / "S300.yaml", source(300, [cmoc("quick_wins", "trsut")]))
    with pytest.raises(UnknownNodeError) as err:
        update_model(mini, [bad])
    assert err.value.path == str(bad) and err.value.value == "trsut"
    assert "did you mean 'trust'" in str(err.value)
    assert "--new-nodes" in str(err.value)


def test_new_nodes_file_lets_a_new_concept_in(mini, tmp_path):
    study = write_yaml(tmp_path / "S301.yaml", source(301, [
        cmoc("joint_appointments", "trust"), cmoc("joint_appointments", "conflict", "decreases")]))
    nodes = write_yaml(tmp_path / "nodes.yaml", {"nodes": [NEW_NODE]})
    change = update_model(mini, [study], new_nodes=nodes)
    model = change.after
    assert [n.id for n in change.new_nodes] == ["joint_appointments"]
    assert "joint_appointments" in model.codebook and "joint_appointments" not in mini.codebook
    new = {link_key(r)[:2] for r in change.new_links.to_dict(orient="records")}
    assert new == {("joint_appointments", "trust"), ("joint_appointments", "conflict")}
    assert "joint_appointments" in model.spec.parents["trust"]
    # the same entry again is not new; a different entry under the same id is refused
    again = update_model(model, [study], new_nodes=nodes)
    assert again.is_noop
    changed = write_yaml(tmp_path / "nodes2.yaml", {"nodes": [{**NEW_NODE, "label": "Other"}]})
    with pytest.raises(DuplicateIdError, match="already in the codebook with a different entry"):
        update_model(model, [study], new_nodes=changed)


def test_a_link_closing_a_cycle_is_refused_with_the_cycle_named(mini, tmp_path):
    bad = write_yaml(tmp_path / "S302.yaml", source(302, [cmoc("quick_wins", "mandated"),
                                                          cmoc("trust", "initial_trust")]))
    with pytest.raises(CycleError) as err:
        update_model(mini, [bad])
    assert err.value.path == str(bad) and err.value.field == "cmocs[1]"
    assert set(err.value.cycle) == {"trust", "initial_trust"}
    assert "initial_trust -> trust" in str(err.value) and "trust -> initial_trust" in str(err.value)


def test_refusals_name_what_is_wrong(mini):
    with pytest.raises(UpdateError, match=r"cannot remove 'S5': .*did you mean .*'S55'"):
        plan_update(mini, remove=["S5"])
    with pytest.raises(UpdateError, match="both removed and given"):
        plan_update(mini, [src(55, [cmoc("quick_wins", "trust")])], remove=["S55"])
    with pytest.raises(DuplicateIdError, match="comes twice"):
        plan_update(mini, [src(310, []), src(310, [cmoc("quick_wins", "trust")])])


def test_model_update_reads_csv_and_xlsx_and_writes_nothing(mini, mini_dir, tmp_path):
    import openpyxl

    header = ["source_id", "source_kind", "reference", "citation", "context", "mechanism", "direction"]
    rows = [["S400", "included_study", "400", "Sheet study 400.", "quick_wins", "trust", "increases"],
            ["S400", "included_study", "400", "Sheet study 400.", "mandated", "conflict", "increases"],
            ["S401", "supporting_source", "401", "Sheet study 401.", "conflict", "trust", "decreases"]]
    sheet = tmp_path / "coded.csv"
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    book = openpyxl.Workbook()
    book.active.append(header)
    book.active.append(["S402", "included_study", 402, "Workbook study 402.", "trust", "collaborative_behaviour",
                        "increases"])
    book.save(tmp_path / "coded.xlsx")
    digest = tree_digest(mini_dir)
    change = update_model(mini, [sheet, tmp_path / "coded.xlsx"])
    model = change.after
    assert change.added == ("S400", "S401", "S402")
    assert link(model, "trust", "collaborative_behaviour")["n_support"] == 2
    assert tree_digest(mini_dir) == digest


def test_a_bad_sheet_row_is_named_by_file_row_and_value(mini, tmp_path):
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "source_id,source_kind,reference,citation,context,mechanism,direction\n"
        "S500,included_study,500,A.,quick_wins,trust,increases\n"
        "S500,included_study,500,A.,quick_wins,conflict,upwards\n", encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        update_model(mini, [sheet])
    assert (err.value.path, err.value.line, err.value.value) == (str(sheet), 3, "upwards")
    assert f"{sheet}:3 (direction)" in str(err.value)


# --- the change report ------------------------------------------------------------------


def test_change_report_shows_links_and_queries_before_and_after(mini):
    change = plan_update(mini, [src(600, [cmoc("quick_wins", "trust"), cmoc("trust", "collaborative_behaviour"),
                                          cmoc("mandated", "conflict")]),
                                to_source(source(55, [cmoc("quick_wins", "trust", "decreases")]))])
    report = change_report(change, draws=300, seed=11)
    links = report.links.set_index(["from", "to"])
    assert links.loc[("trust", "collaborative_behaviour"), "status"] == "strengthened"
    assert links.loc[("trust", "collaborative_behaviour"), "n_support_before"] == 1
    assert links.loc[("trust", "collaborative_behaviour"), "n_support_after"] == 2
    assert links.loc[("mandated", "conflict"), "status"] == "new"
    assert pd.isna(links.loc[("mandated", "conflict"), "weight_before"])
    row = links.loc[("trust", "collaborative_behaviour")]
    assert row["low_after"] < row["weight_after"] < row["high_after"]
    assert row["weight_after"] > row["weight_before"]
    assert row["p_direction_after"] >= row["p_direction_before"] >= 0.95
    assert list(report.queries["scenario"]) == ["(none)", "voluntary"]
    q = report.queries.set_index("scenario").loc["voluntary"]
    direct = query(mini, "collaborative_behaviour", scenario="voluntary", draws=300, seed=11)
    assert q["probability_before"] == pytest.approx(direct.distribution["high"])  # the same headline
    assert q["shift"] == pytest.approx(q["probability_after"] - q["probability_before"])
    direct = query(change.after, "collaborative_behaviour", scenario="voluntary", draws=300, seed=11)
    assert q["probability_after"] == pytest.approx(direct.distribution["high"])
    assert q["low_after"] == pytest.approx(direct.interval.at["high", "low"])
    assert list(report.contradicted["contradicted_by"]) == [("S55",)]
    text = report.to_markdown()
    assert "| S600 | added |" in text and "| S55 | replaced |" in text
    assert "trust -> collaborative_behaviour (link " in text and "| strengthened | 1 -> 2" in text
    assert "| quick_wins -> trust | S55 |" not in text and "quick_wins -> trust | + | + | S55 |" in text
    assert "## P(collaborative_behaviour = high) by scenario" in text
    data = json.loads(json.dumps(report.to_dict()))
    assert data["queries"]["state"] == "high"
    assert {r["from"] for r in data["new_links"]} == {"mandated"}
    assert data["evidence_before"] == mini.evidence.content_hash()


def test_change_report_of_a_noop_says_so(mini):
    report = change_report(plan_update(mini, [to_source(MINI_SOURCES[0])]), draws=50)
    assert report.is_noop and report.links.empty
    assert "**No change**" in report.to_markdown()
    assert (report.queries["shift"] == 0).all()
