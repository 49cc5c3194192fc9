"""Hypothesis strategies shared by the tests: generated coded studies for the small model.

Studies are plain mappings in the evidence-file form (as ``tests.helpers.source`` builds
them) over the nodes of ``tests.helpers.MINI_CODEBOOK``. Same-time arrows only point forward
in :data:`MINI_ORDER`, which is a topological order of the small model's links, so no
generated set of studies closes a cycle; feedback (lag 1) arrows may point anywhere.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from bayesnet.inputs.codebook import Codebook, codebook_from_mapping
from bayesnet.inputs.evidence import SOURCE_KINDS, Source, source_from_mapping
from tests.helpers import MINI_CODEBOOK, cmoc, source

MINI_ORDER = (
    "history_of_collaboration", "mandated", "quick_wins", "initial_trust", "conflict", "trust",
    "collaborative_behaviour",
)
"""A topological order of the small model: every same-time arrow goes left to right."""

MINI_STATES = {n["id"]: tuple(n["states"]) for n in MINI_CODEBOOK["nodes"]}
DIRECTION = st.sampled_from(("increases", "decreases"))


def mini_codebook() -> Codebook:
    """The small model's codebook."""
    return codebook_from_mapping(MINI_CODEBOOK, "<mini codebook>")


@st.composite
def cmocs(draw: st.DrawFn) -> dict[str, Any]:
    """One CMOC: a forward same-time arrow (optionally moderated, optionally with an outcome
    further forward) or a feedback arrow in any direction."""
    n = len(MINI_ORDER)
    if draw(st.integers(0, 5)) == 0:
        a, b = draw(st.lists(st.sampled_from(MINI_ORDER), min_size=2, max_size=2, unique=True))
        return cmoc(a, b, draw(DIRECTION), lag=1)
    i = draw(st.integers(0, n - 2))
    j = draw(st.integers(i + 1, n - 1))
    extra: dict[str, Any] = {}
    if j < n - 1 and draw(st.booleans()):
        extra["outcome"] = MINI_ORDER[draw(st.integers(j + 1, n - 1))]
        extra["outcome_direction"] = draw(DIRECTION)
    moderators = [m for m in MINI_ORDER[:j] if m != MINI_ORDER[i]]
    if moderators and draw(st.integers(0, 3)) == 0:
        m = draw(st.sampled_from(moderators))
        extra["when"] = {m: draw(st.sampled_from(MINI_STATES[m]))}
    return cmoc(MINI_ORDER[i], MINI_ORDER[j], draw(DIRECTION), **extra)


def studies(*, min_size: int = 0, max_size: int = 6, refs: tuple[int, int] = (100, 199)) -> st.SearchStrategy:
    """Lists of study mappings with distinct ids (``S<ref>``, ``ref`` in ``refs``)."""
    return st.lists(st.integers(*refs), min_size=min_size, max_size=max_size, unique=True).flatmap(
        lambda numbers: st.tuples(*(study(r) for r in numbers)).map(list)
    )


def study(ref: int) -> st.SearchStrategy:
    """One study mapping with id ``S<ref>``: a random kind and zero to three CMOCs."""
    return st.builds(
        lambda kind, items: source(ref, items, kind=kind),
        st.sampled_from(SOURCE_KINDS),
        st.lists(cmocs(), min_size=0, max_size=3),
    )


def to_source(data: dict[str, Any], codebook: Codebook | None = None) -> Source:
    """Validate a generated study mapping into a :class:`Source`."""
    return source_from_mapping(data, f"<generated {data['id']}>", codebook or mini_codebook())
