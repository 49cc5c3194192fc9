"""Charts: the drawings behind every result's .plot()."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from bayesnet.display import Line, bar_chart, interval_chart, line_chart, range_chart


@pytest.fixture
def ax():
    return Figure().add_subplot()


def test_interval_chart_puts_the_first_row_on_top(ax):
    interval_chart(ax, ["a", "b", "c"], [0.2, 0.5, 0.8], [0.1, 0.4, 0.7], [0.3, 0.6, 0.9],
                   highlight=[False, True, False])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ticks = list(ax.get_yticks())
    assert labels == ["a", "b", "c"] and ticks[0] > ticks[-1]
    assert ax.get_xlim() == (0.0, 1.0)


def test_range_chart_draws_one_bar_per_row_from_left_to_right(ax):
    range_chart(ax, ["x", "y"], [0.3, 0.4], [0.6, 0.5], roles=["lever", "given"], baseline=0.45)
    bars = ax.patches
    assert len(bars) == 2
    assert sorted(round(b.get_width(), 6) for b in bars) == [0.1, 0.3]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["lever", "given"]


def test_bar_chart_whiskers_hold_their_bars(ax):
    bar_chart(ax, ["a", "b"], [0.05, 0.02], [0.01, -0.01], [0.09, 0.04])
    assert len(ax.patches) == 2
    assert len(ax.containers) >= 3  # the bars and one errorbar per row


def test_line_chart_bands_are_optional_and_the_baseline_is_dashed(ax):
    lines = [Line("P(trust)", [0.5, 0.6, 0.7], [0.4, 0.5, 0.6], [0.6, 0.7, 0.8], group="trust"),
             Line("", [0.5, 0.5, 0.5], style="baseline", group="trust")]
    line_chart(ax, ["a", "b", "c"], lines, events=[(2, "quick win")])
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 1
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--" and len(ln.get_xdata()) == 3]
    solid = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-" and len(ln.get_xdata()) == 3]
    assert dashed[0].get_color() == solid[0].get_color()  # the baseline in its line's colour
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "dashed: the same, without the events" in texts
    bare = Figure().add_subplot()
    line_chart(bare, ["a", "b", "c"], lines, bands=False)
    assert not any(isinstance(c, PolyCollection) for c in bare.collections)
    np.testing.assert_allclose(bare.get_ylim(), (0.0, 1.0))


def test_a_new_figure_is_made_when_no_axes_is_given():
    made = interval_chart(None, ["a"], [0.5])
    assert made.figure is not None
    import matplotlib.pyplot as plt

    plt.close(made.figure)
