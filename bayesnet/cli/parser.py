"""The parser of the ``bayesnet`` command and its entry point, :func:`main`.

Each subcommand parses its arguments, calls the library, and prints a table, JSON or CSV
(through :func:`bayesnet.cli.common.emit`). Any
error the user can cause is a :class:`~bayesnet.errors.BayesnetError`: it is printed as one
line on stderr and the exit status is 2. Commands live in one module per area, each with a
``register(subparsers)`` function, listed in ``COMMAND_MODULES``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bayesnet.cli.common import NOTATION, HelpFormatter
from bayesnet.errors import BayesnetError

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

DESCRIPTION = """\
A Bayesian network of how inter-organisational collaborations in healthcare work,
built from the realist review by Aunger, Millar and Greenhalgh (2021, BMC Health Serv Res
21:602). Contexts (being mandated, a history of competition, quick wins ...) act through
mechanisms (initial trust, faith, conflict, confidence, risk tolerance ...) on
collaborative behaviour and performance; each link's strength comes from how many of the
review's studies report it.

Start with:
  bayesnet summary                      what the embedded model holds
  bayesnet nodes                        the codebook (contexts, mechanisms, outcomes)
  bayesnet edges                        every link with its sources
  bayesnet scenarios                    collaboration-type presets
  bayesnet query collaborative_behaviour --scenario buddying
  bayesnet compare collaborative_behaviour --scenario buddying --scenario integrated_care_system
  bayesnet sensitivity collaborative_behaviour --scenario merger
                                        which contexts matter most, and which can be changed
  bayesnet report --scenario integrated_care_system --out report/
                                        all of it as HTML, Markdown and CSV
  bayesnet influence collaborative_behaviour --scenario integrated_care_system
                                        which studies carry the answer (each left out)
  bayesnet robustness collaborative_behaviour --scenario buddying --versus integrated_care_system
                                        does it hold under other settings of the model
  bayesnet trajectory --scenario buddying --timeline FILE --out trust.svg
                                        trust and faith over time, with events
  bayesnet render --out web.svg         the causal web, in the review's colours
  bayesnet validate my_extraction.xlsx  every error of a team's coding, in one run
  bayesnet init DIR / bayesnet update   a team's own copy, updated with new studies
  bayesnet serve                        the what-if explorer in the browser (needs bayesnet[web])
  bayesnet history                      the updates a team's copy has had

Which model answers: --model DIR; else the folder you are in, when it holds priors/ and
evidence/ (as 'bayesnet init DIR && cd DIR' makes); else the embedded default. Every
output says which: one 'model: ...' line on stderr, a 'model' field in JSON. query,
compare, sensitivity, report, influence and robustness take --sources FILTER to build it
from some of its sources (e.g. --sources kind=included_study).

Output: tables for people (node labels; --ids for ids), --format json or csv for programs
(ids with labels beside them, full precision). Progress bars show on a terminal for runs
over a second; --quiet turns them off.

""" + NOTATION

EPILOG = "Run 'bayesnet COMMAND --help' for the options of one command."


COMMAND_MODULES = ("core", "updating", "analysis", "reviewing", "dynamics", "serving")
"""Modules of ``bayesnet.cli`` that add commands, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="bayesnet", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"bayesnet.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bayesnet`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from bayesnet.version import __version__

        print(__version__)
        return 0
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args))
    except BayesnetError as err:
        print(f"bayesnet {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as err:
        # the file system refused something no check could foresee (a disk filling up, a
        # device error): one line naming the file, never a traceback
        where = f"{err.filename}: " if err.filename else ""
        print(f"bayesnet {args.command}: error: {where}{err.strerror or err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
