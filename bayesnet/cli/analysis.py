"""Commands that say what matters: sensitivity (the rankings) and report (HTML, Markdown, CSV)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bayesnet.cli.common import (
    add_format,
    add_model,
    add_situation,
    add_uncertainty,
    int_arg,
    load_model,
    print_frame,
    print_json,
    seed_of,
    situation_args,
)

__all__ = ["register"]

SENSITIVITY_TABLES = ("tornado", "findings", "levers", "givens", "evidence", "sobol")

SENSITIVITY_DESCRIPTION = """\
Which contexts matter most for TARGET in a situation, which of them implementers can change,
what an observation would tell, and which coded evidence the answer hangs on:

  tornado   every context the situation leaves free, set to each of its states (do): the
            swing in P(TARGET = STATE), its HDI over posterior draws and the share of draws
            with the sign shown (--mechanisms adds the mechanisms)
  findings  mutual information and variance reduction with TARGET (Netica's sensitivity to
            findings), on the posterior-mean network
  levers    modifiable contexts: the best one and the best set of K (--levers K), with the
            probability and interval before and after; givens are what shapes the situation
  evidence  every coded link: dP/dweight, dP/dreliability, and how much one more supporting
            or contradicting study would narrow the interval
  sobol     with --sobol N: first-order and total Sobol indices over random configurations of
            all free contexts drawn from their base rates (SALib; N a power of two)

--format csv prints one table (--table, default tornado) unrounded.
"""


def register(sub: Any) -> None:
    """Add ``sensitivity`` and ``report`` to the subparsers ``sub``."""
    p = sub.add_parser(
        "sensitivity", help="what matters for a node: contexts, levers, findings, evidence (rankings)",
        description=SENSITIVITY_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  bayesnet sensitivity collaborative_behaviour --scenario integrated_care_system --levers 2",
    )
    add_model(p)
    p.add_argument("target", metavar="TARGET", help="node id to explain")
    p.add_argument("--state", help="state of TARGET whose probability is analysed (default: its upper state)")
    add_situation(p)
    p.add_argument("--mechanisms", action="store_true", help="sweep mechanisms too, not only contexts")
    p.add_argument("--levers", type=int_arg("levers"), default=1, metavar="K",
                   help="size of the best set of levers (default: 1)")
    p.add_argument("--sobol", type=int_arg("sobol"), default=None, metavar="N",
                   help="also Sobol indices from N * (contexts + 2) configurations (N a power of two, e.g. 512)")
    add_uncertainty(p)
    add_format(p, ("table", "json", "csv"))
    p.add_argument("--table", choices=SENSITIVITY_TABLES, default="tornado",
                   help="with --format csv: which table to print (default: tornado)")
    p.set_defaults(handler=cmd_sensitivity)

    p = sub.add_parser(
        "report", help="write an HTML report (plus Markdown and CSV) of what matters in a situation",
        description="Analyse P(TARGET = STATE) in a situation and write DIR/index.html (self-contained, "
        "plots inline as SVG), DIR/report.md and one CSV per table: the tornado of contexts and "
        "mechanisms, the levers and givens, the sensitivity to findings, the evidence ranking, "
        "the collaboration types compared, and the causal web coloured by influence.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  bayesnet report --scenario integrated_care_system --out report/",
    )
    add_model(p)
    add_situation(p)
    p.add_argument("--target", default="collaborative_behaviour", help="node to explain "
                   "(default: collaborative_behaviour)")
    p.add_argument("--state", help="state of the target (default: its upper state)")
    p.add_argument("--levers", type=int_arg("levers"), default=2, metavar="K",
                   help="size of the best set of levers (default: 2)")
    p.add_argument("--out", default="report", metavar="DIR", help="output folder (default: report)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_uncertainty(p)
    p.set_defaults(handler=cmd_report)


def _question_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    return {"state": args.state, "scenario": args.scenario, **situation_args(args)}


def _uncertainty_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    return {"draws": args.draws, "seed": seed_of(args), "hdi_prob": args.hdi}


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from bayesnet.evidence_sensitivity import evidence_ranking
    from bayesnet.levers import levers
    from bayesnet.sensitivity import findings_sensitivity, tornado

    model = load_model(args)
    kw = _question_kwargs(args)
    unc = _uncertainty_kwargs(args)
    kinds = ("context", "mechanism") if args.mechanisms else ("context",)
    quiet = args.format != "table"
    if args.format == "csv":
        frame = _one_table(model, args, kw, unc, kinds)
        sys.stdout.write(frame.to_csv())
        return 0
    t = tornado(model, args.target, kinds=kinds, show_progress=not quiet, **kw, **unc)
    f = findings_sensitivity(model, args.target, **kw)
    lv = levers(model, args.target, k=args.levers, tornado_result=t, **kw, **unc)
    ev = evidence_ranking(model, args.target, show_progress=not quiet, **kw, **unc)
    sobol = _sobol(model, args, kw) if args.sobol is not None else None
    if args.format == "json":
        data = {
            "tornado": t.to_dict(),
            "findings": [{"node": k, **v} for k, v in f.to_dict(orient="index").items()],
            "levers": lv.to_dict(),
            "evidence": ev.to_dict(),
        }
        if sobol is not None:
            data["sobol"] = [{"node": k, **v} for k, v in sobol.to_dict(orient="index").items()]
        print_json(data)
        return 0
    b = t.baseline
    prob = f"{args.hdi:.0%}"
    print(f"{t.question.describe()} = {b['probability']:.3f}  [{b['low']:.3f}, {b['high']:.3f}]  "
          f"({prob} HDI over {args.draws} posterior draws)\n")
    print("Contexts" + (" and mechanisms" if args.mechanisms else "") + " set one at a time (do), by swing; "
          f"swing_low/high: {prob} HDI of the swing; p_sign: share of draws with that sign")
    print_frame(t.frame.drop(columns=["label", "kind", "swing_mean"]).round(3))
    print("\nSensitivity to findings (mean network): mutual information (bits) and variance reduction")
    print_frame(f.drop(columns=["label", "kind"]).round(4))
    how = "exact search" if lv.method == "exact" else "greedy search"
    print(f"\nLevers (modifiable contexts), each at its best state; best set of {lv.k} by {how} "
          f"over {lv.evaluated} combinations:")
    print_frame(lv.singles.drop(columns=["label"]).round(3))
    sets = ", ".join(f"{k}={v}" for k, v in lv.best_set.items()) or "(no lever left free)"
    print(f"  best set: {sets}: {lv.before['probability']:.3f} [{lv.before['low']:.3f}, {lv.before['high']:.3f}]"
          f" -> {lv.after['probability']:.3f} [{lv.after['low']:.3f}, {lv.after['high']:.3f}];"
          f" higher in {lv.p_improves:.0%} of draws")
    if lv.bound is not None:
        print(f"  (greedy: with diminishing returns no set of {lv.k} would reach above {lv.bound:.3f})")
    print("\nGivens (not modifiable): what shapes the situation, not advice")
    print_frame(lv.givens.drop(columns=["label"]).round(3))
    print(f"\nCoded links by expected narrowing of the {prob} HDI (now {ev.width:.3f} wide) if one more "
          "study were coded; d_weight, d_reliability: derivatives of the probability")
    cols = ["name", "n_support", "n_contradict", "d_weight", "d_reliability", "narrowing_if_support",
            "narrowing_if_contradict", "expected_narrowing"]
    print_frame(ev.frame[cols].round(5))
    if sobol is not None:
        print(f"\nSobol indices over {sobol.attrs.get('evaluations', 0)} random context configurations "
              "(S1: alone; ST: alone or interacting; _conf: 95% bootstrap half-widths)")
        print_frame(sobol.drop(columns=["label"]).round(4))
    return 0


def _sobol(model: Any, args: argparse.Namespace, kw: dict[str, Any]) -> Any:
    from bayesnet.global_sensitivity import sobol_indices

    return sobol_indices(model, args.target, n=args.sobol if args.sobol is not None else 512, seed=seed_of(args),
                         **kw)


def _one_table(model: Any, args: argparse.Namespace, kw: dict[str, Any], unc: dict[str, Any],
               kinds: tuple[str, ...]) -> Any:
    from bayesnet.evidence_sensitivity import evidence_ranking
    from bayesnet.levers import levers
    from bayesnet.sensitivity import findings_sensitivity, tornado

    if args.table == "tornado":
        return tornado(model, args.target, kinds=kinds, **kw, **unc).frame
    if args.table == "findings":
        return findings_sensitivity(model, args.target, **kw)
    if args.table == "sobol":
        return _sobol(model, args, kw)
    if args.table in ("levers", "givens"):
        lv = levers(model, args.target, k=args.levers, **kw, **unc)
        return lv.singles if args.table == "levers" else lv.givens
    return evidence_ranking(model, args.target, **kw, **unc).frame


def cmd_report(args: argparse.Namespace) -> int:
    from bayesnet.report import write_report

    model = load_model(args)
    files = write_report(model, args.out, target=args.target, k=args.levers, quiet=args.quiet,
                         **_question_kwargs(args), **_uncertainty_kwargs(args))
    if files.note:
        print(files.note, file=sys.stderr)
    print(f"wrote {files.html}, {files.markdown.name}, {len(files.tables)} CSV tables and "
          f"{len([p for p in files.pictures if p != 'web.dot'])} SVG pictures in {files.folder}")
    return 0
