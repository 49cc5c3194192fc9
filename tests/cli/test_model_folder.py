"""Every command answers from the model folder it is run in, and says which model answered."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bayesnet.cli import main
from tests.helpers import REPO, cmoc, make_model_dir, source, write_yaml

CLI = "import sys; from bayesnet.cli import main; sys.exit(main(sys.argv[1:]))"
TARGET = "collaborative_behaviour"


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", CLI, *argv], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300, check=False)


def test_init_then_cd_then_query_answers_from_the_folder_and_says_so(tmp_path):
    done = run(["init", "m"], tmp_path)
    assert done.returncode == 0, done.stderr
    folder = (tmp_path / "m").resolve()
    done = run(["query", TARGET, "--draws", "100"], folder)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == f"model: {folder} (66 nodes, 122 links, 65 sources)"
    assert "Collaborative behaviour" in done.stdout
    data = json.loads(run(["query", TARGET, "--draws", "100", "--format", "json"], folder).stdout)
    assert data["model"]["path"] == str(folder) and data["model"]["embedded"] is False
    elsewhere = json.loads(run(["query", TARGET, "--draws", "100", "--format", "json"], tmp_path).stdout)
    assert elsewhere["model"]["embedded"] is True and elsewhere["model"]["name"] == "embedded default model"


def _answer(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_a_changed_folder_answers_differently_from_the_embedded_model(tmp_path, capsys, monkeypatch):
    assert main(["init", str(tmp_path / "m")]) == 0
    capsys.readouterr()
    folder = tmp_path / "m"
    # five new studies in the folder: faith lowers collaborative behaviour
    for ref in range(300, 305):
        write_yaml(folder / "evidence" / f"S{ref}.yaml",
                   source(ref, [cmoc("faith", TARGET, "decreases")]))
    query = ["query", TARGET, "--given", "faith=high", "--draws", "200", "--format", "json"]
    monkeypatch.chdir(tmp_path)  # not a model folder: the embedded model answers
    embedded = _answer(capsys, query)
    monkeypatch.chdir(folder)
    here = _answer(capsys, query)
    assert embedded["model"]["embedded"] and not here["model"]["embedded"]
    assert here["model"]["sources"] == embedded["model"]["sources"] + 5
    assert abs(here["distribution"]["collaborative"] - embedded["distribution"]["collaborative"]) > 0.02
    assert _answer(capsys, [*query, "--model", str(folder)]) == here  # --model names the same folder


@pytest.mark.parametrize("argv", [
    ["summary"], ["nodes"], ["edges"], ["scenarios"], ["query", "trust", "--draws", "20"],
    ["compare", "trust", "--scenario", "voluntary", "--scenario", "mandated", "--draws", "20"],
    ["sensitivity", "trust", "--draws", "20"], ["trajectory", "--draws", "10"],
])
def test_every_command_run_in_a_model_folder_uses_it(tmp_path, capsys, monkeypatch, argv):
    folder = make_model_dir(tmp_path / "m", scenarios={"version": 1, "scenarios": [
        {"id": "voluntary", "label": "Voluntary", "collaboration_type": "buddying",
         "values": {"mandated": {"state": "voluntary", "basis": "test"}}},
        {"id": "mandated", "label": "Mandated", "collaboration_type": "buddying",
         "values": {"mandated": {"state": "mandated", "basis": "test"}}},
    ]})
    monkeypatch.chdir(folder)
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert f"model: {folder.resolve()} (7 nodes, " in err
    assert main([*argv, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["model"]["path"] == str(folder.resolve())


def test_the_model_line_counts_what_the_folder_holds(tmp_path, capsys):
    folder = make_model_dir(tmp_path / "m")
    book = yaml.safe_load((folder / "priors" / "codebook.yaml").read_text(encoding="utf-8"))
    assert main(["summary", "--model", str(folder)]) == 0
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"model: {folder.resolve()} ({len(book['nodes'])} nodes, ")
    assert err.endswith(" links, 6 sources)")
