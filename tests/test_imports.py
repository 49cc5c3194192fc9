"""A command-line query imports only what it uses: heavy libraries load where they are needed.

ArviZ (with xarray, scipy.stats and matplotlib), networkx, scipy and pgmpy took 2-3 s of a
4-5 s 'bayesnet query' before issue 14; a query needs none of them. Checked in a fresh
interpreter (what is imported, not how long it takes: speed is measured in benchmarks/).
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("arviz", "xarray", "matplotlib", "networkx", "scipy", "pgmpy", "pyagrum", "SALib")

SCRIPT = """
import contextlib, io, json, sys
from bayesnet.cli.parser import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as done:  # --help exits
        code = done.code
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _imported(*argv: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", SCRIPT, *argv], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.splitlines()[-1])
    assert got["code"] == 0
    return set(got["modules"])


def test_a_query_and_help_import_no_heavy_library():
    for argv in (("query", "collaborative_behaviour", "--scenario", "buddying", "--draws", "200"), ("--help",)):
        assert not _imported(*argv) & set(HEAVY), argv


def test_the_interval_json_of_a_query_still_needs_no_arviz():
    modules = _imported("query", "trust", "--given", "quick_wins=present", "--draws", "100", "--format", "json")
    assert "arviz" not in modules and "scipy" not in modules
