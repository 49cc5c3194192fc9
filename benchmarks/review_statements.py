"""How often the paired posterior draws go the review's way, for each weight model.

The checks are those of tests/test_review_statements.py (each a sentence of the review:
situation A should give a higher probability than situation B). For each weight model the
script prints the share of 4,000 paired draws in which A is higher, per check, and their
minimum and median::

    .venv/bin/python benchmarks/review_statements.py
"""

from __future__ import annotations

import dataclasses

import numpy as np

import bayesnet
from bayesnet.build.model import Model
from bayesnet.inputs.settings import WEIGHT_MODELS

CHECKS = [
    ("collaborative_behaviour", {"scenario": "buddying"}, {"scenario": "integrated_care_system"}),
    ("initial_trust", {"scenario": "buddying"}, {"scenario": "integrated_care_system"}),
    ("initial_faith", {"scenario": "buddying"}, {"scenario": "integrated_care_system"}),
    ("initial_trust", {"do": {"history_of_collaboration": "collaborative"}},
     {"do": {"history_of_collaboration": "competitive"}}),
    ("trust", {"do": {"quick_wins": "present"}}, {"do": {"quick_wins": "absent"}}),
    ("faith", {"do": {"quick_wins": "present"}}, {"do": {"quick_wins": "absent"}}),
    ("perception_of_progress", {"do": {"ambition": "realistic"}}, {"do": {"ambition": "over_ambitious"}}),
    ("perception_of_progress", {"do": {"ambition": "realistic"}}, {"do": {"ambition": "unambitious"}}),
    ("confidence", {"do": {"legal_agreements": "strong", "mandated": "mandated"}},
     {"do": {"legal_agreements": "weak", "mandated": "mandated"}}),
    ("trust", {"do": {"legal_agreements": "weak", "mandated": "voluntary"}},
     {"do": {"legal_agreements": "strong", "mandated": "voluntary"}}),
    ("interpersonal_communication", {"do": {"geographical_proximity": "close", "conflict": "absent"}},
     {"do": {"geographical_proximity": "distant", "conflict": "absent"}}),
    ("interpersonal_communication", {"do": {"geographical_proximity": "distant", "conflict": "present"}},
     {"do": {"geographical_proximity": "close", "conflict": "present"}}),
    ("task_complexity", {"do": {"organisational_size": "large"}}, {"do": {"organisational_size": "small"}}),
    ("faith", {"do": {"organisational_size": "small"}}, {"do": {"organisational_size": "large"}}),
    ("faith", {"do": {"perception_of_progress": "high"}}, {"do": {"perception_of_progress": "low"}}),
    ("risk_tolerance", {"do": {"trust": "high"}}, {"do": {"trust": "low"}}),
    ("risk_tolerance", {"do": {"confidence": "high"}}, {"do": {"confidence": "low"}}),
]


def main() -> None:
    base = bayesnet.load()
    for name in WEIGHT_MODELS:
        settings = dataclasses.replace(base.settings, weight_model=name)
        model = Model(base.codebook, base.evidence, settings, base.scenarios, {}, base.root)
        shares = []
        for target, high, low in CHECKS:
            a = bayesnet.query(model, target, draws=4000, **high).draws[:, -1]
            b = bayesnet.query(model, target, draws=4000, **low).draws[:, -1]
            shares.append(float(np.mean(a > b)))
        print(f"{name:<24} min {min(shares):.3f}  median {np.median(shares):.3f}  "
              + " ".join(f"{x:.3f}" for x in shares))


if __name__ == "__main__":
    main()
