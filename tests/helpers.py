"""Shared test helpers: a small hand-made model folder and Hypothesis strategies."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent

MINI_CODEBOOK = {
    "version": 1,
    "nodes": [
        {"id": "history_of_collaboration", "label": "History", "kind": "context", "stage": "early",
         "states": ["competitive", "collaborative"], "modifiable": False,
         "definition": "Past relations.", "section": "Early"},
        {"id": "quick_wins", "label": "Quick wins", "kind": "context", "stage": "middle",
         "states": ["absent", "present"], "modifiable": True, "definition": "Early successes.",
         "section": "Middle"},
        {"id": "mandated", "label": "Mandated", "kind": "context", "stage": "early",
         "states": ["voluntary", "mandated"], "modifiable": False, "definition": "Imposed or not.",
         "section": "Early"},
        {"id": "initial_trust", "label": "Initial trust", "kind": "mechanism", "stage": "early",
         "states": ["low", "high"], "definition": "Trust at the outset.", "section": "Early"},
        {"id": "conflict", "label": "Conflict", "kind": "mechanism", "stage": "atemporal",
         "states": ["absent", "present"], "definition": "Opposition.", "section": "Atemporal"},
        {"id": "trust", "label": "Trust", "kind": "mechanism", "stage": "middle",
         "states": ["low", "high"], "definition": "Accepting vulnerability.", "section": "Middle"},
        {"id": "collaborative_behaviour", "label": "Collaborative behaviour", "kind": "outcome",
         "stage": "performance", "states": ["low", "high"], "definition": "Working together.",
         "section": "Performance"},
    ],
}


def cmoc(context, mechanism, direction="increases", **extra):
    out = {"context": context, "mechanism": mechanism, "direction": direction}
    out.update(extra)
    return out


def source(ref: int, cmocs, kind="included_study", **extra):
    out = {"id": f"S{ref}", "kind": kind, "reference": ref, "citation": f"Study {ref}.", "year": 2010,
           "cmocs": cmocs}
    out.update(extra)
    return out


MINI_SOURCES = [
    source(36, [cmoc("history_of_collaboration", "initial_trust", outcome="trust", outcome_direction="increases")]),
    source(57, [cmoc("history_of_collaboration", "initial_trust"),
                cmoc("history_of_collaboration", "initial_trust", quote="said twice")]),
    source(55, [cmoc("quick_wins", "trust")]),
    source(76, [cmoc("conflict", "trust", "decreases"), cmoc("quick_wins", "trust")]),
    source(44, [cmoc("mandated", "initial_trust", "decreases"),
                cmoc("trust", "collaborative_behaviour")]),
    source(18, [cmoc("conflict", "trust", "decreases"), cmoc("trust", "conflict", "decreases", lag=1)],
           kind="supporting_source"),
]


def write_yaml(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def settings_data() -> dict:
    return yaml.safe_load((REPO / "priors" / "settings.yaml").read_text(encoding="utf-8"))


def make_model_dir(root: Path, sources=None, codebook=None, scenarios=None) -> Path:
    """A complete small model folder under ``root``."""
    write_yaml(root / "priors" / "codebook.yaml", codebook or MINI_CODEBOOK)
    write_yaml(root / "priors" / "settings.yaml", settings_data())
    write_yaml(root / "priors" / "scenarios.yaml", scenarios or {"version": 1, "scenarios": [
        {"id": "voluntary", "label": "Voluntary", "collaboration_type": "buddying",
         "values": {"mandated": {"state": "voluntary", "basis": "test"}}},
    ]})
    for src in MINI_SOURCES if sources is None else sources:
        write_yaml(root / "evidence" / f"{src['id']}.yaml", src)
    return root


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``root`` (to prove nothing was written)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def ask(model, target, **kw):
    """``(question, posterior)`` from the old keyword style of the analyses: the situation
    (state, given, do, scenario) goes to the question, draws/seed/hdi_prob to the posterior
    (``draws=None``: no posterior, the mean network only)."""
    import bayesnet
    from bayesnet.defaults import DEFAULT_DRAWS

    situation = {k: kw.pop(k) for k in ("state", "given", "do", "scenario") if k in kw}
    draws = kw.pop("draws", DEFAULT_DRAWS)
    unc = {k: kw.pop(k) for k in ("seed", "hdi_prob") if k in kw}
    assert not kw, kw
    q = bayesnet.question(model, target, **situation)
    return q, None if draws is None else bayesnet.posterior(model, draws=draws, **unc)


def traj_post(model, draws=1000, **unc):
    """The posterior a trajectory used to draw by default (1,000 draws); None for ``draws=None``."""
    import bayesnet

    return None if draws is None else bayesnet.posterior(model, draws=draws, **unc)
