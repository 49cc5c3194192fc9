"""Run the explorer on a local address with uvicorn (``bayesnet serve``)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from bayesnet.build.model import load
from bayesnet.defaults import DEFAULT_HOST, DEFAULT_PORT
from bayesnet.web.app import create_app

__all__ = ["address", "listen", "serve"]


def address(host: str, port: int) -> str:
    """The address a browser opens: ``http://127.0.0.1:8765/`` (IPv6 hosts in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (0: a free port).

    Raises
    ------
    OSError
        The address is taken or not this machine's.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def serve(
    model_dir: str | Path | None = None,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Load the model, build its posterior, and serve the explorer until interrupted.

    Parameters
    ----------
    model_dir : str or pathlib.Path, optional
        A model folder (default: the embedded model). Read once; never written.
    host : str
        The interface to listen on (default: this machine only).
    port : int
        0 picks a free port.
    announce : callable, optional
        Given one line with the address once the socket listens (default: print it).

    Raises
    ------
    OSError
        The address cannot be listened on.
    """
    import uvicorn
    from threadpoolctl import threadpool_limits

    # Requests run in parallel threads; BLAS threads inside each would only fight them for cores.
    threadpool_limits(1)
    app = create_app(load(model_dir))
    sock = listen(host, port)
    app.state.explorer.warm()
    say = announce or (lambda line: print(line, flush=True))
    say(f"bayesnet explorer: {address(host, int(sock.getsockname()[1]))}  (Ctrl+C stops it)")
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False,
                            timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])
