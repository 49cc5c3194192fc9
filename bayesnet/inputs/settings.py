"""The model's constants (``priors/settings.yaml``), each with its stated meaning.

Pure: :func:`settings_from_mapping` validates an already parsed file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from bayesnet.errors import SchemaError
from bayesnet.inputs.fields import Record
from bayesnet.inputs.problems import Problems

__all__ = ["WEIGHT_MODELS", "Settings", "settings_from_mapping"]

WEIGHT_MODELS = ("direction_and_strength", "signed_reliability")
"""How a link's evidence becomes its weight (see :mod:`bayesnet.build.weights`)."""

# name -> allowed values, for the settings that are names
_CHOICES: dict[str, tuple[str, ...]] = {"weight_model": WEIGHT_MODELS}

# name -> (low, high, open_low, open_high)
_BOUNDS: dict[str, tuple[float, float | None, bool, bool]] = {
    "direction_prior": (0.0, None, True, False),
    "strength_a0": (0.0, None, True, False),
    "strength_b0": (0.0, None, True, False),
    "reliability_a0": (0.0, None, True, False),
    "reliability_b0": (0.0, None, True, False),
    "kind_weight_included_study": (0.0, None, False, False),
    "kind_weight_supporting_source": (0.0, None, False, False),
    "kind_weight_review_synthesis": (0.0, None, False, False),
    "weight_scale": (0.0, 50.0, False, False),
    "default_base_rate": (0.0, 1.0, True, True),
    "base_rate_concentration": (0.0, None, True, False),
    "mechanism_base_rate": (0.0, 1.0, True, True),
    "bias_sd": (0.0, 10.0, False, False),
    "persistence": (0.0, 1.0, False, False),
}


@dataclass(frozen=True)
class Settings:
    """Constants of the CPT model. See ``priors/settings.yaml`` for each meaning."""

    weight_model: str = "direction_and_strength"
    direction_prior: float = 0.01
    strength_a0: float = 1.0
    strength_b0: float = 3.0
    reliability_a0: float = 1.0
    reliability_b0: float = 1.0
    kind_weight_included_study: float = 1.0
    kind_weight_supporting_source: float = 0.5
    kind_weight_review_synthesis: float = 0.5
    weight_scale: float = 3.0
    default_base_rate: float = 0.5
    base_rate_concentration: float = 2.0
    mechanism_base_rate: float = 0.5
    bias_sd: float = 0.5
    persistence: float = 0.5
    meanings: tuple[tuple[str, str], ...] = ()

    def kind_weight(self, kind: str) -> float:
        """Weight of one source of ``kind`` in a link's counts."""
        return float(getattr(self, f"kind_weight_{kind}"))

    @property
    def kind_weights(self) -> dict[str, float]:
        """Source kind -> weight."""
        return {
            "included_study": self.kind_weight_included_study,
            "supporting_source": self.kind_weight_supporting_source,
            "review_synthesis": self.kind_weight_review_synthesis,
        }

    def meaning(self, name: str) -> str:
        """The stated meaning of a setting ('' if the file gave none)."""
        return dict(self.meanings).get(name, "")

    def values(self) -> dict[str, float | str]:
        """Name -> value of every setting."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "meanings"}


def settings_from_mapping(data: Any, path: str) -> Settings:
    """Validate a parsed ``settings.yaml``.

    Every known setting must be present with a ``value`` and a ``meaning`` sentence: a
    constant without a stated meaning is refused.

    Raises
    ------
    SchemaError
    """
    if not isinstance(data, Mapping):
        raise SchemaError(f"expected a mapping, found {type(data).__name__}", path=path, line=1)
    top = Record(data, path)
    top.check_keys(("version", "settings"))
    body = top.mapping("settings")
    assert body is not None
    section = Record(body, path, "settings")
    log = Problems()
    log.check(lambda: section.check_keys([*_CHOICES, *_BOUNDS]))
    values: dict[str, Any] = {}
    meanings: list[tuple[str, str]] = []

    def one(name: str, options: tuple[str, ...] | None, bounds: tuple[Any, ...] | None) -> None:
        if name not in body:
            section.fail(None, f"missing setting {name!r}", name)
        entry = section.child(name)
        inner = Problems()
        inner.check(entry.check_keys, ("value", "meaning"))
        if options is not None:
            value: Any = inner.check(entry.choice, "value", options)
        else:
            assert bounds is not None
            low, high, open_low, open_high = bounds
            value = inner.check(entry.number, "value", low=low, high=high, open_low=open_low, open_high=open_high)
        meaning = inner.check(entry.text, "meaning")
        inner.raise_any()
        values[name] = value
        meanings.append((name, meaning or ""))

    for name, options in _CHOICES.items():
        log.check(one, name, tuple(options), None)
    for name, bounds in _BOUNDS.items():
        log.check(one, name, None, tuple(bounds))
    log.raise_any()
    return Settings(**values, meanings=tuple(meanings))
