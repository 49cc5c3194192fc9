"""How much an answer depends on the model's own settings: the same question under many of them.

The analyst chose the constants of ``priors/settings.yaml``: how much a supporting source and
the review's own statements count against an included study, the largest effect of one link,
the priors of a link's direction and strength, the spread of what the review does not code,
and the weight model itself. :func:`robustness` re-answers one question under a sample (or a
grid) of those settings and reports the range of the headline, of a claim's contrast, and
whether the claim's sign -- or the best set of levers -- changes anywhere in the range.

* **Variations** (:class:`Variation`): a setting over a range ``LOW:HIGH`` (``LOW:HIGH:log``
  for a log scale) or over listed values ``V1;V2``; :data:`DEFAULT_VARIATIONS` by default.
  :func:`parse_variations` reads the command line's ``--vary NAME=...``.
* **Designs**: ``random`` (default), a Latin hypercube of ``n`` settings from a seeded local
  generator (each range cut into ``n`` equal strata, one draw in each); ``grid``, every
  combination of each range's two ends and middle and each list's values. The model's own
  settings are always the first row.
* **Paired draws.** Every setting is answered over the posterior's draws and seed; each
  parameter comes from its own random stream (:mod:`bayesnet.build.streams`), so the random
  numbers behind the draws are common to all settings and differences between settings are
  not Monte Carlo noise. A setting only rebuilds the CPTs it changes, only for the nodes the
  question reads (:func:`bayesnet.build.sharing.shared_cpt_draws`), and every setting has the
  same structure, so the compiled contraction plans are reused.

Pure: no I/O.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bayesnet.analysis.claims import Claim, distinct_questions
from bayesnet.analysis.lever_search import levers
from bayesnet.build.model import Model
from bayesnet.build.sharing import cpt_signatures, shared_cpt_draws
from bayesnet.checks import check_choice, check_int_range, check_positive_int, check_seed
from bayesnet.defaults import DEFAULT_ROBUSTNESS_SETTINGS
from bayesnet.display import Card, interval_chart
from bayesnet.engine import relevant_nodes
from bayesnet.errors import ParameterError, QueryError, closest
from bayesnet.inference.evaluation import answer
from bayesnet.inference.intervals import summarise
from bayesnet.inference.posteriors import Posterior
from bayesnet.inference.questions import Question
from bayesnet.inference.results import plain
from bayesnet.inputs.settings import WEIGHT_MODELS, Settings, settings_from_mapping

if TYPE_CHECKING:
    from bayesnet.display.charts import Axes

__all__ = [
    "DEFAULT_VARIATIONS",
    "MAX_GRID",
    "VARIABLE_SETTINGS",
    "Robustness",
    "Variation",
    "parse_variations",
    "robustness",
]

VARIABLE_SETTINGS = (
    "weight_model", "direction_prior", "strength_a0", "strength_b0", "reliability_a0", "reliability_b0",
    "kind_weight_included_study", "kind_weight_supporting_source", "kind_weight_review_synthesis", "weight_scale",
    "default_base_rate", "base_rate_concentration", "mechanism_base_rate", "bias_sd",
)
"""Settings a static answer depends on (``persistence`` acts only on trajectories)."""

MAX_GRID = 4096
"""Most settings a grid may hold."""


@dataclass(frozen=True)
class Variation:
    """How one setting varies: over a range (``low``, ``high``; ``log`` scale or not) or over
    listed ``values``."""

    name: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    values: tuple[float | str, ...] = ()

    @property
    def text(self) -> str:
        """As ``--vary`` takes it: ``weight_scale=1.5:4.5``, ``weight_model=a;b``."""
        if self.values:
            return f"{self.name}={';'.join(str(v) for v in self.values)}"
        return f"{self.name}={self.low:g}:{self.high:g}{':log' if self.log else ''}"

    def at(self, u: float) -> float | str:
        """The value at quantile ``u`` in [0, 1) of the range, or the listed value in that stratum."""
        if self.values:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        assert self.low is not None and self.high is not None
        if self.log:
            return float(math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low))))
        return float(self.low + u * (self.high - self.low))

    def grid(self) -> tuple[float | str, ...]:
        """The listed values, or the range's two ends and its middle (geometric on a log scale)."""
        if self.values:
            return self.values
        return (self.at(0.0), self.at(0.5), self.at(1.0))


DEFAULT_VARIATIONS = (
    Variation("kind_weight_supporting_source", 0.0, 1.0),
    Variation("kind_weight_review_synthesis", 0.0, 1.0),
    Variation("weight_scale", 1.5, 4.5),
    Variation("direction_prior", 0.001, 1.0, log=True),
    Variation("strength_a0", 0.5, 2.0),
    Variation("strength_b0", 1.5, 6.0),
    Variation("bias_sd", 0.25, 1.0),
    Variation("weight_model", values=WEIGHT_MODELS),
)
"""What :func:`robustness` varies unless told: the kind weights of the sources that are not
included studies from nothing to a full study's; the largest effect of a link from half to
one and a half times the default (odds x 4.5 to x 90); the direction prior from a thousandth
to one pseudo-count (a link one study states then keeps its direction in all but a few draws,
or in three in four); the strength priors from half to twice theirs; the spread of what the
review does not code from half to twice its; and both weight models."""


def parse_variations(items: Iterable[str]) -> tuple[Variation, ...]:
    """Parse ``NAME=LOW:HIGH``, ``NAME=LOW:HIGH:log`` or ``NAME=V1;V2;...`` (the command line's ``--vary``).

    Raises
    ------
    ParameterError
        Malformed items, unknown settings (with the closest names), a setting given twice,
        numbers that are not numbers, a range whose low end is above its high end.
    """
    out: dict[str, Variation] = {}
    for item in items:
        name, sep, spec = (s.strip() for s in str(item).partition("="))
        if not sep or not name or not spec:
            raise ParameterError(f"expected --vary NAME=LOW:HIGH or NAME=V1;V2, found {item!r}")
        if name not in VARIABLE_SETTINGS:
            hint = closest(name, VARIABLE_SETTINGS, n=1)
            why = " (it acts on trajectories only)" if name == "persistence" else ""
            raise ParameterError(f"--vary: {name!r} is not a setting a static answer depends on{why}; one of "
                                 f"{', '.join(VARIABLE_SETTINGS)}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
        if name in out:
            raise ParameterError(f"--vary: {name!r} is given twice")
        if ";" in spec or name == "weight_model":
            values = tuple(v.strip() for v in spec.split(";"))
            out[name] = Variation(name, values=values if name == "weight_model" else tuple(_number(name, v)
                                                                                         for v in values))
            continue
        parts = spec.split(":")
        log = len(parts) == 3 and parts[2].strip() == "log"
        if len(parts) not in (2, 3) or (len(parts) == 3 and not log):
            raise ParameterError(f"--vary: expected {name}=LOW:HIGH, {name}=LOW:HIGH:log or {name}=V1;V2, "
                                 f"found {name}={spec}")
        low, high = _number(name, parts[0]), _number(name, parts[1])
        if low > high:
            raise ParameterError(f"--vary: the range of {name} runs from {low:g} to {high:g}; give the low end first")
        if log and low <= 0:
            raise ParameterError(f"--vary: a log-scale range of {name} must be above 0; got {low:g}")
        out[name] = Variation(name, low, high, log)
    return tuple(out.values())


def _number(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ParameterError(f"--vary: {name} takes numbers; got {text.strip()!r}") from None


def _with(settings: Settings, values: Mapping[str, Any], where: str) -> Settings:
    """``settings`` with ``values``, checked by the one validator of settings files."""
    entries = {name: {"value": settings.values()[name], "meaning": settings.meaning(name) or name}
               for name in settings.values()}
    for name, value in values.items():
        entries[name]["value"] = value
    return settings_from_mapping({"version": 1, "settings": entries}, where)


def _rows(base: Settings, variations: Sequence[Variation], design: str, n: int, seed: int) -> list[dict[str, Any]]:
    """The settings to answer under, as name -> value (the model's own first)."""
    names = [v.name for v in variations]
    own = {name: base.values()[name] for name in names}
    if design == "grid":
        size = math.prod(len(v.grid()) for v in variations)
        if size > MAX_GRID:
            raise ParameterError(f"a grid over {', '.join(names)} holds {size:,} settings; at most {MAX_GRID:,}: "
                                 "vary fewer settings, list fewer values, or use the random design")
        combos = [dict(zip(names, c, strict=True)) for c in itertools.product(*(v.grid() for v in variations))]
    else:
        rng = np.random.default_rng(seed)
        strata = np.stack([(rng.permutation(n) + rng.random(n)) / n for _ in variations], axis=1)  # Latin hypercube
        combos = [{v.name: v.at(float(u)) for v, u in zip(variations, row, strict=True)} for row in strata]
    return [own, *combos]


def _answers(m: Model, moved: Sequence[Question], post: Posterior, base_signatures: Mapping[str, Hashable],
             buffers: dict[str, np.ndarray]) -> list[np.ndarray]:
    """The questions asked of the model with other settings over the posterior's draws; the tables
    built for it go into ``buffers`` and are not used after return."""
    reads = set().union(*(relevant_nodes(m.structure, [x.target, *x.evidence], x.do) - set(x.do) for x in moved))
    cpts, _ = shared_cpt_draws(m, post.model, post.cpts, n_draws=post.n_draws, seed=post.seed, nodes=reads,
                               base_signatures=base_signatures, buffers=buffers)
    return [answer(x, cpts) for x in moved]


@dataclass(frozen=True)
class Robustness:
    """One question answered under many settings of the model.

    Attributes
    ----------
    question : Question
    posterior : Posterior
    claim : Claim or None
    design : {'random', 'grid'}
    variations : tuple of Variation
    frame : pandas.DataFrame
        One row per setting (index ``setting``; 0 is the model's own): the value of every varied
        setting; ``probability`` (the headline: the mean over draws), ``low``, ``high`` (its HDI);
        with a claim ``difference`` (mean paired difference), ``difference_low``,
        ``difference_high``, ``p_claim`` (share of draws in which it holds) and ``holds`` (the
        mean difference has the sign it has under the model's own settings); with levers
        ``best_set`` and ``best_gain``.
    k : int
        Size of the lever sets compared (0: none).
    """

    question: Question
    posterior: Posterior
    claim: Claim | None
    design: str
    variations: tuple[Variation, ...]
    frame: pd.DataFrame
    k: int = 0

    @property
    def summary(self) -> pd.DataFrame:
        """One row per quantity (``probability``, and with a claim ``difference``, ``p_claim``):
        its value under the model's own settings, its smallest and largest, and the settings
        (rows of :attr:`frame`) where they occur."""
        rows = []
        for col in ("probability", "difference", "p_claim"):
            if col not in self.frame:
                continue
            values = self.frame[col]
            rows.append({"quantity": col, "own": float(values.iloc[0]), "min": float(values.min()),
                         "max": float(values.max()), "at_min": int(values.idxmin()), "at_max": int(values.idxmax())})
        return pd.DataFrame(rows).set_index("quantity")

    @property
    def sign_changes(self) -> bool | None:
        """Whether the claim's mean difference changes sign under some setting (None without a claim)."""
        return None if self.claim is None else bool(not self.frame["holds"].all())

    @property
    def best_set_changes(self) -> bool | None:
        """Whether the best set of levers differs under some setting (None without levers)."""
        if not self.k:
            return None
        return bool((self.frame["best_set"] != self.frame["best_set"].iloc[0]).any())

    def verdict(self) -> str:
        """The conclusions in one paragraph."""
        s = self.summary
        n = len(self.frame)
        parts = [f"Over {n} settings ({self.design} design; the model's own first), P({self.question.target} = "
                 f"{self.question.state}) runs from {s.at['probability', 'min']:.3f} to "
                 f"{s.at['probability', 'max']:.3f} ({s.at['probability', 'own']:.3f} under the model's own)."]
        if self.claim is not None:
            held = int(self.frame["holds"].sum())
            sign = "never changes sign" if not self.sign_changes else f"changes sign in {n - held} of them"
            parts.append(f"The claim '{self.claim.description}': the mean difference runs from "
                         f"{s.at['difference', 'min']:+.3f} to {s.at['difference', 'max']:+.3f} and {sign}; "
                         f"P(claim) runs from {s.at['p_claim', 'min']:.3f} to {s.at['p_claim', 'max']:.3f}.")
        if self.k:
            sets = self.frame["best_set"].value_counts()
            if self.best_set_changes:
                listed = "; ".join(f"{name} ({count})" for name, count in sets.items())
                parts.append(f"The best set of {self.k} levers changes: {listed}.")
            else:
                parts.append(f"The best set of {self.k} levers is the same under every setting: "
                             f"{self.frame['best_set'].iloc[0]}.")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the question, what varied, the summary, the verdict and every setting's row."""
        post = self.posterior
        return plain({
            "target": self.question.target, "state": self.question.state,
            "situation": self.question.situation.describe(), "model": self.question.model.name,
            "claim": None if self.claim is None else self.claim.description, "design": self.design,
            "varied": [v.text for v in self.variations], "draws": post.n_draws, "seed": post.seed,
            "hdi_prob": post.hdi_prob, "sign_changes": self.sign_changes, "best_set_changes": self.best_set_changes,
            "verdict": self.verdict(),
            "summary": [{"quantity": k, **v} for k, v in self.summary.to_dict(orient="index").items()],
            "settings": [{"setting": k, **v} for k, v in self.frame.to_dict(orient="index").items()],
        })

    def __repr__(self) -> str:
        return self.verdict()

    def _card(self) -> Card:
        q = self.question
        varied = [v.name for v in self.variations if v.name in self.frame]
        cols = [*varied, *(c for c in ("probability", "low", "high", "difference", "p_claim", "holds", "best_set")
                           if c in self.frame)]
        return Card(
            title=f"How far {q.describe(labels=True)} rests on the model's settings",
            headline=self.verdict(),
            tables=[("Summary over the settings", self.summary),
                     ("Each setting (0: the model's own)", self.frame[cols])],
            note=f"Means and {self.posterior.hdi_prob:.0%} HDIs over {self.posterior.n_draws} posterior draws "
                 f"(seed {self.posterior.seed}); varied: {', '.join(v.text for v in self.variations)}.",
            formats={"difference": "+.3f", "p_claim": ".3f"},
            max_rows=10,
        )

    def _repr_html_(self) -> str:
        return self._card().to_html()

    def plot(self, ax: Axes | None = None) -> Axes:
        """The answer (or, with a claim, the claim's paired difference) under each setting with its
        interval, the model's own settings in red."""
        q = self.question
        f = self.frame
        if self.claim is not None:
            return interval_chart(ax, [str(i) for i in f.index], f["difference"].to_numpy(),
                                  f["difference_low"].to_numpy(), f["difference_high"].to_numpy(),
                                  highlight=[i == 0 for i in range(len(f))], reference=0.0, limits=None,
                                  xlabel=f"paired difference: {self.claim.description}", title="Under each setting")
        return interval_chart(ax, [str(i) for i in f.index], f["probability"].to_numpy(), f["low"].to_numpy(),
                              f["high"].to_numpy(), highlight=[i == 0 for i in range(len(f))],
                              xlabel=f"P({q.label(q.target)} = {q.state})", title="Under each setting")


def robustness(
    q: Question,
    post: Posterior,
    *,
    claim: Claim | None = None,
    vary: Sequence[Variation] | Iterable[str] | None = None,
    design: str = "random",
    n: int = DEFAULT_ROBUSTNESS_SETTINGS,
    seed: int = 0,
    k: int = 0,
) -> Robustness:
    """Answer ``q`` (and a claim) under many settings of the model.

    Parameters
    ----------
    q : Question
    post : Posterior
        Of ``q.model``; every setting is answered over the same number of draws and seed.
    claim : Claim, optional
        A conclusion from two answers of ``q.model``: its contrast and sign under each setting.
    vary : sequence of Variation or of str, optional
        What varies (``"weight_scale=1.5:4.5"`` strings are parsed by :func:`parse_variations`);
        default :data:`DEFAULT_VARIATIONS`.
    design : {'random', 'grid'}
        A Latin hypercube of ``n`` settings, or every combination (see the module docstring).
    n : int
        Settings of the random design, besides the model's own.
    seed : int
        Seed of the random design (not of the posterior draws).
    k : int
        Also the best set of ``k`` levers under each setting (:func:`~bayesnet.analysis.levers`;
        it costs a lever search per setting).

    Returns
    -------
    Robustness

    Raises
    ------
    ParameterError
        A bad variation, design, ``n``, ``seed`` or ``k``, a setting value out of its bounds
        (named as in ``settings.yaml``), a grid that is too large.
    QueryError
        A posterior or claim of another model.

    Examples
    --------
    >>> import bayesnet
    >>> model = bayesnet.load()
    >>> q = bayesnet.question(model, "collaborative_behaviour", scenario="buddying")
    >>> other = bayesnet.question(model, "collaborative_behaviour", scenario="integrated_care_system")
    >>> r = bayesnet.robustness(q, bayesnet.posterior(model, draws=200), claim=bayesnet.Claim.versus(q, other), n=8)
    >>> r.sign_changes
    False
    """
    design = check_choice(design, "design", "robustness", ("random", "grid"))
    n = check_positive_int(n, "n", "robustness")
    seed = check_seed(seed, "robustness")
    k = check_int_range(k, "k", "robustness", 0, 10)
    model = q.model
    if post.model is not model:
        raise QueryError("the posterior belongs to another model than the question")
    if claim is not None and claim.higher.model is not model:
        raise QueryError("the claim is about another model than the question")
    items: tuple[Variation | str, ...] = DEFAULT_VARIATIONS if vary is None else tuple(vary)
    for item in items:
        if not isinstance(item, Variation | str):
            raise ParameterError(f"robustness varies settings given as Variation or as text such as "
                                 f"'weight_scale=1.5:4.5'; got {item!r}")
    variations = tuple(v for v in items if isinstance(v, Variation)) + parse_variations(
        v for v in items if isinstance(v, str))
    if not variations:
        raise ParameterError("robustness needs at least one setting to vary")
    for v in variations:  # every end and listed value, through the settings' own validator
        for value in v.values or (v.low, v.high):
            _with(model.settings, {v.name: value}, f"--vary {v.text}")
    asked, which = distinct_questions([q, *(claim.questions if claim is not None else ())])
    base_signatures = cpt_signatures(model)
    buffers: dict[str, np.ndarray] = {}  # one set of rebuilt tables, reused from setting to setting
    rows = []
    for i, values in enumerate(_rows(model.settings, variations, design, n, seed)):
        settings = model.settings if i == 0 else replace(model.settings, **values)
        m = model if i == 0 else Model(model.codebook, model.evidence, settings, model.scenarios,
                                       dict(model.review_summary), model.root, model.selection)
        moved = [x.of(m) for x in asked]
        once = _answers(m, moved, post, base_signatures, buffers)
        draws = [once[i] for i in which]
        mean, low, high = summarise(draws[0], post.hdi_prob)
        row: dict[str, Any] = {"setting": i, **values, "probability": mean, "low": low, "high": high}
        if claim is not None:
            diff = draws[1] - draws[2]
            d_mean, d_low, d_high = summarise(diff, post.hdi_prob)
            row.update(difference=d_mean, difference_low=d_low, difference_high=d_high,
                       p_claim=float(np.mean(diff > 0)))
        if k:
            mq = moved[0]
            lv = levers(mq, Posterior(m, post.n_draws, post.seed, post.hdi_prob), k=k)
            row.update(best_set=", ".join(f"{a}={b}" for a, b in lv.best_set.items()) or "(none)",
                       best_gain=float(lv.sets["gain"].iloc[0]) if len(lv.sets) else math.nan)
        rows.append(row)
    frame = pd.DataFrame(rows).set_index("setting")
    if claim is not None:
        own = np.sign(frame["difference"].iloc[0])
        frame["holds"] = np.sign(frame["difference"]) == own
    return Robustness(q, post, claim, design, variations, frame, k)
