"""``jangteo web --workers N``: N processes, each with its own SO_REUSEPORT socket, kept alive
by a small supervisor (infra/serve.py)."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from infra.settings import Settings
from tests.localstripe import free_port
from tests.processes import start, stop

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT") or not Path("/proc").is_dir(),
                       reason="SO_REUSEPORT and /proc (Linux)"),
]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                try:
                    cmdline = (entry / "cmdline").read_bytes()
                except OSError:  # reaped between the two reads (the killed worker)
                    continue
                if b"resource_tracker" not in cmdline:  # multiprocessing's helper
                    found.append(int(entry.name))
    return found


def _wait_for(predicate, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code in (200, 503)
    except httpx.TransportError:
        return False


def test_two_processes_share_the_port_and_a_dead_one_is_replaced(
    settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = start(["web", "--port", str(port), "--workers", "2"], settings, tmp_path / "web.log")
    try:
        _wait_for(lambda: len(_children(web.pid)) == 2 and _healthy(base), 60)
        # Fresh connections each time (no keep-alive): every one is answered.
        codes = [httpx.get(f"{base}/healthz", timeout=5).status_code for _ in range(20)]
        assert set(codes) <= {200, 503}

        first, second = sorted(_children(web.pid))
        os.kill(first, signal.SIGKILL)
        _wait_for(lambda: len(_children(web.pid)) == 2 and first not in _children(web.pid))
        assert second in _children(web.pid)
        _wait_for(lambda: _healthy(base), 60)
        children = _children(web.pid)
    finally:
        stop(web)
    assert web.returncode is not None
    _wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), 15)
