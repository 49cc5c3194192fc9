"""The ``serve`` command: the what-if explorer in the browser (needs ``bayesnet[web]``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bayesnet.cli.common import MODEL_EPILOG, add_model, int_arg, model_folder
from bayesnet.defaults import DEFAULT_HOST, DEFAULT_PORT

__all__ = ["register"]

SERVE_DESCRIPTION = """\
Start the what-if explorer: a page on this machine where you pick a collaboration-type preset,
observe or set contexts, and read the answer with its interval, the paired contrast with where
you started, the best levers from here, the contexts that matter most and the sources behind
each link. The situation is in the page's address, so a link reopens the same what-if.

Listens on 127.0.0.1 (this machine only) unless --host says otherwise, serves the model
read-only, and needs nothing from other hosts. Needs the web extra:
  pip install 'bayesnet[web]'
"""


def register(sub: Any) -> None:
    """Add ``serve`` to the subparsers ``sub``."""
    p = sub.add_parser("serve", help="the what-if explorer in the browser (local web app)",
                       description=SERVE_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="Examples:\n  bayesnet serve                 then open http://127.0.0.1:8765/\n"
                              "  bayesnet serve --model my_model/ --port 8800\n\n" + MODEL_EPILOG)
    add_model(p)
    p.add_argument("--port", type=int_arg("port"), default=DEFAULT_PORT,
                   help=f"port to listen on, 0 for any free one (default: {DEFAULT_PORT})")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"interface to listen on (default: {DEFAULT_HOST}, this machine only)")
    p.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        print(f"bayesnet serve: error: --port must be in [0, 65535], got {args.port}", file=sys.stderr)
        return 2
    try:
        from bayesnet.web.server import serve
    except ImportError as err:
        print(f"bayesnet serve: error: the explorer needs the web extra ({err.name} is missing): "
              "pip install 'bayesnet[web]'", file=sys.stderr)
        return 2
    try:
        serve(model_folder(args.model), host=args.host, port=args.port)
    except OSError as err:
        print(f"bayesnet serve: error: cannot listen on {args.host}:{args.port}: {err.strerror or err}",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0
