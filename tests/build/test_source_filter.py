"""Source filters: one syntax, models equal to folders holding only the matching files, dropped
links named, and errors that name the filter and the closest values."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

import bayesnet
from bayesnet.build import parse_sources, select_sources
from bayesnet.cli import main
from bayesnet.errors import QueryError
from bayesnet.inference.evaluation import answer
from tests.helpers import MINI_SOURCES, REPO, cmoc, make_model_dir, source

DRAWS = 40


def _same_model(a: bayesnet.Model, b: bayesnet.Model) -> None:
    """Two models with the same links, structure and posterior draws."""
    pd.testing.assert_frame_equal(a.links, b.links)
    assert a.evidence.ids == b.evidence.ids
    assert dict(a.spec.parents) == dict(b.spec.parents)
    ca, cb = a.cpt_draws(DRAWS, 9), b.cpt_draws(DRAWS, 9)
    assert set(ca) == set(cb)
    for node in ca:
        np.testing.assert_array_equal(ca[node], cb[node])


@pytest.mark.parametrize("text", [
    "kind=included_study", "exclude_kind=review_synthesis", "type=merger;integrated_care", "year=2010-2018",
    "year=2010-", "year=-2015", "year=2016", "ids=S55;S76", "exclude_ids=S0", "kind=included_study,type=merger",
])
def test_the_text_of_a_filter_parses_back_to_itself(text):
    f = parse_sources(text)
    assert f.text == text
    assert parse_sources(f.text) == f
    assert parse_sources(f) is f


def test_spaces_around_terms_are_not_part_of_them():
    text = parse_sources(" kind = included_study , type=merger ; alliance ").text
    assert text == "kind=included_study,type=merger;alliance"


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"),
    ("kind", "expected KEY=VALUE"),
    ("kidn=included_study", "did you mean 'kind'"),
    ("kind=included", "did you mean 'included_study'"),
    ("type=merge", "did you mean 'merger'"),
    ("year=2019-2010", "must not be after"),
    ("year=soon", "expected year=FROM-TO"),
    ("year=2010;2012", "one year range"),
    ("ids=S1;", "values separated by ';'"),
])
def test_malformed_filters_are_refused_naming_the_filter(text, message):
    with pytest.raises(QueryError, match=message) as err:
        parse_sources(text)
    if text:
        assert repr(text) in str(err.value)


def test_a_filtered_model_equals_the_model_of_a_folder_holding_only_the_matching_files(tmp_path):
    """The issue's test on the default model: included studies only, and one collaboration type."""
    full = bayesnet.load()
    for text in ("kind=included_study", "exclude_kind=review_synthesis,type=integrated_care;merger;none"):
        filtered = select_sources(full, text)
        folder = tmp_path / text.replace("=", "_").replace(",", "__").replace(";", "_")
        shutil.copytree(REPO / "priors", folder / "priors")
        (folder / "evidence").mkdir()
        f = parse_sources(text)
        for src in full.evidence:
            if f.matches(src):
                shutil.copy(REPO / "evidence" / f"{src.id}.yaml", folder / "evidence")
        rebuilt = bayesnet.load(folder)
        _same_model(filtered, rebuilt)
        q = bayesnet.question(filtered, "collaborative_behaviour", scenario="integrated_care_system")
        np.testing.assert_array_equal(answer(q, filtered.cpt_draws(DRAWS, 9)), answer(q.of(rebuilt),
                                                                                      rebuilt.cpt_draws(DRAWS, 9)))
        assert filtered.selection is not None and filtered.selection.filter.text == text
        assert rebuilt.selection is None


def test_load_takes_the_same_filter(tmp_path):
    root = make_model_dir(tmp_path / "m")
    _same_model(bayesnet.load(root, sources="exclude_ids=S18"), select_sources(bayesnet.load(root), "exclude_ids=S18"))


def test_a_link_no_kept_source_states_leaves_the_model_and_is_named(tmp_path):
    """S44 alone states trust -> collaborative_behaviour: without it the outcome has no cause and
    becomes a root with the base-rate prior."""
    model = bayesnet.load(make_model_dir(tmp_path / "m"))
    narrowed = select_sources(model, "exclude_ids=S44")
    sel = narrowed.selection
    assert sel is not None
    assert "trust -> collaborative_behaviour" in sel.dropped_links
    assert "mandated -| initial_trust" in sel.dropped_links
    assert "collaborative_behaviour" in narrowed.spec.roots
    assert sel.left_out == ("S44",)
    assert "exclude_ids=S44" in narrowed.name and "2 links no kept source states dropped" in narrowed.name
    rebuilt = bayesnet.load(make_model_dir(tmp_path / "r", sources=[s for s in MINI_SOURCES if s["id"] != "S44"]))
    _same_model(narrowed, rebuilt)


def test_filters_of_a_filtered_model_both_hold(tmp_path):
    model = bayesnet.load(make_model_dir(tmp_path / "m"))
    twice = select_sources(select_sources(model, "kind=included_study"), "exclude_ids=S55")
    assert twice.selection is not None
    assert twice.selection.filter.text == "kind=included_study,exclude_ids=S55"
    assert set(twice.selection.left_out) == {"S18", "S55"}
    _same_model(twice, select_sources(model, "kind=included_study,exclude_ids=S55"))


def test_a_year_filter_leaves_out_sources_without_a_year(tmp_path):
    sources = [*MINI_SOURCES[:-1], source(90, [cmoc("quick_wins", "trust")], year=None)]
    sources[-1].pop("year")
    model = bayesnet.load(make_model_dir(tmp_path / "m", sources=sources))
    assert "S90" not in select_sources(model, "year=1900-2100").evidence


def test_a_filter_that_keeps_no_source_names_the_values_the_other_terms_leave(tmp_path):
    model = bayesnet.load()
    with pytest.raises(QueryError) as err:
        select_sources(model, "type=buddying,kind=review_synthesis")
    text = str(err.value)
    assert "'type=buddying,kind=review_synthesis'" in text
    assert "of type none (1)" in text and "of kind included_study (2)" in text
    with pytest.raises(QueryError, match="of years 1999-2021"):
        select_sources(model, "year=2030-")


def test_an_unknown_id_is_named_with_the_closest(tmp_path):
    with pytest.raises(QueryError, match="did you mean 'S55'"):
        select_sources(bayesnet.load(), "ids=S555")


def test_the_command_line_takes_the_filter_and_says_so(capsys):
    assert main(["query", "collaborative_behaviour", "--draws", "20", "--sources", "kind=included_study",
                 "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "sources kind=included_study (51 of 65" in captured.err
    assert '"distribution"' in captured.out
    assert main(["compare", "collaborative_behaviour", "--scenario", "buddying", "--scenario", "merger",
                 "--draws", "20", "--sources", "type=buddying,kind=review_synthesis"]) == 2
    assert "no source matches the source filter" in capsys.readouterr().err
