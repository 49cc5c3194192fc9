"""Reports people read: what matters for a target in a situation, as HTML, Markdown and CSV,
and the pictures (the causal web, trajectories).

* :mod:`~bayesnet.report.data` -- run every analysis once (:func:`analyse`);
* :mod:`~bayesnet.report.tables` -- the tables as DataFrames (the CSV files) and safe CSV text;
* :mod:`~bayesnet.report.views` -- the tables as the pages show them (labels, intervals);
* :mod:`~bayesnet.report.summary` -- the headline box, in the results' own sentences;
* :mod:`~bayesnet.report.citations` -- sources by first author and year;
* :mod:`~bayesnet.report.plots` -- tornado, forest plot, evidence ranking, causal webs as SVG;
* :mod:`~bayesnet.report.html`, :mod:`~bayesnet.report.markdown` -- the pages;
* :mod:`~bayesnet.report.causal_web` -- the causal web in the review's visual language, whole
  or around one node (:func:`neighbourhood`);
* :mod:`~bayesnet.report.trajectory_plot` -- trajectories over time;
* :mod:`~bayesnet.report.writer` -- :func:`write_report`, which writes the files.

May import: :mod:`bayesnet.analysis`, :mod:`bayesnet.dynamics` and below.
"""

from bayesnet.report.causal_web import Neighbourhood, neighbourhood, render, to_dot
from bayesnet.report.data import ReportData, analyse
from bayesnet.report.trajectory_plot import plot_trajectory, write_trajectory_plot
from bayesnet.report.writer import ReportFiles, write_report

__all__ = [
    "Neighbourhood",
    "ReportData",
    "ReportFiles",
    "analyse",
    "neighbourhood",
    "plot_trajectory",
    "render",
    "to_dot",
    "write_report",
    "write_trajectory_plot",
]
