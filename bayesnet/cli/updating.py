"""Commands that make and update a team's own model folder: init, update."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bayesnet.cli.common import (
    NOTATION,
    HelpFormatter,
    add_format,
    add_quiet,
    add_uncertainty,
    emit,
    float_arg,
    is_model_folder,
    load_model,
    steps_of,
)
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
    """Add ``init``, ``update`` and ``history`` to the subparsers ``sub``."""
    p = sub.add_parser(
        "init", help="copy the embedded default model into a folder you own (to update it)",
        description="Copy the embedded default model (priors/ and evidence/) into DIR, a new or "
        "empty folder. Update the copy with 'bayesnet update FILE' run inside it (or with --model DIR "
        "from elsewhere); every command run inside DIR answers from it.",
        formatter_class=HelpFormatter,
        epilog="Examples:\n  bayesnet init my_model/ && cd my_model && bayesnet query collaborative_behaviour\n"
        "  bayesnet init my_model/ && bayesnet update new_study.yaml --model my_model/ --dry-run\n",
    )
    p.add_argument("dir", metavar="DIR", help="new or empty folder")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser(
        "update", help="add, re-code or remove studies in a model folder, with a change report",
        description=UPDATE_DESCRIPTION, formatter_class=HelpFormatter,
        epilog="Examples:\n  bayesnet init mymodel && cd mymodel\n  bayesnet update ../new_study.yaml --dry-run\n"
        "  bayesnet update new_study.yaml sheet.xlsx --model mymodel --out report.md\n"
        "  bayesnet update --remove S90 --model mymodel --format json\n\n" + NOTATION,
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="evidence files: .yaml, .csv or .xlsx")
    p.add_argument(
        "--model", metavar="DIR",
        help="model folder to update (default: the current directory when it holds priors/ and evidence/; "
        "the embedded model is never updated)",
    )
    p.add_argument("--dry-run", action="store_true", help="show the change report; write nothing")
    p.add_argument("--remove", action="extend", nargs="+", default=[], metavar="STUDY_ID",
                   help="take these sources out (e.g. --remove S90 S91; default: none)")
    p.add_argument("--new-nodes", metavar="FILE",
                   help="codebook entries (a 'nodes:' list, as in priors/codebook.yaml) for new concepts (default: "
                   "none; a study naming a node the codebook lacks is refused)")
    p.add_argument("--out", metavar="REPORT",
                   help="also write the change report: REPORT.md or REPORT.json (default: printed only)")
    p.add_argument("--wait", type=float_arg("wait"), default=DEFAULT_LOCK_WAIT, metavar="SECONDS",
                   help="while another update of the folder holds its lock, wait this long, then give up "
                   f"(default: {DEFAULT_LOCK_WAIT:g})")
    add_format(p, ids=False)
    p.add_argument("--table", choices=("links", "queries", "sources"), default="links",
                   help="with --format csv: which table of the change report to print (default: links)")
    add_uncertainty(p)
    add_quiet(p)
    p.set_defaults(handler=cmd_update)

    p = sub.add_parser(
        "history", help="the updates a model folder has had (its audit trail)",
        description="List priors/history.jsonl of a model folder: when it was made by 'bayesnet init' and every "
        "update since, with the sources added, replaced and removed, new nodes, the files read and the "
        "evidence hashes before and after.",
        formatter_class=HelpFormatter,
        epilog="Examples:\n  cd my_model && bayesnet history\n  bayesnet history --model my_model/ --format json\n",
    )
    p.add_argument("--model", metavar="DIR", help="model folder (default: the current directory when it holds "
                   "priors/ and evidence/)")
    add_format(p, ids=False)
    p.set_defaults(handler=cmd_history)


def cmd_init(args: argparse.Namespace) -> int:
    from bayesnet.update.store import init_model

    dest = init_model(args.dir)
    print(f"made {dest}: a copy of the default model; commands run inside it answer from it, and "
          f"'bayesnet update FILE' (there, or with --model {dest}) adds studies")
    return 0


def model_folder(model: str | None) -> Path:
    """The folder to update: ``--model``, else the current directory if it is a model folder."""
    if model is not None:
        return Path(model)
    here = Path.cwd()
    if is_model_folder(here):
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

    with steps_of(args, "update", ["reading and checking", "answering before and after"]) as step:
        step("reading and checking")
        change = update_folder(root, args.files, remove=args.remove, new_nodes=args.new_nodes,
                               dry_run=args.dry_run, wait=args.wait, on_wait=waiting, check=check)
        step("answering before and after")
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

    def frame() -> Any:
        import pandas as pd

        if args.table == "sources":
            return pd.DataFrame(report.sources)
        if args.table == "queries":
            return report.queries
        links = report.links
        records = links.to_dict(orient="records")
        model = change.after
        return links.assign(name=[_link_name(r, None) for r in records],
                            label=[_link_name(r, model.labels) for r in records])

    emit(args, change.before if args.dry_run else change.after, data=report.to_dict, frame=frame,
         text=report.to_markdown)
    if args.dry_run:
        status = "dry run: nothing written"
    elif change.is_noop:
        status = f"{root}: nothing to do (every source already present with the same content); nothing written"
    else:
        status = (f"updated {root}: {len(change.added)} added, {len(change.replaced)} replaced, "
                  f"{len(change.removed)} removed, {len(change.new_nodes)} new nodes")
    print(status + (f"; report written to {out}" if out else ""), file=sys.stderr)
    return 0


def _link_name(row: dict[str, Any], labels: Any) -> str:
    from bayesnet.build.graph import row_link_name

    sign = row["sign_after"] if row.get("sign_after") is not None and row["sign_after"] == row["sign_after"] \
        else row["sign_before"]
    when = row.get("when") or ""
    node, _, state = str(when).partition("=")
    return row_link_name({**row, "when_node": node or None, "when_state": state or None}, labels=labels,
                         sign=int(sign))


def cmd_history(args: argparse.Namespace) -> int:
    import pandas as pd

    from bayesnet.update import read_history

    root = model_folder(args.model)
    model = load_model(argparse.Namespace(model=str(root)))
    records = read_history(root)
    columns = ["time", "action", "added", "replaced", "removed", "new_nodes", "files", "evidence_before",
               "evidence_after", "from", "id"]

    def frame() -> Any:
        rows = [{k: ";".join(map(str, v)) if isinstance(v, list) else v for k, v in r.items()} for r in records]
        return pd.DataFrame(rows, columns=[c for c in columns if any(c in r for r in records)] or ["time", "action"])

    def text() -> str:
        if not records:
            return f"{root}: no history (priors/history.jsonl is missing or empty)"
        lines = []
        for r in records:
            what = [f"{k} {', '.join(map(str, r[k]))}" for k in ("added", "replaced", "removed", "new_nodes")
                    if r.get(k)]
            if r.get("action") == "init":
                what.append(f"from the {r.get('from', 'embedded default model')}")
            lines.append(f"{r.get('time', '?')}  {r.get('action', '?'):<7} {'; '.join(what) or '(nothing)'}")
        return "\n".join(lines)

    emit(args, model, data=lambda: {"history": records}, frame=frame, text=text)
    return 0
