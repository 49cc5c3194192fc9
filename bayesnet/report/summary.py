"""The top of the report: the answer and what to do about it, in the results' own sentences,
and the short guide to reading the rest.

Pure. Every sentence is the one the result object writes of itself
(:meth:`~bayesnet.inference.results.QueryResult.headline_text`,
:meth:`~bayesnet.analysis.LeverResult.headline_text`,
:meth:`~bayesnet.analysis.Tornado.headline_text`,
:meth:`~bayesnet.inference.comparison.Comparison.headline_text`,
:meth:`~bayesnet.analysis.EvidenceRanking.headline_text`), so the report, a notebook's
cards and the command line say the same thing in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from bayesnet.display.cards import draws_note, interval_text
from bayesnet.report.data import ReportData
from bayesnet.report.tables import sources_note
from bayesnet.report.views import share

__all__ = ["HOW_TO_READ", "TOP_LEVERS", "Headline", "headline_box"]

TOP_LEVERS = 3
"""Single levers the box lists (more when the last is tied with the next)."""


HOW_TO_READ = (
    ("Observed or set",
     "A context the situation observes is known to hold: the model also reasons back from it to its "
     "causes. A lever is set (an intervention): someone makes it so, and only its effects count. The "
     "tornado and the levers set nodes."),
    ("The number and its interval",
     "Each probability is the mean over the posterior draws: each draw is one network the review's evidence "
     "allows. The interval is the narrowest range holding {hdi} of the draws; it is wide where few studies "
     "stand behind the links."),
    ("Paired contrasts",
     "A gain or a difference is worked out draw by draw on the same draws, like a paired trial: it has its "
     "own interval, and 'raises it in 97% of draws' is the share of draws in which it is positive. So a "
     "gain can be clear while two probabilities' intervals overlap."),
    ("Tables and files",
     "Tables show names and rounded numbers, and the first {rows} rows of long tables. The CSV files beside "
     "this page hold every row and column, the ids and full precision. Point at a source for its full "
     "citation."),
)
"""The page's short guide: (heading, text)."""


@dataclass(frozen=True)
class Headline:
    """What the top of the report says.

    Attributes
    ----------
    title : str
        ``What matters for Collaborative behaviour (synergy) = collaborative``.
    question : str
        :meth:`~bayesnet.inference.questions.Question.describe` with labels.
    answer : str
        The probability and its interval.
    levers : str
        The best set of levers, its gain and interval, how often it is best, its ties.
    top_levers : tuple of str
        Each of the best single levers: its gain with the interval, how often it raises the
        probability, and whether it is tied (levers of one rank share their number).
    moves : str
        The node that moves the probability most (contexts and mechanisms).
    scenarios : str
        The other collaboration types, paired with this situation.
    evidence : str
        The link whose next study would narrow the answer most.
    note : str
        What the numbers are: means and intervals over how many draws, and which model answered.
    studies : str
        The source whose absence moves the answer most (empty when not analysed).
    robustness : str
        How far the answer rests on the model's settings (empty when not asked for).
    sources : str
        Which sources the model was built from, when a filter narrowed them (else empty).
    """

    title: str
    question: str
    answer: str
    levers: str
    top_levers: tuple[str, ...]
    moves: str
    scenarios: str
    evidence: str
    note: str
    studies: str = ""
    robustness: str = ""
    sources: str = ""


def _sentence(text: str) -> str:
    return text if text.endswith(".") else text + "."


def headline_box(data: ReportData, *, top: int = TOP_LEVERS) -> Headline:
    """The headline of a report."""
    q = data.question
    post = data.posterior
    singles = data.levers.singles
    if len(singles):
        last = singles["rank"].iloc[min(top, len(singles)) - 1]
        singles = singles[singles["rank"] <= last]
    top_levers = tuple(
        f"{r['rank']}. {r['label']} = {r['state']}: gain "
        f"{interval_text(r['gain'], r['low'], r['high'], hdi_prob=post.hdi_prob, signed=True)}; "
        f"raises it in {share(r['p_improves'])} of draws" + ("; tied" if r["tied"] else "")
        for _, r in singles.iterrows()
    )
    return Headline(
        title=f"What matters for {q.label(q.target)} = {q.state}",
        question=q.describe(labels=True),
        answer=data.answer.headline_text(),
        levers=_sentence(data.levers.headline_text()),
        top_levers=top_levers,
        moves=_sentence(data.tornado.headline_text()),
        scenarios=_sentence(data.comparison.headline_text()),
        evidence=_sentence(data.evidence.headline_text()),
        note=f"{draws_note(post.n_draws, post.hdi_prob, post.seed)} Model: {data.model_name}.",
        studies=_sentence(data.studies.headline_text()) if data.studies is not None else "",
        robustness=data.robustness.verdict() if data.robustness is not None else "",
        sources=sources_note(data) or "",
    )
