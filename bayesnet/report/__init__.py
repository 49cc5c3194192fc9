"""Reports people read: what matters for a target in a situation, as HTML, Markdown and CSV.

* :mod:`~bayesnet.report.data` -- run every analysis once (:func:`analyse`);
* :mod:`~bayesnet.report.tables` -- the tables as DataFrames and the key points as sentences;
* :mod:`~bayesnet.report.plots` -- tornado, forest plot, evidence ranking, causal web as SVG;
* :mod:`~bayesnet.report.html`, :mod:`~bayesnet.report.markdown` -- the pages;
* :mod:`~bayesnet.report.writer` -- :func:`write_report`, the only one that writes files.
"""

from bayesnet.report.data import ReportData, analyse
from bayesnet.report.writer import ReportFiles, write_report

__all__ = ["ReportData", "ReportFiles", "analyse", "write_report"]
