"""Commands that make and update a team's own model folder: init, update."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bayesnet.cli.common import add_format, add_uncertainty, float_arg, print_json
from bayesnet.defaults import DEFAULT_LOCK_WAIT
from bayesnet.errors import BayesnetError, UpdateError

__all__ = ["register"]

UPDATE_DESCRIPTION = """\
Add newly coded studies to a model folder (YAML, CSV or XLSX, as in evidence/), re-code
studies already there (same id, new content) or take them out (--remove). Link
reliabilities are Beta posteriors over distinct sources, so the updated posterior is the
next prior; re-importing an unchanged study changes nothing, and the order of updates never
matters.

Every file is checked first: one bad file means nothing is written, and the error names
the file, row and value. A study naming a node the codebook lacks is refused (with the
closest ids) unless --new-nodes gives its codebook entry; a link that would close a cycle
is refused with the cycle named. Every option is checked before the folder is touched. The
write is all or nothing, even if the process is killed, under a lock so two updates cannot
interleave (a second update says it is waiting, and gives up after --wait seconds), and
priors/history.jsonl records it. An update first finishes an interrupted earlier one.

The change report (printed, and written with --out) shows each affected link's sources and
reliability before and after, and P(collaborative_behaviour) under each scenario before
and after, with intervals.
"""


def register(sub: Any) -> None:
    """Add ``init`` and ``update`` to the subparsers ``sub``."""
    p = sub.add_parser(
        "init", help="copy the embedded default model into a folder you own (to update it)",
        description="Copy the embedded default model (priors/ and evidence/) into DIR, a new or "
        "empty folder. Update the copy with 'bayesnet update FILE --model DIR'; use it in any "
        "command with --model DIR.",
    )
    p.add_argument("dir", metavar="DIR", help="new or empty folder")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser(
        "update", help="add, re-code or remove studies in a model folder, with a change report",
        description=UPDATE_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n  bayesnet init mymodel\n  bayesnet update new_study.yaml --model mymodel --dry-run\n"
        "  bayesnet update new_study.yaml sheet.xlsx --model mymodel --out report.md\n"
        "  bayesnet update --remove S90 --model mymodel",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="evidence files: .yaml, .csv or .xlsx")
    p.add_argument(
        "--model", metavar="DIR",
        help="model folder to update (default: the current directory when it holds priors/ and evidence/)",
    )
    p.add_argument("--dry-run", action="store_true", help="show the change report; write nothing")
    p.add_argument("--remove", action="extend", nargs="+", default=[], metavar="STUDY_ID",
                   help="take these sources out (e.g. --remove S90 S91)")
    p.add_argument("--new-nodes", metavar="FILE",
                   help="codebook entries (a 'nodes:' list, as in priors/codebook.yaml) for new concepts")
    p.add_argument("--out", metavar="REPORT", help="also write the change report: REPORT.md or REPORT.json")
    p.add_argument("--wait", type=float_arg("wait"), default=DEFAULT_LOCK_WAIT, metavar="SECONDS",
                   help="while another update of the folder holds its lock, wait this long, then give up "
                   f"(default: {DEFAULT_LOCK_WAIT:g})")
    add_format(p)
    add_uncertainty(p)
    p.set_defaults(handler=cmd_update)


def cmd_init(args: argparse.Namespace) -> int:
    from bayesnet.update.store import init_model

    dest = init_model(args.dir)
    print(f"made {dest}: a copy of the default model you can update with "
          f"'bayesnet update FILE --model {dest}'")
    return 0


def model_folder(model: str | None) -> Path:
    """The folder to update: ``--model``, else the current directory if it is a model folder."""
    if model is not None:
        return Path(model)
    here = Path.cwd()
    if (here / "priors").is_dir() and (here / "evidence").is_dir():
        return here
    raise UpdateError(
        "no model folder: pass --model DIR, or run in a folder holding priors/ and evidence/ "
        "(make one with 'bayesnet init DIR')"
    )


def cmd_update(args: argparse.Namespace) -> int:
    from bayesnet.checks import check_hdi_prob, check_positive_int, check_seconds, check_seed
    from bayesnet.files import check_output_file, output_error, write_text_atomic
    from bayesnet.inference.posteriors import checked_posterior
    from bayesnet.update import change_report, update_folder

    if not args.files and not args.remove:
        raise BayesnetError("name at least one FILE to add, or --remove STUDY_ID")
    # every option is checked before the folder is touched (the memory bound of --draws
    # once the models are read, still before anything is written)
    check_positive_int(args.draws, "draws", "update")
    check_seed(args.seed, "update")
    check_hdi_prob(args.hdi, "update")
    check_seconds(args.wait, "wait", "update")
    out = check_output_file(args.out, suffixes=(".md", ".json"), what="report") if args.out else None
    root = model_folder(args.model)

    def check(change: Any) -> None:  # the memory bound of --draws depends on both models
        for model in (change.before, change.after):
            checked_posterior(model, args.draws, args.seed, args.hdi, owner="update")

    def waiting(message: str) -> None:
        print(f"bayesnet update: {message}", file=sys.stderr, flush=True)

    change = update_folder(root, args.files, remove=args.remove, new_nodes=args.new_nodes, dry_run=args.dry_run,
                           wait=args.wait, on_wait=waiting, check=check)
    report = change_report(change, draws=args.draws, seed=args.seed, hdi_prob=args.hdi)
    if out is not None:
        try:
            if out.suffix.lower() == ".json":
                import json

                write_text_atomic(out, json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
            else:
                write_text_atomic(out, report.to_markdown())
        except OSError as err:
            raise output_error(out, err) from err
    if args.format == "json":
        print_json(report.to_dict())
    else:
        print(report.to_markdown(), end="")
    if args.dry_run:
        status = "dry run: nothing written"
    elif change.is_noop:
        status = f"{root}: nothing to do (every source already present with the same content); nothing written"
    else:
        status = (f"updated {root}: {len(change.added)} added, {len(change.replaced)} replaced, "
                  f"{len(change.removed)} removed, {len(change.new_nodes)} new nodes")
    print(status + (f"; report written to {out}" if out else ""), file=sys.stderr)
    return 0
