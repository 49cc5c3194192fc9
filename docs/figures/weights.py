"""Draw docs/figures/weights.svg: the distribution of a link's weight for 1, 2, 4 and 8
supporting included studies and for a contradicted link (3 for, 2 against), under the
default weight model, with the first release's model beside it.

    .venv/bin/python docs/figures/weights.py
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from bayesnet.build.weights import LinkEvidence
from bayesnet.inputs.settings import Settings

CASES = [("1 study", 1.0, 0.0), ("2 studies", 2.0, 0.0), ("4 studies", 4.0, 0.0), ("8 studies", 8.0, 0.0),
         ("3 for, 2 against", 3.0, 2.0)]


def main() -> Path:
    fig = Figure(figsize=(9.0, 3.6), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    bins = np.linspace(-3, 3, 61)
    for ax, model in zip(axes, ("direction_and_strength", "signed_reliability"), strict=True):
        settings = dataclasses.replace(Settings(), weight_model=model)
        for label, support, contradict in CASES:
            evidence = LinkEvidence(np.ones(1), np.array([support]), np.array([contradict]), settings, (label,))
            w = evidence.draw(200_000, 1).weights[0]
            share = np.mean(w > 0)
            ax.hist(w, bins=bins, density=True, histtype="step", linewidth=1.4,
                    label=f"{label}: P(w > 0) = {share:.3f}")
        ax.set_title(model.replace("_", " "), fontsize=10)
        ax.set_xlabel("weight (log-odds), a link stated as promoting")
        ax.axvline(0, color="0.4", linewidth=0.8)
        ax.legend(fontsize=7, loc="upper left", frameon=False)
    axes[0].set_ylabel("density over posterior draws")
    out = Path(__file__).with_suffix(".svg")
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "bayesnet-weights", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    out.write_text(buffer.getvalue(), encoding="utf-8")
    return out


if __name__ == "__main__":
    print(f"wrote {main()}")
