"""A progress bar on a terminal for a run longer than a second; none when piped or --quiet.

The command runs in a subprocess whose stderr is a pseudo-terminal (python's pty module),
left unsized (0 x 0) as script runners leave it: the case in which no bar was ever seen.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import REPO

pty = pytest.importorskip("pty")

CLI = "import sys; from bayesnet.cli import main; sys.exit(main(sys.argv[1:]))"
QUERY = ["query", "collaborative_behaviour", "--scenario", "buddying", "--draws", "4000"]


def on_terminal(argv: list[str]) -> tuple[int, str, str]:
    """(return code, stdout, what the terminal on stderr got). The bar is asked to show at once
    (BAYESNET_PROGRESS_DELAY=0): whether a run takes over a second is the machine's business,
    not the test's."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "BAYESNET_PROGRESS_DELAY": "0"}
    with subprocess.Popen([sys.executable, "-c", CLI, *argv], stdout=subprocess.PIPE, stderr=slave,
                          stdin=subprocess.DEVNULL, cwd=REPO, env=env) as proc:
        os.close(slave)
        got = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            got += chunk
        os.close(master)
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        code = proc.wait(timeout=300)
    return code, out, got.decode("utf-8", "replace")


def test_a_bar_on_a_terminal():
    code, out, err = on_terminal(QUERY)
    assert code == 0 and "Collaborative behaviour" in out
    assert "query: " in err and "drawing the parameters" in err and "|" in err
    assert err.rstrip().endswith("sources)")  # the bar is cleared; the model line stays


def test_no_bar_with_quiet():
    code, _, err = on_terminal([*QUERY, "--quiet"])
    assert code == 0 and "query: " not in err and "|" not in err


def test_no_bar_when_stderr_is_a_pipe():
    done = subprocess.run([sys.executable, "-c", CLI, *QUERY], capture_output=True, text=True, cwd=REPO,
                          timeout=300, check=True)
    assert done.stderr.splitlines() == ["model: embedded default model (66 nodes, 122 links, 65 sources)"]
