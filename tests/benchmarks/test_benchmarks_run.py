"""Every benchmark still runs against the current API, on a few draws (figures are not checked:
speed is measured by the benchmarks themselves, never asserted in tests). run_all.py broke once
unnoticed when the step bar moved; this is the guard."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import REPO

SMOKE = {
    "bench_query.py": ["--draws", "20", "--reps", "1", "--pgmpy-draws", "1", "--pyagrum-draws", "1"],
    "bench_engine.py": ["--networks", "asia", "--draws", "20", "--reps", "1", "--pgmpy-draws", "1",
                        "--pyagrum-draws", "1", "--chunk-network", "none"],
    "bench_dynamics.py": ["--draws", "20", "--reps", "1", "--pgmpy-draws", "1", "--skip-dbn"],
    "bench_reviewing.py": ["--draws", "20", "--settings", "2"],
    "bench_report.py": ["--draws", "20"],
    "bench_profile.py": [],
    "review_statements.py": [],
}


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(SMOKE))
def test_the_benchmark_runs(script, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / script), *SMOKE[script]], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600, env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip(), script


@pytest.mark.slow
def test_run_all_writes_its_table_without_touching_the_readme(tmp_path):
    before = (REPO / "benchmarks" / "README.md").read_bytes()
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run_all.py"), "--reps", "1", "--no-write"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| what | before (issue 14) | target |" in done.stdout
    assert (REPO / "benchmarks" / "README.md").read_bytes() == before
