"""Time the reviewer's analyses of issue 13 on the default model: robustness to the model's own
settings and the influence of each source.

It times, in one process, after loading the model and drawing the posterior's CPTs once:

* ``robustness``: the buddying-vs-integrated-care-system contrast (``bayesnet robustness
  collaborative_behaviour --scenario buddying --versus integrated_care_system``) under the
  model's own settings and ``--settings`` more (default 64) -- the issue's target is at least
  64 settings in under 30 s on 2 cores;
* ``influence``: the integrated care system's answer with every source left out in turn,
  without and with the buddying claim;

and prints the seconds per setting and per source, and the process's peak RSS. The timings
are of the library calls the commands make; a command adds about 2 s of imports, loading and
drawing the posterior (printed as ``setup``).

Run from the repository root::

    .venv/bin/python benchmarks/bench_reviewing.py [--draws 4000] [--settings 64] [--skip-influence]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

import bayesnet  # noqa: E402
from bayesnet.analysis import Claim, influence, robustness  # noqa: E402

TARGET = "collaborative_behaviour"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=4000)
    parser.add_argument("--settings", type=int, default=64)
    parser.add_argument("--skip-influence", action="store_true")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    print(f"# bench_reviewing  cpu {_cpu()!r}, nproc {os.cpu_count()}, python {platform.python_version()}, "
          f"numpy {np.__version__}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load average at start {load:.2f}")

    start = time.perf_counter()
    model = bayesnet.load()
    buddying = bayesnet.question(model, TARGET, scenario="buddying")
    ics = bayesnet.question(model, TARGET, scenario="integrated_care_system")
    post = bayesnet.posterior(model, draws=args.draws)
    post.cpts  # noqa: B018 - the posterior's CPT draws, built once as the command builds them
    claim = Claim.versus(buddying, ics)
    robustness(buddying, post, claim=claim, n=1)  # imports arviz and compiles the plans once
    setup = time.perf_counter() - start
    print(f"setup (load, draw {args.draws} CPT draws, first compile): {setup:.1f} s")

    t0, c0 = time.perf_counter(), time.process_time()
    result = robustness(buddying, post, claim=claim, n=args.settings)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = len(result.frame)
    print(f"robustness: {rows} settings (the model's own + {args.settings}) in {seconds:.1f} s "
          f"({1e3 * seconds / rows:.0f} ms per setting; CPU {cpu:.1f} s on all threads); target: >= 64 settings "
          f"in < 30 s: {'met' if rows >= 64 and seconds < 30 else 'NOT met'}")
    print(f"  {result.verdict()}")

    if not args.skip_influence:
        for name, kwargs in (("headline", {}), ("with the buddying claim", {"claim": claim})):
            asked = ics if not kwargs else buddying
            t0, c0 = time.perf_counter(), time.process_time()
            carried = influence(asked, post, **kwargs)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            n = len(carried.frame)
            print(f"influence ({name}): {n} sources in {seconds:.1f} s ({1e3 * seconds / n:.0f} ms per source, CPU "
                  f"{cpu:.1f} s; "
                  f"{len(carried.nonzero)} change the answer); most: {carried.frame.index[0]} "
                  f"{carried.frame['change'].iloc[0]:+.4f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {peak:.0f} MB; load average at end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
