"""Links are written one way (build.graph.link_name) wherever the package names them."""

from __future__ import annotations

import pytest

import bayesnet
from bayesnet.build import summary
from bayesnet.build.graph import link_name
from bayesnet.build.model import Model
from bayesnet.errors import CycleError
from bayesnet.inputs.folder import read_model_files
from tests.helpers import MINI_SOURCES, cmoc, make_model_dir, source


def test_link_name_notation():
    assert link_name("trust", "risk_tolerance", 1) == "trust -> risk_tolerance"
    assert link_name("conflict", "trust", -1) == "conflict -| trust"
    assert link_name("legal_agreements", "trust", -1, "mandated", "voluntary") == \
        "legal_agreements -| trust [when mandated=voluntary]"
    assert link_name("trust", "conflict", -1, lag=1) == "trust -| conflict [next slice]"
    assert link_name("trust", "conflict", -1, lag=1, labels={"trust": "Trust", "conflict": "Conflict"}) == \
        "Trust -| Conflict [next slice]"


def test_summary_names_its_top_links_by_their_id_in_the_link_table():
    model = bayesnet.load()
    links = model.links.set_index("link")
    top = summary(model)["top_links"]
    assert len(top) == 10
    for entry in top:
        row = links.loc[entry["link"]]
        when = row["when_node"] if isinstance(row["when_node"], str) else None
        assert (row["from"], row["to"]) == (entry["from"], entry["to"])
        assert entry["name"] == link_name(row["from"], row["to"], int(row["sign"]), when, row["when_state"],
                                          lag=int(row["lag"]))
        assert entry["label"] == link_name(row["from"], row["to"], int(row["sign"]), when, row["when_state"],
                                           lag=int(row["lag"]), labels=model.labels)
    moderated = next(e for e in top if e["when"])
    assert "[when " in moderated["name"] and ("-|" in moderated["name"]) == (moderated["sign"] < 0)


def test_a_cycle_names_its_links_with_their_signs(tmp_path):
    # conflict -| trust (MINI_SOURCES) closed by trust -> conflict at the same time
    sources = [*MINI_SOURCES, source(99, [cmoc("trust", "conflict")])]
    root = make_model_dir(tmp_path / "m", sources=sources)
    with pytest.raises(CycleError) as info:
        Model.from_files(read_model_files(root))
    assert "conflict -| trust (S18, S76)" in str(info.value)
    assert "trust -> conflict (S99)" in str(info.value)
