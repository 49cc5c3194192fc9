"""What every function uses unless told otherwise, in one place (the command line's defaults
are these too). A bottom module: it imports nothing, so ``bayesnet --help`` stays quick."""

DEFAULT_DRAWS = 4000
"""Posterior draws behind an interval."""
DEFAULT_HDI = 0.94
"""Probability mass of the highest-density interval (ArviZ's default)."""
DEFAULT_SEED = 20210602
"""Seed of the default draws (the review's publication date), so answers are reproducible."""
DEFAULT_TARGET = "collaborative_behaviour"
"""The review's central outcome: what reports and change reports follow."""
DEFAULT_LEVERS = 2
"""Size of the best set of levers a report looks for."""
DEFAULT_TRAJECTORY_DRAWS = 1000
"""Posterior draws of a trajectory: fewer than a static query's because each costs about
3 ms on the default model (5 slices), against 0.01 ms statically."""
DEFAULT_INERTIA_THRESHOLD = 0.5
"""P(faith high) below which, to the end, a collaboration is in collaborative inertia."""
DEFAULT_LOCK_WAIT = 60.0
"""Seconds an update waits for another update of the same folder to finish before giving up
(``bayesnet update --wait SECONDS``); an update of the default model takes a few seconds."""
DEFAULT_HOST = "127.0.0.1"
"""Where ``bayesnet serve`` listens: this machine only, unless told otherwise."""
DEFAULT_PORT = 8765
"""The port ``bayesnet serve`` listens on."""
DEFAULT_ROBUSTNESS_SETTINGS = 64
"""Settings of the model a robustness analysis samples besides the model's own (a Latin
hypercube of this many; about 20 s with 4,000 draws on the default model, benchmarks/README.md)."""
DEFAULT_MAX_ERRORS = 50
"""Errors ``bayesnet validate`` lists per file or folder before saying how many more there are
(``--max-errors N``)."""
