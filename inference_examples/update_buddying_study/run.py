"""Update a copy of the default model with a FICTIONAL buddying study and show what changed.

Run from anywhere after installing the package::

    python inference_examples/update_buddying_study/run.py [--draws 4000] [--keep DIR] [--out report.md]

It makes a copy of the embedded default model (``bayesnet init``) in a temporary folder
(or in ``--keep DIR``, which must be new or empty), adds ``study.yaml`` to it
(``bayesnet update``) and prints the change report: the links the study strengthened or
added, with each link's sources and reliability before and after, and how
P(collaborative_behaviour) moved under each collaboration-type scenario, buddying among
them. It then asks the question the study speaks to most directly: P(collaborative_behaviour)
under buddying *when quick wins and joint appointments are present*, before and after (the
scenario itself leaves those two contexts unobserved, so the report's buddying row moves
little). The same from the command line::

    bayesnet init mymodel
    bayesnet update inference_examples/update_buddying_study/study.yaml --model mymodel

``study.yaml`` is a made-up study (a voluntary buddying arrangement reporting that quick
wins and joint appointments raised trust and interpersonal communication); it is not
evidence. The embedded default model is never modified.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

import bayesnet
from bayesnet import Change, ChangeReport, change_report, init_model, update_folder

STUDY = Path(__file__).resolve().parent / "study.yaml"
"""The fictional study."""
STUDY_CONTEXTS = {"quick_wins": "present", "joint_appointments": "present"}
"""The contexts the study reports."""
TARGET = "collaborative_behaviour"


def update_copy(folder: str | Path, *, draws: int = 4000, seed: int = 20210602) -> tuple[Change, ChangeReport]:
    """Copy the default model into ``folder`` (new or empty), add the study, report the change."""
    root = init_model(folder)
    change = update_folder(root, [STUDY])
    return change, change_report(change, draws=draws, seed=seed)


def with_study_contexts(change: Change, *, draws: int = 4000, seed: int = 20210602) -> pd.DataFrame:
    """P(target upper state) under buddying with the study's contexts present, before and after."""
    upper = change.after.codebook[TARGET].upper
    rows = {}
    for tag, model in (("before", change.before), ("after", change.after)):
        result = bayesnet.query(model, TARGET, scenario="buddying", given=STUDY_CONTEXTS, draws=draws, seed=seed)
        rows[tag] = {"probability": result.distribution[upper], "mean": result.mean[upper],
                     "low": result.interval.at[upper, "low"], "high": result.interval.at[upper, "high"]}
    return pd.DataFrame(rows).T


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=4000, help="posterior draws behind each interval")
    parser.add_argument("--keep", metavar="DIR", help="make the updated copy here (new or empty) and keep it")
    parser.add_argument("--out", metavar="FILE.md", help="also write the report as Markdown")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp) / "model"
        change, report = update_copy(folder, draws=args.draws)
        text = report.to_markdown()
        given = ", ".join(f"{k}={v}" for k, v in STUDY_CONTEXTS.items())
        table = with_study_contexts(change, draws=args.draws)
        upper = change.after.codebook[TARGET].upper
        text += f"\n## P({TARGET} = {upper} | buddying, {given})\n\n| model | mean [94% HDI] |\n|---|---|\n"
        text += "".join(f"| {tag} | {r['mean']:.3f} [{r['low']:.3f}, {r['high']:.3f}] |\n"
                        for tag, r in table.iterrows())
        print(text, end="")
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
            print(f"\nwrote {args.out}")
        if args.keep:
            print(f"\nthe updated copy is in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
