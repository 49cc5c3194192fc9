"""Compare the review's collaboration types: how likely is collaborative behaviour in each?

Run from anywhere after installing the package::

    python inference_examples/compare_collaboration_types.py [--draws 4000] [--csv out.csv]

For every collaboration-type scenario of the embedded model (priors/scenarios.yaml) it
prints P(collaborative_behaviour = collaborative) (the mean over posterior draws) and its 94%
highest-density interval, sorted from most to least likely, the paired difference from
buddying with P(higher), and the contexts each scenario fixes. All scenarios share the same
posterior draws, so their ranking is not Monte Carlo noise.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

import bayesnet

TARGET = "collaborative_behaviour"


def collaboration_table(model: bayesnet.Model, *, draws: int = 4000, seed: int = 20210602) -> pd.DataFrame:
    """One row per scenario: P(target upper), its HDI, the paired contrast with buddying, and
    the contexts it fixes."""
    comparison = bayesnet.compare(model, TARGET, list(model.scenarios.ids), baseline="buddying", draws=draws,
                                  seed=seed)
    table = comparison.situations[["probability", "low", "high"]].copy()
    contrasts = comparison.contrasts.set_index("situation")
    table["vs_buddying"] = contrasts["difference"]
    table["p_higher"] = contrasts["p_higher"]
    table["fixed_contexts"] = [
        ", ".join(f"{v.node}={v.state}" for v in model.scenarios[s].values) for s in table.index
    ]
    return table.sort_values("probability", ascending=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=4000)
    parser.add_argument("--csv", help="also write the table to this CSV file")
    args = parser.parse_args(argv)
    model = bayesnet.load()
    table = collaboration_table(model, draws=args.draws)
    upper = model.codebook[TARGET].upper
    print(f"P({TARGET} = {upper}) by collaboration type ({args.draws} posterior draws, 94% HDI)\n")
    with pd.option_context("display.width", 160, "display.max_colwidth", 90):
        print(table[["probability", "low", "high", "vs_buddying", "p_higher"]].round(3).to_string())
    if args.csv:
        table.to_csv(args.csv)
        print(f"\nwrote {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
