"""`bayesnet scenarios` shows what each preset sets and why; `query` says what its preset set and
refuses a second --scenario, naming `compare`."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
import yaml

import bayesnet
from bayesnet.cli import main


def test_scenarios_print_description_and_values_in_every_format(capsys):
    model = bayesnet.load()
    assert main(["scenarios"]) == 0
    shown = capsys.readouterr().out
    assert "merger (Merger (full integration)): Degree of integration = integrative" in shown
    for preset in model.scenarios:  # every description, under its values
        assert " ".join(preset.description.split())[:60] in " ".join(shown.split()), preset.id
    assert "(sets nothing)" not in shown
    assert main(["scenarios", "--format", "json"]) == 0
    presets = json.loads(capsys.readouterr().out)["scenarios"]
    assert [p["id"] for p in presets] == [p.id for p in model.scenarios]
    assert all(p["values"] and p["description"] for p in presets)
    sets = [tuple(sorted((n, v["state"]) for n, v in p["values"].items())) for p in presets]
    assert len(set(sets)) == len(sets)  # no two presets say the same
    assert main(["scenarios", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert {"description", "basis"} <= set(table.columns)
    assert set(table["scenario"]) == {p.id for p in model.scenarios}


def test_query_prints_what_the_preset_set(capsys):
    assert main(["query", "trust", "--scenario", "merger", "--draws", "20"]) == 0
    shown = capsys.readouterr().out
    assert ("scenario Merger (full integration) sets: Degree of integration = integrative, "
            "Binding legal agreements (formalisation) = strong") in shown
    assert main(["query", "trust", "--scenario", "merger", "--draws", "20", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenario_values"] == {"integration": "integrative", "legal_agreements": "strong"}
    assert main(["query", "trust", "--scenario", "merger", "--draws", "20", "--ids"]) == 0
    assert "scenario merger sets: integration=integrative, legal_agreements=strong" in capsys.readouterr().out
    assert main(["query", "trust", "--draws", "20"]) == 0
    assert " sets" not in capsys.readouterr().out


def test_a_user_preset_that_sets_nothing_is_shown_and_said(tmp_path, capsys):
    """The default model offers no empty preset; a user's folder may, and is told what it means."""
    folder = tmp_path / "m"
    assert main(["init", str(folder)]) == 0
    path = folder / "priors" / "scenarios.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["scenarios"].append({"id": "bare", "label": "Bare type", "collaboration_type": "alliance",
                              "description": "A type the text only names.", "values": {}})
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["scenarios", "--model", str(folder)]) == 0
    assert "bare (Bare type): (sets nothing)" in capsys.readouterr().out
    assert main(["query", "trust", "--scenario", "bare", "--draws", "20", "--model", str(folder)]) == 0
    assert "scenario Bare type sets nothing" in capsys.readouterr().out


@pytest.mark.parametrize("command", [["query", "trust"], ["sensitivity", "trust"]])
def test_a_second_scenario_is_refused_with_a_pointer_to_compare(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*command, "--scenario", "merger", "--scenario", "joint_commissioning", "--draws", "20"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--scenario given twice (merger, joint_commissioning)" in err
    assert "bayesnet compare TARGET --scenario merger --scenario joint_commissioning" in err
