"""Commands a reviewer asks of a synthesis: influence (which studies carry the answer) and
robustness (how far it depends on the model's own settings)."""

from __future__ import annotations

import argparse
from typing import Any

from bayesnet.cli.common import (
    MODEL_EPILOG,
    add_format,
    add_model,
    add_quiet,
    add_situation,
    add_sources,
    add_uncertainty,
    emit,
    frame_text,
    int_arg,
    read_question,
    steps_of,
)
from bayesnet.defaults import DEFAULT_ROBUSTNESS_SETTINGS

__all__ = ["register"]

INFLUENCE_DESCRIPTION = """\
Leave each source out in turn and answer P(TARGET = STATE) in the situation again, exactly:
the model without the source draws every parameter it shares with the full model identically
(one random stream per parameter), so only the tables the source touches are rebuilt. For each
source: its citation, kind, collaboration type and year, the links it states, the links that
leave the model with it (no other source states them), the headline without it and the change.

A claim adds P(claim) without each source, the share of paired draws in which it holds:
  --versus SCENARIO   the situation gives a higher P than SCENARIO (with the same --given/--do)
  --lever NODE=STATE  setting these levers raises P (repeatable)
"""

ROBUSTNESS_DESCRIPTION = """\
Answer P(TARGET = STATE) in the situation (and a claim, --versus or --lever) under many
settings of the model: a Latin hypercube of --settings N settings or, with --grid, every
combination; the model's own settings are the first row. Prints the range of the headline and
of the claim's contrast, whether its sign changes anywhere, and with --levers K whether the
best set of K levers changes.

By default it varies the kind weights of supporting sources and of the review's own
statements (0 to 1), weight_scale (1.5 to 4.5), direction_prior (0.001 to 1, log scale),
strength_a0 (0.5 to 2), strength_b0 (1.5 to 6), bias_sd (0.25 to 1) and the weight model
(direction_and_strength, signed_reliability). --vary replaces that list:
  --vary weight_scale=2:4   --vary direction_prior=0.001:1:log   --vary weight_model=signed_reliability
"""


def _add_question(p: argparse.ArgumentParser) -> None:
    """The model, the question (target, state, situation) and the claim a reviewer examines."""
    add_model(p)
    add_sources(p)
    p.add_argument("target", metavar="TARGET", help="node id whose answer is examined")
    p.add_argument("--state", help="state of TARGET (default: its upper state)")
    add_situation(p)
    _add_claim(p)


def _add_claim(p: argparse.ArgumentParser) -> None:
    p.add_argument("--versus", metavar="SCENARIO",
                   help="claim: the situation gives a higher P(TARGET = STATE) than this scenario (default: no claim)")
    p.add_argument("--lever", action="append", default=[], metavar="NODE=STATE",
                   help="claim: setting these levers (repeatable) raises P(TARGET = STATE) (default: no claim)")


def register(sub: Any) -> None:
    """Add ``influence`` and ``robustness`` to the subparsers ``sub``."""
    p = sub.add_parser(
        "influence", help="which studies carry an answer: each source left out, exactly",
        description=INFLUENCE_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n"
        "  bayesnet influence collaborative_behaviour --scenario integrated_care_system --format json\n"
        "  bayesnet influence collaborative_behaviour --scenario buddying --versus integrated_care_system\n\n"
        + MODEL_EPILOG,
    )
    _add_question(p)
    p.add_argument("--rank-by", choices=("headline", "claim"), default="headline",
                   help="rank sources by their change in the headline or in P(claim) (default: headline)")
    p.add_argument("--top", type=int_arg("top"), default=None, metavar="N",
                   help="with --format table: only the N most influential sources (default: every source that "
                   "changes the answer)")
    add_uncertainty(p)
    add_format(p, ids=False)
    add_quiet(p)
    p.set_defaults(handler=cmd_influence)

    p = sub.add_parser(
        "robustness", help="how an answer depends on the model's own settings (kind weights, priors, weight model)",
        description=ROBUSTNESS_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n"
        "  bayesnet robustness collaborative_behaviour --scenario buddying --versus integrated_care_system\n\n"
        + MODEL_EPILOG,
    )
    _add_question(p)
    p.add_argument("--settings", type=int_arg("settings"), default=DEFAULT_ROBUSTNESS_SETTINGS, metavar="N",
                   help="settings of the random design besides the model's own "
                   f"(default: {DEFAULT_ROBUSTNESS_SETTINGS})")
    p.add_argument("--grid", action="store_true",
                   help="every combination instead: each range's ends and middle, each list's values")
    p.add_argument("--vary", action="append", default=[], metavar="NAME=LOW:HIGH",
                   help="a setting and its range (LOW:HIGH, LOW:HIGH:log) or values (V1;V2); repeatable; replaces "
                   "the default list")
    p.add_argument("--sample-seed", type=int_arg("sample-seed"), default=0, metavar="SEED",
                   help="seed of the random design (default: 0); --seed is the posterior draws'")
    p.add_argument("--levers", type=int_arg("levers"), default=0, metavar="K",
                   help="also the best set of K levers under each setting (a lever search per setting; default: 0)")
    add_uncertainty(p)
    add_format(p, ids=False)
    add_quiet(p)
    p.set_defaults(handler=cmd_robustness)


def _claim(args: argparse.Namespace, q: Any) -> Any:
    """The claim ``--versus`` or ``--lever`` states (None without either)."""
    from bayesnet.analysis import Claim
    from bayesnet.errors import QueryError
    from bayesnet.inference import parse_assignments, question

    if args.versus and args.lever:
        raise QueryError("give one claim: --versus SCENARIO or --lever NODE=STATE, not both")
    if args.versus:
        sit = q.situation
        other = question(q.model, q.target, state=q.state, given=sit.asked_given, do=sit.asked_do,
                         scenario=args.versus)
        return Claim.versus(q, other)
    if args.lever:
        return Claim.levers(q, parse_assignments(args.lever, "--lever"))
    return None


def cmd_influence(args: argparse.Namespace) -> int:
    from bayesnet.analysis import influence

    with steps_of(args, "influence", ["reading the model", "leaving each source out"]) as step:
        model, q, post = read_question(args, step, args.target)
        step("leaving each source out")
        result = influence(q, post, claim=_claim(args, q), rank_by=args.rank_by)

    def text() -> str:
        lines = [f"{q.describe(labels=True)} = {result.headline:.4f} (mean over {post.n_draws} posterior draws, "
                 f"seed {post.seed})", result.headline_text()]
        if result.claim is not None:
            lines.append(f"Claim: {result.claim.description}\n  now: P(claim) = {result.p_claim:.4f}, mean "
                         f"difference {result.difference:+.4f}")
        shown = result.nonzero if args.top is None else result.frame.head(args.top)
        left = len(result.frame) - len(result.nonzero)
        lines.append(f"\nEach source left out (exact: the model rebuilt without it, over the same draws); change = "
                     f"the headline without it minus now. {len(result.nonzero)} of {len(result.frame)} sources change "
                     "the answer" + (f"; {left} change nothing this question reads." if left else "."))
        cols = ["rank", "kind", "collaboration_type", "year", "n_links", "probability", "change"]
        if result.claim is not None:
            cols += ["difference", "p_claim", "p_change", "holds"]
        table = shown[cols].copy()
        table.insert(0, "source", [result.short(sid) for sid in shown.index])
        lines.append(frame_text(table.round(4)))
        dropping = shown[shown["dropped_links"] != ""]
        if len(dropping):
            lines.append("\nLinks that leave the model with a source (no other source states them):")
            lines += [f"  {sid} ({result.short(sid)}): {r['dropped_links']}" for sid, r in dropping.iterrows()]
        return "\n".join(lines)

    emit(args, model, data=result.to_dict, frame=lambda: result.frame, text=text, index=True)
    return 0


def cmd_robustness(args: argparse.Namespace) -> int:
    from bayesnet.analysis import robustness

    with steps_of(args, "robustness", ["reading the model", "answering under every setting"]) as step:
        model, q, post = read_question(args, step, args.target)
        step("answering under every setting")
        result = robustness(q, post, claim=_claim(args, q), vary=args.vary or None,
                            design="grid" if args.grid else "random", n=args.settings, seed=args.sample_seed,
                            k=args.levers)

    def text() -> str:
        return "\n".join([
            f"{q.describe(labels=True)}; {post.n_draws} posterior draws (seed {post.seed}) under every setting\n",
            result.verdict(),
            "\nRange over the settings (own: the model's own settings; at_min, at_max: the rows below)",
            frame_text(result.summary.round(4)),
            f"\nEvery setting ({len(result.frame)}; row 0 is the model's own), {post.hdi_prob:.0%} HDI",
            frame_text(result.frame.round(4)),
        ])

    emit(args, model, data=result.to_dict, frame=lambda: result.frame, text=text, index=True)
    return 0
