"""Argument and output helpers shared by the command modules of the ``bayesnet`` CLI.

One voice for every command:

* **which model**: :func:`model_folder` picks ``--model DIR``, else the current directory
  when it holds ``priors/`` and ``evidence/``, else the embedded default;
  :func:`load_model` loads it; every output says which one answered (:func:`model_info`).
* **one output route**: :func:`emit` prints a command's answer as ``--format table`` (for
  people: labels, rounded, the model on one stderr line), ``json`` (ids, full precision, a
  ``model`` field) or ``csv`` (ids and a label column, full precision, formula-safe cells
  through :func:`bayesnet.report.tables.csv_text`; the model on stderr).
* **labels by default**: tables write nodes by their labels and links as
  :func:`bayesnet.build.graph.link_name` writes them with labels; ``--ids`` writes ids.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bayesnet.defaults import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_SEED

__all__ = [
    "FORMATS",
    "MODEL_EPILOG",
    "NOTATION",
    "HelpFormatter",
    "add_format",
    "add_model",
    "add_quiet",
    "add_situation",
    "add_sources",
    "add_uncertainty",
    "emit",
    "float_arg",
    "frame_text",
    "int_arg",
    "is_model_folder",
    "link_text",
    "load_model",
    "model_folder",
    "model_info",
    "model_line",
    "names_of",
    "posterior_of",
    "print_json",
    "question_of",
    "read_question",
    "say_model",
    "scenario_values_text",
    "situation_args",
    "steps_of",
]

FORMATS = ("table", "json", "csv")
"""Every command that prints data prints it in one of these."""

NOTATION = """\
Links are written one way everywhere; a link's id is its row in 'bayesnet edges', the same
in every table, report and command of one model:

  a -> b               a raises b's upper state (promotes)
  a -| b               a lowers it (inhibits)
  a -> b [when m=s]    only while the moderator m is in state s
  a -| b [next slice]  a feedback link, from one time slice to the next
"""

MODEL_EPILOG = """\
Without --model, a command run in a folder holding priors/ and evidence/ (made by
'bayesnet init DIR') answers from that folder; elsewhere from the embedded default model.
Every output says which model answered: one 'model: ...' line on stderr (tables, CSV), a
'model' field in JSON.
"""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs wrapped to the terminal paragraph by paragraph, except
    paragraphs with indented lines (examples, lists, file layouts), kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        parts = []
        for para in text.strip("\n").split("\n\n"):
            if any(line.startswith(" ") for line in para.splitlines()):
                parts.append(textwrap.indent(para, indent))
            else:
                parts.append(textwrap.fill(" ".join(para.split()), width, initial_indent=indent,
                                           subsequent_indent=indent))
        return "\n\n".join(parts) + "\n"


def add_model(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        metavar="DIR",
        help="model folder holding priors/ and evidence/ (default: the current directory if it holds "
        "them, else the embedded model)",
    )


def add_sources(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sources", metavar="FILTER",
        help="build the model from the sources this filter keeps: comma-separated KEY=VALUE terms that must all "
        "hold, values joined by ';' (any of them): kind=, exclude_kind= (included_study, supporting_source, "
        "review_synthesis), type=, exclude_type= (collaboration types; none: no type), year=FROM-TO, ids=, "
        "exclude_ids=; e.g. --sources \"kind=included_study,type=merger\" (default: every source)",
    )


def add_format(p: argparse.ArgumentParser, *, ids: bool = True) -> None:
    """``--format table|json|csv`` and, for commands whose tables name nodes, ``--ids``."""
    p.add_argument(
        "--format", choices=FORMATS, default="table",
        help="table: for people (labels, rounded); json or csv: for programs (ids with labels beside them, "
        "full precision; CSV cells cannot run as spreadsheet formulas) (default: table)",
    )
    if ids:
        p.add_argument("--ids", action="store_true",
                       help="tables show node ids instead of labels (JSON and CSV always carry ids)")


def add_quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar (there is none anyway when stderr is not a terminal)")


def add_situation(p: argparse.ArgumentParser, *, scenario_many: bool = False) -> None:
    p.add_argument(
        "--given", action="append", default=[], metavar="NODE=STATE",
        help="observe a node in a state (repeatable), e.g. --given quick_wins=present (default: nothing observed "
        "beyond the scenario)",
    )
    p.add_argument(
        "--do", action="append", default=[], metavar="NODE=STATE",
        help="intervene: set a node and cut its causes (repeatable), e.g. --do mandated=voluntary (default: no "
        "intervention)",
    )
    if scenario_many:
        p.add_argument(
            "--scenario", action="append", default=[], metavar="NAME",
            help="a collaboration-type preset (repeatable; see 'bayesnet scenarios'; default: none)",
        )
    else:
        p.add_argument(
            "--scenario", metavar="NAME", action=_OneScenario,
            help="a collaboration-type preset whose contexts are observed (see 'bayesnet scenarios'; "
            "default: none). One only: to set several side by side, use 'bayesnet compare'",
        )


class _OneScenario(argparse.Action):
    """``--scenario`` of a command that answers in one scenario: a second one is refused
    (argparse would keep the last silently) and ``compare`` is named as the command for it."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        before = getattr(namespace, self.dest, None)
        if before is not None:
            command = parser.prog.split()[-1]
            parser.error(f"--scenario given twice ({before}, {values}): '{command}' answers in one scenario; "
                         f"to set scenarios side by side use 'bayesnet compare TARGET --scenario {before} "
                         f"--scenario {values}'")
        setattr(namespace, self.dest, values)


def scenario_values_text(model: Any, scenario: str | None, *, ids: bool = False) -> str:
    """``scenario Merger (full integration) sets: ...``: what a preset observed, or ``""``.

    Parameters
    ----------
    model : Model
        The model whose presets are read.
    scenario : str or None
        The preset's id (None: no preset, the empty string).
    ids : bool
        Node ids (``node=state``) instead of labels.
    """
    if scenario is None:
        return ""
    preset = model.scenarios[scenario]
    name = preset.id if ids else preset.label
    if not preset.values:
        return (f"scenario {name} sets nothing, so this is the answer "
                "with no context observed")
    if ids:
        return f"scenario {name} sets: " + ", ".join(f"{v.node}={v.state}" for v in preset.values)
    return f"scenario {name} sets: " + ", ".join(f"{model.labels[v.node]} = {v.state}" for v in preset.values)


def add_uncertainty(p: argparse.ArgumentParser, *, draws: int = DEFAULT_DRAWS) -> None:
    p.add_argument("--draws", type=int_arg("draws"), default=draws,
                   help=f"posterior draws behind each interval (default: {draws})")
    p.add_argument("--seed", type=int_arg("seed"), default=DEFAULT_SEED,
                   help=f"seed of the draws, for reproducible intervals (default: {DEFAULT_SEED})")
    p.add_argument("--hdi", type=float_arg("hdi"), default=DEFAULT_HDI,
                   help=f"probability mass of the highest-density interval, in (0, 1) (default: {DEFAULT_HDI})")


def int_arg(name: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--{name} must be an integer, got {text!r}") from None

    return parse


def float_arg(name: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--{name} must be a number, got {text!r}") from None

    return parse


# --- which model ------------------------------------------------------------------------------


def is_model_folder(path: Path) -> bool:
    """True when ``path`` holds ``priors/`` and ``evidence/``."""
    return (path / "priors").is_dir() and (path / "evidence").is_dir()


def model_folder(given: str | None) -> Path | None:
    """The model folder a command answers from: ``--model`` when given; else the current
    directory when it holds ``priors/`` and ``evidence/`` (and is not the embedded model's own
    checkout); else None, the embedded default."""
    if given is not None:
        return Path(given)
    here = Path.cwd()
    if not is_model_folder(here):
        return None
    from bayesnet.inputs.folder import is_embedded

    return None if is_embedded(here) else here


def load_model(args: argparse.Namespace) -> Any:
    """The model ``--model`` (or the current directory, or the embedded default) holds, narrowed
    by ``--sources``."""
    from bayesnet.build import load

    model = load(model_folder(getattr(args, "model", None)), sources=getattr(args, "sources", None))
    if model.selection is not None:
        print(f"bayesnet: {model.selection.describe()}", file=sys.stderr)
    return model


def model_info(model: Any) -> dict[str, Any]:
    """Which model answered, as JSON outputs carry it in their ``model`` field."""
    links = model.links
    return {
        "name": model.name,
        "path": None if model.root is None else str(Path(model.root).resolve()),
        "embedded": model.name == "embedded default model",
        "nodes": len(model.codebook),
        "links": len(links),
        "sources": len(model.evidence),
    }


def model_line(model: Any) -> str:
    """``model: /path/to/m (66 nodes, 122 links, 65 sources)``."""
    info = model_info(model)
    where = info["path"] if not info["embedded"] and info["path"] else info["name"]
    return f"model: {where} ({info['nodes']} nodes, {info['links']} links, {info['sources']} sources)"


def say_model(model: Any) -> None:
    """The model line on stderr (what answered, apart from the answer on stdout)."""
    print(model_line(model), file=sys.stderr, flush=True)


# --- one output route -------------------------------------------------------------------------


def emit(
    args: argparse.Namespace,
    model: Any,
    *,
    data: Callable[[], Mapping[str, Any]],
    frame: Callable[[], Any],
    text: Callable[[], str],
    index: bool = False,
) -> None:
    """Print a command's answer in ``args.format``.

    Parameters
    ----------
    args : argparse.Namespace
        Its ``format`` picks the form.
    model : Model or None
        Which model answered: a ``model`` field first in JSON, a ``model: ...`` line on
        stderr for a table or CSV. None for outputs no model answers.
    data : callable
        The JSON form (a mapping; ids, full precision).
    frame : callable
        The CSV form (a DataFrame; ids and labels, full precision), written by
        :func:`bayesnet.report.tables.csv_text` so no cell runs as a formula.
    text : callable
        The table form, for people.
    index : bool
        Write the frame's index as CSV columns.
    """
    fmt = getattr(args, "format", "table")
    if fmt == "json":
        body = dict(data())
        if model is not None:  # first, and the one 'model' field (a result's own is replaced)
            body = {"model": model_info(model), **{k: v for k, v in body.items() if k != "model"}}
        print_json(body)
        return
    if model is not None:
        say_model(model)
    if fmt == "csv":
        from bayesnet.report.tables import csv_text

        sys.stdout.write(csv_text(frame(), index=index))
    else:
        sys.stdout.write(text().rstrip("\n") + "\n")


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def frame_text(frame: Any) -> str:
    """A DataFrame as a plain-text table, every row and column; text columns left-aligned."""
    import pandas as pd

    formatters = {}
    for column in frame.columns:
        values = frame[column]
        text = values.dtype == object or pd.api.types.is_string_dtype(values)
        if text and len(values) and values.map(lambda v: isinstance(v, str)).all():
            width = max(len(v) for v in values)
            formatters[column] = lambda v, width=width: f"{v:<{width}}"
    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.width", 250, "display.max_colwidth", 120):
        return str(frame.to_string(formatters=formatters, justify="left"))


# --- labels or ids ----------------------------------------------------------------------------


def names_of(model: Any, args: argparse.Namespace) -> Mapping[str, str]:
    """Node id -> what a table shows: its label, or with ``--ids`` its id."""
    if getattr(args, "ids", False):
        return {n.id: n.id for n in model.codebook}
    return model.labels


def link_text(model: Any, row: Mapping[str, Any], *, labels: bool) -> str:
    """A link-table row written by :func:`bayesnet.build.graph.link_name`, with labels or ids."""
    from bayesnet.build.graph import row_link_name

    return row_link_name(row, labels=model.labels if labels else None)


# --- questions, posteriors, progress ----------------------------------------------------------


def question_of(model: Any, args: argparse.Namespace, target: str | Sequence[str]) -> Any:
    """The question the arguments ask: ``target`` (``--state``) in the ``--scenario``,
    ``--given`` and ``--do`` situation."""
    from bayesnet.inference import question

    return question(model, target, state=getattr(args, "state", None), scenario=args.scenario,
                    **situation_args(args))


def posterior_of(model: Any, args: argparse.Namespace) -> Any:
    """The posterior ``--draws``, ``--seed`` and ``--hdi`` ask for."""
    from bayesnet.inference import posterior

    return posterior(model, draws=args.draws, seed=args.seed, hdi_prob=args.hdi)


def steps_of(args: argparse.Namespace, desc: str, names: Sequence[str]) -> Any:
    """A progress bar over a command's named steps (see :class:`bayesnet.progress.Steps`):
    on stderr when it is a terminal and the run takes over a second, never with ``--quiet``."""
    from bayesnet.progress import Steps, command_delay

    return Steps(names, desc=desc, enabled=not getattr(args, "quiet", False), delay=command_delay())


def read_question(
    args: argparse.Namespace, step: Callable[[str], None], target: str | Sequence[str]
) -> Any:
    """``(model, question, posterior)`` the arguments name, as the step ``reading the model``
    of a command's bar."""
    step("reading the model")
    model = load_model(args)
    return model, question_of(model, args, target), posterior_of(model, args)


def situation_args(args: argparse.Namespace) -> dict[str, Any]:
    from bayesnet.inference import parse_assignments

    return {"given": parse_assignments(args.given, "--given"), "do": parse_assignments(args.do, "--do")}
