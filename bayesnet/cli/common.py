"""Argument and output helpers shared by the command modules of the ``bayesnet`` CLI."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "add_format",
    "add_model",
    "add_situation",
    "add_uncertainty",
    "load_model",
    "print_frame",
    "print_json",
    "seed_of",
    "situation_args",
]


def add_model(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        metavar="DIR",
        help="model folder holding priors/ and evidence/ (default: the embedded model)",
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


def add_uncertainty(p: argparse.ArgumentParser) -> None:
    p.add_argument("--draws", type=int_arg("draws"), default=4000,
                   help="posterior draws behind each interval (default: 4000)")
    p.add_argument("--seed", type=int_arg("seed"), default=None,
                   help="seed of the draws, for reproducible intervals (default: fixed)")
    p.add_argument("--hdi", type=float_arg("hdi"), default=0.94,
                   help="probability mass of the highest-density interval, in (0, 1) (default: 0.94)")


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
    from bayesnet.model import load

    return load(args.model)


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def print_frame(frame: Any) -> None:
    import pandas as pd

    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.width", 200, "display.max_colwidth", 60):
        print(frame.to_string())


def situation_args(args: argparse.Namespace) -> dict[str, Any]:
    from bayesnet.query import parse_assignments

    return {"given": parse_assignments(args.given, "--given"), "do": parse_assignments(args.do, "--do")}


def seed_of(args: argparse.Namespace) -> int:
    from bayesnet.query import DEFAULT_SEED

    return DEFAULT_SEED if args.seed is None else args.seed


