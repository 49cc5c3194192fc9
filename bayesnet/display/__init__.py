"""How results show themselves: HTML cards in a notebook and matplotlib charts.

* :mod:`~bayesnet.display.cards` -- :class:`Card`: a title, the headline in words, compact
  tables with labels, a note; what every result's ``_repr_html_`` returns;
* :mod:`~bayesnet.display.charts` -- the drawings behind every result's ``.plot(ax=None)``
  (intervals, ranges, bars with intervals, lines with bands over time), which the report's
  pictures reuse.

Knows nothing of models: it takes numbers, names and frames. A bottom layer: it imports only
:mod:`bayesnet.errors` and :mod:`bayesnet.defaults`, and matplotlib only when asked to draw.
"""

from bayesnet.display.cards import Card, draws_note, interval_text, probability_text
from bayesnet.display.charts import Line, axes, bar_chart, interval_chart, line_chart, range_chart

__all__ = [
    "Card",
    "Line",
    "axes",
    "bar_chart",
    "draws_note",
    "interval_chart",
    "interval_text",
    "line_chart",
    "probability_text",
    "range_chart",
]
