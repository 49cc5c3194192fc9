"""The what-if a page shows, written in its URL and read back strictly.

A situation travels as the query string of the page and of every API call, so a planner can
send a colleague a link that reopens the same what-if::

    ?target=collaborative_behaviour&preset=integrated_care_system&do.quick_wins=present

``target`` and ``state`` name the node asked about and its state (default: the review's
central outcome, at its upper state); ``preset`` a collaboration-type scenario (absent:
start blank); ``given.NODE=STATE`` an observation and ``do.NODE=STATE`` an intervention.
:func:`parse_whatif` checks the shape here (bounded length and count, known keys, each key
once, plain names); names of nodes, states and presets are then checked by
:func:`bayesnet.question`, so the errors and their suggestions are the library's.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from bayesnet.defaults import DEFAULT_TARGET
from bayesnet.errors import QueryError, closest

if TYPE_CHECKING:
    from bayesnet.build.model import Model
    from bayesnet.inference.questions import Question

__all__ = ["MAX_ITEMS", "MAX_NAME", "MAX_QUERY", "URLStateError", "WhatIf", "parse_whatif"]

MAX_QUERY = 4096
"""Longest query string read (characters); the default model's every context set fits in
about 2,000."""
MAX_ITEMS = 128
"""Most parameters in one query string (the default model has 37 contexts)."""
MAX_NAME = 80
"""Longest key or value."""
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_KEYS = ("target", "state", "preset")
_PREFIXES = ("given.", "do.")


class URLStateError(QueryError):
    """A query string that cannot be read as a what-if (its shape, not its names).

    Attributes
    ----------
    status : int
        The HTTP status a server answers it with: 414 for an address too long, else 400.
    """

    def __init__(self, message: str, *, suggestions: Iterable[str] = (), status: int = 400) -> None:
        self.status = status
        super().__init__(message, suggestions=suggestions)


@dataclass(frozen=True)
class WhatIf:
    """A what-if as the URL holds it: names only, checked against a model by :meth:`question`.

    Attributes
    ----------
    target : str
    state : str or None
        None: the target's upper state.
    preset : str or None
        A scenario id; None starts blank.
    given, do : mapping
        Node -> state.
    """

    target: str = DEFAULT_TARGET
    state: str | None = None
    preset: str | None = None
    given: Mapping[str, str] = field(default_factory=dict)
    do: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[object, ...]:
        """A hashable canonical form (the same what-if in any parameter order)."""
        return (self.target, self.state, self.preset, tuple(sorted(self.given.items())),
                tuple(sorted(self.do.items())))

    def query_string(self) -> str:
        """The canonical query string (no leading ``?``), in a fixed order."""
        items: list[tuple[str, str]] = [("target", self.target)]
        if self.state is not None:
            items.append(("state", self.state))
        if self.preset is not None:
            items.append(("preset", self.preset))
        items += [(f"given.{k}", v) for k, v in sorted(self.given.items())]
        items += [(f"do.{k}", v) for k, v in sorted(self.do.items())]
        return urlencode(items)

    def start(self) -> WhatIf:
        """The starting situation: the same target and preset, nothing observed or set by the user."""
        return WhatIf(self.target, self.state, self.preset)

    def question(self, model: Model) -> Question:
        """Resolve against ``model`` through :func:`bayesnet.question` (its errors name the
        unknown node, state or preset and suggest the closest)."""
        from bayesnet.inference.questions import question

        return question(model, self.target, state=self.state, given=dict(self.given), do=dict(self.do),
                        scenario=self.preset)


def parse_whatif(items: Iterable[tuple[str, str]], *, length: int = 0) -> WhatIf:
    """Read a what-if from query-string pairs.

    Parameters
    ----------
    items : iterable of (str, str)
        The decoded pairs, in order, repeated keys included.
    length : int
        Length of the raw query string, refused above :data:`MAX_QUERY`.

    Raises
    ------
    URLStateError
        Too long, too many parameters, a key given twice, an unknown key (with the closest
        known ones), an empty or non-plain name.
    """
    if length > MAX_QUERY:
        raise URLStateError(f"the address is too long ({length} characters; at most {MAX_QUERY})", status=414)
    pairs = list(items)
    if len(pairs) > MAX_ITEMS:
        raise URLStateError(f"the address holds {len(pairs)} parameters; at most {MAX_ITEMS}")
    seen: set[str] = set()
    single: dict[str, str] = {}
    found: dict[str, dict[str, str]] = {"given.": {}, "do.": {}}
    for key, value in pairs:
        for text, what in ((key, "parameter name"), (value, f"value of {key[:MAX_NAME]!r}")):
            if len(text) > MAX_NAME:
                raise URLStateError(f"a {what} is {len(text)} characters long; at most {MAX_NAME}")
            if not _PLAIN.fullmatch(text):
                shown = text if text else "(empty)"
                raise URLStateError(f"{what} {shown!r} is not a plain name (letters, digits, '_', '.', '-')")
        if key in seen:
            raise URLStateError(f"{key!r} is given twice in the address; give it once")
        seen.add(key)
        prefix = next((p for p in _PREFIXES if key.startswith(p)), None)
        if prefix is not None:
            node = key[len(prefix):]
            if not node:
                raise URLStateError(f"{key!r} names no node; write {prefix}NODE=STATE")
            found[prefix][node] = value
        elif key in _KEYS:
            single[key] = value
        else:
            raise URLStateError(
                f"unknown parameter {key!r} in the address; known: target, state, preset, given.NODE, do.NODE",
                suggestions=closest(key, [*_KEYS, *(p + "NODE" for p in _PREFIXES)]),
            )
    return WhatIf(single.get("target", DEFAULT_TARGET), single.get("state"), single.get("preset"),
                  found["given."], found["do."])
