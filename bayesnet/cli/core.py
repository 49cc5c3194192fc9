"""Commands over the data, the network and its queries: summary, nodes, edges, validate,
render, scenarios, query, compare, export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bayesnet.cli.common import (
    add_format,
    add_model,
    add_situation,
    add_sources,
    add_uncertainty,
    load_model,
    posterior_of,
    print_frame,
    print_json,
    situation_args,
    write_csv,
)
from bayesnet.errors import BayesnetError

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the data, query and picture commands to the subparsers ``sub``."""

    p = sub.add_parser("summary", help="what the model holds: nodes, links, sources, scenarios")
    add_model(p)
    add_format(p)
    p.set_defaults(handler=cmd_summary)

    p = sub.add_parser("nodes", help="the codebook: every node with kind, stage, states")
    add_model(p)
    add_format(p)
    p.add_argument("--kind", choices=("context", "mechanism", "outcome"), help="only nodes of this kind")
    p.set_defaults(handler=cmd_nodes)

    p = sub.add_parser("edges", help="every link with its sign and distinct supporting sources")
    add_model(p)
    add_format(p, ("table", "json", "csv"))
    p.add_argument("--node", help="only links into or out of this node")
    p.set_defaults(handler=cmd_edges)

    p = sub.add_parser(
        "validate", help="check codebook/evidence files or a model folder; writes nothing",
        description="Check evidence files (YAML, CSV, XLSX) or whole model folders against the "
        "codebook. Errors name the file, line or row, field and value. Nothing is written.",
    )
    add_model(p)
    p.add_argument("paths", nargs="+", metavar="PATH", help="evidence files, folders, or model folders")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("render", help="draw the causal web (SVG, PNG, PDF or DOT)")
    add_model(p)
    p.add_argument("--out", required=True, metavar="FILE", help="output file; format from the suffix")
    p.add_argument("--no-feedback", action="store_true", help="leave out feedback (lag-1) links")
    p.set_defaults(handler=cmd_render)

    p = sub.add_parser("scenarios", help="the collaboration-type presets and their context values")
    add_model(p)
    add_format(p)
    p.set_defaults(handler=cmd_scenarios)

    p = sub.add_parser(
        "query", help="P(node | observations, interventions, scenario) with a credible interval",
        description="The distribution of one or more nodes. --given observes, --do intervenes "
        "(cuts the node's causes), --scenario observes a collaboration type's contexts. Each "
        "probability is the mean over posterior draws of the evidence, with a highest-density "
        "interval over the same draws: wide where few studies stand behind the links. --vs "
        "contrasts the --do settings with others, draw by draw.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n  bayesnet query collaborative_behaviour trust --scenario merger --do quick_wins=present\n"
        "  bayesnet query collaborative_behaviour --scenario integrated_care_system "
        "--do quick_wins=present --vs quick_wins=absent",
    )
    add_model(p)
    add_sources(p)
    p.add_argument("targets", nargs="+", metavar="TARGET", help="node id(s) to ask about")
    add_situation(p)
    p.add_argument(
        "--vs", action="append", default=[], metavar="NODE=STATE",
        help="contrast with the same question where this --do node is set to another state (repeatable): "
        "prints the paired difference, its interval and P(higher)",
    )
    add_uncertainty(p)
    p.add_argument("--joint", action="store_true", help="the joint distribution of the targets")
    add_format(p, ("table", "json", "csv"))
    p.set_defaults(handler=cmd_query)

    p = sub.add_parser(
        "compare", help="one node across several scenarios, as paired contrasts",
        description="P(TARGET = STATE) under each --scenario, over the same posterior draws, and the paired "
        "contrast of each with the baseline (the first scenario, or --baseline): the mean difference, its "
        "highest-density interval and P(higher), the share of draws in which the scenario is higher. Two "
        "intervals that overlap can still hide a difference that is positive in nearly every draw.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  bayesnet compare collaborative_behaviour --scenario buddying "
        "--scenario integrated_care_system --format json",
    )
    add_model(p)
    add_sources(p)
    p.add_argument("target", metavar="TARGET")
    p.add_argument("--state", help="state of TARGET whose probability is compared (default: its upper state)")
    add_situation(p, scenario_many=True)
    p.add_argument("--baseline", metavar="NAME",
                   help="the scenario the others are contrasted with (default: the first)")
    p.add_argument("--all-pairs", action="store_true", help="contrast every pair of scenarios")
    add_uncertainty(p)
    add_format(p, ("table", "json", "csv"))
    p.set_defaults(handler=cmd_compare)

    p = sub.add_parser(
        "export", help="write the posterior-mean network for other tools (BIF, XMLBIF, GeNIe, Hugin)",
        description="Write the network with posterior-mean parameters in the format FILE's suffix names,\n"
        "with its name, each node's label and definition, and the links into each node with the\n"
        "sources for and against them. The file answers as bayesnet's result.point does, not the\n"
        "headline (the mean over posterior draws), and carries no intervals, feedback links or scenarios.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="formats, by FILE's suffix:\n"
        "  .bif       BIF          pgmpy, pyAgrum, bnlearn (R)\n"
        "  .bifxml    XMLBIF       pyAgrum, pgmpy, Weka (.xmlbif and .xml too; pyAgrum opens only .bifxml)\n"
        "  .xdsl      GeNIe XDSL   GeNIe, SMILE, pgmpy     needs pyAgrum: pip install 'bayesnet[exports]'\n"
        "  .net       Hugin NET    Hugin, GeNIe, pyAgrum   needs pyAgrum: pip install 'bayesnet[exports]'\n\n"
        "Example:\n  bayesnet export --out model.bifxml",
    )
    add_model(p)
    p.add_argument("--out", required=True, metavar="FILE", help="output file; its suffix picks the format (below)")
    p.set_defaults(handler=cmd_export)



def cmd_summary(args: argparse.Namespace) -> int:
    from bayesnet.build import summary

    info = summary(load_model(args))
    if args.format == "json":
        print_json(info)
        return 0
    print(f"Model: {info['model']}")
    print(f"Nodes: {info['nodes']['total']} ({', '.join(f'{v} {k}s' for k, v in info['nodes']['by_kind'].items())})")
    print(f"Links: {info['links']['same_time']} same-time and {info['links']['feedback']} feedback "
          f"(lag 1); {info['links']['with_2_or_more_sources']} rest on two or more distinct sources")
    src = info["sources"]
    print(f"Sources: {src['included_studies']} included studies ({src['included_with_cmocs']} cited with "
          f"coded CMOCs, {src['included_without_cmocs']} never cited in the review's text), "
          f"{src['supporting_sources']} supporting sources, {src['review_synthesis']} review synthesis")
    print(f"Coded CMOCs: {info['cmocs']}")
    print("Best-supported links:")
    for link in info["top_links"]:
        print(f"  {link['from']:>28} {'+' if link['sign'] > 0 else '-'}> {link['to']:<26} "
              f"{link['n_support']} sources ({', '.join(link['support_ids'])})")
    print(f"Scenarios: {', '.join(info['scenarios'])}")
    return 0


def cmd_nodes(args: argparse.Namespace) -> int:
    model = load_model(args)
    nodes = [n.to_dict() for n in model.codebook if args.kind is None or n.kind == args.kind]
    if args.format == "json":
        print_json(nodes)
        return 0
    import pandas as pd

    frame = pd.DataFrame(nodes)[["id", "kind", "stage", "states", "modifiable", "label"]]
    frame["states"] = frame["states"].map("/".join)
    frame["modifiable"] = frame["modifiable"].map(lambda v: "" if v is None else ("yes" if v else "no"))
    print_frame(frame.set_index("id"))
    return 0


def cmd_edges(args: argparse.Namespace) -> int:
    model = load_model(args)
    table = model.links
    if args.node is not None:
        model.codebook[args.node]  # unknown node -> error with suggestions
        table = table[(table["from"] == args.node) | (table["to"] == args.node) | (table["when_node"] == args.node)]
    if args.format == "json":
        records = []
        for row in table.to_dict(orient="records"):
            row["support_ids"] = list(row["support_ids"])
            row["contradict_ids"] = list(row["contradict_ids"])
            has_when = isinstance(row["when_node"], str)
            row["when"] = {row["when_node"]: row["when_state"]} if has_when else None
            row["when_node"] = row["when_node"] if has_when else None
            row["when_state"] = row["when_state"] if has_when else None
            records.append(row)
        print_json(records)
        return 0
    out = table.copy()
    out["support_ids"] = out["support_ids"].map(";".join)
    out["contradict_ids"] = out["contradict_ids"].map(";".join)
    if args.format == "csv":
        from bayesnet.report.tables import csv_text

        sys.stdout.write(csv_text(out))
        return 0
    out["when"] = [
        f"{n}={s}" if isinstance(n, str) else "" for n, s in zip(out["when_node"], out["when_state"], strict=True)
    ]
    out["sign"] = out["sign"].map({1: "+", -1: "-"})
    print_frame(out[["from", "to", "sign", "when", "lag", "n_support", "n_contradict", "support_ids"]])
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from bayesnet.build.model import Model
    from bayesnet.inputs.evidence import Evidence
    from bayesnet.inputs.folder import read_evidence, read_model_files

    base = read_model_files(args.model)
    for raw in args.paths:
        path = Path(raw)
        if (path / "priors").is_dir():
            files = read_model_files(path)
            print(f"{path}: model folder OK ({len(files.codebook)} nodes, {len(files.evidence)} sources)")
            Model.from_files(files)  # acyclicity
        else:
            evidence = read_evidence([path], base.codebook)
            n = sum(len(s.cmocs) for s in evidence)
            print(f"{path}: OK ({len(evidence)} sources, {n} CMOCs)")
            merged = [s for s in base.evidence if s.id not in evidence] + list(evidence)
            Model(base.codebook, Evidence(merged), base.settings, base.scenarios).dag  # noqa: B018
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from bayesnet.files import check_output_file
    from bayesnet.report.causal_web import render, to_dot

    check_output_file(args.out, what="picture")
    model = load_model(args)
    dot = to_dot(model.codebook, model.links, show_feedback=not args.no_feedback,
                 title="Web of causality (Aunger, Millar and Greenhalgh 2021), coded")
    path, note = render(dot, args.out)
    if note:
        print(note, file=sys.stderr)
    print(f"wrote {path}")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    model = load_model(args)
    if args.format == "json":
        print_json([s.to_dict() for s in model.scenarios])
        return 0
    for s in model.scenarios:
        values = ", ".join(f"{v.node}={v.state}" for v in s.values)
        print(f"{s.id} ({s.label}): {values}")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from bayesnet.inference import parse_assignments, question, versus
    from bayesnet.inference.queries import answer_joint, answer_query

    model = load_model(args)
    post = posterior_of(model, args)
    q = question(model, args.targets, scenario=args.scenario, **situation_args(args))
    if args.vs:
        print_comparison(versus(q, post, parse_assignments(args.vs, "--vs")), args.format)
        return 0
    if args.joint:
        result = answer_joint(q, post)
        if args.format == "json":
            frame = result.frame.reset_index()
            print_json({"targets": list(result.targets), "given": dict(result.situation.given),
                        "do": dict(result.situation.do), "scenario": result.situation.scenario,
                        "joint": frame.to_dict(orient="records"), "draws": post.n_draws})
        else:
            print(result)
        return 0
    results = [answer_query(q.ask(t), post) for t in q.targets]
    if args.format == "json":
        data = [r.to_dict() for r in results]
        print_json(data[0] if len(data) == 1 else data)
    elif args.format == "csv":
        import pandas as pd

        write_csv(pd.concat([r.frame.assign(target=r.target) for r in results]).reset_index())
    else:
        print("\n\n".join(repr(r) for r in results))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from bayesnet.inference import compare

    model = load_model(args)
    if len(args.scenario) < 2:
        raise BayesnetError("name at least two --scenario to compare (see 'bayesnet scenarios')")
    result = compare(model, args.target, args.scenario, state=args.state, baseline=args.baseline,
                     all_pairs=args.all_pairs, draws=args.draws, seed=args.seed, hdi_prob=args.hdi,
                     **situation_args(args))
    print_comparison(result, args.format)
    return 0


def print_comparison(result: Any, fmt: str) -> None:
    """A :class:`~bayesnet.inference.Comparison` as a table, JSON or CSV (the contrasts)."""
    if fmt == "json":
        print_json(result.to_dict())
    elif fmt == "csv":
        write_csv(result.contrasts)
    else:
        print(result)


def cmd_export(args: argparse.Namespace) -> int:
    from bayesnet.build.exports import export, export_format

    fmt = export_format(args.out)  # suffix, folder and extra checked before the model is loaded
    path = export(load_model(args), args.out)
    print(f"wrote {path} ({fmt.name}; opens in {fmt.opened_by})")
    if path.suffix.lower() in {".xmlbif", ".xml"}:
        print("note: pyAgrum opens XMLBIF only under the suffix .bifxml")
    return 0


