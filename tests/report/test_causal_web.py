"""Rendering the causal web in the review's visual language, and the data commands."""

from __future__ import annotations

import json
import re
import shutil

import pytest

import bayesnet
from bayesnet.cli import main
from bayesnet.report.causal_web import BLUE, GREEN, INHIBIT, render, to_dot


@pytest.fixture(scope="module")
def model():
    return bayesnet.load()


@pytest.fixture(scope="module")
def dot(model):
    return to_dot(model.codebook, model.links)


def _node_line(dot: str, node: str) -> str:
    return next(line for line in dot.splitlines() if line.strip().startswith(f"{node} ["))


def test_contexts_are_green_boxes_and_mechanisms_blue_ellipses(model, dot):
    for node in model.codebook:
        line = _node_line(dot, node.id)
        if node.kind == "context":
            assert "shape=box" in line and f'fillcolor="{GREEN}"' in line, node.id
        else:
            assert "shape=ellipse" in line and f'fillcolor="{BLUE}"' in line, node.id


def test_nodes_are_grouped_by_stage(model, dot):
    clusters = re.findall(r"subgraph cluster_\d+_(\w+) \{(.*?)\n  \}", dot, flags=re.S)
    placed = {}
    for stage, body in clusters:
        for node_id in re.findall(r"^\s+(\w+) \[", body, flags=re.M):
            placed[node_id] = stage
    assert {n.id: n.stage for n in model.codebook} == {k: v for k, v in placed.items() if not k.startswith("legend")}


def test_links_show_sign_support_and_moderator(model, dot):
    line = next(x for x in dot.splitlines() if x.strip().startswith("conflict -> trust [") and "when" not in x)
    assert "arrowhead=tee" in line and INHIBIT in line and "dashed" in line
    pairs = re.findall(r"penwidth=([\d.]+).*?; (\d+) supporting", dot)
    by_support: dict[int, set[float]] = {}
    for width, n in pairs:
        by_support.setdefault(int(n), set()).add(float(width))
    assert all(len(w) == 1 for w in by_support.values())  # width is a function of support
    ordered = [next(iter(by_support[k])) for k in sorted(by_support)]
    assert ordered == sorted(ordered) and ordered[0] < ordered[-1]
    assert len(pairs) == len(model.links)
    assert 'label="when mandated=voluntary"' in dot
    assert "next slice" in dot  # feedback (lag 1) links are drawn, dotted


def test_dot_is_deterministic(model, dot):
    assert to_dot(model.codebook, model.links) == dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is installed by .ci/run")
@pytest.mark.parametrize("suffix", ["svg", "png", "pdf"])
def test_render_writes_every_node(model, dot, tmp_path, suffix):
    path, note = render(dot, tmp_path / f"web.{suffix}")
    assert note is None and path.stat().st_size > 1000
    if suffix == "svg":
        svg = path.read_text(encoding="utf-8")
        titles = set(re.findall(r"<title>(\w+)</title>", svg))
        assert set(model.codebook.ids) <= titles


def test_missing_dot_still_writes_the_source_and_says_how_to_install(dot, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    path, note = render(dot, tmp_path / "web.svg")
    assert path == tmp_path / "web.dot" and path.read_text(encoding="utf-8") == dot
    assert not (tmp_path / "web.svg").exists()
    assert "apt-get install graphviz" in note


def test_cli_nodes_json(capsys):
    assert main(["nodes", "--format", "json"]) == 0
    nodes = json.loads(capsys.readouterr().out)["nodes"]
    assert {"id", "label", "kind", "stage", "states", "modifiable"} <= set(nodes[0])
    by_id = {n["id"]: n for n in nodes}
    assert by_id["geographical_proximity"]["modifiable"] is False
    assert by_id["realistic_ambition"]["modifiable"] is True
    assert by_id["trust"]["modifiable"] is None


def test_cli_edges_json_lists_at_least_60_sourced_links(capsys):
    assert main(["edges", "--format", "json"]) == 0
    links = json.loads(capsys.readouterr().out)["links"]
    assert len(links) >= 60
    assert all(link["support_ids"] for link in links)
    review_refs = {f"S{i}" for i in range(0, 93)}
    assert all(set(link["support_ids"]) <= review_refs for link in links)


def test_cli_validate_writes_nothing_and_reports(tmp_path, capsys):
    bad = tmp_path / "S99.yaml"
    bad.write_text(
        "id: S99\nkind: included_study\nreference: 99\ncitation: x\ncmocs:\n"
        "  - {context: quick_wins, mechanism: trsut, direction: increases}\n",
        encoding="utf-8",
    )
    before = bad.read_bytes()
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "S99.yaml:6 (cmocs[0].mechanism): unknown node 'trsut'; did you mean 'trust'?" in err
    assert bad.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["S99.yaml"]


def test_cli_help_teaches(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "bayesnet query collaborative_behaviour --scenario buddying" in out
    with pytest.raises(SystemExit):
        main(["query", "--help"])
    assert "--given NODE=STATE" in capsys.readouterr().out
