"""The scripts in inference_examples/ run and say what the review says."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import bayesnet

EXAMPLES = Path(__file__).resolve().parent.parent / "inference_examples"


def test_compare_collaboration_types_ranks_buddying_above_ics():
    module = runpy.run_path(str(EXAMPLES / "compare_collaboration_types.py"))
    table = module["collaboration_table"](bayesnet.load(), draws=500)
    assert set(table.index) == set(bayesnet.load().scenarios.ids)
    assert table.index[0] == "buddying"
    assert table.index[-1] == "integrated_care_system"
    assert ((table["low"] <= table["probability"]) & (table["probability"] <= table["high"])).all()
    assert (table["p_higher"].drop("buddying") < 0.5).all()  # every type is below buddying in most draws
    assert "mandated=mandated" in table.loc["integrated_care_system", "fixed_contexts"]


def test_compare_collaboration_types_script_prints_a_table(tmp_path):
    out = tmp_path / "table.csv"
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / "compare_collaboration_types.py"), "--draws", "200", "--csv", str(out)],
        capture_output=True, text=True, check=True,
    )
    assert "P(collaborative_behaviour = collaborative) by collaboration type" in run.stdout
    assert "buddying" in run.stdout and out.is_file()
