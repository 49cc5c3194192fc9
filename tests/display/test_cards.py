"""Cards: what a notebook shows for a result."""

from __future__ import annotations

import math
import re

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from bayesnet.display import Card, draws_note, interval_text, probability_text


def test_interval_text_writes_the_mass_and_signs_differences():
    assert interval_text(0.6234, 0.5811, 0.6644, hdi_prob=0.94) == "0.623 (94% interval 0.581 to 0.664)"
    assert interval_text(0.041, -0.002, 0.083, signed=True) == "+0.041 (interval -0.002 to +0.083)"
    assert interval_text(0.5, math.nan, math.nan, hdi_prob=0.94) == "0.500"  # no draws: no interval
    assert probability_text(math.nan) == "n/a"


def test_draws_note_says_what_the_numbers_are():
    assert draws_note(4000, 0.94, 20210602) == (
        "Means and 94% highest-density intervals over 4000 posterior draws (seed 20210602).")
    assert "no draws" in draws_note(0, None)


def _tags(text: str) -> list[str]:
    frame = pd.DataFrame({"value": [0.5]}, index=pd.Index([text], name="label"))
    html = Card(title=text, headline=text, tables=[(text, frame)], note=text).to_html()
    return re.findall(r"<[^>]*>", html)


@given(st.text(min_size=1, max_size=30))
def test_no_text_can_add_markup(text):
    """Whatever a label, title or note holds, the card's tags are the same as for plain text."""
    assert _tags(text) == _tags("x")


def test_a_hostile_label_stays_text():
    frame = pd.DataFrame({"p": [0.25]}, index=pd.Index(["<img src=x onerror=alert(1)>"], name="node"))
    html = Card("t", "h", [("", frame)]).to_html()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_long_tables_are_cut_and_say_how_many_more():
    frame = pd.DataFrame({"p": [i / 100 for i in range(30)]}, index=pd.Index(range(30), name="i"))
    html = Card("t", "h", [("", frame)], max_rows=5).to_html()
    assert html.count("<tr>") == 1 + 5 + 1  # header, five rows, the "more" row
    assert "... and 25 more" in html


def test_formats_apply_by_column_and_floats_get_three_decimals():
    frame = pd.DataFrame({"gain": [0.0412], "p_best": [0.873], "probability": [0.61234], "tied": [True]})
    html = Card("t", "h", [("", frame)], formats={"gain": "+.3f", "p_best": ".0%"}).to_html()
    assert "+0.041" in html and "87%" in html and "0.612" in html and ">yes<" in html
