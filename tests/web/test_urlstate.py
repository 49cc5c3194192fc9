"""The what-if in the address: read strictly, written canonically, round-tripped."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bayesnet.defaults import DEFAULT_TARGET
from bayesnet.errors import QueryError
from bayesnet.web.urlstate import MAX_ITEMS, MAX_NAME, MAX_QUERY, URLStateError, WhatIf, parse_whatif


def test_reads_every_part_and_defaults_the_target():
    w = parse_whatif([("preset", "integrated_care_system"), ("do.quick_wins", "present"),
                      ("given.organisational_size", "large"), ("state", "collaborative")])
    assert w == WhatIf(DEFAULT_TARGET, "collaborative", "integrated_care_system",
                       {"organisational_size": "large"}, {"quick_wins": "present"})
    assert parse_whatif([]) == WhatIf()


@pytest.mark.parametrize(("pairs", "words"), [
    ([("target", "a"), ("target", "b")], "given twice"),
    ([("do.x", "a"), ("do.x", "a")], "given twice"),
    ([("foo", "a")], "unknown parameter 'foo'"),
    ([("targte", "trust")], "did you mean 'target'"),
    ([("given.", "a")], "names no node"),
    ([("target", "")], "not a plain name"),
    ([("target", "<script>")], "not a plain name"),
    ([("given.x y", "a")], "not a plain name"),
    ([("target", "a" * (MAX_NAME + 1))], "characters long"),
    ([(f"given.n{i}", "a") for i in range(MAX_ITEMS + 1)], "parameters; at most"),
])
def test_refuses_malformed_addresses_in_words(pairs, words):
    with pytest.raises(URLStateError, match=words) as err:
        parse_whatif(pairs)
    assert err.value.status == 400
    assert isinstance(err.value, QueryError)


def test_an_address_too_long_is_a_414():
    with pytest.raises(URLStateError, match="too long") as err:
        parse_whatif([], length=MAX_QUERY + 1)
    assert err.value.status == 414


def test_names_are_checked_by_the_library_with_its_suggestions(model):
    with pytest.raises(QueryError, match="did you mean 'quick_wins'"):
        parse_whatif([("do.quik_wins", "present")]).question(model)
    with pytest.raises(QueryError, match="unknown scenario 'ics'"):
        parse_whatif([("preset", "ics")]).question(model)


def test_start_keeps_target_and_preset_only():
    w = WhatIf("trust", "high", "buddying", {"mandated": "voluntary"}, {"quick_wins": "present"})
    assert w.start() == WhatIf("trust", "high", "buddying")


names = st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True)


@given(target=names, preset=st.none() | names, given_=st.dictionaries(names, names, max_size=5),
       do=st.dictionaries(names, names, max_size=5))
def test_query_string_round_trips_and_is_canonical(target, preset, given_, do):
    w = WhatIf(target, None, preset, given_, do)
    text = w.query_string()
    back = parse_whatif(parse_qsl(text, keep_blank_values=True))
    assert back == w and back.key == w.key
    shuffled = list(reversed(parse_qsl(text, keep_blank_values=True)))
    assert parse_whatif(shuffled).query_string() == text
