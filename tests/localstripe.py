"""A real localstripe server for the test session (Stripe's API, stateful, on loopback)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

#: localstripe in memory only: it otherwise pickles its whole store to /tmp/localstripe.pickle
#: on every write (slower as it grows) and loads that file at start, which a second instance
#: may be writing at the same moment. Tests need neither.
IN_MEMORY = (
    "import sys, localstripe.resources as r, localstripe.server as s; "
    "r.Store.dump_to_disk = lambda self: None; sys.argv[1:1] = ['--from-scratch']; s.start()"
)


def command(port: int) -> list[str]:
    """The command that starts an in-memory localstripe on ``port``."""
    return [sys.executable, "-c", IN_MEMORY, "--port", str(port)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    process = subprocess.Popen(
        command(port),
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/v1/customers", auth=("sk_test_x", ""), timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"localstripe did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(10)
