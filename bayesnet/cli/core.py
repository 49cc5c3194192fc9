"""Commands over the data, the network and its queries: summary, nodes, edges, validate,
render, scenarios, query, compare, export."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
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
    link_text,
    load_model,
    model_folder,
    names_of,
    posterior_of,
    say_model,
    scenario_values_text,
    steps_of,
)
from bayesnet.defaults import DEFAULT_MAX_ERRORS
from bayesnet.errors import BayesnetError, InputError

__all__ = ["register"]

RAW = HelpFormatter


def _epilog(examples: str, *extra: str) -> str:
    return "Examples:\n" + examples.rstrip("\n") + "\n\n" + "\n".join(e.rstrip("\n") + "\n" for e in extra)


def register(sub: Any) -> None:
    """Add the data, query and picture commands to the subparsers ``sub``."""

    p = sub.add_parser(
        "summary", help="what the model holds: nodes, links, sources, scenarios",
        description="Count the model's nodes (by kind), links (same-time and feedback), sources (by kind) and "
        "coded CMOCs, and list the ten links the most distinct sources support, with their ids.",
        formatter_class=RAW,
        epilog=_epilog("  bayesnet summary\n  bayesnet summary --model my_model/ --format json\n", NOTATION,
                       MODEL_EPILOG),
    )
    add_model(p)
    add_format(p)
    p.set_defaults(handler=cmd_summary)

    p = sub.add_parser(
        "nodes", help="the codebook: every node with kind, stage, states",
        description="List the codebook: each node's id (what commands take), label (what tables show), "
        "kind (context, mechanism, outcome), stage, states (lower first, upper last) and, for contexts, "
        "whether implementers can change it.",
        formatter_class=RAW,
        epilog=_epilog("  bayesnet nodes --kind context\n  bayesnet nodes --format csv > codebook.csv\n",
                       MODEL_EPILOG),
    )
    add_model(p)
    add_format(p, ids=False)
    p.add_argument("--kind", choices=("context", "mechanism", "outcome"), help="only nodes of this kind "
                   "(default: all)")
    p.set_defaults(handler=cmd_nodes)

    p = sub.add_parser(
        "edges", help="every link with its id, sign and distinct supporting sources",
        description="List every link of the causal web: its id, the link written out, and the distinct "
        "sources that support and contradict it.",
        formatter_class=RAW,
        epilog=_epilog("  bayesnet edges --node trust\n  bayesnet edges --ids --format table\n"
                       "  bayesnet edges --format csv > links.csv\n", NOTATION, MODEL_EPILOG),
    )
    add_model(p)
    add_format(p)
    p.add_argument("--node", help="only links into or out of this node, or moderated by it (default: all)")
    p.set_defaults(handler=cmd_edges)

    p = sub.add_parser(
        "validate", help="check codebook/evidence files or a model folder; writes nothing",
        description="Check evidence files (YAML, CSV, XLSX) or whole model folders against the codebook, and "
        "that the links they add close no cycle. Every error of every file is listed in one run, each naming "
        "the file, line or row, field and value, with the closest valid name; a path is called OK only once "
        "all of it, the causal web included, has been checked. Nothing is written. Exit status 2 when any "
        "path has an error.",
        formatter_class=RAW,
        epilog=_epilog("  bayesnet validate new_study.yaml\n  bayesnet validate extraction.xlsx --model my_model/\n"
                       "  bayesnet validate my_model/ --format json\n",
                       "Evidence files are checked against the codebook of --model (or of the model folder you "
                       "are in, or the embedded one).", MODEL_EPILOG),
    )
    add_model(p)
    p.add_argument("paths", nargs="+", metavar="PATH", help="evidence files, folders of them, or model folders")
    p.add_argument("--max-errors", type=int_arg("max-errors"), default=DEFAULT_MAX_ERRORS, metavar="N",
                   help=f"list at most N errors per path, then say how many more (default: {DEFAULT_MAX_ERRORS})")
    add_format(p, ids=False)
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser(
        "render", help="draw the causal web (SVG, PNG, PDF or DOT)",
        description="Draw the causal web in the review's colours (contexts green boxes, mechanisms and "
        "outcomes blue ellipses; promoting links solid, inhibiting ones with a bar head, moderated ones "
        "labelled [when m=s], feedback links dashed). Needs Graphviz's 'dot' for SVG, PNG and PDF; without "
        "it the DOT source is written and the command says so.",
        formatter_class=RAW,
        epilog=_epilog("  bayesnet render --out causal_web.svg\n  bayesnet render --out web.dot --no-feedback\n",
                       MODEL_EPILOG),
    )
    add_model(p)
    p.add_argument("--out", required=True, metavar="FILE", help="output file; the format from the suffix "
                   "(.svg, .png, .pdf, .dot)")
    p.add_argument("--no-feedback", action="store_true", help="leave out feedback (lag-1) links (default: drawn "
                   "dashed)")
    p.set_defaults(handler=cmd_render)

    p = sub.add_parser(
        "scenarios", help="the collaboration-type presets and their context values",
        description="List the collaboration-type presets (--scenario NAME in query, compare, sensitivity, "
        "report, trajectory): each one's id, label and the context values it observes.",
        formatter_class=RAW,
        epilog=_epilog("  bayesnet scenarios\n  bayesnet scenarios --ids\n  bayesnet scenarios --format json\n",
                       MODEL_EPILOG),
    )
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
        formatter_class=RAW,
        epilog=_epilog("  bayesnet query collaborative_behaviour --scenario buddying\n"
                       "  bayesnet query collaborative_behaviour trust --scenario merger --do quick_wins=present\n"
                       "  bayesnet query collaborative_behaviour --scenario integrated_care_system "
                       "--do quick_wins=present --vs quick_wins=absent\n"
                       "  bayesnet query trust faith --joint --format csv\n", MODEL_EPILOG),
    )
    add_model(p)
    add_sources(p)
    p.add_argument("targets", nargs="+", metavar="TARGET", help="node id(s) to ask about")
    add_situation(p)
    p.add_argument(
        "--vs", action="append", default=[], metavar="NODE=STATE",
        help="contrast with the same question where this --do node is set to another state (repeatable): "
        "prints the paired difference, its interval and P(higher) (default: no contrast)",
    )
    add_uncertainty(p)
    p.add_argument("--joint", action="store_true", help="the joint distribution of the targets (default: each "
                   "target's own distribution)")
    add_format(p)
    add_quiet(p)
    p.set_defaults(handler=cmd_query)

    p = sub.add_parser(
        "compare", help="one node across several scenarios, as paired contrasts",
        description="P(TARGET = STATE) under each --scenario, over the same posterior draws, and the paired "
        "contrast of each with the baseline (the first scenario, or --baseline): the mean difference, its "
        "highest-density interval and P(higher), the share of draws in which the scenario is higher. Two "
        "intervals that overlap can still hide a difference that is positive in nearly every draw.",
        formatter_class=RAW,
        epilog=_epilog("  bayesnet compare collaborative_behaviour --scenario buddying --scenario "
                       "integrated_care_system\n"
                       "  bayesnet compare trust --scenario merger --scenario buddying --scenario joint_commissioning "
                       "--all-pairs --format json\n"
                       "  bayesnet compare collaborative_behaviour --scenario buddying --scenario merger "
                       "--format csv --table situations\n", MODEL_EPILOG),
    )
    add_model(p)
    add_sources(p)
    p.add_argument("target", metavar="TARGET", help="node id to compare")
    p.add_argument("--state", help="state of TARGET whose probability is compared (default: its upper state)")
    add_situation(p, scenario_many=True)
    p.add_argument("--baseline", metavar="NAME",
                   help="the scenario the others are contrasted with (default: the first)")
    p.add_argument("--all-pairs", action="store_true", help="contrast every pair of scenarios (default: each "
                   "with the baseline)")
    add_uncertainty(p)
    add_format(p)
    p.add_argument("--table", choices=("contrasts", "situations"), default="contrasts",
                   help="with --format csv: which table to print (default: contrasts)")
    add_quiet(p)
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
        "Examples:\n  bayesnet export --out model.bifxml\n  bayesnet export --model my_model/ --out model.xdsl\n\n"
        + MODEL_EPILOG,
    )
    add_model(p)
    p.add_argument("--out", required=True, metavar="FILE", help="output file; its suffix picks the format (below)")
    p.set_defaults(handler=cmd_export)


# --- summary, nodes, edges, scenarios ---------------------------------------------------------


def cmd_summary(args: argparse.Namespace) -> int:
    from bayesnet.build import summary

    model = load_model(args)
    info = summary(model)
    info.pop("model")  # the 'model' field says which model answered, as in every command

    def text() -> str:
        import pandas as pd

        links, src = info["links"], info["sources"]
        lines = [
            f"Nodes: {info['nodes']['total']} "
            f"({', '.join(f'{v} {k}s' for k, v in info['nodes']['by_kind'].items())})",
            f"Links: {links['same_time'] + links['feedback']}: {links['same_time']} same-time and "
            f"{links['feedback']} feedback [next slice]; {links['with_2_or_more_sources']} rest on two or more "
            "distinct sources",
            f"Sources: {src['included_studies']} included studies ({src['included_with_cmocs']} cited with coded "
            f"CMOCs, {src['included_without_cmocs']} never cited in the review's text), "
            f"{src['supporting_sources']} supporting sources, {src['review_synthesis']} review synthesis",
            f"Coded CMOCs: {info['cmocs']}",
            "Best-supported links (id, the link, distinct supporting sources):",
        ]
        top = pd.DataFrame(info["top_links"])
        shown = top.assign(link=top["name"] if args.ids else top["label"],
                           support_ids=top["support_ids"].map(", ".join))
        shown.index = pd.Index(top["link"], name="id")
        lines.append(frame_text(shown[["link", "n_support", "support_ids"]]))
        lines.append(f"Scenarios: {', '.join(info['scenarios'])}")
        return "\n".join(lines)

    def frame() -> Any:
        import pandas as pd

        rows = [{"item": k, "value": v} for k, v in _flat(info).items()]
        return pd.DataFrame(rows, columns=["item", "value"])

    emit(args, model, data=lambda: info, frame=frame, text=text)
    return 0


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    """A nested summary as ``a.b.c -> value`` rows (lists of records by position, other lists
    joined by ';')."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(_flat(v, f"{prefix}{k}."))
    elif isinstance(data, list) and any(isinstance(v, dict) for v in data):
        for i, v in enumerate(data):
            out.update(_flat(v, f"{prefix}{i}."))
    elif isinstance(data, list):
        out[prefix[:-1]] = ";".join(map(str, data))
    else:
        out[prefix[:-1]] = data
    return out


def cmd_nodes(args: argparse.Namespace) -> int:
    import pandas as pd

    model = load_model(args)
    nodes = [n.to_dict() for n in model.codebook if args.kind is None or n.kind == args.kind]
    table = pd.DataFrame(nodes, columns=list(model.codebook.nodes[0].to_dict()))
    table["states"] = table["states"].map("/".join)

    def text() -> str:
        shown = table[["id", "label", "kind", "stage", "states", "modifiable"]].copy()
        shown["modifiable"] = shown["modifiable"].map(lambda v: "" if v is None else ("yes" if v else "no"))
        return frame_text(shown.set_index("id"))

    emit(args, model, data=lambda: {"nodes": nodes}, frame=lambda: table, text=text)
    return 0


def cmd_edges(args: argparse.Namespace) -> int:
    model = load_model(args)
    table = model.links
    if args.node is not None:
        model.codebook[args.node]  # unknown node -> error with suggestions
        table = table[(table["from"] == args.node) | (table["to"] == args.node) | (table["when_node"] == args.node)
                      | (table["and_node"] == args.node)]
    records = table.to_dict(orient="records")
    names = [link_text(model, r, labels=False) for r in records]
    labels = [link_text(model, r, labels=True) for r in records]

    def data() -> dict[str, Any]:
        out = []
        for row, name, label in zip(records, names, labels, strict=True):
            has_when = isinstance(row["when_node"], str)
            out.append({
                "link": int(row["link"]), "name": name, "label": label, **{k: v for k, v in row.items() if k != "link"},
                "support_ids": list(row["support_ids"]), "contradict_ids": list(row["contradict_ids"]),
                "when": {row["when_node"]: row["when_state"]} if has_when else None,
                "when_node": row["when_node"] if has_when else None,
                "when_state": row["when_state"] if has_when else None,
            })
        return {"links": out}

    def frame() -> Any:
        out = table.copy()
        out.insert(1, "name", names)
        out.insert(2, "label", labels)
        out["support_ids"] = out["support_ids"].map(";".join)
        out["contradict_ids"] = out["contradict_ids"].map(";".join)
        return out

    def text() -> str:
        out = frame().set_index("link")
        out["name"] = out["name" if args.ids else "label"]
        out = out[["name", "n_support", "n_contradict", "support_ids"]]
        return frame_text(out.rename(columns={"name": "the link"}))

    emit(args, model, data=data, frame=frame, text=text)
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    import pandas as pd

    model = load_model(args)
    names = names_of(model, args)

    def text() -> str:
        blocks = []
        for s in model.scenarios:
            if args.ids:
                values = ", ".join(f"{v.node}={v.state}" for v in s.values)
            else:
                values = ", ".join(f"{names[v.node]} = {v.state}" for v in s.values)
            about = textwrap.fill(" ".join(s.description.split()), width=96, initial_indent="  ",
                                  subsequent_indent="  ")
            blocks.append(f"{s.id} ({s.label}): {values or '(sets nothing)'}\n{about}")
        return "\n\n".join(blocks)

    def frame() -> Any:
        rows = [{"scenario": s.id, "scenario_label": s.label, "collaboration_type": s.collaboration_type,
                 "description": " ".join(s.description.split()), "node": v.node, "node_label": model.labels[v.node],
                 "state": v.state, "basis": v.basis, "section": v.section}
                for s in model.scenarios for v in s.values]
        rows += [{"scenario": s.id, "scenario_label": s.label, "collaboration_type": s.collaboration_type,
                  "description": " ".join(s.description.split())} for s in model.scenarios if not s.values]
        return pd.DataFrame(rows, columns=["scenario", "scenario_label", "collaboration_type", "description", "node",
                                           "node_label", "state", "basis", "section"])

    emit(args, model, data=lambda: {"scenarios": [s.to_dict() for s in model.scenarios]}, frame=frame, text=text)
    return 0


# --- validate ---------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from bayesnet.build.graph import locate_cycle
    from bayesnet.build.model import Model
    from bayesnet.checks import check_positive_int
    from bayesnet.errors import CycleError
    from bayesnet.inputs.evidence import Evidence
    from bayesnet.inputs.folder import read_evidence, read_model_files

    check_positive_int(args.max_errors, "max_errors", "validate")
    # the model evidence files are checked against; a model folder named as a PATH is checked
    # on its own, so 'bayesnet validate .' in a broken folder lists all its errors
    try:
        base: Any = Model.from_files(read_model_files(model_folder(args.model)))
        base_error: InputError | None = None
    except InputError as err:
        base, base_error = None, err
    checked: list[dict[str, Any]] = []
    for raw in args.paths:
        path = Path(raw)
        entry: dict[str, Any] = {"path": str(path), "what": "evidence", "ok": False, "nodes": None,
                                 "sources": None, "cmocs": None, "errors": []}
        try:
            if (path / "priors").is_dir():
                entry["what"] = "model folder"
                files = read_model_files(path)
                Model.from_files(files)  # the causal web closes no cycle
                entry["nodes"] = len(files.codebook)
                sources = list(files.evidence)
            else:
                if base_error is not None:
                    raise base_error  # no codebook to check the file against
                evidence = read_evidence([path], base.codebook)
                merged = Evidence([s for s in base.evidence if s.id not in evidence] + list(evidence))
                try:
                    Model(base.codebook, merged, base.settings, base.scenarios).dag  # noqa: B018
                except CycleError as err:
                    # named at this file's own CMOC on the cycle when it states one
                    located = locate_cycle(err, evidence)
                    raise (located if located.path is not None else locate_cycle(err, merged)) from None
                sources = list(evidence)
            entry["sources"] = len(sources)
            entry["cmocs"] = sum(len(s.cmocs) for s in sources)
            entry["ok"] = True
        except InputError as err:
            entry["errors"] = err.errors
        checked.append(entry)
    failed = [e for e in checked if not e["ok"]]
    cap = args.max_errors

    def data() -> dict[str, Any]:
        out = []
        for e in checked:
            shown = [_error_record(err) for err in e["errors"][:cap]]
            out.append({**e, "errors": shown, "more_errors": max(0, len(e["errors"]) - cap)})
        return {"ok": not failed, "paths": out}

    def frame() -> Any:
        import pandas as pd

        rows = []
        for e in checked:
            head = {"path": e["path"], "what": e["what"], "sources": e["sources"], "cmocs": e["cmocs"]}
            if e["ok"]:
                rows.append({**head, "status": "ok"})
            rows.extend({**head, "status": "error", **_error_record(one)} for one in e["errors"][:cap])
            if len(e["errors"]) > cap:
                rows.append({**head, "status": "more errors", "message": f"{len(e['errors']) - cap} more"})
        columns = ["path", "what", "status", "sources", "cmocs", "file", "line", "field", "value", "type",
                   "message", "suggestions"]
        return pd.DataFrame(rows, columns=columns)

    if args.format != "table":
        emit(args, base, data=data, frame=frame, text=str)
        return 2 if failed else 0
    if not failed and base is not None:
        say_model(base)
    for e in checked:
        if e["ok"]:
            what = (f"model folder: {e['nodes']} nodes, " if e["what"] == "model folder" else "")
            print(f"{e['path']}: OK ({what}{_count(e['sources'], 'source')}, {_count(e['cmocs'], 'CMOC')})")
            continue
        for one in e["errors"][:cap]:
            print(f"bayesnet validate: error: {one.message}", file=sys.stderr)
        if len(e["errors"]) > cap:
            print(f"bayesnet validate: error: {e['path']}: and {len(e['errors']) - cap} more errors "
                  f"({len(e['errors'])} in all; --max-errors N lists more)", file=sys.stderr)
    return 2 if failed else 0


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _error_record(err: InputError) -> dict[str, Any]:
    value = err.value
    if not isinstance(value, str | int | float | bool | type(None)):
        value = repr(value)
    return {"file": err.path, "line": err.line, "field": err.field, "value": value, "type": type(err).__name__,
            "message": err.message, "suggestions": ";".join(err.suggestions)}


# --- render, export ---------------------------------------------------------------------------


def cmd_render(args: argparse.Namespace) -> int:
    from bayesnet.files import check_output_file
    from bayesnet.report.causal_web import render, to_dot

    check_output_file(args.out, what="picture")
    model = load_model(args)
    dot = to_dot(model.codebook, model.links, show_feedback=not args.no_feedback,
                 title="Web of causality (Aunger, Millar and Greenhalgh 2021), coded")
    path, note = render(dot, args.out)
    say_model(model)
    if note:
        print(note, file=sys.stderr)
    print(f"wrote {path}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bayesnet.build.exports import export, export_format

    fmt = export_format(args.out)  # suffix, folder and extra checked before the model is loaded
    model = load_model(args)
    path = export(model, args.out)
    say_model(model)
    print(f"wrote {path} ({fmt.name}; opens in {fmt.opened_by})")
    if path.suffix.lower() in {".xmlbif", ".xml"}:
        print("note: pyAgrum opens XMLBIF only under the suffix .bifxml")
    return 0


# --- query, compare ---------------------------------------------------------------------------


def cmd_query(args: argparse.Namespace) -> int:
    from bayesnet.inference import parse_assignments, question, versus
    from bayesnet.inference.queries import answer_joint, answer_query

    with steps_of(args, "query", ["reading the model", "drawing the parameters", "answering"]) as step:
        step("reading the model")
        model = load_model(args)
        post = posterior_of(model, args)
        q = question(model, args.targets, scenario=args.scenario, given=parse_assignments(args.given, "--given"),
                     do=parse_assignments(args.do, "--do"))
        step("drawing the parameters")
        post.cpts  # noqa: B018 - drawn once here (cached by the model), so the bar can say so
        step("answering")
        if args.vs:
            result: Any = versus(q, post, parse_assignments(args.vs, "--vs"))
        elif args.joint:
            result = answer_joint(q, post)
        else:
            result = [answer_query(q.ask(t), post) for t in q.targets]
    if args.vs:
        print_comparison(args, model, result)
        if getattr(args, "format", "table") == "table" and args.scenario is not None:
            print(scenario_values_text(model, args.scenario, ids=args.ids))
    elif args.joint:
        _print_joint(args, model, result)
    else:
        _print_results(args, model, result)
    return 0


def _print_results(args: argparse.Namespace, model: Any, results: list[Any]) -> None:
    def data() -> dict[str, Any]:
        extra = _scenario_values(model, args)
        dicts = [{**r.to_dict(), "label": model.labels[r.target], **extra} for r in results]
        return dicts[0] if len(dicts) == 1 else {"results": dicts}

    def frame() -> Any:
        import pandas as pd

        return pd.concat([r.frame.assign(target=r.target, label=model.labels[r.target]) for r in results]).reset_index()

    def text() -> str:
        return _with_scenario("\n\n".join(repr(r) if args.ids else _labelled(r) for r in results), model, args)

    emit(args, model, data=data, frame=frame, text=text)


def _scenario_values(model: Any, args: argparse.Namespace) -> dict[str, Any]:
    """``{"scenario_values": {node: state}}`` of the ``--scenario`` preset, or ``{}``."""
    if args.scenario is None:
        return {}
    return {"scenario_values": dict(model.scenarios[args.scenario].assignment)}


def _with_scenario(text: str, model: Any, args: argparse.Namespace) -> str:
    """``text`` and, under it, what the ``--scenario`` preset set (nothing without one)."""
    line = scenario_values_text(model, args.scenario, ids=args.ids)
    return f"{text}\n{line}" if line else text


def _labelled(result: Any) -> str:
    """A query's answer as its ``repr`` writes it, the question in labels."""
    q = result.question
    body = repr(result).split("\n", 1)[1]
    return f"P({q.label(result.target)} | {q.situation_text(labels=True)})\n{body}\n  {result.headline_text()}"


def _print_joint(args: argparse.Namespace, model: Any, result: Any) -> None:
    frame = result.frame

    def data() -> dict[str, Any]:
        sit = result.situation
        return {"targets": list(result.targets), "labels": [model.labels[t] for t in result.targets],
                "given": dict(sit.given), "do": dict(sit.do), "scenario": sit.scenario,
                **_scenario_values(model, args),
                "joint": frame.reset_index().to_dict(orient="records"), "draws": result.draws.shape[0]
                if result.draws is not None else 0}

    def text() -> str:
        if args.ids:
            return _with_scenario(repr(result), model, args)
        q = result.question
        shown = frame.round(4)
        shown.index = shown.index.set_names([q.label(t) for t in result.targets])
        return _with_scenario(f"P({', '.join(q.label(t) for t in result.targets)} | "
                              f"{q.situation_text(labels=True)})\n" + frame_text(shown), model, args)

    emit(args, model, data=data, frame=frame.reset_index, text=text)


def cmd_compare(args: argparse.Namespace) -> int:
    from bayesnet.inference import compare, parse_assignments

    if len(args.scenario) < 2:
        raise BayesnetError("name at least two --scenario to compare (see 'bayesnet scenarios')")
    with steps_of(args, "compare", ["reading the model", "drawing the parameters", "comparing"]) as step:
        step("reading the model")
        model = load_model(args)
        post = posterior_of(model, args)
        step("drawing the parameters")
        post.cpts  # noqa: B018 - drawn once here (cached by the model); compare() reuses them
        step("comparing")
        result = compare(model, args.target, args.scenario, state=args.state, baseline=args.baseline,
                         all_pairs=args.all_pairs, draws=args.draws, seed=args.seed, hdi_prob=args.hdi,
                         given=parse_assignments(args.given, "--given"), do=parse_assignments(args.do, "--do"))
    print_comparison(args, model, result)
    return 0


def print_comparison(args: argparse.Namespace, model: Any, result: Any) -> None:
    """A :class:`~bayesnet.inference.Comparison` as a table (labels), JSON or CSV (``--table``)."""

    def frame() -> Any:
        if getattr(args, "table", "contrasts") == "situations":
            sits = result.situations.drop(columns=["described"]).reset_index()
            return sits.assign(label=sits["situation"].map(result.label))
        con = result.contrasts
        return con.assign(situation_label=con["situation"].map(result.label),
                          baseline_label=con["baseline"].map(result.label))

    def text() -> str:
        if args.ids:
            return repr(result)
        post = result.posterior
        q = result.questions[0]
        lines = [f"P({q.label(result.target)} = {result.state}): mean and {post.hdi_prob:.0%} HDI over "
                 f"{post.n_draws} draws"]
        for name, r in result.situations.iterrows():
            lines.append(f"  {result.label(name):<40} {r['probability']:.3f}  [{r['low']:.3f}, {r['high']:.3f}]")
        lines.append(f"Paired contrasts (the same draws on both sides), {post.hdi_prob:.0%} HDI of the difference:")
        lines.extend(f"  {result.label(r.situation)} - {result.label(r.baseline)}: {r.difference:+.3f}  "
                     f"[{r.low:+.3f}, {r.high:+.3f}]  P(higher) {r.p_higher:.2f}"
                     for r in result.contrasts.itertuples(index=False))
        lines.append(result.headline_text())
        return "\n".join(lines)

    emit(args, model, data=result.to_dict, frame=frame, text=text)

