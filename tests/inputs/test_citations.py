"""Sources cited by first author and year, told apart by a letter, the review as itself."""

from __future__ import annotations

import pytest

import bayesnet
from bayesnet.inputs.citations import Citation, cite_sources, short_citation, sorted_citations, where
from bayesnet.inputs.evidence import Source


@pytest.mark.parametrize(("citation", "year", "short"), [
    # the forms of the review's reference list (Vancouver): one, two, several authors, "et al."
    ("Lim K. Impact of hospital mergers on staff job satisfaction : a quantitative study. Hum Resour "
     "Health. 2014;12(1):1-10.", 2014, "Lim 2014"),
    ("Vangen S, Huxham C. Nurturing collaborative relations: building Trust in Interorganizational "
     "Collaboration. J Appl Behav Sci. 2003;39(1):5-31.", 2003, "Vangen and Huxham 2003"),
    ("Das TK, Teng B-S. Trust, control, and risk in strategic alliances.", 2001, "Das and Teng 2001"),
    ("Aunger JA, Millar R, Greenhalgh J. When trust, confidence, and faith collide.", 2021, "Aunger et al. 2021"),
    ("Jagosh J, Bush PL, Salsberg J, Macaulay AC, Greenhalgh T, Wong G, et al. A realist evaluation.", 2015,
     "Jagosh et al. 2015"),
    ("Fowler Davis S, Hinde S, Ariss S. Complex programme evaluation.", 2020, "Fowler Davis et al. 2020"),
    ("Benítez-Ávila C, Hartmann A, Dewulf G, Henseler J. Interplay.", 2018, "Benítez-Ávila et al. 2018"),
    # organisations as authors
    ("NHS England. The NHS long term plan. NHS England London; 2019.", 2019, "NHS England 2019"),
    ("The King’s Fund. In: Associates RG, editor. Distilling the lessons.", 2005, "The King’s Fund 2005"),
    ("NHS Providers, NHS Clinical Commissioners. Driving forward system working.", 2018,
     "NHS Providers and NHS Clinical Commissioners 2018"),
    ("Community Network. Delivering integrated care at neighbourhood level. 2020;(July).", 2020,
     "Community Network 2020"),
    ("Study 36.", None, "Study 36 n.d."),
])
def test_short_citation(citation, year, short):
    assert short_citation(citation, year) == short


def test_a_very_long_organisation_is_cut():
    name = "The Very Long Name of an Organisation That Wrote a Report About Partnerships"
    short = short_citation(f"{name}. A report.", 2020)
    assert short.endswith("\u2026 2020") and len(short) <= 56


def _source(ref: int, citation: str, year: int | None, kind: str = "included_study") -> Source:
    return Source(f"S{ref}", kind, ref, citation, year, None, None, ())


def test_same_short_forms_get_letters_in_reference_order_and_the_review_is_itself():
    sources = [
        _source(80, "Community Network. Leeds.", 2020), _source(33, "Community Network. Neighbourhood.", 2020),
        _source(0, "Aunger JA, Millar R, Greenhalgh J. When trust collide.", 2021, "review_synthesis"),
        _source(18, "Aunger JA, Millar R, Greenhalgh J, Mannion R. Why do some.", 2021, "supporting_source"),
        _source(34, "Lim K. Impact.", 2014),
    ]
    cites = cite_sources(sources)
    assert {k: c.short for k, c in cites.items()} == {
        "S0": "the review (Aunger et al. 2021)", "S18": "Aunger et al. 2021", "S33": "Community Network 2020a",
        "S34": "Lim 2014", "S80": "Community Network 2020b",
    }
    assert cites == cite_sources(reversed(sources))  # loading order does not matter
    assert [c.id for c in sorted_citations(["S80", "S34", "S0", "S99"], cites)] == ["S0", "S80", "S34"]
    assert where(cites["S34"]) == "reference 34 of the review; evidence file S34"
    assert where(cites["S0"]) == "the review's own statements; evidence file S0"


def test_every_source_of_the_default_model_has_a_distinct_citation():
    model = bayesnet.load()
    cites = cite_sources(model.evidence)
    assert set(cites) == set(model.evidence.ids)
    shorts = [c.short for c in cites.values()]
    assert len(set(shorts)) == len(shorts)
    years = {s.id: str(s.year) for s in model.evidence}
    assert all(isinstance(c, Citation) and years[c.id] in c.short and c.full for c in cites.values())
    assert cites["S44"].short == "Foundation Trust Network 2014"
    assert cites["S0"].short == "the review (Aunger et al. 2021)"
    assert (cites["S18"].short, cites["S84"].short) == ("Aunger et al. 2021a", "Aunger et al. 2021b")
    assert not any(s.startswith("S") and s[1:].isdigit() for s in shorts)  # never a bare id
