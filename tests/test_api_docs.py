"""docs/api.md: every public name has a section, and every example runs as written."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import bayesnet

API = Path(__file__).parent.parent / "docs" / "api.md"


def test_every_public_name_has_a_section():
    headings = re.findall(r"^### (.+)$", API.read_text(encoding="utf-8"), flags=re.M)
    documented = {name for h in headings for name in re.findall(r"`([A-Za-z_]+)`", h)}
    missing = sorted(set(bayesnet.__all__) - documented)
    assert not missing, f"public names without a section in docs/api.md: {missing}"
    unknown = sorted(documented - set(bayesnet.__all__))
    assert not unknown, f"sections of docs/api.md for names bayesnet does not export: {unknown}"


def test_the_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples write a report, a model folder and pictures here
    result = doctest.testfile(str(API), module_relative=False, optionflags=doctest.ELLIPSIS
                              | doctest.NORMALIZE_WHITESPACE, raise_on_error=False, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in docs/api.md failed (run: " \
                               "python -m doctest -o ELLIPSIS docs/api.md)"
    assert result.attempted > 60
