"""The libyaml fast path reads a document exactly as the pure-Python loader does (values, key
lines, boolean words) and leaves every document it should not read to that loader."""

from __future__ import annotations

from unittest import mock

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bayesnet.errors import FileFormatError
from bayesnet.inputs import yamlio
from tests.helpers import REPO

pytestmark = pytest.mark.skipif(yamlio._CLoader is None, reason="this PyYAML has no libyaml")


def _shape(data):
    """Values with the line of every mapping and key and its boolean words, for comparison."""
    if isinstance(data, yamlio.LineDict):
        return ("map", data.line, data.key_lines, data.words, {k: _shape(v) for k, v in data.items()})
    if isinstance(data, list):
        return ("list", [_shape(v) for v in data])
    return (type(data).__name__, data)


def _both(text):
    fast = yaml.load(text, Loader=yamlio._CLoader)  # noqa: S506 - a CSafeLoader
    slow = yaml.load(text, Loader=yamlio._LineLoader)  # noqa: S506 - a SafeLoader
    return fast, slow


@pytest.mark.parametrize("path", sorted([*REPO.glob("evidence/*.yaml"), *REPO.glob("priors/*.yaml")]),
                         ids=lambda p: p.name)
def test_every_shipped_file_reads_the_same_both_ways(path):
    text = path.read_text(encoding="utf-8")
    assert yamlio._plain_within_bounds(text)
    fast, slow = _both(text)
    assert _shape(fast) == _shape(slow)


scalars = st.one_of(st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=12), st.none(),
                    st.floats(allow_nan=False, allow_infinity=False))
trees = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)), max_leaves=25)


@settings(max_examples=150, deadline=None)
@given(trees, st.booleans())
def test_any_document_reads_the_same_both_ways(tree, flow):
    text = yaml.safe_dump({"doc": tree}, default_flow_style=flow, allow_unicode=True)
    fast, slow = _both(text)
    assert _shape(fast) == _shape(slow)


@pytest.mark.parametrize(("text", "loader"), [
    ("base: &b {x: 1}\nother: *b\n", "_LineLoader"),  # an alias: the loader that counts expanded sizes
    ("x: [1, 2\n", "_LineLoader"),  # malformed: the pure-Python loader's error is the one shown
    ("base: {x: 1}\nother: {x: 1}\n", "_CLoader"),
])
def test_which_loader_reads_a_document(tmp_path, text, loader):
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    with mock.patch.object(yamlio.yaml, "load", wraps=yaml.load) as load:
        try:
            assert yamlio.read_yaml(path) == {"base": {"x": 1}, "other": {"x": 1}}
        except FileFormatError as err:
            assert "malformed YAML" in str(err)
    assert load.call_args.kwargs["Loader"] is getattr(yamlio, loader)


def test_depth_and_size_are_bounded_on_the_fast_path(tmp_path):
    deep = "x: " + "[" * (yamlio.MAX_YAML_DEPTH + 1) + "]" * (yamlio.MAX_YAML_DEPTH + 1) + "\n"
    with pytest.raises(yamlio._LimitError, match="MAX_YAML_DEPTH"):
        yamlio._plain_within_bounds(deep)
    with mock.patch.object(yamlio, "MAX_YAML_NODES", 10):
        with pytest.raises(yamlio._LimitError, match="MAX_YAML_NODES"):
            yamlio._plain_within_bounds("x: [" + ", ".join("1" for _ in range(20)) + "]\n")
        path = tmp_path / "big.yaml"
        path.write_text("x: [" + ", ".join("1" for _ in range(20)) + "]\n", encoding="utf-8")
        with pytest.raises(FileFormatError, match=r"big\.yaml:1: .*MAX_YAML_NODES"):
            yamlio.read_yaml(path)
