"""The what-if explorer as an ASGI app (Starlette): the page, its API and the report download.

One :class:`Explorer` per server holds the model (read-only), one shared
:class:`~bayesnet.inference.Posterior` (the default draws and seed, built once) and small LRU
caches of finished answers per what-if (the answers are deterministic: the same what-if over
the same draws gives the same numbers). Every computation runs in a worker thread, so the
event loop keeps answering while a report is written; a report has a thread of its own, so
one client's report does not hold up the others' answers.

Routes (every ``/api`` route reads the what-if from the query string, see
:mod:`bayesnet.web.urlstate`):

* ``GET /`` -- the page; ``GET /static/...`` -- its script and style (package data);
* ``GET /api/model`` -- nodes, stages, presets;
* ``GET /api/answer`` -- the target's probability and the paired contrast with the start;
* ``GET /api/analysis`` -- the top levers and the tornado;
* ``GET /api/web`` -- the causal web around the target, coloured by the situation;
* ``GET /api/node/{id}`` -- a node's definition, links and sources;
* ``GET /api/report`` -- the full report for the what-if, as a zip.

A request the explorer cannot answer as asked (unknown node, state or preset, a malformed
address, one too long) gets a 4xx with one plain sentence as JSON ``{"error": ...}``; nothing
is logged for it but the access line.
"""

from __future__ import annotations

import io
import logging
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bayesnet.build.model import Model
from bayesnet.cache import LRUCache
from bayesnet.defaults import DEFAULT_DRAWS, DEFAULT_HDI, DEFAULT_LEVERS, DEFAULT_SEED
from bayesnet.errors import BayesnetError, QueryError, UnknownNodeError
from bayesnet.inference.posteriors import Posterior, posterior
from bayesnet.report.writer import write_report
from bayesnet.web.urlstate import MAX_QUERY, URLStateError, WhatIf, parse_whatif
from bayesnet.web.views import analysis_view, answer_view, model_view, node_view
from bayesnet.web.webgraph import web_view

__all__ = ["STATIC", "Explorer", "create_app"]

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
"""The page's files (package data): index.html, explorer.js, explorer.css."""
ANSWERS_KEPT = 1024
"""Finished answers (and webs) kept per server: small JSON, one per what-if."""
ANALYSES_KEPT = 256
"""Finished lever and tornado analyses kept per server."""
REPORTS_QUEUED = 2
"""Report requests that may wait for the one being written; more are refused (429)."""
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


@dataclass
class Explorer:
    """What a server holds: the model, its shared posterior, caches and thread limits.

    Threads: up to two answers or web colourings (``quick``, each tens of milliseconds) at
    once, so the number a click changes and its picture come first; one lever-and-tornado
    analysis at a time (``heavy``), so it never takes both cores from the answers; one report
    (``reports``).

    Parameters
    ----------
    model : Model
    draws, seed, hdi_prob : optional
        The posterior every answer is computed over (default: the library's defaults).
    """

    model: Model
    draws: int | None = None
    seed: int | None = None
    hdi_prob: float | None = None
    answers: LRUCache[dict[str, Any]] = field(default_factory=lambda: LRUCache(ANSWERS_KEPT))
    webs: LRUCache[dict[str, Any]] = field(default_factory=lambda: LRUCache(ANSWERS_KEPT))
    analyses: LRUCache[dict[str, Any]] = field(default_factory=lambda: LRUCache(ANALYSES_KEPT))
    quick: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(2))
    heavy: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(1))
    reports: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(1))

    @cached_property
    def posterior(self) -> Posterior:
        """The one posterior of this server (its CPT draws are built on first use)."""
        return posterior(self.model, draws=DEFAULT_DRAWS if self.draws is None else self.draws,
                         seed=DEFAULT_SEED if self.seed is None else self.seed,
                         hdi_prob=DEFAULT_HDI if self.hdi_prob is None else self.hdi_prob)

    def warm(self) -> None:
        """Build the posterior's CPT draws now rather than at the first click."""
        self.posterior.cpts  # noqa: B018 - built and cached by the model

    def answer(self, whatif: WhatIf) -> dict[str, Any]:
        """:func:`~bayesnet.web.views.answer_view`, cached per what-if."""
        return self.answers.get(whatif.key, lambda: answer_view(whatif, self.model, self.posterior))

    def analysis(self, whatif: WhatIf) -> dict[str, Any]:
        """:func:`~bayesnet.web.views.analysis_view`, cached per what-if."""
        return self.analyses.get(whatif.key, lambda: analysis_view(whatif, self.model, self.posterior))

    def web(self, whatif: WhatIf) -> dict[str, Any]:
        """:func:`~bayesnet.web.webgraph.web_view`, cached per what-if."""
        return self.webs.get(whatif.key, lambda: {**web_view(whatif.question(self.model)),
                                                  "query": whatif.query_string()})

    def report_zip(self, whatif: WhatIf) -> bytes:
        """The full report of ``whatif`` (:func:`bayesnet.write_report`), written into a
        temporary folder (never the model's) and returned as a zip."""
        q = whatif.question(self.model)
        with tempfile.TemporaryDirectory(prefix="bayesnet-report-") as tmp:
            folder = Path(tmp) / "report"
            files = write_report(q, self.posterior, folder, k=DEFAULT_LEVERS, quiet=True)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(files.folder.iterdir()):
                    archive.write(path, f"bayesnet-report/{path.name}")
        return buffer.getvalue()


def _whatif(request: Request) -> WhatIf:
    raw = request.url.query
    return parse_whatif(request.query_params.multi_items(), length=len(raw))


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=_HEADERS)


async def _run(limiter: anyio.CapacityLimiter, request: Request, work: Callable[[], Any]) -> Any:
    """``work()`` in a worker thread under ``limiter``; a request whose client went away while
    it waited is not computed."""
    async with limiter:
        if await request.is_disconnected():
            raise HTTPException(499, "the client closed the request")
        return await anyio.to_thread.run_sync(work)


def create_app(model: Model, *, draws: int | None = None, seed: int | None = None,
               hdi_prob: float | None = None) -> Starlette:
    """The explorer's ASGI app for ``model``.

    Parameters
    ----------
    model : Model
        Served read-only: nothing the app does writes to its folder.
    draws, seed, hdi_prob : optional
        The shared posterior (default: :data:`bayesnet.defaults`' values, as the command line).

    Returns
    -------
    starlette.applications.Starlette
        With the :class:`Explorer` at ``app.state.explorer``.
    """
    explorer = Explorer(model, draws, seed, hdi_prob)

    async def page(request: Request) -> Response:
        if len(request.url.query) > MAX_QUERY:
            return _error(414, f"the address is too long (at most {MAX_QUERY} characters after '?')")
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=_HEADERS)

    async def model_route(request: Request) -> Response:
        data = await _run(explorer.quick, request, lambda: model_view(explorer.model, explorer.posterior))
        return JSONResponse(data, headers=_HEADERS)

    def computed(method: Callable[[WhatIf], dict[str, Any]], limiter: anyio.CapacityLimiter) -> Callable[..., Any]:
        async def route(request: Request) -> Response:
            whatif = _whatif(request)
            return JSONResponse(await _run(limiter, request, lambda: method(whatif)), headers=_HEADERS)
        return route

    async def node_route(request: Request) -> Response:
        node_id = request.path_params["node"]
        parse_whatif([("target", node_id)])  # the same shape rules as the address
        return JSONResponse(node_view(explorer.model, node_id), headers=_HEADERS)

    async def report_route(request: Request) -> Response:
        whatif = _whatif(request)
        whatif.question(explorer.model)  # refuse a bad what-if before queueing for a report
        if explorer.reports.statistics().tasks_waiting >= REPORTS_QUEUED:
            return _error(429, "reports are being written for other requests; try again in a minute")
        body = await _run(explorer.reports, request, lambda: explorer.report_zip(whatif))
        return Response(body, media_type="application/zip", headers={
            **_HEADERS, "Content-Disposition": 'attachment; filename="bayesnet-report.zip"'})

    async def bayesnet_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, URLStateError):
            status = exc.status
        elif isinstance(exc, UnknownNodeError) or (isinstance(exc, QueryError) and request.url.path.startswith(
                "/api/node/")):
            status = 404
        else:
            status = 400 if isinstance(exc, QueryError) else 422
        return _error(status, str(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return _error(404, f"there is no page or API route at {request.url.path[:120]!r}")
        if exc.status_code == 405:
            return _error(405, "the explorer only reads: use GET")
        return _error(exc.status_code, str(exc.detail))

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("the explorer failed on %s", request.url.path)
        return _error(500, "the explorer could not answer this (a fault of the explorer, not of the request); "
                           "the server log has the details")

    routes = [
        Route("/", page),
        Route("/api/model", model_route),
        Route("/api/answer", computed(explorer.answer, explorer.quick)),
        Route("/api/analysis", computed(explorer.analysis, explorer.heavy)),
        Route("/api/web", computed(explorer.web, explorer.quick)),
        Route("/api/node/{node}", node_route),
        Route("/api/report", report_route),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={
        BayesnetError: bayesnet_error, HTTPException: http_error, Exception: server_error})
    app.state.explorer = explorer
    return app
