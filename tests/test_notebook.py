"""The example notebook runs as written, and shows results as cards with labels (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).parent.parent / "inference_examples" / "notebook" / "walkthrough.ipynb"


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    return nb


def _outputs(nb, mime):
    return [out["data"][mime] for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
            if "data" in out and mime in out["data"]]


def test_the_notebook_runs_without_errors(executed):
    errors = [out for cell in executed.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    assert not errors


def test_results_display_as_cards_with_labels(executed):
    cards = [h for h in _outputs(executed, "text/html") if "bayesnet-card" in h]
    assert len(cards) >= 8  # query, comparison, tornado, levers, evidence, findings, trajectory, change report
    assert any("Collaborative behaviour" in h and "94% interval" in h for h in cards)
    assert not any('bn-title">P(collaborative_behaviour' in h for h in cards)


def test_plots_are_drawn(executed):
    assert len(_outputs(executed, "image/png")) >= 6
