"""One voice: every data command prints table, JSON or CSV through one helper; tables show
labels (--ids: ids); links are written one way, with one id, on every surface."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

import bayesnet
from bayesnet.build.graph import row_link_name
from bayesnet.cli import build_parser, main
from bayesnet.cli.common import FORMATS
from bayesnet.report.tables import evidence_table
from tests.helpers import REPO, cmoc, make_model_dir, source, write_yaml

DATA_COMMANDS = ("summary", "nodes", "edges", "scenarios", "query", "compare", "sensitivity", "trajectory",
                 "validate", "update", "history")
STUDY = REPO / "inference_examples" / "update_buddying_study" / "study.yaml"


def _subparsers() -> dict:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return dict(action.choices)


def test_every_data_command_takes_the_three_formats():
    subs = _subparsers()
    for name in DATA_COMMANDS:
        fmt = next(a for a in subs[name]._actions if a.dest == "format")
        assert tuple(fmt.choices) == FORMATS and fmt.default == "table", name


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("out")
    folder = make_model_dir(root / "m", scenarios={"version": 1, "scenarios": [
        {"id": "voluntary", "label": "Voluntary", "collaboration_type": "buddying",
         "values": {"mandated": {"state": "voluntary", "basis": "test"}}},
        {"id": "mandated", "label": "Mandated", "collaboration_type": "buddying",
         "values": {"mandated": {"state": "mandated", "basis": "test"}}},
    ]})
    (folder / "priors" / "history.jsonl").write_text(
        '{"id": "a", "time": "2025-01-01T00:00:00Z", "action": "init", "from": "embedded default model"}\n',
        encoding="utf-8")
    write_yaml(root / "S300.yaml", source(300, [cmoc("quick_wins", "trust")]))
    return folder


def _argv(name: str, folder: Path) -> list[str]:
    m = ["--model", str(folder)]
    return {
        "summary": ["summary", *m], "nodes": ["nodes", *m], "edges": ["edges", *m], "scenarios": ["scenarios", *m],
        "query": ["query", "trust", "--draws", "20", *m],
        "compare": ["compare", "trust", "--scenario", "voluntary", "--scenario", "mandated", "--draws", "20", *m],
        "sensitivity": ["sensitivity", "trust", "--draws", "20", *m],
        "trajectory": ["trajectory", "--draws", "10", *m],
        "validate": ["validate", str(folder.parent / "S300.yaml"), *m],
        "update": ["update", str(folder.parent / "S300.yaml"), "--dry-run", "--draws", "20", *m],
        "history": ["history", *m],
    }[name]


@pytest.mark.parametrize("name", DATA_COMMANDS)
def test_each_format_of_each_command(name, folder, capsys):
    argv = _argv(name, folder)
    line = f"model: {folder.resolve()} (7 nodes, "
    assert main([*argv, "--format", "json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert next(iter(data)) == "model" and data["model"]["path"] == str(folder.resolve())
    assert main([*argv, "--format", "csv"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.reader(io.StringIO(captured.out)))
    assert len(rows) >= 2 and len({len(r) for r in rows}) == 1, captured.out  # a header and rectangular rows
    assert line in captured.err
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert line in captured.err and captured.out.strip()


def test_tables_show_labels_and_ids_on_request(folder, capsys):
    assert main(["edges", "--model", str(folder)]) == 0
    shown = capsys.readouterr().out
    assert "Conflict -| Trust" in shown and "conflict -| trust" not in shown
    assert main(["edges", "--model", str(folder), "--ids"]) == 0
    shown = capsys.readouterr().out
    assert "conflict -| trust" in shown and "Conflict -| Trust" not in shown
    assert main(["query", "trust", "--model", str(folder), "--scenario", "voluntary", "--draws", "20"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("P(Trust | scenario: Voluntary)") and "Trust = high: " in shown
    assert main(["query", "trust", "--model", str(folder), "--scenario", "voluntary", "--draws", "20", "--ids"]) == 0
    assert capsys.readouterr().out.startswith("P(trust | scenario=voluntary; given mandated=voluntary)")
    assert main(["scenarios", "--model", str(folder)]) == 0
    assert "voluntary (Voluntary): Mandated = voluntary" in capsys.readouterr().out


def test_json_and_csv_keep_ids_and_add_labels(folder, capsys):
    assert main(["edges", "--model", str(folder), "--format", "json"]) == 0
    links = json.loads(capsys.readouterr().out)["links"]
    row = next(r for r in links if r["from"] == "conflict" and r["to"] == "trust")
    assert (row["name"], row["label"]) == ("conflict -| trust", "Conflict -| Trust")
    assert main(["edges", "--model", str(folder), "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert header[:5] == ["link", "name", "label", "from", "to"]


def test_no_other_spelling_of_a_link_in_any_output(folder, capsys):
    outputs = []
    for argv in (["summary"], ["edges"], ["edges", "--ids"], ["sensitivity", "trust", "--draws", "20"],
                 ["sensitivity", "trust", "--draws", "20", "--ids"]):
        assert main([*argv, "--model", str(folder)]) == 0
        outputs.append(capsys.readouterr().out)
    text = "\n".join(outputs)
    for other in ("+>", "-(+)->", "-(-)->", "(lag 1)", "(when "):
        assert other not in text, other
    assert "trust -| conflict [next slice]" in outputs[2]


@pytest.fixture(scope="module")
def ids_everywhere(tmp_path_factory):
    """Link name -> id as `bayesnet edges`, the evidence ranking and the report's evidence table give them."""
    model = bayesnet.load()
    q = bayesnet.question(model, "collaborative_behaviour", scenario="buddying")
    post = bayesnet.posterior(model, draws=30)
    ranking = bayesnet.evidence_ranking(q, post).frame
    folder = tmp_path_factory.mktemp("report") / "r"
    files = bayesnet.write_report(q, post, folder, k=1, quiet=True)
    report = evidence_table(files.data)
    on_disk = list(csv.DictReader(io.StringIO((folder / "evidence.csv").read_text(encoding="utf-8"))))
    return model, ranking, report, on_disk


def test_one_id_for_a_link_in_edges_ranking_and_report(ids_everywhere, capsys):
    model, ranking, report, on_disk = ids_everywhere
    assert main(["edges", "--format", "json"]) == 0
    edges = {r["name"]: r["link"] for r in json.loads(capsys.readouterr().out)["links"]}
    assert main(["edges"]) == 0
    table = capsys.readouterr().out
    from_ranking = {r["name"]: int(k) for k, r in ranking.iterrows()}
    from_report = {r["name"]: int(r["link"]) for _, r in report.iterrows()}
    from_csv = {r["name"]: int(r["link"]) for r in on_disk}
    assert len(from_ranking) > 80
    for name, link in from_ranking.items():
        assert edges[name] == link == from_report[name] == from_csv[name], name
        label = model.links.set_index("link").loc[link]
        assert re.search(rf"^{link}\s+{re.escape(link_name_of(model, label))}", table, flags=re.M), name
    assert edges["trust -> perception_of_progress"] == from_csv["trust -> perception_of_progress"]


def link_name_of(model, row) -> str:
    """The labelled name of a link-table row, state links and joint causes included."""
    return row_link_name(row, labels=model.labels)
