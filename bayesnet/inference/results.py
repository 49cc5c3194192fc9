"""The answers of queries: one node's distribution, several nodes', a joint distribution.

Each result keeps its :class:`~bayesnet.inference.questions.Question`, the point answer of
the posterior-mean network and, when asked, the answer under every posterior draw, and
shows them as pandas objects and an ArviZ ``InferenceData``. :func:`plain` makes any value
of a result JSON-ready.

Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import pandas as pd

from bayesnet.defaults import DEFAULT_HDI
from bayesnet.display import Card, draws_note, interval_chart, interval_text
from bayesnet.errors import QueryError, closest
from bayesnet.inference.intervals import hdi, inference_data
from bayesnet.inference.questions import Question, Situation

if TYPE_CHECKING:
    import arviz as az

    from bayesnet.display.charts import Axes

__all__ = ["JointResult", "QueryResult", "QueryResults", "plain"]


def plain(value: Any) -> Any:
    """A JSON-ready copy: numpy scalars as Python ones, NaN as None, tuples as lists, recursively."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else value
    return None if value is pd.NA or value is pd.NaT else value


@dataclass(frozen=True)
class QueryResult:
    """The answer to one query about one node.

    The **headline** is :attr:`distribution`: the posterior predictive distribution, the mean
    of the answer over the posterior draws (with ``draws=None``, the answer of the
    posterior-mean network instead). Every surface (the command line, reports, comparisons,
    change reports, ArviZ's summary) shows this number; :attr:`interval` is its highest-density
    interval over the same draws.

    Attributes
    ----------
    question : Question
    point : numpy.ndarray
        Shape ``(k,)``: the answer of the network with posterior-mean parameters, the network
        ``model.network`` and the BIF/XMLBIF exports hold. Not the headline: a mean of
        probabilities is not the probability of a mean network.
    draws : numpy.ndarray or None
        Shape ``(S, k)``: the distribution under each posterior draw (None if not asked).
    hdi_prob : float
    seed : int or None
    """

    question: Question
    point: np.ndarray
    draws: np.ndarray | None = None
    hdi_prob: float = DEFAULT_HDI
    seed: int | None = None

    @property
    def target(self) -> str:
        """The node asked about."""
        return self.question.target

    @property
    def states(self) -> tuple[str, ...]:
        """Its states."""
        return self.question.model.spec.states[self.target]

    @property
    def situation(self) -> Situation:
        """What was observed and set."""
        return self.question.situation

    def _series(self, values: np.ndarray) -> pd.Series:
        return pd.Series(values, index=pd.Index(self.states, name="state"), name=self.target)

    @property
    def headline(self) -> np.ndarray:
        """``(k,)``: the mean over draws, or the posterior-mean network's answer without draws."""
        return self.point if self.draws is None else self.draws.mean(axis=0)

    @property
    def distribution(self) -> pd.Series:
        """The headline answer as a Series indexed by state (see the class docstring)."""
        return self._series(self.headline)

    @property
    def n_draws(self) -> int:
        """Number of posterior draws behind the interval (0 if none)."""
        return 0 if self.draws is None else int(self.draws.shape[0])

    @property
    def mean(self) -> pd.Series | None:
        """Mean over draws, by state (the headline; None without draws)."""
        return None if self.draws is None else self.distribution

    @property
    def interval(self) -> pd.DataFrame | None:
        """HDI by state: columns ``low`` and ``high``."""
        if self.draws is None:
            return None
        bounds = hdi(self.draws, self.hdi_prob)
        return pd.DataFrame(bounds, index=pd.Index(self.states, name="state"), columns=["low", "high"])

    @property
    def frame(self) -> pd.DataFrame:
        """One row per state: ``probability`` (the headline) and, with draws, ``low``, ``high``
        (the HDI); ``network`` is the posterior-mean network's answer."""
        out = self.distribution.to_frame("probability")
        interval = self.interval
        if interval is not None:
            out = out.join(interval)
        out["network"] = self.point
        return out

    def to_inference_data(self) -> az.InferenceData:
        """The draws as ArviZ ``InferenceData`` (posterior group).

        The draws are independent, so they are laid out as up to four chains of equal length
        (independent batches of the same draws): ``az.summary`` then reports the headline as
        its mean without warnings, and its r_hat (about 1) and ESS (about the number of
        draws) only confirm that the draws are independent. The variable is named after the
        target and its dimension ``<target>_state`` has the target's states as coordinates.
        """
        if self.draws is None:
            raise QueryError("this result has no draws: ask with draws=N to get an InferenceData")
        return inference_data(
            {self.target: self.draws},
            {self.target: self.states},
            attrs={
                "situation": self.situation.describe(),
                "hdi_prob": self.hdi_prob,
                "seed": -1 if self.seed is None else self.seed,
                "headline": "posterior mean over draws",
            },
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form: target, given, do, scenario, distribution (the headline), and with draws
        the interval, their number and seed; ``network``: the posterior-mean network's answer."""
        out: dict[str, Any] = {
            "target": self.target,
            "given": dict(self.situation.given),
            "do": dict(self.situation.do),
            "scenario": self.situation.scenario,
            "distribution": {s: float(p) for s, p in zip(self.states, self.headline, strict=True)},
        }
        interval = self.interval
        if interval is not None:
            out["interval"] = {s: [float(interval.at[s, "low"]), float(interval.at[s, "high"])] for s in self.states}
            out["hdi_prob"] = self.hdi_prob
            out["draws"] = self.n_draws
            out["seed"] = self.seed
        out["network"] = {s: float(p) for s, p in zip(self.states, self.point, strict=True)}
        if self.situation.overridden:
            out["overridden"] = {k: {"scenario": a, "now": b} for k, (a, b) in self.situation.overridden.items()}
        return out

    @property
    def state(self) -> str:
        """The state the headline sentence is about: the question's (default the upper one)."""
        q = self.question
        return q.state if q.target == self.target else self.states[-1]

    def headline_text(self) -> str:
        """The answer in words: ``Collaborative behaviour = collaborative: 0.623 (94% interval
        0.581 to 0.664)``."""
        q, i = self.question, self.states.index(self.state)
        interval = self.interval
        low, high = (float("nan"),) * 2 if interval is None else interval.iloc[i]
        mass = self.hdi_prob if self.n_draws else None
        answer = interval_text(float(self.headline[i]), low, high, hdi_prob=mass)
        return f"{q.label(self.target)} = {self.state}: {answer}"

    def _card(self) -> Card:
        q = self.question
        return Card(
            title=f"P({q.label(self.target)} | {q.situation_text()})",
            headline=self.headline_text(),
            tables=[("", self.frame.drop(columns="network"))],
            note=draws_note(self.n_draws, self.hdi_prob, self.seed),
        )

    def _repr_html_(self) -> str:
        return self._card().to_html()

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each state's probability (the headline) with its interval; the question's state red.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw here; default a new figure.

        Returns
        -------
        matplotlib.axes.Axes
        """
        frame = self.frame
        has = "low" in frame
        return interval_chart(
            ax, list(self.states), frame["probability"].to_numpy(),
            frame["low"].to_numpy() if has else None, frame["high"].to_numpy() if has else None,
            xlabel=f"P({self.question.label(self.target)} = state)",
            title=self.question.situation_text(), highlight=[s == self.state for s in self.states],
        )

    def __repr__(self) -> str:
        lines = [f"P({self.target} | {self.situation.describe()})"]
        interval = self.interval
        for i, s in enumerate(self.states):
            text = f"  {s:<14} {self.headline[i]:.3f}"
            if interval is not None:
                text += f"  [{interval.at[s, 'low']:.3f}, {interval.at[s, 'high']:.3f}]"
            lines.append(text)
        if interval is not None:
            lines.append(f"  (mean and {self.hdi_prob:.0%} HDI over {self.n_draws} posterior draws)")
        else:
            lines.append("  (the posterior-mean network; no draws)")
        return "\n".join(lines)


@dataclass(frozen=True)
class JointResult:
    """The joint distribution of several nodes.

    Attributes
    ----------
    question : Question
        Its targets are the nodes of the joint distribution.
    point : numpy.ndarray
        Shape ``(k1, k2, ...)``: the posterior-mean network's answer.
    draws : numpy.ndarray or None
        Shape ``(S, k1, k2, ...)``.
    """

    question: Question
    point: np.ndarray
    draws: np.ndarray | None = None
    hdi_prob: float = DEFAULT_HDI

    @property
    def targets(self) -> tuple[str, ...]:
        """The nodes of the joint distribution."""
        return self.question.targets

    @property
    def states(self) -> tuple[tuple[str, ...], ...]:
        """Their states."""
        return tuple(self.question.model.spec.states[t] for t in self.targets)

    @property
    def situation(self) -> Situation:
        """What was observed and set."""
        return self.question.situation

    @property
    def frame(self) -> pd.DataFrame:
        """One row per joint configuration: ``probability`` (the headline: the mean over draws,
        or the network's answer without draws), ``low``, ``high`` (the HDI) and ``network``."""
        index = pd.MultiIndex.from_product([list(s) for s in self.states], names=list(self.targets))
        data: dict[str, Any] = {"probability": self.point.reshape(-1)}
        if self.draws is not None:
            flat = self.draws.reshape(self.draws.shape[0], -1)
            bounds = hdi(flat, self.hdi_prob)
            data.update(probability=flat.mean(axis=0), low=bounds[:, 0], high=bounds[:, 1])
        data["network"] = self.point.reshape(-1)
        return pd.DataFrame(data, index=index)

    def _card(self) -> Card:
        q = self.question
        frame = self.frame.drop(columns="network").sort_values("probability", ascending=False, kind="stable")
        frame.index = frame.index.set_names([q.label(t) for t in self.targets])
        best, row = frame.index[0], frame.iloc[0]
        n = 0 if self.draws is None else int(self.draws.shape[0])
        words = ", ".join(f"{q.label(t)} = {s}" for t, s in zip(self.targets, best, strict=True))
        return Card(
            title=f"P({', '.join(q.label(t) for t in self.targets)} | {q.situation_text()})",
            headline=f"Most likely: {words}, "
                     + interval_text(row["probability"], row.get("low", float("nan")), row.get("high", float("nan")),
                                     hdi_prob=self.hdi_prob if n else None),
            tables=[("", frame)],
            note=draws_note(n, self.hdi_prob),
        )

    def _repr_html_(self) -> str:
        return self._card().to_html()

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each joint configuration's probability with its interval, in the order of the frame."""
        frame = self.frame
        labels = [", ".join(map(str, k)) for k in frame.index]
        has = "low" in frame
        return interval_chart(
            ax, labels, frame["probability"].to_numpy(), frame["low"].to_numpy() if has else None,
            frame["high"].to_numpy() if has else None,
            xlabel=f"P({', '.join(self.question.label(t) for t in self.targets)})",
            title=self.question.situation_text(),
        )

    def __repr__(self) -> str:
        return f"P({', '.join(self.targets)} | {self.situation.describe()})\n{self.frame.round(4)}"


@dataclass(frozen=True)
class QueryResults(Sequence[QueryResult]):
    """One :class:`QueryResult` per target of a query about several nodes, in the order asked.

    Index by position or by node id.
    """

    results: tuple[QueryResult, ...]

    @overload
    def __getitem__(self, key: int | str) -> QueryResult: ...

    @overload
    def __getitem__(self, key: slice) -> Sequence[QueryResult]: ...

    def __getitem__(self, key: int | str | slice) -> QueryResult | Sequence[QueryResult]:
        if isinstance(key, str):
            for r in self.results:
                if r.target == key:
                    return r
            raise QueryError(f"no result for {key!r}", suggestions=closest(key, [r.target for r in self.results]))
        return self.results[key]

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[QueryResult]:
        return iter(self.results)

    def to_dict(self) -> list[dict[str, Any]]:
        """JSON form: one record per target."""
        return [r.to_dict() for r in self.results]

    @property
    def frame(self) -> pd.DataFrame:
        """Every target's states: index ``(node, state)``, the columns of :attr:`QueryResult.frame`."""
        return pd.concat({r.target: r.frame for r in self.results}, names=["node", "state"])

    def _repr_html_(self) -> str:
        return "".join(r._repr_html_() for r in self.results)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each target's headline state (its question's state, else its upper one) with its interval."""
        labels, mean, low, high = [], [], [], []
        for r in self.results:
            row = r.frame.loc[r.state]
            labels.append(f"{r.question.label(r.target)} = {r.state}")
            mean.append(row["probability"])
            low.append(row.get("low", float("nan")))
            high.append(row.get("high", float("nan")))
        q = self.results[0].question
        return interval_chart(ax, labels, mean, low, high, xlabel="probability", title=q.situation_text())

    def __repr__(self) -> str:
        return "\n\n".join(repr(r) for r in self.results)
