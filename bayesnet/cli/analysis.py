"""Commands that say what matters: sensitivity (the rankings) and report (HTML, Markdown, CSV)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bayesnet.cli.common import (
    MODEL_EPILOG,
    NOTATION,
    HelpFormatter,
    add_format,
    add_model,
    add_quiet,
    add_situation,
    add_sources,
    add_uncertainty,
    emit,
    frame_text,
    int_arg,
    names_of,
    read_question,
    say_model,
    steps_of,
)
from bayesnet.defaults import DEFAULT_LEVERS, DEFAULT_TARGET
from bayesnet.errors import BayesnetError

__all__ = ["register"]

SENSITIVITY_TABLES = ("tornado", "findings", "levers", "givens", "evidence", "sobol")

SENSITIVITY_DESCRIPTION = """\
Which contexts matter most for TARGET in a situation, which of them implementers can change,
what an observation would tell, and which coded evidence the answer hangs on:

  tornado   every context the situation leaves free, set to each of its states (do): P(TARGET =
            STATE) at the lowest and the highest state, each with its HDI over posterior draws,
            and the share of draws in which they are in that order (--mechanisms adds the
            mechanisms)
  findings  mutual information and variance reduction with TARGET (Netica's sensitivity to
            findings), on the posterior-mean network
  levers    modifiable contexts: each at its best state, and the best sets of K (--levers K)
            with their paired gain, its HDI and P(best) over the draws, ties shown; givens are
            what shapes the situation
  evidence  every coded link: P(direction), dP/dweight, and what one more study of it is worth
            (the expected fall in the answer's posterior variance, and the probability it would
            change the best set of levers)
  sobol     with --sobol N: first-order and total Sobol indices over random configurations of
            all free contexts drawn from their base rates (SALib; N a power of two)

Tables show node labels (--ids: node ids) and links with their ids; --format json prints every
table, --format csv one (--table, default tornado), unrounded, with ids and labels.
"""


def register(sub: Any) -> None:
    """Add ``sensitivity`` and ``report`` to the subparsers ``sub``."""
    p = sub.add_parser(
        "sensitivity", help="what matters for a node: contexts, levers, findings, evidence (rankings)",
        description=SENSITIVITY_DESCRIPTION, formatter_class=HelpFormatter,
        epilog="Examples:\n"
        "  bayesnet sensitivity collaborative_behaviour --scenario integrated_care_system --levers 2\n"
        "  bayesnet sensitivity trust --scenario merger --mechanisms --ids\n"
        "  bayesnet sensitivity collaborative_behaviour --format csv --table evidence > evidence.csv\n\n"
        + NOTATION + "\n" + MODEL_EPILOG,
    )
    add_model(p)
    add_sources(p)
    p.add_argument("target", metavar="TARGET", help="node id to explain")
    p.add_argument("--state", help="state of TARGET whose probability is analysed (default: its upper state)")
    add_situation(p)
    p.add_argument("--mechanisms", action="store_true", help="sweep mechanisms too, not only contexts "
                   "(default: contexts only)")
    p.add_argument("--levers", type=int_arg("levers"), default=1, metavar="K",
                   help="size of the best set of levers (default: 1)")
    p.add_argument("--sobol", type=int_arg("sobol"), default=None, metavar="N",
                   help="also Sobol indices from N * (contexts + 2) configurations (N a power of two, e.g. 512; "
                   "default: none)")
    add_uncertainty(p)
    add_format(p)
    p.add_argument("--table", choices=SENSITIVITY_TABLES, default="tornado",
                   help="with --format csv: which table to print (default: tornado)")
    add_quiet(p)
    p.set_defaults(handler=cmd_sensitivity)

    p = sub.add_parser(
        "report", help="write an HTML report (plus Markdown and CSV) of what matters in a situation",
        description="Analyse P(TARGET = STATE) in a situation and write DIR/index.html (self-contained, "
        "plots inline as SVG), DIR/report.md and one CSV per table: the tornado of contexts and "
        "mechanisms, the levers and givens, the sensitivity to findings, the evidence ranking, "
        "the collaboration types compared, and the causal web coloured by influence.",
        formatter_class=HelpFormatter,
        epilog="Examples:\n  bayesnet report --scenario integrated_care_system --out report/\n"
        "  bayesnet report --target trust --scenario merger --given quick_wins=present --out merger_trust/\n\n"
        + MODEL_EPILOG,
    )
    add_model(p)
    add_sources(p)
    add_situation(p)
    p.add_argument("--target", default=DEFAULT_TARGET, help=f"node to explain (default: {DEFAULT_TARGET})")
    p.add_argument("--state", help="state of the target (default: its upper state)")
    p.add_argument("--levers", type=int_arg("levers"), default=DEFAULT_LEVERS, metavar="K",
                   help=f"size of the best set of levers (default: {DEFAULT_LEVERS})")
    p.add_argument("--out", default="report", metavar="DIR", help="output folder (default: report)")
    add_quiet(p)
    p.add_argument("--no-studies", action="store_true",
                   help="leave out the section on the studies that carry the answer (each source left out)")
    p.add_argument("--robustness", type=int_arg("robustness"), default=0, metavar="N",
                   help="add the answer under N other settings of the model (see 'bayesnet robustness'; default: 0)")
    add_uncertainty(p)
    p.set_defaults(handler=cmd_report)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from bayesnet.analysis import sensitivity

    with steps_of(args, "sensitivity", ["reading the model", "drawing the parameters", "analysing"]) as step:
        model, q, post = read_question(args, step, args.target)
        step("drawing the parameters")
        post.cpts  # noqa: B018 - drawn once here (cached by the model), so the bar can say so
        step("analysing")
        kinds = ("context", "mechanism") if args.mechanisms else ("context",)
        result = sensitivity(q, post, kinds=kinds, k=args.levers, sobol=args.sobol, show_progress=not args.quiet)
    emit(args, model, data=result.to_dict, frame=lambda: _one_table(result, args.table), index=True,
         text=lambda: _sensitivity_text(args, q, post, result))
    return 0


def _sensitivity_text(args: argparse.Namespace, q: Any, post: Any, result: Any) -> str:
    out: list[str] = []
    say = out.append
    ids = args.ids
    names = names_of(q.model, args)

    def by_name(frame: Any) -> Any:
        """Node ids -> labels in the index (or ids with --ids); the label column goes."""
        shown = frame.drop(columns=[c for c in ("label",) if c in frame])
        shown.index = shown.index.map(lambda v: names.get(v, v))
        return shown

    t, f, lv, ev, sobol = result.tornado, result.findings, result.levers, result.evidence, result.sobol
    b = t.baseline
    prob = f"{args.hdi:.0%}"
    say(f"{q.describe(labels=not ids)} = {b['probability']:.3f}  [{b['low']:.3f}, {b['high']:.3f}]  "
        f"(mean and {prob} HDI over {post.n_draws} posterior draws)\n")
    say("Contexts" + (" and mechanisms" if args.mechanisms else "") + " set one at a time (do), by swing: the "
        f"probability at each end with its {prob} HDI; p_same_direction: share of draws in which high_state gives "
        "the higher probability")
    say(frame_text(by_name(t.frame.drop(columns=["kind", "swing_low", "swing_high"])).round(3)))
    say("\nSensitivity to findings (mean network): mutual information (bits) and variance reduction")
    say(frame_text(by_name(f.frame.drop(columns=["kind"])).round(4)))
    how = "exact search" if lv.method == "exact" else "greedy search"
    say(f"\nLevers (modifiable contexts), each at its best state; best set of {lv.k} by {how} "
        f"over {lv.evaluated} combinations:")
    say(frame_text(by_name(lv.singles).round(3)))
    say(f"\nBest sets of {lv.k}: gain (paired, with its {prob} HDI), p_best (share of draws in which the set "
        "beats the others listed); tied sets share a rank")
    sets = lv.sets.drop(columns=["network"])
    sets = sets.drop(columns=["label"]) if ids else sets.drop(columns=["levers"]).rename(columns={"label": "levers"})
    say(frame_text(sets.set_index("rank").round(3)))
    chosen = ", ".join(f"{k}={v}" if ids else f"{names[k]} = {v}" for k, v in lv.best_set.items())
    say(f"  best set: {chosen or '(no lever left free)'}: {lv.before['probability']:.3f} "
        f"[{lv.before['low']:.3f}, {lv.before['high']:.3f}] -> {lv.after['probability']:.3f} "
        f"[{lv.after['low']:.3f}, {lv.after['high']:.3f}]; higher in {lv.p_improves:.0%} of draws")
    if lv.bound is not None:
        say(f"  (greedy: with diminishing returns no set of {lv.k} would reach above {lv.bound:.3f})")
    say("\nGivens (not modifiable): what shapes the situation, not advice")
    say(frame_text(by_name(lv.givens).round(3)))
    say(f"\nCoded links (id, the link) by the expected fall in the answer's posterior variance (sd now "
        f"{ev.sd:.4f}) if one more study of the link were coded; p_direction: P(the link acts as stated); "
        "d_weight: derivative of the probability"
        + (f"; p_changes_conclusion: P(it changes '{ev.conclusion}')" if ev.conclusion else ""))
    cols = ["name" if ids else "label", "n_support", "n_contradict", "p_direction", "d_weight", "variance_reduction",
            "sd_after"]
    if ev.conclusion:
        cols.append("p_changes_conclusion")
    say(frame_text(ev.frame[cols].rename(columns={"name": "the link", "label": "the link"}).round(6)))
    if sobol is not None:
        say(f"\nSobol indices over {sobol.attrs.get('evaluations', 0)} random context configurations "
            "(S1: alone; ST: alone or interacting; _conf: 95% bootstrap half-widths)")
        say(frame_text(by_name(sobol).round(4)))
    return "\n".join(out)


def _one_table(result: Any, table: str) -> Any:
    if table == "sobol":
        if result.sobol is None:
            raise BayesnetError("the sobol table needs --sobol N (a power of two, e.g. 512)")
        return result.sobol
    return {
        "tornado": result.tornado.frame,
        "findings": result.findings.frame,
        "levers": result.levers.singles,
        "givens": result.levers.givens,
        "evidence": result.evidence.frame,
    }[table]


def cmd_report(args: argparse.Namespace) -> int:
    from bayesnet.files import check_output_folder
    from bayesnet.report import write_report

    check_output_folder(args.out, what="report")  # before the model is read and the analyses run
    with steps_of(args, "report", ["reading the model", "drawing the parameters"]) as step:
        model, q, post = read_question(args, step, args.target)
        step("drawing the parameters")
        post.cpts  # noqa: B018 - drawn once here (cached by the model); the report's own bar takes over
    files = write_report(q, post, args.out, k=args.levers, quiet=args.quiet, studies=not args.no_studies,
                         settings=args.robustness)
    say_model(model)
    if files.note:
        print(files.note, file=sys.stderr)
    print(f"wrote {files.html}, {files.markdown.name}, {len(files.tables)} CSV tables and "
          f"{len([p for p in files.pictures if p != 'web.dot'])} SVG pictures in {files.folder}")
    return 0
