"""`bayesnet scenarios` shows what each preset sets and why; `query` says what its preset set and
refuses a second --scenario, naming `compare`."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

import bayesnet
from bayesnet.cli import main


def test_scenarios_print_description_and_values_in_every_format(capsys):
    model = bayesnet.load()
    assert main(["scenarios"]) == 0
    shown = capsys.readouterr().out
    assert ("buddying (Voluntary buddying arrangement): Mandated vs voluntary arrangement = voluntary"
            in shown)
    for preset in model.scenarios:  # every description, under its values
        assert " ".join(preset.description.split())[:60] in " ".join(shown.split()), preset.id
    empty = [p.id for p in model.scenarios if not p.values]
    assert all(f"{sid} (" in shown and "(sets nothing)" in shown for sid in empty)
    assert main(["scenarios", "--format", "json"]) == 0
    presets = json.loads(capsys.readouterr().out)["scenarios"]
    assert [p["id"] for p in presets] == [p.id for p in model.scenarios]
    assert all(p["description"] for p in presets)
    assert main(["scenarios", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert {"description", "basis"} <= set(table.columns)
    assert set(table["scenario"]) == {p.id for p in model.scenarios}  # a preset that sets nothing keeps a row


def test_query_prints_what_the_preset_set(capsys):
    assert main(["query", "trust", "--scenario", "merger", "--draws", "20"]) == 0
    shown = capsys.readouterr().out
    assert "scenario Merger (full integration) sets: Binding legal agreements (formalisation) = strong" in shown
    assert main(["query", "trust", "--scenario", "merger", "--draws", "20", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenario_values"] == {"legal_agreements": "strong"}
    assert main(["query", "trust", "--scenario", "merger", "--draws", "20", "--ids"]) == 0
    assert "scenario merger sets: legal_agreements=strong" in capsys.readouterr().out
    assert main(["query", "trust", "--draws", "20"]) == 0
    assert " sets" not in capsys.readouterr().out


def test_query_says_when_its_preset_sets_nothing(capsys):
    empty = next((p for p in bayesnet.load().scenarios if not p.values), None)
    if empty is None:
        pytest.skip("every preset of the default model sets a context")
    assert main(["query", "trust", "--scenario", empty.id, "--draws", "20"]) == 0
    assert f"scenario {empty.label} sets nothing" in capsys.readouterr().out


@pytest.mark.parametrize("command", [["query", "trust"], ["sensitivity", "trust"]])
def test_a_second_scenario_is_refused_with_a_pointer_to_compare(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*command, "--scenario", "merger", "--scenario", "buddying", "--draws", "20"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--scenario given twice (merger, buddying)" in err
    assert "bayesnet compare TARGET --scenario merger --scenario buddying" in err
