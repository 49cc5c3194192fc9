"""A stated conclusion that can be asked again of another model: one answer is higher than another.

A reviewer's conclusions are comparisons: buddying gives more collaborative behaviour than an
integrated care system; setting quick wins and legal agreements raises it. A :class:`Claim`
holds the two questions behind such a conclusion, so that the analyses that change the model
(leaving a study out, other settings) can ask them again and say whether it still holds:
``P(claim)`` is the share of posterior draws in which the first answer is higher than the
second (the draws are paired: both answers come from the same draw).

(:class:`bayesnet.analysis.evidence_value.Conclusion` holds the draws of candidates, which is
what reweighting needs; a claim holds the questions, which is what re-asking needs.)

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from bayesnet.errors import QueryError
from bayesnet.inference.evaluation import answer
from bayesnet.inference.questions import Question

if TYPE_CHECKING:
    from bayesnet.analysis.lever_search import LeverResult
    from bayesnet.build.model import CPTs, Model
    from bayesnet.inference.comparison import Comparison

__all__ = ["Claim", "distinct_questions"]


@dataclass(frozen=True)
class Claim:
    """``P(target = state)`` is higher in the situation of :attr:`higher` than in that of :attr:`lower`.

    Build with :meth:`versus`, :meth:`from_comparison`, :meth:`levers` or :meth:`best_levers`.

    Attributes
    ----------
    higher, lower : Question
        The same target and state of one model, in two situations.
    description : str
        The conclusion in words.
    """

    higher: Question
    lower: Question
    description: str

    def __post_init__(self) -> None:
        a, b = self.higher, self.lower
        if a.model is not b.model or a.target != b.target or a.state != b.state:
            raise QueryError("the two sides of a claim must ask about the same target and state of one model")
        if a.situation == b.situation:
            raise QueryError(f"the two sides of the claim {self.description!r} are the same situation")

    @property
    def questions(self) -> tuple[Question, Question]:
        """``(higher, lower)``."""
        return (self.higher, self.lower)

    @classmethod
    def versus(cls, q: Question, other: Question) -> Claim:
        """``q``'s answer is higher than ``other``'s (e.g. one scenario against another)."""
        return cls(q, other, f"{_short(q)} gives a higher P({q.label(q.target)} = {q.state}) than "
                             f"{_short(other)}")

    @classmethod
    def from_comparison(cls, comparison: Comparison, situation: str | None = None) -> Claim:
        """A situation of a comparison (default: the first that is not its baseline) is higher than
        the baseline."""
        names = list(comparison.names)
        if situation is not None and situation not in names:
            raise QueryError(f"{situation!r} is not one of the situations compared ({', '.join(names)})")
        i = names.index(situation) if situation is not None else next(
            j for j in range(len(names)) if j != comparison.baseline)
        j = comparison.baseline
        return cls(comparison.questions[i], comparison.questions[j],
                   f"{comparison.label(names[i])} gives a higher P({comparison.questions[0].label(comparison.target)} "
                   f"= {comparison.state}) than {comparison.label(names[j])}")

    @classmethod
    def levers(cls, q: Question, levers: Mapping[str, str]) -> Claim:
        """Setting ``levers`` (node -> state, by intervention) raises ``q``'s answer."""
        if not levers:
            raise QueryError("name at least one lever (NODE=STATE) whose gain the claim is about")
        checked = q.model.codebook.resolve(dict(levers), what="lever")
        fixed = sorted(set(checked) & set(q.situation.given))
        if fixed:
            raise QueryError(f"{fixed[0]!r} is observed in this situation; a lever must be free to set")
        sit = q.situation
        raised = q.with_situation(replace(sit, do={**sit.do, **checked}))
        text = ", ".join(f"{q.label(k)} = {v}" for k, v in checked.items())
        return cls(raised, q, f"setting {text} raises P({q.label(q.target)} = {q.state})")

    @classmethod
    def best_levers(cls, result: LeverResult) -> Claim:
        """The best set of levers a lever search found raises the answer."""
        return cls.levers(result.question, result.best_set)

    def of(self, model: Model) -> Claim:
        """The same claim asked of another model over the same codebook."""
        return Claim(self.higher.of(model), self.lower.of(model), self.description)

    def differences(self, cpts: CPTs) -> np.ndarray:
        """``(S,)``: the higher side's answer minus the lower side's under each draw of ``cpts``."""
        return answer(self.higher, cpts) - answer(self.lower, cpts)


def _short(q: Question) -> str:
    """A situation in few words, with labels: its scenario and the user's own findings and
    interventions."""
    sit = q.situation
    parts = [q.model.scenarios[sit.scenario].label] if sit.scenario else []
    if sit.asked_given:
        parts.append("observing " + ", ".join(f"{q.label(k)} = {v}" for k, v in sit.asked_given.items()))
    if sit.asked_do:
        parts.append("setting " + ", ".join(f"{q.label(k)} = {v}" for k, v in sit.asked_do.items()))
    return "; ".join(parts) if parts else q.situation_text()


def distinct_questions(questions: Sequence[Question]) -> tuple[list[Question], list[int]]:
    """The questions without repeats (a claim's lower side is often the question itself), and
    the position of each given question among them: analyses that ask a question and a claim
    again under another model then ask each situation once."""
    unique: list[Question] = []
    which = []
    for x in questions:
        found = next((i for i, u in enumerate(unique) if u.targets == x.targets and u.state == x.state
                      and u.situation == x.situation), None)
        if found is None:
            unique.append(x)
            found = len(unique) - 1
        which.append(found)
    return unique, which
