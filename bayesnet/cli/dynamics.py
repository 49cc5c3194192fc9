"""The ``trajectory`` command: trust, faith and collaborative behaviour over a collaboration's
slices, given a scenario and a timeline of events, with credible bands and collaborative
inertia."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bayesnet.cli.common import (
    MODEL_EPILOG,
    HelpFormatter,
    add_format,
    add_model,
    add_quiet,
    add_uncertainty,
    emit,
    float_arg,
    frame_text,
    int_arg,
    load_model,
    names_of,
    posterior_of,
    steps_of,
)
from bayesnet.defaults import DEFAULT_INERTIA_THRESHOLD, DEFAULT_TRAJECTORY_DRAWS

__all__ = ["register"]

_EPILOG = """\
A timeline file (YAML):
  scenario: buddying          # optional; --scenario replaces it
  slices: 5                   # optional; --slices replaces it
  events:
    - slice: 2
      do: {quick_wins: present}
      label: quick win        # optional, shown on the picture
    - slice: 4
      given: {acute_events: present}

Examples:
  bayesnet trajectory --scenario buddying --timeline inference_examples/trajectories/voluntary_quick_wins.yaml \\
      --out buddying.svg
  bayesnet trajectory --scenario integrated_care_system --node conflict --format csv
"""


def register(sub: Any) -> None:
    """Add the ``trajectory`` command to the subparsers ``sub``."""
    p = sub.add_parser(
        "trajectory",
        help="trust, faith and collaborative behaviour over time, given a timeline of events",
        description="P(upper state) of trust, faith and collaborative behaviour (or the --node given) in each "
        "slice of a collaboration (connecting, early life, mid-life, mature, sustained), given a scenario and "
        "a timeline of events, each with a highest-density interval over posterior draws. The review's "
        "feedback loops (lost trust breeds conflict, conflict erodes trust and faith ...) run from one slice "
        "to the next; see docs/dynamics.md. Also reports collaborative inertia: the first slice from which "
        "P(faith high) stays below --inertia-threshold, and the modifiable context that best delays it.",
        epilog=_EPILOG + "\n" + MODEL_EPILOG,
        formatter_class=HelpFormatter,
    )
    add_model(p)
    p.add_argument("--scenario", metavar="NAME", help="a collaboration-type preset (see 'bayesnet scenarios'; "
                   "default: the timeline's, else none)")
    p.add_argument("--timeline", metavar="FILE", help="a YAML timeline of events (default: no events)")
    p.add_argument("--slices", type=int_arg("slices"), metavar="N",
                   help="number of slices (default: the timeline's, else 5)")
    p.add_argument(
        "--node",
        action="append",
        default=[],
        metavar="NODE",
        help="a node to follow (repeatable; default trust, faith, collaborative_behaviour)",
    )
    p.add_argument(
        "--persistence",
        type=float_arg("persistence"),
        metavar="P",
        help="probability that trust and faith carry over from one slice to the next rather than "
        "being formed anew from their causes, in [0, 1] (default: priors/settings.yaml)",
    )
    p.add_argument(
        "--inertia-threshold",
        type=float_arg("inertia-threshold"),
        default=DEFAULT_INERTIA_THRESHOLD,
        metavar="P",
        help="P(faith high) below which a collaboration is in collaborative inertia "
        f"(default {DEFAULT_INERTIA_THRESHOLD})",
    )
    add_uncertainty(p, draws=DEFAULT_TRAJECTORY_DRAWS)
    p.add_argument("--out", metavar="FILE", help="also draw the trajectory to FILE.svg or FILE.png (name it for "
                   "what it shows, e.g. buddying_quick_wins.svg; default: no picture)")
    p.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                   help="also answer the same collaboration without the timeline's events, over the same draws, "
                   "and draw it dashed (default: on when the timeline has events)")
    p.add_argument("--bands", action=argparse.BooleanOptionalAction, default=True,
                   help="draw the credible bands on the picture (light); --no-bands draws the lines only (default: "
                   "bands)")
    add_format(p)
    add_quiet(p)
    p.set_defaults(handler=cmd_trajectory)


def cmd_trajectory(args: argparse.Namespace) -> int:
    from bayesnet.dynamics import trajectory_and_inertia
    from bayesnet.inputs import read_timeline

    if args.out:
        from bayesnet.files import check_output_file

        check_output_file(args.out, suffixes=(".svg", ".png"), what="picture")
    with steps_of(args, "trajectory", ["reading the model", "following the collaboration over time"]) as step:
        step("reading the model")
        model = load_model(args)
        timeline = read_timeline(args.timeline) if args.timeline else None
        post = posterior_of(model, args)
        step("following the collaboration over time")
        traj, inertia = trajectory_and_inertia(
            model, timeline, post, nodes=args.node or None, threshold=args.inertia_threshold,
            scenario=args.scenario, n_slices=args.slices, persistence=args.persistence, baseline=args.baseline,
        )
    if args.out:
        from bayesnet.report import write_trajectory_plot

        path = write_trajectory_plot(traj, args.out, inertia=inertia, bands=args.bands)
        print(f"wrote {path}", file=sys.stderr)

    def data() -> dict[str, Any]:
        out = traj.to_dict()
        out["labels"] = {n: model.labels[n] for n in traj.nodes}
        out["inertia"] = None if inertia is None else inertia.to_dict()
        return out

    def frame() -> Any:
        out = traj.frame.reset_index()
        out.insert(1, "label", out["node"].map(model.labels))
        return out

    def text() -> str:
        names = names_of(model, args)
        lines = [f"scenario: {traj.scenario or 'none'}; persistence {traj.persistence:g}; "
                 f"{traj.n_draws} draws, {traj.hdi_prob:.0%} HDI"]
        lines += [f"  event in slice {e.slice} ({traj.slice_names[e.slice - 1]}): {e.describe()}" for e in traj.events]
        lines.append(traj.headline_text())
        shown = traj.frame.round(3)
        shown.index = shown.index.set_levels([names.get(n, n) for n in shown.index.levels[0]], level=0)
        lines.append(frame_text(shown))
        if inertia is not None:
            lines.append(inertia.describe())
            if not inertia.levers.empty:
                lines.append("Levers (do from the slice before the onset to the end), best first:")
                levers = inertia.levers.head(5).round(3)
                levers["lever"] = levers["lever"].map(lambda v: names.get(v, v))
                lines.append(frame_text(levers))
        return "\n".join(lines)

    emit(args, model, data=data, frame=frame, text=text)
    return 0
