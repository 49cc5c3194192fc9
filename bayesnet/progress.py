"""Progress bars on stderr: tqdm on a terminal, silent otherwise or when asked.

* :func:`progress` wraps a loop (the chunks of a derivative pass, say) in a bar;
* :class:`Steps` is a bar over the named steps of one run (read the model, draw the
  parameters, answer ...): it appears only once the run has taken ``delay`` seconds (a
  quick command prints no bar at all), and it ticks while a long step runs, so a step of
  ten seconds does not look like a hang.

Both stay silent when ``enabled`` is false (``--quiet``) or stderr is not a terminal, so
pipes, logs and tests stay clean. A terminal that reports no size (a pseudo-terminal nobody
sized, as terminal multiplexers, ``script`` and CI runners can make) gets a bar of 80 x 24:
tqdm would measure 0 x 0 there and print an empty line, the reason no bar was ever seen in
such terminals.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["DELAY_VARIABLE", "Steps", "command_delay", "progress"]

T = TypeVar("T")

DELAY_VARIABLE = "BAYESNET_PROGRESS_DELAY"
"""Environment variable: seconds a run of the command line takes before its bar shows
(default 1; 0 shows it at once)."""

FALLBACK_SIZE = {"ncols": 80, "nrows": 24}
"""Size given to tqdm on a terminal that reports none (0 x 0): tqdm would then draw a bar
of no width, on no row, that is an empty line."""


def command_delay(default: float = 1.0) -> float:
    """Seconds before a command's bar shows: :data:`DELAY_VARIABLE` when it holds a number
    of seconds (at least 0), else ``default``."""
    text = os.environ.get(DELAY_VARIABLE, "").strip()
    try:
        value = float(text)
    except ValueError:
        return default
    return value if value >= 0 and not math.isnan(value) else default


def _on_terminal(enabled: bool) -> bool:
    return enabled and sys.stderr.isatty()


def _size() -> dict[str, int]:
    """Nothing (tqdm measures the terminal) unless the terminal reports no size."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (OSError, ValueError):
        return dict(FALLBACK_SIZE)
    return {} if size.columns > 0 and size.lines > 0 else dict(FALLBACK_SIZE)


def progress(items: Iterable[T], *, enabled: bool, desc: str, total: int | None = None) -> Iterator[T]:
    """Iterate over ``items`` with a tqdm bar on stderr.

    The bar shows only when ``enabled`` is true and stderr is a terminal, so pipes, logs
    and tests stay clean.
    """
    if not _on_terminal(enabled):
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=desc, total=total, leave=False, file=sys.stderr, **_size())


class Steps:
    """A bar over the named steps of one run, on stderr.

    Parameters
    ----------
    names : sequence of str
        The steps, in order; calling the bar with one of them starts it (and ends the one
        before).
    desc : str
        What the bar is about (the command).
    enabled : bool
        False for ``--quiet``.
    delay : float
        Seconds before the bar first shows: a run that ends sooner prints nothing.
    tick : float
        Seconds between redraws while a step runs (the elapsed time keeps moving).

    Examples
    --------
    >>> with Steps(["read", "answer"], desc="query", enabled=False) as step:
    ...     step("read")
    ...     step("answer")
    """

    def __init__(
        self, names: Sequence[str], *, desc: str, enabled: bool, delay: float = 1.0, tick: float = 0.25
    ) -> None:
        self.names = list(names)
        self.done = 0
        self.started = False
        self.bar: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if not _on_terminal(enabled):
            return
        from tqdm import tqdm

        self._show_at = time.monotonic() + delay
        self.bar = tqdm(total=len(self.names), desc=desc, leave=False, file=sys.stderr, delay=delay, **_size(),
                        bar_format="{desc}: {n_fmt}/{total_fmt} |{bar}| {elapsed}{postfix}")
        self._thread = threading.Thread(target=self._ticking, args=(tick,), daemon=True)
        self._thread.start()

    def _ticking(self, tick: float) -> None:
        while not self._stop.wait(tick):
            bar = self.bar
            if bar is not None and time.monotonic() >= self._show_at:
                bar.refresh()
                bar.last_print_t = bar._time()  # shown: close() must clear it

    def __call__(self, name: str) -> None:
        """Start step ``name`` (the step before it is done)."""
        if self.bar is None:
            return
        if self.started:
            self.bar.update(1)
        self.started = True
        self.bar.set_postfix_str(name, refresh=False)

    def close(self) -> None:
        """End the bar and clear its line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> Steps:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
