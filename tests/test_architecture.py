"""The package's shape: a curated public API, no shadowed submodules, one route to the
engine, read-only model arrays, and helpers written once."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import types

import numpy as np
import pytest

import bayesnet
from tests.helpers import REPO

PACKAGE = REPO / "bayesnet"


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(bayesnet.__path__, "bayesnet."))


def _public(module: types.ModuleType) -> set[str]:
    return {name for name, value in vars(module).items()
            if not name.startswith("_") and not isinstance(value, types.ModuleType)}


def test_all_is_every_public_name_of_the_package():
    """httpx's test: __all__ is chosen, not accreted, and every name in it resolves."""
    for name in bayesnet.__all__:
        getattr(bayesnet, name)  # the lazy names load
    assert sorted(bayesnet.__all__) == bayesnet.__all__
    assert set(bayesnet.__all__) == _public(bayesnet) | {"__version__"}


SUBPACKAGES = sorted(m.name for m in pkgutil.iter_modules(bayesnet.__path__, "bayesnet.") if m.ispkg)


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_every_subpackage_all_is_its_public_names(name):
    module = importlib.import_module(name)
    assert set(module.__all__) == _public(module)


@pytest.mark.parametrize("name", _modules())
def test_no_module_is_shadowed_by_a_name_of_its_package(name):
    """``bayesnet.x.y`` is the module y, never a function its package exports as y."""
    module = importlib.import_module(name)
    parent, _, child = name.rpartition(".")
    assert getattr(importlib.import_module(parent), child) is module


def test_a_query_for_one_node_and_for_several_return_what_they_say(tmp_path):
    model = bayesnet.load()
    one = bayesnet.query(model, "trust", draws=None)
    several = bayesnet.query(model, ["trust", "faith"], draws=None)
    assert isinstance(one, bayesnet.QueryResult)
    assert isinstance(several, bayesnet.QueryResults)
    assert [r.target for r in several] == ["trust", "faith"]
    assert several["faith"].target == "faith"


def _engine_callers() -> dict[str, set[str]]:
    """Module path -> names of the engine's evaluation API it uses."""
    api = {"compile_query", "compile_gradients", "run_pass", "CompiledQuery", "GradientPlan", "plan_contraction"}
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        used = names & api
        if used:
            found[path.relative_to(REPO).as_posix()] = used
    return found


def test_one_route_to_the_engine():
    """Only the engine package and the one evaluation module call the engine's compiled queries."""
    outside = {p: used for p, used in _engine_callers().items()
               if not p.startswith("bayesnet/engine/") and p != "bayesnet/inference/evaluation.py"}
    assert outside == {}


def test_the_model_hands_out_read_only_arrays():
    model = bayesnet.load()
    with pytest.raises(ValueError, match="read-only"):
        model.cpts["trust"][...] = 1.0
    with pytest.raises(TypeError):
        model.cpts["trust"] = np.zeros(2)  # type: ignore[index]
    post = bayesnet.posterior(model, draws=10)
    with pytest.raises(ValueError, match="read-only"):
        post.cpts["trust"][0] = 0.5
    links = model.links
    links.loc[0, "sign"] = 99
    assert model.links.loc[0, "sign"] != 99


@pytest.mark.parametrize(("snippet", "home"), [
    ("os.fsync(fd)", "bayesnet/files.py"),
    ("def check_seed(", "bayesnet/checks.py"),
    ("def check_hdi_prob(", "bayesnet/checks.py"),
    ("def check_draws(", "bayesnet/checks.py"),
    ("flat[:, :, cols] = 0.0", "bayesnet/engine/forward.py"),  # interventions per draw column
    ("OrderedDict", "bayesnet/cache.py"),
])
def test_helpers_exist_once(snippet, home):
    holders = sorted(p.relative_to(REPO).as_posix() for p in PACKAGE.rglob("*.py")
                     if snippet in p.read_text(encoding="utf-8"))
    assert holders == [home]


def test_the_command_line_holds_no_library_default():
    """The CLI parses and formats: numbers it shows as defaults come from bayesnet.defaults."""
    for path in (PACKAGE / "cli").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for literal in ("default=4000", "default=1000", "default=0.94", "default=0.5", "20210602"):
            assert literal not in text, (path.name, literal)
        assert '"faith" in' not in text and "'faith' in" not in text, path.name


def test_layers_are_kept_by_import_linter_config():
    """The layering check of .ci/run is configured for every subpackage."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = " | ".join(next(c for c in config["contracts"] if c["type"] == "layers")["layers"])
    for sub in (p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()):
        assert f"bayesnet.{sub}" in layers, sub
    assert "lint-imports" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
