"""Serving the web app from several processes, each with a listening socket of its own.

uvicorn's ``--workers`` shares one listening socket among its children. A client that keeps
its connections open (a browser, a proxy's keep-alive pool, the checkout bench's 50
clients) stays with whichever child accepted it, and accepting is first come, first served:
in the checkout bench one child did about 90% of the work while the other idled. With
``SO_REUSEPORT`` every child binds its own socket and the kernel spreads new connections
evenly across them. Where the option is missing (not Linux), uvicorn's own workers are used.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import time
from types import FrameType
from typing import Any

import uvicorn

APP = "infra.asgi:app"
BACKLOG = 2048


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def can_share_port() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def serve_sharing_port(host: str, port: int, **options: Any) -> None:
    """One server process on a socket of its own that others of ours may bind too:
    ``jangteo run`` starts two, so one answers while the other is being restarted."""
    _child(host, port, options)


def _child(host: str, port: int, options: dict[str, Any]) -> None:
    config = uvicorn.Config(APP, host=host, port=port, backlog=BACKLOG, **options)
    uvicorn.Server(config).run(sockets=[_listening_socket(host, port)])


def serve(host: str, port: int, processes: int, **options: Any) -> None:
    """Run the app on ``host:port`` in ``processes`` processes until SIGTERM or SIGINT.

    A child that dies on its own is started again, as uvicorn's supervisor does.
    """
    if processes <= 1 or not can_share_port():
        uvicorn.run(APP, host=host, port=port, workers=processes, **options)
        return
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> multiprocessing.process.BaseProcess:
        child = context.Process(target=_child, args=(host, port, options), daemon=False)
        child.start()
        return child

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.is_alive() and child.pid is not None:
                child.terminate()  # SIGTERM: uvicorn finishes the requests in flight

    # Probe the address once here, so a taken port fails at once and loudly.
    _listening_socket(host, port).close()
    children = [start() for _ in range(processes)]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        for index, child in enumerate(children):
            child.join(timeout=0.5 / processes)
            if not child.is_alive() and not stopping:
                children[index] = start()
        if stopping and not any(child.is_alive() for child in children):
            return
        time.sleep(0.05)
