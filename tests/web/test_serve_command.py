"""``bayesnet serve``: prints its address, answers on it, stops cleanly; a taken port is one
line on stderr and exit status 2."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request

from bayesnet.web.server import address, listen


def _serve(*args: str) -> subprocess.Popen[str]:
    entry = "import sys; from bayesnet.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen([sys.executable, "-c", entry, "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_serve_prints_its_address_and_answers_there(tmp_path):
    proc = _serve("--port", "0", "--host", "127.0.0.1")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("bayesnet explorer: http://127.0.0.1:"), line
        url = line.split()[2]
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "api/answer?preset=buddying", timeout=30) as r:  # noqa: S310
                    data = json.load(r)
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert data["target"] == "collaborative_behaviour" and 0 < data["probability"] < 1
        with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310
            assert b"What-if explorer" in r.read()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_a_taken_port_is_one_line_and_status_2():
    taken = listen("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        proc = _serve("--port", str(port))
        _, err = proc.communicate(timeout=60)
    finally:
        taken.close()
    assert proc.returncode == 2
    assert err.strip().startswith(f"bayesnet serve: error: cannot listen on 127.0.0.1:{port}")
    assert len(err.strip().splitlines()) == 1


def test_address_brackets_ipv6():
    assert address("::1", 8765) == "http://[::1]:8765/"
    assert address("127.0.0.1", 80) == "http://127.0.0.1:80/"
