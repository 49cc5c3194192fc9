"""The ``bayesnet`` command line: a thin shell over the library.

* :mod:`~bayesnet.cli.parser` -- the parser and :func:`main` (the ``bayesnet`` command);
* :mod:`~bayesnet.cli.common` -- options and output helpers shared by the commands;
* :mod:`~bayesnet.cli.core`, :mod:`~bayesnet.cli.analysis`, :mod:`~bayesnet.cli.dynamics`,
  :mod:`~bayesnet.cli.updating` -- the commands, one module per area.

Each command parses its arguments, calls the same library functions a Python user calls,
and formats the result; no default or domain rule is written here. May import anything.
"""

from bayesnet.cli.parser import COMMAND_MODULES, build_parser, main

__all__ = ["COMMAND_MODULES", "build_parser", "main"]
