"""A real localstripe server for the test session (Stripe's API, stateful, on loopback).

Loaded as a pytest plugin by ``tests/conftest.py``: any test may ask for ``localstripe_url``,
for ``pay_settings`` (the suite's settings paying through it; a suite may override it) and
for ``pay_client``, a client of an app built from ``pay_settings``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.settings import Settings
from tests.fixtures.apps import app_client
from tests.processes import ROOT, free_port

__all__ = ["command", "free_port", "localstripe_url", "pay_client", "pay_settings"]


def command(port: int) -> list[str]:
    """The command that starts localstripe on loopback ``port`` with its store in memory
    (``infra.localstripe_server`` without ``--data``): tests need no file, and no two
    localstripes on the machine share one."""
    return [sys.executable, "-m", "infra.localstripe_server", "--port", str(port)]


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    process = subprocess.Popen(
        command(port), cwd=ROOT,
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
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


@pytest.fixture
def pay_settings(settings: Settings, localstripe_url: str) -> Settings:
    """The suite's settings with payments going to the session's localstripe."""
    return settings.with_(stripe_api_base=localstripe_url)


@pytest.fixture
async def pay_client(
    pay_settings: Settings, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client of an app paying through localstripe (the plain ``client`` does not)."""
    async with app_client(pay_settings.with_(search_path=tmp_path / "search")) as client:
        yield client
