"""What the page shows, computed without a server: short citations, the web's layout."""

from __future__ import annotations

import re

import pytest

import bayesnet
from bayesnet.web.views import model_view, node_view
from bayesnet.web.webgraph import neighbourhood, web_view


@pytest.mark.parametrize(("source_id", "short"), [
    ("S6", "Casey 2008"),
    ("S15", "Vangen and Huxham 2003"),
    ("S0", "the review (Aunger et al. 2021)"),
    ("S70", "Lalani et al. 2018"),
    ("S46", "Community Network 2020b"),  # two works of 2020 by the same author: a, b by reference number
    ("S90", "Das and Teng 2001"),
])
def test_short_citation_is_first_author_and_year(model, source_id, short):
    """The page cites sources as the report does (model.citations)."""
    assert model.citations[source_id].short == short


def test_every_source_has_a_short_citation_ending_in_its_year(model):
    for src in model.evidence:
        text = model.citations[src.id].short
        assert text and not text.startswith(("(", ",", ".")), src.id
        if src.year is not None:
            assert str(src.year) in text, (src.id, text)


def test_every_link_shown_with_a_source_carries_the_reviews_words(model):
    """A link's cited sentence is the quote of a CMOC that states that link."""
    for node in ("trust", "quick_wins", "collaborative_behaviour", "mandated"):
        data = node_view(model, node)
        for link in data["links_in"] + data["links_out"]:
            assert link["sources"], link["name"]
            for src in link["sources"]:
                assert src["quotes"], (link["name"], src["id"])


def test_model_view_lists_every_node_once(model):
    data = model_view(model, bayesnet.posterior(model, draws=10))
    assert [n["id"] for n in data["nodes"]] == list(model.codebook.ids)


def test_web_holds_the_neighbourhood_and_colours_from_the_mean_network(model):
    q = bayesnet.question(model, "trust", scenario="buddying")
    web = web_view(q)
    shown = neighbourhood(model, "trust")
    assert list(web["nodes"]) == shown
    assert set(re.findall(r'data-node="([a-z_]+)"', web["svg"])) == set(shown)
    free = next(n for n, d in web["nodes"].items() if d["status"] == "free")
    point = bayesnet.query(model, free, scenario="buddying", draws=None).point[-1]
    assert web["nodes"][free]["p_upper"] == pytest.approx(point, abs=1e-12)
    assert "<script" not in web["svg"]


@pytest.mark.parametrize("given, do", [({}, {}), ({"quick_wins": "present"}, {"mandated": "voluntary"})])
def test_web_colours_of_every_free_node_and_the_target_equal_their_own_queries(model, given, do):
    """The one derivative pass gives each shown node the answer of its own point query."""
    q = bayesnet.question(model, "collaborative_behaviour", given=given, do=do, scenario="merger")
    web = web_view(q)
    free = [n for n, d in web["nodes"].items() if d["status"] in ("free", "target")]
    assert len(free) > 10
    for n in free:
        point = bayesnet.query(model, n, given=given, do=do, scenario="merger", draws=None).point[-1]
        assert web["nodes"][n]["p_upper"] == pytest.approx(point, abs=1e-12), n
