"""`bayesnet scenarios` shows what each preset sets and why; `query` says what its preset set and
refuses a second --scenario, naming `compare`."""

from __future__ import annotations

import json

import pytest

from bayesnet.cli import main


def test_scenarios_print_description_and_values_in_every_format(capsys):
    assert main(["scenarios"]) == 0
    shown = capsys.readouterr().out
    assert "merger (Merger (full integration)): Degree of integration = integrative" in shown
    assert "spectrum of integration" in shown  # the description, under the values
    assert "(sets nothing)" not in shown
    assert main(["scenarios", "--format", "json"]) == 0
    presets = json.loads(capsys.readouterr().out)["scenarios"]
    assert all(p["values"] and p["description"] for p in presets)
    sets = [tuple(sorted((n, v["state"]) for n, v in p["values"].items())) for p in presets]
    assert len(set(sets)) == len(sets)
    assert main(["scenarios", "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert "description" in header and "basis" in header


def test_query_prints_what_the_preset_set(capsys):
    assert main(["query", "trust", "--scenario", "merger", "--draws", "20"]) == 0
    shown = capsys.readouterr().out
    assert ("scenario Merger (full integration) sets: Degree of integration = integrative, "
            "Binding legal agreements (formalisation) = strong") in shown
    assert main(["query", "trust", "--scenario", "merger", "--draws", "20", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenario_values"] == {"integration": "integrative", "legal_agreements": "strong"}
    assert main(["query", "trust", "--draws", "20"]) == 0
    assert " sets: " not in capsys.readouterr().out


@pytest.mark.parametrize("command", [["query", "trust"], ["sensitivity", "trust"]])
def test_a_second_scenario_is_refused_with_a_pointer_to_compare(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*command, "--scenario", "merger", "--scenario", "joint_commissioning", "--draws", "20"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--scenario given twice (merger, joint_commissioning)" in err
    assert "bayesnet compare TARGET --scenario merger --scenario joint_commissioning" in err
