"""localstripe for ``jangteo run`` and the tests: on loopback only, its data under ``var/``.

localstripe's own ``start()`` listens on every interface (``::``) and pickles its whole store
to ``/tmp/localstripe.pickle``, one file for every localstripe on the machine: two of them
overwrite each other, and one killed while writing leaves a truncated file on which the next
start fails with ``EOFError``. Here the store is written to the file we are given, by writing
a temporary file and renaming it over the old one (a reader sees the old or the new store,
never half of one); a file that cannot be read anyway is set aside and the store starts
empty, with a line in the log. Without ``--data`` the store lives in memory only (tests).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import pickle
import socket
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("jangteo.localstripe")


def _persist_to(store_class: Any, path: Path | None) -> None:
    def load(store: Any) -> None:
        if path is None or not path.exists():
            return
        try:
            with path.open("rb") as f:
                old = pickle.load(f)  # noqa: S301 - our own file, written below
        except (EOFError, pickle.UnpicklingError, AttributeError, ImportError) as exc:
            aside = path.with_suffix(".corrupt")
            path.replace(aside)
            log.warning("localstripe: %s is unreadable (%s); set aside as %s, starting empty",
                        path, type(exc).__name__, aside)
            return
        store.clear()
        store.update(old)

    def dump(store: Any) -> None:
        if path is None:
            return
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with partial.open("wb") as f:
                pickle.dump(dict(store), f, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()

    store_class.try_load_from_disk = load
    store_class.dump_to_disk = dump


def loopback_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.localstripe_server")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--data", type=Path, default=None,
                        help="where the store is kept (omit: in memory only)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)

    from aiohttp import web
    from localstripe import resources, server

    _persist_to(resources.Store, args.data)
    if args.data is not None:
        args.data.parent.mkdir(parents=True, exist_ok=True)
        resources.store.try_load_from_disk()
    web.run_app(server.app, sock=loopback_socket(args.port), print=None,
                access_log=logging.getLogger("aiohttp.access"))


if __name__ == "__main__":
    main()
