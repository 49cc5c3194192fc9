"""Argument and output helpers shared by the command modules of the ``bayesnet`` CLI."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bayesnet.defaults import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_SEED

__all__ = [
    "add_format",
    "add_model",
    "add_situation",
    "add_sources",
    "add_uncertainty",
    "load_model",
    "posterior_of",
    "print_frame",
    "print_json",
    "question_of",
    "situation_args",
    "write_csv",
]


def add_model(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        metavar="DIR",
        help="model folder holding priors/ and evidence/ (default: the embedded model)",
    )


def add_sources(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sources", metavar="FILTER",
        help="build the model from the sources this filter keeps: comma-separated KEY=VALUE terms that must all "
        "hold, values joined by ';' (any of them): kind=, exclude_kind= (included_study, supporting_source, "
        "review_synthesis), type=, exclude_type= (collaboration types; none: no type), year=FROM-TO, ids=, "
        "exclude_ids=; e.g. --sources \"kind=included_study,type=merger\"",
    )


def add_format(p: argparse.ArgumentParser, choices: Sequence[str] = ("table", "json")) -> None:
    p.add_argument(
        "--format", choices=choices, default="table",
        help=f"output format: {' | '.join(choices)} (default: table)",
    )


def add_situation(p: argparse.ArgumentParser, *, scenario_many: bool = False) -> None:
    p.add_argument(
        "--given", action="append", default=[], metavar="NODE=STATE",
        help="observe a node in a state (repeatable), e.g. --given quick_wins=present",
    )
    p.add_argument(
        "--do", action="append", default=[], metavar="NODE=STATE",
        help="intervene: set a node and cut its causes (repeatable), e.g. --do mandated=voluntary",
    )
    if scenario_many:
        p.add_argument(
            "--scenario", action="append", default=[], metavar="NAME",
            help="a collaboration-type preset (repeatable; see 'bayesnet scenarios')",
        )
    else:
        p.add_argument(
            "--scenario", metavar="NAME",
            help="a collaboration-type preset whose contexts are observed (see 'bayesnet scenarios')",
        )


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


def load_model(args: argparse.Namespace) -> Any:
    """The model ``--model`` names (default: the embedded one), narrowed by ``--sources``."""
    from bayesnet.build import load

    model = load(args.model, sources=getattr(args, "sources", None))
    if model.selection is not None:
        print(f"bayesnet: {model.selection.describe()}", file=sys.stderr)
    return model


def question_of(model: Any, args: argparse.Namespace, target: str) -> Any:
    """The question the arguments ask: ``target`` (``--state``) in the ``--scenario``,
    ``--given`` and ``--do`` situation."""
    from bayesnet.inference import question

    return question(model, target, state=getattr(args, "state", None), scenario=args.scenario,
                    **situation_args(args))


def posterior_of(model: Any, args: argparse.Namespace) -> Any:
    """The posterior ``--draws``, ``--seed`` and ``--hdi`` ask for."""
    from bayesnet.inference import posterior

    return posterior(model, draws=args.draws, seed=args.seed, hdi_prob=args.hdi)


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def print_frame(frame: Any) -> None:
    import pandas as pd

    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.width", 200, "display.max_colwidth", 60):
        print(frame.to_string())


def write_csv(frame: Any, *, index: bool = False) -> None:
    """A table as CSV on standard output, full precision."""
    sys.stdout.write(frame.to_csv(index=index))


def situation_args(args: argparse.Namespace) -> dict[str, Any]:
    from bayesnet.inference import parse_assignments

    return {"given": parse_assignments(args.given, "--given"), "do": parse_assignments(args.do, "--do")}
