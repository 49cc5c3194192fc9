"""The what-if explorer in the browser: a surface like the command line, for people who plan
partnerships and will not open a terminal.

* :mod:`~bayesnet.web.urlstate` -- the what-if as the page's address holds it, read strictly;
* :mod:`~bayesnet.web.views` -- what each part of the page shows, from the library's functions;
* :mod:`~bayesnet.web.webgraph` -- the causal web around the target, as a clickable SVG;
* :mod:`~bayesnet.web.app` -- the Starlette app: the page, its API, the report download;
* :mod:`~bayesnet.web.server` -- uvicorn on a local address (``bayesnet serve``);
* ``static/`` -- the page itself (HTML, one script, one style sheet; nothing from other hosts).

Needs the ``web`` extra (Starlette, uvicorn). See docs/web.md. May import every layer below
the command line; only :mod:`bayesnet.cli` imports it (lazily, in ``bayesnet serve``).
"""

from bayesnet.web.app import Explorer, create_app
from bayesnet.web.server import serve
from bayesnet.web.urlstate import URLStateError, WhatIf, parse_whatif

__all__ = ["Explorer", "URLStateError", "WhatIf", "create_app", "parse_whatif", "serve"]
