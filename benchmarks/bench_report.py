"""Time the full report on the default model with 4,000 posterior draws.

Run from the repository root:

    .venv/bin/python benchmarks/bench_report.py [--scenario integrated_care_system] [--draws 4000] [--profile]

Prints the wall time of each stage (loading, drawing the CPTs, every analysis, pictures and
writing) and the total, measured in one fresh process so import and first-compile costs
count. ``--profile`` adds the 20 most expensive functions (cProfile, cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="integrated_care_system")
    parser.add_argument("--draws", type=int, default=4000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    marks: list[tuple[str, float]] = []

    def mark(name: str) -> None:
        marks.append((name, time.perf_counter()))

    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    import bayesnet
    from bayesnet.report import writer

    mark("import")
    model = bayesnet.load()
    mark("load model")
    original = writer.Steps.__call__

    def timed_step(self, name: str) -> None:  # every stage of the report announces itself
        mark(f"before {name}")
        original(self, name)

    writer.Steps.__call__ = timed_step
    try:
        with tempfile.TemporaryDirectory() as tmp:
            q = bayesnet.question(model, "collaborative_behaviour", scenario=args.scenario)
            post = bayesnet.posterior(model, draws=args.draws)
            files = writer.write_report(q, post, Path(tmp) / "report", quiet=True)
            mark("report written")
            n_files = len(list(files.folder.iterdir()))
    finally:
        writer.Steps.__call__ = original
    if profiler:
        profiler.disable()
    total = time.perf_counter() - start
    previous = start
    print(f"bayesnet report --scenario {args.scenario} --draws {args.draws} ({n_files} files)")
    # an interval ends at a mark: "import" and "load model" name their own interval; a
    # "before X" mark ends the stage the previous "before" mark started (the first: the question)
    stage = {"tornado": "CPT draws + tornado", "done": "closing"}
    running = "question"
    for name, t in marks:
        if name.startswith("before "):
            label, running = running, stage.get(name[7:], name[7:])
        else:
            label = name if name != "report written" else running
        print(f"  {label:<32} {t - previous:7.2f} s")
        previous = t
    print(f"  {'total':<32} {total:7.2f} s")
    if profiler:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
