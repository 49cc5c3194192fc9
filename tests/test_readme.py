"""The README tells the truth: its commands are what CI runs, its numbers what the model holds."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bayesnet
from bayesnet.build import summary

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", README, flags=re.S)
    assert block is not None and README.index(block.group(0)) < 40, "the README must start with its commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_exactly_two_commands_and_ci_runs_the_test_one():
    commands = _commands()
    assert len(commands) == 2
    assert "pytest" in commands[1]
    assert commands[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_numbers_match_the_embedded_model():
    info = summary(bayesnet.load())
    links = info["links"]
    claims = {
        "nodes": rf"{info['nodes']['total']} nodes",
        "links": rf"{links['same_time'] + links['feedback']} links \({links['same_time']} same-time, "
                 rf"{links['feedback']} feedback",
        "cmocs": rf"{info['cmocs']} coded CMOCs from {info['sources']['total']} sources",
        "cited": rf"{info['sources']['included_with_cmocs']} are cited for causal claims",
    }
    text = " ".join(README.split())
    for name, pattern in claims.items():
        assert re.search(pattern, text), f"README's {name} count is stale: expected /{pattern}/"


def test_review_summary_agrees_with_the_coded_evidence():
    """The review's own counts: 51 included studies, by collaboration type summing to 51,
    and a mechanism frequency order that names codebook nodes."""
    model = bayesnet.load()
    facts = model.review_summary
    included = [s for s in model.evidence if s.kind == "included_study"]
    assert facts["included_studies"] == len(included) == 51
    assert sum(facts["collaboration_type_counts"].values()) == 51
    assert {s.reference for s in included} == set(range(31, 82))
    for group in facts["mechanism_frequency_order"]:
        for node in group:
            assert model.codebook[node].kind == "mechanism"


def _use_block() -> list[str]:
    block = re.search(r"## Use\n\n```sh\n(.*?)```", README, flags=re.S)
    assert block is not None, "the README's Use section starts with its shell commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_use_section_names_every_command():
    from bayesnet.cli import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    shown = {word for line in _use_block() for word in re.findall(r"bayesnet (\w+)", line)}
    missing = set(action.choices) - shown - {"nodes", "summary"}  # listed by 'bayesnet --help'
    if "bayesnet serve" in README.split("## In the browser", 1)[-1].split("\n## ", 1)[0]:
        missing.discard("serve")  # it runs until stopped: the README gives it its own section
    assert not missing, f"the README's Use section shows no example of {sorted(missing)}"


@pytest.mark.slow
def test_the_use_section_runs_as_printed(tmp_path):
    """Every command of the Use section, one after another in one shell (a 'cd' carries on),
    from a folder holding the examples it names, as a reader at the repository's root would."""
    shutil.copytree(REPO / "inference_examples", tmp_path / "inference_examples")
    script = "set -euo pipefail\n" + "\n".join(_use_block()) + "\n"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=1200, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "buddying_report" / "index.html").is_file()
    assert (tmp_path / "model.bifxml").is_file() and (tmp_path / "buddying_quick_wins.svg").is_file()
    assert f"model: {(tmp_path / 'my_model').resolve()} (66 nodes" in done.stderr
    assert "dry run: nothing written" in done.stderr
