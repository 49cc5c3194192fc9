"""The same model, seed and question give the same bytes in every process.

Python randomises the hash of strings per process (``PYTHONHASHSEED``); anything that
iterates over a set of names and lets that order reach a floating-point sum (a contraction
path, a tie between candidates) would make answers differ in their last digits between
runs. These tests run fresh processes with different hash seeds and compare bytes.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import REPO

PLANS = """
import bayesnet
from bayesnet import engine
model = bayesnet.load()
q = bayesnet.question(model, "collaborative_behaviour", scenario="buddying")
for optimize in ("adaptive", "greedy", "random-greedy-128"):
    plan = engine.compile_query(model.structure, ["collaborative_behaviour"], evidence=list(q.evidence),
                                optimize=optimize)
    print(optimize, plan.path)
contexts = [n.id for n in model.codebook.of_kind("context")][:12]
many = engine.compile_query(model.structure, ["trust", "faith"], evidence=contexts)
print("many", many.path)
"""


CLI = "import sys; from bayesnet.cli import main; sys.exit(main(sys.argv[1:]))"


def _run(argv: list[str], hash_seed: int) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    done = subprocess.run(argv, capture_output=True, env=env, cwd=REPO, check=True, timeout=300)
    return done.stdout


@pytest.mark.parametrize("command", [
    ["query", "collaborative_behaviour", "--scenario", "buddying", "--format", "json"],
    ["query", "trust", "faith", "--given", "quick_wins=present", "--draws", "500", "--format", "json"],
])
def test_a_query_prints_the_same_bytes_whatever_the_hash_seed(command):
    argv = [sys.executable, "-c", CLI, *command]
    first, second = _run(argv, 1), _run(argv, 2)
    assert first and first == second


def test_contraction_paths_do_not_depend_on_the_hash_seed():
    argv = [sys.executable, "-c", PLANS]
    runs = {_run(argv, seed) for seed in (1, 2, 3)}
    assert len(runs) == 1
