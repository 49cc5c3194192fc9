"""Write a report folder: index.html, report.md, one CSV per table, the SVG pictures.

The only module of :mod:`bayesnet.report` that touches files; every file is written
atomically (:mod:`bayesnet.atomic`), index.html last, so a folder with an index.html holds a
complete report.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bayesnet.atomic import write_text_atomic
from bayesnet.query import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_SEED
from bayesnet.report.data import DEFAULT_TARGET, ReportData, analyse

if TYPE_CHECKING:
    from bayesnet.model import Model

__all__ = ["ReportFiles", "write_report"]


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote.

    Attributes
    ----------
    folder : pathlib.Path
    html, markdown : pathlib.Path
    tables : dict
        Table name -> CSV path.
    pictures : dict
        Picture name -> SVG path (and ``web.dot``).
    data : ReportData
    note : str or None
        Set when the causal web could not be drawn (no Graphviz).
    """

    folder: Path
    html: Path
    markdown: Path
    tables: dict[str, Path]
    pictures: dict[str, Path]
    data: ReportData
    note: str | None


class _Steps:
    """A tqdm bar over the report's steps, silent when ``quiet`` or stderr is not a terminal."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.bar: Any = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="report", leave=False, file=sys.stderr)

    def __call__(self, name: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(name)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def write_report(
    model: Model,
    out_dir: str | Path,
    *,
    target: str = DEFAULT_TARGET,
    state: str | None = None,
    scenario: str | None = None,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    k: int = 2,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    hdi_prob: float = DEFAULT_HDI,
    quiet: bool = False,
) -> ReportFiles:
    """Analyse ``P(target = state | situation)`` and write the report into ``out_dir``.

    Parameters
    ----------
    model : Model
    out_dir : str or pathlib.Path
        Created if missing; files of an earlier report there are replaced.
    target, state, scenario, given, do
        The question and the situation (see :func:`bayesnet.query.query`).
    k : int
        Size of the best set of levers.
    draws, seed, hdi_prob
        Posterior draws shared by every analysis.
    quiet : bool
        No progress bar (there is none anyway when stderr is not a terminal).

    Returns
    -------
    ReportFiles

    Examples
    --------
    >>> import bayesnet
    >>> from bayesnet.report import write_report
    >>> write_report(bayesnet.load(), "report", scenario="integrated_care_system")  # doctest: +SKIP
    """
    from bayesnet import __version__
    from bayesnet.render import to_dot
    from bayesnet.report.html import to_html
    from bayesnet.report.markdown import to_markdown
    from bayesnet.report.plots import causal_web_svg, evidence_svg, forest_svg, tornado_svg
    from bayesnet.report.tables import all_tables

    folder = Path(out_dir)
    steps = _Steps(9, quiet)
    try:
        data = analyse(model, target=target, state=state, scenario=scenario, given=given, do=do, k=k, draws=draws,
                       seed=seed, hdi_prob=hdi_prob, show_progress=not quiet, step=steps)
        steps("pictures")
        dot = to_dot(model.codebook, model.links, influence=data.influence, show_feedback=False,
                     title=f"Influence on {data.question.target} = {data.question.state}")
        web, note = causal_web_svg(dot)
        svgs = {"tornado": tornado_svg(data), "forest": forest_svg(data), "evidence": evidence_svg(data), "web": web}
        tables = all_tables(data)
        steps("writing")
        csv_paths = {name: write_text_atomic(folder / f"{name}.csv", frame.to_csv(index=False))
                     for name, frame in tables.items()}
        pictures = {name: write_text_atomic(folder / f"{name}.svg", svg) for name, svg in svgs.items() if svg}
        pictures["web.dot"] = write_text_atomic(folder / "web.dot", dot)
        md = write_text_atomic(folder / "report.md",
                               to_markdown(data, tables, web="web.svg" if web else None, version=__version__))
        html = write_text_atomic(folder / "index.html",
                                 to_html(data, tables, svgs, web_note=note, version=__version__))
        steps("done")
    finally:
        steps.close()
    return ReportFiles(folder, html, md, csv_paths, pictures, data, note)
