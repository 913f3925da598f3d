"""Start the platform's own processes (worker, web) for tests that need the real thing."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from infra.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def process_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a child process needs to use the test's database, broker and files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JANGTEO_")}
    env.update(
        JANGTEO_DATABASE_URL=settings.database_url or "",
        JANGTEO_REDIS_URL=settings.redis_url or "",
        JANGTEO_NAMESPACE=settings.namespace,
        JANGTEO_VAR_DIR=str(settings.var_dir),
        JANGTEO_SECRET_KEY=settings.secret_key,
        JANGTEO_RELAY_INTERVAL_S=str(settings.relay_interval_s),
    )
    if settings.search_path is not None:
        env["JANGTEO_SEARCH_PATH"] = str(settings.search_path)
    env.update(extra)
    return env


def start(args: list[str], settings: Settings, log: Path, **extra: str) -> subprocess.Popen[bytes]:
    handle = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "infra.cli", *args],
        cwd=ROOT,
        env=process_env(settings, **extra),
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class WebProcess:
    """A running ``jangteo web``: where it answers, and where its log goes."""

    url: str
    log: Path

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@contextlib.contextmanager
def running_web(settings: Settings, log: Path, **extra: str) -> Iterator[WebProcess]:
    """``jangteo web`` on a free loopback port, once ``/healthz`` answers below 500; stopped
    when the block ends. A process that dies or is not healthy in 30 s fails the test with
    the tail of its log."""
    port = free_port()
    process = start(["web", "--port", str(port)], settings, log, **extra)
    web = WebProcess(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{web.url}/healthz", timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"jangteo web did not start:\n{web.log_tail()}")
            time.sleep(0.1)
        yield web
    finally:
        stop(process)
