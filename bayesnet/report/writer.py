"""Write a report folder: index.html, report.md, one CSV per table, the SVG pictures (among
them the causal web around the target, which the page shows, and the whole web at full size,
which it links to).

The only module of :mod:`bayesnet.report` that touches files; every file is written
atomically (:mod:`bayesnet.files`), index.html last, so a folder with an index.html holds a
complete report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bayesnet.files import check_output_folder, output_error, write_text_atomic
from bayesnet.inference.posteriors import Posterior
from bayesnet.inference.questions import Question
from bayesnet.progress import Steps
from bayesnet.report.data import ReportData, analyse
from bayesnet.report.html import to_html
from bayesnet.report.markdown import to_markdown
from bayesnet.report.plots import causal_web_svg, evidence_svg, forest_svg, tornado_svg, webs
from bayesnet.report.tables import all_tables, csv_text
from bayesnet.version import __version__

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
        Picture name -> SVG path (``web_near``: the web around the target; ``web``: the whole
        web; both missing without Graphviz).
    dots : dict
        ``web_near``, ``web`` -> the DOT source of each causal web (written with or without
        Graphviz).
    data : ReportData
    note : str or None
        Set when the causal web could not be drawn (no Graphviz).
    """

    folder: Path
    html: Path
    markdown: Path
    tables: dict[str, Path]
    pictures: dict[str, Path]
    dots: dict[str, Path]
    data: ReportData
    note: str | None


REPORT_STEPS = ("tornado", "findings", "levers", "evidence", "scenarios", "pictures", "writing")
"""What the report's progress bar counts (the analyses name the first five as they start)."""


def write_report(
    q: Question,
    post: Posterior,
    out_dir: str | Path,
    *,
    k: int = 2,
    quiet: bool = False,
    studies: bool = True,
    settings: int = 0,
) -> ReportFiles:
    """Analyse ``P(target = state | situation)`` and write the report into ``out_dir``.

    Parameters
    ----------
    q : Question
        The target, its state and the situation.
    post : Posterior
        Posterior draws shared by every analysis.
    out_dir : str or pathlib.Path
        Created if missing; files of an earlier report there are replaced.
    k : int
        Size of the best set of levers.
    quiet : bool
        No progress bar (there is none anyway when stderr is not a terminal).
    studies : bool
        The section "Studies that carry this answer": each source left out in turn.
    settings : int
        The section on robustness: the answer under this many other settings of the model
        (0: left out).

    Returns
    -------
    ReportFiles

    Raises
    ------
    OutputError
        ``out_dir`` is a file, or cannot be created or written (checked before any
        analysis runs), or a write failed (a full disk).

    Examples
    --------
    >>> import bayesnet
    >>> model = bayesnet.load()
    >>> q = bayesnet.question(model, "collaborative_behaviour", scenario="integrated_care_system")
    >>> files = bayesnet.write_report(q, bayesnet.posterior(model), "report/")  # doctest: +SKIP
    """
    folder = check_output_folder(out_dir, what="report")
    names = [*REPORT_STEPS[:5], *(["studies"] if studies else []), *(["robustness"] if settings else []),
             *REPORT_STEPS[5:]]
    steps = Steps(names, desc="report", enabled=not quiet, delay=0)
    try:
        data = analyse(q, post, k=k, show_progress=not quiet, step=steps, studies=studies, settings=settings)
        steps("pictures")
        dots = webs(data)
        near, note = causal_web_svg(dots.near)
        web, _ = causal_web_svg(dots.whole)
        svgs = {"tornado": tornado_svg(data), "forest": forest_svg(data), "evidence": evidence_svg(data),
                "web_near": near, "web": web}
        tables = all_tables(data)
        steps("writing")
        csv_paths = {name: write_text_atomic(folder / f"{name}.csv", csv_text(frame))
                     for name, frame in tables.items()}
        pictures = {name: write_text_atomic(folder / f"{name}.svg", svg) for name, svg in svgs.items() if svg}
        dot_paths = {name: write_text_atomic(folder / f"{name}.dot", dot)
                     for name, dot in (("web_near", dots.near), ("web", dots.whole))}
        md = write_text_atomic(folder / "report.md", to_markdown(
            data, tables, web="web.svg" if web else None, web_near="web_near.svg" if near else None,
            version=__version__))
        html = write_text_atomic(folder / "index.html",
                                 to_html(data, tables, svgs, web_note=note, near=dots.neighbourhood,
                                         version=__version__))
        steps("done")
    except OSError as err:
        raise output_error(getattr(err, "filename", None) or folder, err) from err
    finally:
        steps.close()
    return ReportFiles(folder, html, md, csv_paths, pictures, dot_paths, data, note)
