"""Start the platform's own processes (worker, web, the whole ``jangteo run``) for tests that
need the real thing."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from infra.embedded_redis import stop_embedded_redis
from infra.settings import Settings

#: Seconds a ``jangteo web`` may take to answer ``/healthz``: 90, or more on a machine
#: shared with other work (``JANGTEO_TEST_WEB_START_S``).
WEB_START_S = float(os.environ.get("JANGTEO_TEST_WEB_START_S") or 90)

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


def start_worker(
    args: list[str], settings: Settings, log: Path, **extra: str
) -> subprocess.Popen[bytes]:
    """``jangteo worker …`` once it consumes: its ``worker_started`` line is in ``log``.

    A test that times what the worker does (publish → searchable) starts its clock here, not
    at the process start: on a loaded machine the worker's imports alone took 14 s.
    """
    process = start(args, settings, log, **extra)

    def up_or_gone() -> bool:
        return process.poll() is not None or "worker_started" in log.read_text(errors="replace")

    try:
        wait_until(up_or_gone, WEB_START_S, "the worker to start", log)
    except BaseException:
        stop(process)
        raise
    if process.poll() is not None:
        pytest.fail(f"the worker exited with {process.returncode}\n{log.read_text()[-3000:]}")
    return process


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
    when the block ends. A process that dies or is not healthy in ``WEB_START_S`` fails the
    test with the tail of its log."""
    port = free_port()
    process = start(["web", "--port", str(port)], settings, log, **extra)
    web = WebProcess(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + WEB_START_S
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


def wait_until(predicate: Callable[[], bool], timeout: float, what: str,
               log: Path | None = None) -> float:
    """Poll ``predicate`` until it holds; fail after ``timeout`` seconds naming ``what`` (and
    the tail of ``log``). Returns the seconds it took."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            tail = log.read_text(errors="replace")[-3000:] if log is not None else ""
            pytest.fail(f"{what}: not within {timeout:.0f} s\n{tail}")
        time.sleep(0.1)
    return time.monotonic() - started


def answers(url: str, status: int = 200) -> bool:
    try:
        return httpx.get(url, timeout=3).status_code == status
    except httpx.TransportError:
        return False


@dataclass(frozen=True)
class Platform:
    """A whole ``jangteo run`` on the embedded defaults in a directory of its own."""

    url: str
    var_dir: Path
    database: Path
    log: Path
    process: subprocess.Popen[bytes]

    def children(self) -> dict[str, int]:
        """The supervised children by name (``web-1``…, ``redis``), from /proc."""
        found: dict[str, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) != self.process.pid:
                continue
            words = [w.decode(errors="replace") for w in cmdline if w]
            if words and "redis-server" in words[0]:
                found["redis"] = int(entry.name)
            elif "infra.localstripe_server" in words:
                found["localstripe"] = int(entry.name)
            elif "worker" in words or "scheduler" in words:
                found["worker" if "worker" in words else "scheduler"] = int(entry.name)
            elif "web" in words:
                found[f"web-{sum(k.startswith('web') for k in found) + 1}"] = int(entry.name)
        return found

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_platform(
    directory: Path, port: int, localstripe_port: int, *, demo: bool = True
) -> Platform:
    """``jangteo run`` with its own SQLite file, embedded Redis and localstripe under
    ``directory`` (as ``make run`` on a fresh machine), in a process group of its own."""
    var_dir = directory / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JANGTEO_")}
    env.update(
        JANGTEO_VAR_DIR=str(var_dir),
        JANGTEO_DATABASE_URL=f"sqlite:///{directory / 'run.db'}",
        JANGTEO_PORT=str(port),
        JANGTEO_LOCALSTRIPE_PORT=str(localstripe_port),
        JANGTEO_NAMESPACE="jangteo",
    )
    log = directory / "run.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.cli", "run", *([] if demo else ["--no-demo"])],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Platform(f"http://127.0.0.1:{port}", var_dir, directory / "run.db", log, process)


def stop_platform(platform: Platform, timeout: float = 60) -> int:
    """Ctrl-C as a terminal sends it (to the whole group); the exit code."""
    if platform.process.poll() is None:
        os.killpg(platform.process.pid, signal.SIGINT)
        try:
            platform.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(platform.process.pid, signal.SIGKILL)
            platform.process.wait()
            stop_embedded_redis(platform.var_dir)  # in a process group of its own
            pytest.fail(f"jangteo run did not stop in {timeout:.0f} s:\n"
                        f"{platform.log_text()[-3000:]}")
    return platform.process.returncode
