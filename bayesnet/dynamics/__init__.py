"""The review's feedback loops over time: the web copied into slices, trajectories, inertia.

* :mod:`~bayesnet.dynamics.unrolled` -- the time-sliced network and its CPTs;
* :mod:`~bayesnet.dynamics.trajectories` -- P(trust high), P(faith high) ... per slice,
  given a scenario and a timeline of events;
* :mod:`~bayesnet.dynamics.inertia` -- when faith falls too low to sustain the work, and
  which lever delays it.

May import: :mod:`bayesnet.inference` and below.
"""

from bayesnet.dynamics.inertia import Inertia, collaborative_inertia, trajectory_and_inertia
from bayesnet.dynamics.trajectories import DEFAULT_NODES, Trajectory, trajectory
from bayesnet.dynamics.unrolled import DEFAULT_SLICES, UnrolledNetwork, unroll

__all__ = [
    "DEFAULT_NODES",
    "DEFAULT_SLICES",
    "Inertia",
    "Trajectory",
    "UnrolledNetwork",
    "collaborative_inertia",
    "trajectory",
    "trajectory_and_inertia",
    "unroll",
]
