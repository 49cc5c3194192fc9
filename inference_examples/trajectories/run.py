"""Trust and faith over time: a voluntary partnership with quick wins vs a mandated one in conflict.

Run from anywhere after installing the package::

    python inference_examples/trajectories/run.py [--draws 1000] [--out trajectories.svg]

The review contrasts a voluntary buddying arrangement, "likely to start with a high degree
of initial trust between partners and initial faith in the process", with mandated
integrated care systems that "do not allow for building of relationships". This script
runs both timelines of this folder through the time-sliced model (``bayesnet.dynamics.trajectories``):

* ``voluntary_quick_wins.yaml``: the buddying scenario, quick wins in slices 2 and 3,
  evaluation and dissemination of progress in slice 4;
* ``mandated_early_conflict.yaml``: the integrated care system scenario, a conflict in
  slice 2 and leadership turnover in slice 4;

and prints, for each slice, P(trust high), P(faith high) and P(collaborative behaviour) with
their 94% highest-density intervals, the collaborative-inertia verdict, and the effect of
the first quick win (the voluntary timeline against the same timeline without it). It
draws both as side-by-side panels (``--out``, SVG or PNG). The same from the command line::

    bayesnet trajectory --timeline inference_examples/trajectories/voluntary_quick_wins.yaml --out v.svg
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

import bayesnet
from bayesnet import Inertia, Timeline, collaborative_inertia, read_timeline, trajectory, write_trajectory_plot

HERE = Path(__file__).resolve().parent
TIMELINES = {"voluntary": HERE / "voluntary_quick_wins.yaml", "mandated": HERE / "mandated_early_conflict.yaml"}
NODES = ("trust", "faith", "collaborative_behaviour")
SEED = 20210602


def run(model: bayesnet.Model, *, draws: int = 1000, seed: int = SEED) -> dict[str, Inertia]:
    """Both timelines: name -> :class:`Inertia` (its ``trajectory`` follows faith, trust, behaviour)."""
    post = bayesnet.posterior(model, draws=draws, seed=seed)
    return {
        name: collaborative_inertia(model, read_timeline(path), post, also=NODES) for name, path in TIMELINES.items()
    }


def without_first_quick_win(timeline: Timeline) -> Timeline:
    """The same timeline with its first quick-win event left out."""
    first = next(i for i, e in enumerate(timeline.events) if "quick_wins" in e.do)
    return replace(timeline, events=timeline.events[:first] + timeline.events[first + 1 :])


def quick_win_effect(model: bayesnet.Model, *, draws: int | None = None, seed: int = SEED) -> pd.DataFrame:
    """P(trust high) per slice on the voluntary timeline, with and without its first quick win."""
    timeline = read_timeline(TIMELINES["voluntary"])
    post = None if draws is None else bayesnet.posterior(model, draws=draws, seed=seed)
    with_it = trajectory(model, timeline, post, nodes=["trust"])
    without = trajectory(model, without_first_quick_win(timeline), post, nodes=["trust"])
    frame = pd.DataFrame(
        {"with": with_it.point[0], "without": without.point[0]}, index=pd.Index(with_it.slice_names, name="slice")
    )
    frame["difference"] = frame["with"] - frame["without"]
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", default=str(HERE / "trajectories.svg"), help="picture (.svg or .png)")
    args = parser.parse_args(argv)
    model = bayesnet.load()
    results = run(model, draws=args.draws, seed=args.seed)
    for name, result in results.items():
        traj = result.trajectory.select(NODES)
        print(f"== {name}: scenario {traj.scenario}")
        for event in traj.events:
            print(f"   slice {event.slice} ({traj.slice_names[event.slice - 1]}): {event.describe()}")
        table = traj.frame[["slice_name", "probability", "low", "high"]]
        with pd.option_context("display.width", 160):
            print(table.round(3).to_string())
        print(result.describe())
        print()
    print("First quick win (slice 2) on the voluntary timeline, P(trust high):")
    print(quick_win_effect(model).round(3).to_string())
    titles = [
        f"voluntary (buddying) with quick wins; {args.draws} draws",
        f"mandated (integrated care system) with an early conflict; {args.draws} draws",
    ]
    path = write_trajectory_plot(
        [r.trajectory.select(NODES) for r in results.values()],
        args.out,
        titles=titles,
        threshold=results["voluntary"].threshold,
    )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
