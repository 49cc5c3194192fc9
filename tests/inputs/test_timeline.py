"""Timelines: reading from YAML or Python, and clear errors naming file, line, field and value."""

from __future__ import annotations

import pytest

from bayesnet import (
    load,
)
from bayesnet.errors import FileFormatError, SchemaError, UnknownNodeError, UnknownStateError
from bayesnet.inputs.timeline import Event, Timeline, as_timeline, check_timeline, read_timeline, timeline_from_mapping
from tests.helpers import make_model_dir

STATIC = ("history_of_collaboration", "mandated", "initial_trust")

GOOD = """\
scenario: voluntary
slices: 4
events:
  - slice: 2
    do: {quick_wins: present}
    label: quick win
  - slice: [3, 4]
    given:
      conflict: present
"""


@pytest.fixture(scope="module")
def codebook(tmp_path_factory):
    return load(make_model_dir(tmp_path_factory.mktemp("mini") / "m")).codebook


def _write(tmp_path, text, name="tl.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_a_good_timeline(tmp_path, codebook):
    path = _write(tmp_path, GOOD)
    tl = read_timeline(path)
    assert as_timeline(path) == tl == as_timeline(str(path))
    assert tl.scenario == "voluntary" and tl.slices == 4 and tl.path == str(path)
    assert [e.slice for e in tl.events] == [2, 3, 4]
    assert tl.events[0] == Event(2, {}, {"quick_wins": "present"}, "quick win", str(path), "events[0]")
    assert tl.events[0].lines == {"do.quick_wins": 5, "slice": 4}
    assert tl.events[1].describe() == "given conflict=present"
    merged = check_timeline(tl, codebook, n_slices=4, static=STATIC)
    assert list(merged) == [2, 3, 4]
    assert merged[3].given == {"conflict": "present"} and merged[2].do == {"quick_wins": "present"}
    assert tl.to_dict()["events"][0] == {"slice": 2, "given": {}, "do": {"quick_wins": "present"}, "label": "quick win"}


def test_python_forms(codebook):
    events = [{"slice": 2, "do": {"quick_wins": "present"}}]
    assert as_timeline(events).events == as_timeline({"events": events}).events
    assert as_timeline(None) == Timeline()
    assert as_timeline([]) == Timeline()
    event = Event(3, given={"trust": "high"})
    assert as_timeline([event]).events == (event,)
    assert as_timeline(event).events == (event,)
    tl = as_timeline(events)
    assert tl.path == "<timeline>"
    assert as_timeline(tl) is tl
    assert check_timeline(tl, codebook, n_slices=5)[2].do == {"quick_wins": "present"}
    with pytest.raises(SchemaError, match="expected a timeline"):
        as_timeline(42)


def test_several_events_in_one_slice_merge_and_may_repeat(codebook):
    tl = as_timeline(
        [
            {"slice": 2, "do": {"quick_wins": "present"}},
            {"slice": 2, "given": {"conflict": "absent"}},
            {"slice": 2, "do": {"quick_wins": "present"}},
        ]
    )
    merged = check_timeline(tl, codebook, n_slices=5)
    assert merged[2].do == {"quick_wins": "present"} and merged[2].given == {"conflict": "absent"}


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        (
            "events:\n  - slice: 7\n    do: {quick_wins: present}\n",
            SchemaError,
            "tl.yaml:2 (events[0].slice): slice 7 is outside the model's slices 1..5",
        ),
        (
            "events:\n  - slice: 2\n    do: {quick_wnis: present}\n",
            UnknownNodeError,
            "tl.yaml:3 (events[0].do.quick_wnis): unknown node 'quick_wnis'; did you mean 'quick_wins'?",
        ),
        (
            "events:\n  - slice: 2\n    do:\n      quick_wins: presnt\n",
            UnknownStateError,
            "tl.yaml:4 (events[0].do.quick_wins): node 'quick_wins' has no state 'presnt'; its states are absent, "
            "present; did you mean 'present'?",
        ),
        (
            "events:\n  - slice: 2\n    do: {trust: high}\n  - slice: 2\n    given: {trust: low}\n",
            SchemaError,
            "tl.yaml:5 (events[1].given.trust): node 'trust' is both observed (given) and set (do) in slice 2, also at "
            "events[0].do.trust (line 3); choose one",
        ),
        (
            "events:\n  - slice: 2\n    do: {trust: high}\n    given: {trust: high}\n",
            SchemaError,
            "node 'trust' is both observed (given) and set (do) in slice 2",
        ),
        (
            "events:\n  - slice: 2\n    do: {trust: high}\n  - slice: [1, 2]\n    do: {trust: low}\n",
            SchemaError,
            "tl.yaml:5 (events[1].do.trust): node 'trust' gets two states in slice 2: 'high' at events[0].do.trust "
            "(line 3) and 'low' here",
        ),
        (
            "events:\n  - slice: 3\n    do: {mandated: mandated}\n",
            SchemaError,
            "tl.yaml:3 (events[0].do.mandated): 'mandated' is static in the time-sliced model",
        ),
    ],
)
def test_bad_names_and_slices(tmp_path, codebook, text, error, message):
    tl = read_timeline(_write(tmp_path, text))
    with pytest.raises(error) as info:
        check_timeline(tl, codebook, n_slices=5, static=STATIC)
    assert message in str(info.value)
    assert info.value.path == str(tmp_path / "tl.yaml")
    assert info.value.field.startswith("events[")


def test_unknown_node_error_carries_its_parts(tmp_path, codebook):
    tl = read_timeline(_write(tmp_path, "events:\n  - slice: 2\n    given: {trsut: high}\n"))
    with pytest.raises(UnknownNodeError) as info:
        check_timeline(tl, codebook, n_slices=5)
    err = info.value
    assert (err.line, err.field, err.value, err.suggestions) == (3, "events[0].given.trsut", "trsut", ["trust"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "events:\n  - slice: 0\n    do: {quick_wins: present}\n",
            "tl.yaml:2 (events[0].slice): slice 0 is before the first",
        ),
        (
            "events:\n  - slice: two\n    do: {quick_wins: present}\n",
            "expected a slice number (an integer, 1 = the first), found 'two'",
        ),
        ("events:\n  - slice: true\n    do: {quick_wins: present}\n", "found true (YAML reads an unquoted yes"),
        ("events:\n  - slice: 1\n    given: {quick_wins: yes}\n", "found yes (YAML reads an unquoted yes"),
        ("events:\n  - slice: [2, 2]\n    do: {quick_wins: present}\n", "repeats a slice"),
        ("events:\n  - slice: []\n    do: {quick_wins: present}\n", "non-empty list"),
        ("events:\n  - do: {quick_wins: present}\n", "tl.yaml:2 (events[0].slice): missing required field 'slice'"),
        ("events:\n  - slice: 2\n", "an event needs 'given' or 'do'"),
        ("events:\n  - slice: 2\n    do: quick_wins\n", "tl.yaml:3 (events[0].do): expected a mapping of node: state"),
        ("events:\n  - slice: 2\n    do: {quick_wins: [present]}\n", "expected a state name, found ['present']"),
        (
            "events:\n  - slice: 2\n    dO: {quick_wins: present}\n",
            "tl.yaml:3 (events[0].dO): unknown field 'dO'; did you mean 'do'?",
        ),
        ("scenaro: buddying\nevents: []\n", "tl.yaml:1 (scenaro): unknown field 'scenaro'; did you mean 'scenario'?"),
        ("slices: 0\nevents: []\n", "tl.yaml:1 (slices): expected an integer between 1 and 50, found 0"),
        ("events: {slice: 2}\n", "(events): expected a list, found LineDict"),
        ("- 1\n- 2\n", "events[0] must be a mapping"),
        ("just text\n", "expected a mapping with 'events'"),
    ],
)
def test_bad_shapes(tmp_path, text, message):
    with pytest.raises(SchemaError) as info:
        read_timeline(_write(tmp_path, text))
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("events: [\n", "malformed YAML"),
        ("events: []\nevents: []\n", "duplicate key 'events'"),
        ("!!python/object:os.system\nx: 1\n", "malformed YAML"),
    ],
)
def test_unreadable_files(tmp_path, text, message):
    with pytest.raises(FileFormatError, match=message):
        read_timeline(_write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(FileFormatError, match="file not found"):
        read_timeline(tmp_path / "nope.yaml")


def test_python_errors_name_the_field(codebook):
    with pytest.raises(SchemaError) as info:
        timeline_from_mapping([{"slice": 2, "do": {"quick_wins": "present"}}, {"slice": "x", "do": {}}])
    assert str(info.value).startswith("<timeline> (events[1].slice): expected a slice number")
    tl = as_timeline([{"slice": 9, "do": {"quick_wins": "present"}}])
    with pytest.raises(SchemaError, match=r"^<timeline> \(events\[0\].slice\): slice 9 is outside"):
        check_timeline(tl, codebook, n_slices=5)
