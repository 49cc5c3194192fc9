"""Rendering the causal web in the review's visual language, and the data commands."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import bayesnet
from bayesnet.cli import main
from bayesnet.display.charts import COLOURS
from bayesnet.errors import ParameterError, QueryError
from bayesnet.report.causal_web import (
    BLUE,
    GREEN,
    INDIRECT,
    INHIBIT,
    TARGET,
    Bridge,
    fill,
    neighbourhood,
    render,
    to_dot,
)
from tests.helpers import make_model_dir


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
    assert 'label="when Mandated vs voluntary\\narrangement = voluntary"' in dot  # by its label, wrapped
    assert "next slice" in dot  # feedback (lag 1) links are drawn, dotted


def test_dot_is_deterministic(model, dot):
    assert to_dot(model.codebook, model.links) == dot


def test_colours_are_the_reviews_green_and_blue_from_the_project_palette(model, dot):
    """Borders are COLOURS' green and blue; fills are tints of them that deepen with influence."""
    source = Path(__file__).resolve().parents[2] / "bayesnet" / "report" / "causal_web.py"
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b", source.read_text(encoding="utf-8"))  # every colour from COLOURS
    for node in model.codebook:
        line = _node_line(dot, node.id)
        border = COLOURS["context"] if node.kind == "context" else COLOURS["mechanism"]
        assert f'color="{border}"' in line, node.id

    def whiteness(colour: str) -> int:
        return sum(int(colour[i:i + 2], 16) for i in (1, 3, 5))

    for kind in ("context", "mechanism"):
        shades = [whiteness(fill(kind, x)) for x in (0.0, 0.25, 0.5, 1.0)]
        assert shades == sorted(shades, reverse=True) and shades[0] > shades[-1]
        colour = COLOURS[kind]
        rgb, tint = ([int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in (colour, fill(kind, 1.0)))
        assert [c1 <= c2 for c1, c2 in zip(rgb, tint, strict=True)] == [True] * 3  # a tint, not another hue
        shaded = to_dot(model.codebook, model.links, influence={"trust": 1.0})
        assert f'fillcolor="{fill("mechanism", 1.0)}"' in _node_line(shaded, "trust")


def test_notes_and_sources_are_written_on_the_picture(model):
    dot = to_dot(model.codebook, model.links, notes={"trust": "swing 0.117"}, sources={"S44": "Foundation 2014"})
    assert "Trust\\nswing 0.117" in _node_line(dot, "trust")
    assert "Foundation 2014" in dot and "(S44" not in dot and ", S44" not in dot


# -- the web around one node -------------------------------------------------------------


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """The hand-made model: history -> initial_trust -> trust -> collaborative_behaviour,
    mandated -| initial_trust, quick_wins -> trust, conflict -| trust, trust -| conflict (lag 1)."""
    return bayesnet.load(make_model_dir(tmp_path_factory.mktemp("mini") / "m"))


def test_neighbourhood_by_hand(mini):
    near = neighbourhood(mini, "trust", steps=1)
    assert dict(near.distance) == {"trust": 0, "initial_trust": -1, "quick_wins": -1, "conflict": -1,
                                   "collaborative_behaviour": 1}  # the lag-1 link trust -| conflict is not a step
    two = neighbourhood(mini, "trust", steps=2)
    assert dict(two.distance) == {**near.distance, "history_of_collaboration": -2, "mandated": -2}
    assert two.bridges == ()
    far = neighbourhood(mini, "collaborative_behaviour", steps=1, also=["mandated", "trust", "quick_wins"])
    assert dict(far.distance) == {"collaborative_behaviour": 0, "trust": -1}
    assert far.bridges == (Bridge("mandated", ("mandated", "initial_trust", "trust")),
                           Bridge("quick_wins", ("quick_wins", "trust")))
    assert [b.links for b in far.bridges] == [2, 1]
    assert far.nodes == ["collaborative_behaviour", "trust", "mandated", "quick_wins"]
    down = neighbourhood(mini, "initial_trust", steps=1, also=["collaborative_behaviour"])
    assert down.bridges == (Bridge("collaborative_behaviour", ("trust", "collaborative_behaviour")),)


def test_neighbourhood_holds_every_node_within_the_steps_and_no_other(model):
    """Against a breadth-first search written here over the same-time links."""
    same = model.links[model.links["lag"] == 0]
    edges = list(zip(same["from"], same["to"], strict=True))
    for target in ("collaborative_behaviour", "trust", "faith", "quick_wins"):
        for steps in (1, 2, 3):
            want = {target: 0}
            for sign, (a, b) in ((-1, (1, 0)), (1, (0, 1))):
                frontier = {target}
                for k in range(1, steps + 1):
                    frontier = {e[b] for e in edges if e[a] in frontier} - set(want)
                    want.update(dict.fromkeys(frontier, sign * k))
            assert dict(neighbourhood(model, target, steps=steps).distance) == want, (target, steps)


def test_neighbourhood_checks_its_arguments(mini):
    with pytest.raises(QueryError, match="did you mean 'trust'"):
        neighbourhood(mini, "trsut")
    with pytest.raises(QueryError, match="quick_wins"):
        neighbourhood(mini, "trust", also=["quick_win"])
    with pytest.raises(ParameterError, match="steps"):
        neighbourhood(mini, "trust", steps=0)


def test_centred_dot_draws_only_the_neighbourhood_its_links_and_bridges(mini):
    far = neighbourhood(mini, "collaborative_behaviour", steps=1, also=["mandated", "quick_wins"])
    dot = to_dot(mini.codebook, mini.links, centre=far, show_feedback=False)
    drawn = set(re.findall(r"^    (\w+) \[", dot, flags=re.M))
    assert drawn == set(far.nodes)
    assert "cluster" not in dot and "legend" not in dot  # no stage boxes: columns by distance
    assert f'color="{TARGET}", penwidth=3.5' in _node_line(dot, "collaborative_behaviour")
    links = re.findall(r"^  (\w+) -> (\w+) \[(.*)\];$", dot, flags=re.M)
    real = {(a, b) for a, b, attrs in links if "supporting" in attrs}
    assert real == {("trust", "collaborative_behaviour"), ("quick_wins", "trust")}  # the coded links among them
    bridges = [(a, b, attrs) for a, b, attrs in links if "supporting" not in attrs]
    assert [(a, b) for a, b, _ in bridges] == [("mandated", "trust")]  # one link: drawn as itself
    assert f'color="{INDIRECT}"' in bridges[0][2] and 'label="2 links"' in bridges[0][2]
    assert "Mandated -> Initial trust -> Trust" in bridges[0][2]  # the path, in the tooltip
    assert to_dot(mini.codebook, mini.links, centre=far, show_feedback=False) == dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is installed by .ci/run")
def test_the_web_around_a_node_fits_a_page_with_legible_text(model):
    """At 1,232 CSS pixels (the page's width at a 1,280-pixel window) the text of the picture
    around the report's default target is at least 10 pixels high."""
    import graphviz

    from bayesnet.report.plots import legible

    near = neighbourhood(model, "collaborative_behaviour", also=["quick_wins", "legal_agreements"])
    svg = graphviz.Source(to_dot(model.codebook, model.links, centre=near, show_feedback=False)).pipe(
        format="svg").decode("utf-8")
    assert set(near.nodes) <= set(re.findall(r"<title>(\w+)</title>", svg))
    width = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg).group(1))
    smallest = min(float(x) for x in re.findall(r'font-size="([\d.]+)"', svg))
    assert smallest * min(1.0, 1232 / (width * 4 / 3)) * 4 / 3 >= 10  # pt -> px, shrunk to the page
    floor = int(re.search(r'min-width:(\d+)px', legible(svg)).group(1))
    assert floor * smallest / width >= 10.5 > (floor - 2) * smallest / width  # never shrunk below 10.5 px


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
    assert by_id["ambition"]["modifiable"] is True
    assert by_id["ambition"]["states"] == ["unambitious", "realistic", "over_ambitious"]
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
