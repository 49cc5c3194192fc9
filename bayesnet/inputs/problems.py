"""Collecting every error of an input instead of stopping at the first.

A reader checks each record (a CMOC, a sheet row, a codebook node, a scenario) and each
field of it inside :meth:`Problems.check`; an :class:`~bayesnet.errors.InputError` there is
kept and reading goes on with the next field or record. At the end :meth:`Problems.raise_any`
raises the *first* error found (file order), its type and message unchanged, carrying all of
them in its ``errors`` attribute. So ``bayesnet.load()`` still fails at the first problem and
says how many more there are, while ``bayesnet validate`` lists every one in a single run.

A check whose inputs already failed is skipped (a link from an unknown node is not also
reported as a self-loop). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from bayesnet.errors import InputError

__all__ = ["Problems"]

T = TypeVar("T")
P = ParamSpec("P")


class Problems:
    """The errors found so far while reading one input (or several).

    Examples
    --------
    >>> from bayesnet.errors import SchemaError
    >>> log = Problems()
    >>> def bad(): raise SchemaError("one", path="a.yaml", line=3)
    >>> log.check(bad) is None
    True
    >>> log.check(lambda: 5)
    5
    >>> len(log)
    1
    """

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def __len__(self) -> int:
        return len(self.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def check(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T | None:
        """``fn(*args, **kwargs)``, or None after keeping the :class:`InputError` it raised
        (and every error that error carries)."""
        try:
            return fn(*args, **kwargs)
        except InputError as err:
            self.add(err)
            return None

    def add(self, err: InputError) -> None:
        """Keep ``err`` and the errors it carries."""
        for one in err.errors:
            if not any(one is seen for seen in self.errors):
                self.errors.append(one)

    def in_file_order(self) -> list[InputError]:
        """The errors kept, file by file (in the order the files were read), by line in each."""
        files: dict[str | None, int] = {}
        for err in self.errors:
            files.setdefault(err.path, len(files))
        return sorted(self.errors, key=lambda e: (files[e.path], e.line or 0))

    def raise_any(self) -> None:
        """Raise the first error in file order, carrying all of them (in file order); do
        nothing when there is none."""
        if self.errors:
            ordered = self.in_file_order()
            first = ordered[0]
            first.errors = ordered
            raise first
