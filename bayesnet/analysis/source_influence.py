"""Which studies carry an answer: each source left out in turn, exactly.

For a question ``P(T = t | situation)`` over ``S`` posterior draws and each source ``s`` of the
model, the model without ``s`` answers the same question over the same draws:

    change_s = mean over draws of P_{-s}(T = t | situation) - the headline now

and, for a stated conclusion (a :class:`~bayesnet.analysis.claims.Claim`: one situation higher
than another, a set of levers raising the answer), ``P_{-s}(claim)``, the share of the draws in
which it holds without ``s``, against ``P(claim)`` now.

Exact, with no refit and no approximation: every parameter is drawn from its own random
stream (:mod:`bayesnet.build.streams`), so the model without ``s`` draws every parameter it
shares with the full model identically, and leaving ``s`` out changes only the tables of the
nodes whose links ``s`` states (their weights; their bias spread, which shrinks with the
sources that report a node's causes). Those tables alone are rebuilt, and only the slices the
question reads of them (:func:`bayesnet.build.sharing.shared_leaves`), and the question is
asked again; a source that touches no node the question reads changes it by exactly 0. The
result equals rebuilding the model without ``s`` from its files (a test checks every source of
the default model to 1e-12).

A link that only ``s`` states leaves the model with it (no source, no link; as in
:mod:`bayesnet.build.source_filter`): its child loses that parent, and becomes a root with the
base-rate prior if it has no cause left. The table names those links (``dropped_links``).

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet.analysis.claims import Claim, distinct_questions
from bayesnet.analysis.ranking import tie_groups
from bayesnet.build.graph import row_link_name
from bayesnet.build.model import Model
from bayesnet.build.sharing import cpt_signatures, shared_leaves
from bayesnet.build.source_filter import dropped_links, reference_order
from bayesnet.checks import check_choice
from bayesnet.display import Card, bar_chart
from bayesnet.display.charts import COLOURS
from bayesnet.engine import relevant_nodes
from bayesnet.errors import QueryError, closest
from bayesnet.inference.evaluation import answer
from bayesnet.inference.posteriors import Posterior
from bayesnet.inference.questions import Question
from bayesnet.inference.results import plain
from bayesnet.inputs.evidence import Evidence, Source

if TYPE_CHECKING:
    from bayesnet.display.charts import Axes

__all__ = ["INFLUENCE_COLUMNS", "Influence", "influence"]

INFLUENCE_COLUMNS = (
    "rank", "citation", "kind", "collaboration_type", "year", "links", "n_links", "dropped_links",
    "probability", "change",
)
"""Columns of :attr:`Influence.frame` (index ``source``); with a claim also ``difference``,
``p_claim``, ``p_change`` and ``holds``."""


@dataclass(frozen=True)
class Influence:
    """How the answer to one question changes when each source is left out.

    Attributes
    ----------
    question : Question
    posterior : Posterior
    headline : float
        ``P(target = state)`` now: the mean over the posterior draws.
    claim : Claim or None
    p_claim : float or None
        The share of draws in which the claim holds now.
    difference : float or None
        The mean paired difference of the claim's two answers now.
    frame : pandas.DataFrame
        One row per source (index ``source``), ranked by ``|change|`` (or by ``|p_change|``):
        ``rank`` (sources whose changes are equal to 1e-12 share one), ``citation``, ``kind``,
        ``collaboration_type``, ``year``, ``links`` (the links it states, ``; ``-separated),
        ``n_links``, ``dropped_links`` (those no other source states, which leave the model
        with it), ``probability`` (the headline without it), ``change`` (that minus the headline
        now); with a claim ``difference`` (its mean difference without the source), ``p_claim``
        (the share of draws in which it holds without it), ``p_change`` and ``holds``
        (whether the mean difference keeps its sign).
    ranked_by : {'headline', 'claim'}
    """

    question: Question
    posterior: Posterior
    headline: float
    claim: Claim | None
    p_claim: float | None
    difference: float | None
    frame: pd.DataFrame
    ranked_by: str = "headline"

    @property
    def nonzero(self) -> pd.DataFrame:
        """The rows of sources whose absence changes the headline or ``P(claim)`` at all."""
        moved = self.frame["change"] != 0.0
        if self.claim is not None:
            moved |= self.frame["p_change"] != 0.0
        return self.frame[moved]

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the question, the headline (and claim) now, and one record per source."""
        post = self.posterior
        return plain({
            "target": self.question.target, "state": self.question.state,
            "situation": self.question.situation.describe(), "model": self.question.model.name,
            "headline": self.headline, "claim": None if self.claim is None else self.claim.description,
            "p_claim": self.p_claim, "difference": self.difference, "ranked_by": self.ranked_by,
            "draws": post.n_draws, "seed": post.seed,
            "sources": [{"source": k, **v, "links": _split(v["links"]), "dropped_links": _split(v["dropped_links"])}
                        for k, v in self.frame.to_dict(orient="index").items()],
        })

    def short(self, source_id: str) -> str:
        """A source's short citation (first author and year)."""
        cited = self.question.model.citations.get(source_id)
        return source_id if cited is None else cited.short

    def headline_text(self) -> str:
        """The answer in words: the source whose absence moves the answer (or the claim) most."""
        q = self.question
        what = f"P({q.label(q.target)} = {q.state})"
        moved = self.nonzero
        if moved.empty:
            return f"{what} = {self.headline:.3f}; leaving out any one source changes nothing."
        sid, top = moved.index[0], moved.iloc[0]
        text = (f"Leaving out {sid} ({self.short(sid)}) moves {what} most: {self.headline:.3f} -> "
                f"{top['probability']:.3f} ({top['change']:+.3f})")
        if int(top["n_links"]):
            text += f"; it states {int(top['n_links'])} link(s), {len(_split(top['dropped_links']))} of them alone"
        if self.claim is not None and self.p_claim is not None:
            broken = int((~moved["holds"]).sum()) if "holds" in moved else 0
            text += (f". The claim '{self.claim.description}' holds in {self.p_claim:.0%} of draws now; "
                     + ("no single source's absence reverses it" if not broken
                        else f"leaving out {broken} source(s) one at a time reverses it"))
        return text + "."

    def _card(self) -> Card:
        q = self.question
        cols = ["rank", "citation", "kind", "n_links", "dropped_links", "probability", "change"]
        if self.claim is not None:
            cols += ["p_claim", "p_change", "holds"]
        shown = self.nonzero[[c for c in cols if c in self.frame]].copy()
        shown["citation"] = [self.short(sid) for sid in shown.index]
        return Card(
            title=f"Which studies carry {q.describe(labels=True)}",
            headline=self.headline_text(),
            tables=[("Each source left out, exactly (the model rebuilt without it)", shown.rename(
                columns={"citation": "source"}))],
            note=f"Means over {self.posterior.n_draws} posterior draws (seed {self.posterior.seed}), the same draws "
                 "with and without each source.",
            formats={"change": "+.4f", "p_change": "+.3f", "p_claim": ".3f", "probability": ".3f"},
        )

    def _repr_html_(self) -> str:
        return self._card().to_html()

    def plot(self, ax: Axes | None = None, *, top: int = 15) -> Axes:
        """The change in the answer when each source is left out, largest first."""
        q = self.question
        frame = self.nonzero.head(top)
        return bar_chart(ax, [f"{self.short(sid)} ({sid})" for sid in frame.index], frame["change"].to_numpy(),
                         xlabel=f"change in P({q.label(q.target)} = {q.state}) without the source "
                                f"(now {self.headline:.3f})", title="Which studies carry the answer",
                         colour=COLOURS["evidence"])

    def __repr__(self) -> str:
        q = self.question
        lines = [f"{q.describe()} = {self.headline:.4f} (mean over {self.posterior.n_draws} draws)"]
        if self.claim is not None:
            lines.append(f"Claim: {self.claim.description}: P = {self.p_claim:.3f}, mean difference "
                         f"{self.difference:+.4f}")
        lines.append("Each source left out (exact), by the size of the change it makes:")
        for sid, r in self.nonzero.head(10).iterrows():
            text = f"  {r['rank']:>3} {sid:<5} {r['change']:+.4f}"
            if self.claim is not None:
                text += f"  P(claim) {r['p_claim']:.3f} ({r['p_change']:+.3f})"
            lines.append(f"{text}  {r['citation'][:60]}")
        return "\n".join(lines)


def _split(text: str) -> list[str]:
    return text.split("; ") if text else []


def _link_names(links: pd.DataFrame, source_id: str) -> list[str]:
    """Names of the links (of any lag) ``source_id`` supports or contradicts."""
    names = []
    for row in links.to_dict(orient="records"):
        sup, con = row["support_ids"], row["contradict_ids"]
        if source_id in sup or source_id in con:
            names.append(row_link_name(row) + (" (contradicts)" if source_id in con else ""))
    return names


def _without(model: Model, source_id: str) -> Model:
    """The model built from every source but ``source_id``."""
    kept = Evidence([s for s in model.evidence if s.id != source_id])
    return Model(model.codebook, kept, model.settings, model.scenarios, dict(model.review_summary), model.root)


def _reads(q: Question) -> set[str]:
    """Nodes whose CPTs the question reads: not the barren ones, nor those it sets."""
    return relevant_nodes(q.model.structure, [q.target, *q.evidence], q.do) - set(q.do)


def influence(
    q: Question,
    post: Posterior,
    *,
    claim: Claim | None = None,
    sources: Iterable[str] | None = None,
    rank_by: str = "headline",
) -> Influence:
    """The exact change in the answer (and in ``P(claim)``) when each source is left out.

    Parameters
    ----------
    q : Question
    post : Posterior
        Of ``q.model``; every model without one source is answered over the same draws and seed.
    claim : Claim, optional
        A conclusion drawn from two answers of the same model (:class:`Claim`): how likely it is
        without each source.
    sources : iterable of str, optional
        Leave out only these sources, one at a time (default: every source of the model).
    rank_by : {'headline', 'claim'}
        Rank by the size of the change in the headline, or in ``P(claim)`` (then by the headline).

    Returns
    -------
    Influence

    Raises
    ------
    QueryError
        A claim about another model, an unknown source id, ``rank_by='claim'`` without a claim.

    Examples
    --------
    >>> import bayesnet
    >>> model = bayesnet.load()
    >>> q = bayesnet.question(model, "collaborative_behaviour", scenario="integrated_care_system")
    >>> result = bayesnet.influence(q, bayesnet.posterior(model, draws=200))
    >>> result.frame.index[0]
    'S44'
    """
    rank_by = check_choice(rank_by, "rank_by", "influence", ("headline", "claim"))
    model = q.model
    if post.model is not model:
        raise QueryError("the posterior belongs to another model than the question")
    if claim is not None and claim.higher.model is not model:
        raise QueryError("the claim is about another model than the question")
    if rank_by == "claim" and claim is None:
        raise QueryError("rank_by='claim' needs a claim")
    ids = list(model.evidence.ids) if sources is None else list(dict.fromkeys(sources))
    for sid in ids:
        if sid not in model.evidence:
            raise QueryError(f"the model has no source {sid!r}", suggestions=closest(sid, model.evidence.ids))
    asked, which = distinct_questions([q, *(claim.questions if claim is not None else ())])
    answers = [answer(x, post.cpts) for x in asked]
    now = [answers[i] for i in which]
    read_now = set().union(*(_reads(x) for x in asked))
    signatures = cpt_signatures(model)
    rows = []
    for sid in ids:
        src = model.evidence.get(sid)
        assert src is not None
        reduced = _without(model, sid)
        theirs = cpt_signatures(reduced)
        changed = {n for n, sig in theirs.items() if signatures.get(n) != sig}
        if changed & read_now:
            again = _answers(reduced, asked, post, signatures=signatures, theirs=theirs)
            draws = [again[i] for i in which]
        else:  # nothing the questions read differs: the same draws, exactly
            draws = now
        rows.append(_row(src, model, reduced, draws, now=now, claim=claim))
    frame = pd.DataFrame(rows).set_index("source").astype({"year": "Int64"})
    frame = _ranked(frame, rank_by)
    p_claim = None if claim is None else float(np.mean(now[1] - now[2] > 0))
    difference = None if claim is None else float(np.mean(now[1] - now[2]))
    return Influence(q, post, float(np.mean(now[0])), claim, p_claim, difference, frame, rank_by)


def _answers(reduced: Model, asked: Sequence[Question], post: Posterior, *, signatures: Mapping[str, Hashable],
             theirs: Mapping[str, Hashable]) -> list[np.ndarray]:
    """The questions asked of the model without a source, over the posterior's draws."""
    moved = [x.of(reduced) for x in asked]
    leaves, _ = shared_leaves(reduced, post.model, post.cpts, seed=post.seed, base_signatures=signatures,
                              signatures=theirs)
    return [answer(x, leaves) for x in moved]


def _row(src: Source, model: Model, reduced: Model, draws: Sequence[np.ndarray], *, now: Sequence[np.ndarray],
         claim: Claim | None) -> dict[str, Any]:
    links = _link_names(model.links, src.id)
    row: dict[str, Any] = {
        "source": src.id, "citation": src.citation, "kind": src.kind, "collaboration_type": src.collaboration_type,
        "year": src.year, "links": "; ".join(links), "n_links": len(links),
        "dropped_links": "; ".join(dropped_links(model.links, reduced.links)),
        "probability": float(np.mean(draws[0])), "change": float(np.mean(draws[0]) - np.mean(now[0])),
    }
    if claim is not None:
        diff, diff_now = draws[1] - draws[2], now[1] - now[2]
        row.update(difference=float(np.mean(diff)), p_claim=float(np.mean(diff > 0)),
                   p_change=float(np.mean(diff > 0) - np.mean(diff_now > 0)),
                   holds=bool(np.sign(np.mean(diff)) == np.sign(np.mean(diff_now))))
    return row


def _ranked(frame: pd.DataFrame, rank_by: str) -> pd.DataFrame:
    """Sources by the size of their change in the headline (changes within 1e-12 tie, and ties go
    by reference number) or, first, by the size of their change in ``P(claim)`` (a multiple of
    ``1 / S``, compared exactly); ``rank`` is shared by ties."""
    n = len(frame)
    order, groups = tie_groups(frame["change"].abs().to_numpy())
    group_of = np.empty(n, dtype=int)
    group_of[order] = groups
    primary = -frame["p_change"].abs().to_numpy() if rank_by == "claim" else np.zeros(n)
    keys = [(float(primary[i]), int(group_of[i]), reference_order(str(frame.index[i]))) for i in range(n)]
    ordered = sorted(range(n), key=keys.__getitem__)
    ranks: list[int] = []
    for pos, i in enumerate(ordered):
        same = pos > 0 and keys[i][:2] == keys[ordered[pos - 1]][:2]
        ranks.append(ranks[-1] if same else pos + 1)
    out = frame.iloc[ordered]
    out.insert(0, "rank", ranks)
    return out
