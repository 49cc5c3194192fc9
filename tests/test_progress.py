"""Progress bars show on a terminal, after their delay, and never when quiet or piped."""

from __future__ import annotations

import io
import os
import select
import sys
import time

import pytest

from bayesnet.progress import Steps, progress

pty = pytest.importorskip("pty")


@pytest.fixture
def terminal(monkeypatch):
    """A function that puts stderr on a fresh pseudo-terminal nobody sized (0 x 0) and
    returns a reader of what the terminal got. (Called in the test itself: pytest's capture
    sets sys.stderr again between a fixture and its test.)"""
    master, slave = pty.openpty()
    stream = open(slave, "w", encoding="utf-8", buffering=1)  # noqa: SIM115 - closed below

    def read() -> str:
        stream.flush()
        chunks = []
        while select.select([master], [], [], 0.5)[0]:  # what the terminal got, as it arrives
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace")

    def attach():
        monkeypatch.setattr(sys, "stderr", stream)
        return read

    yield attach
    stream.close()
    os.close(master)


def test_steps_show_on_a_terminal_even_one_that_reports_no_width(terminal):
    terminal = terminal()
    with Steps(["reading", "answering"], desc="query", enabled=True, delay=0, tick=0.05) as step:
        step("reading")
        time.sleep(0.2)
        step("answering")
        time.sleep(0.2)
    shown = terminal()
    assert "query: 1/2" in shown and "answering" in shown
    assert "|" in shown.split("query: 1/2", 1)[1][:10]  # a bar, not tqdm's empty 0-column line


def test_steps_wait_for_their_delay(terminal):
    terminal = terminal()
    with Steps(["a", "b"], desc="quick", enabled=True, delay=5.0, tick=0.05) as step:
        step("a")
        time.sleep(0.2)
        step("b")
    assert "quick" not in terminal()


def test_quiet_steps_and_loops_print_nothing(terminal):
    terminal = terminal()
    with Steps(["a"], desc="quiet", enabled=False, delay=0) as step:
        step("a")
    assert list(progress(range(3), enabled=False, desc="loop")) == [0, 1, 2]
    assert terminal() == ""


def test_a_loop_shows_its_bar_on_a_terminal(terminal):
    terminal = terminal()
    assert list(progress(range(3), enabled=True, desc="chunks", total=3)) == [0, 1, 2]
    assert "chunks" in terminal()


def test_nothing_when_stderr_is_not_a_terminal(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with Steps(["a", "b"], desc="piped", enabled=True, delay=0) as step:
        step("a")
        step("b")
    assert list(progress(range(2), enabled=True, desc="piped loop")) == [0, 1]
    assert stream.getvalue() == ""


def test_the_delay_of_a_commands_bar_comes_from_the_environment(monkeypatch):
    from bayesnet.progress import DELAY_VARIABLE, command_delay

    monkeypatch.delenv(DELAY_VARIABLE, raising=False)
    assert command_delay() == 1.0
    for text, want in (("0", 0.0), ("2.5", 2.5), ("-1", 1.0), ("soon", 1.0), ("nan", 1.0)):
        monkeypatch.setenv(DELAY_VARIABLE, text)
        assert command_delay() == want, text
