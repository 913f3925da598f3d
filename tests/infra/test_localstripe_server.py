"""localstripe as ``jangteo run`` starts it: loopback only, its store in the file it is given
(infra/localstripe_server.py), surviving a kill and a torn file."""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.processes import ROOT, free_port

pytestmark = pytest.mark.slow

KEY = ("sk_test_localstripe", "")


def start(port: int, data: Path, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.localstripe_server", "--port", str(port),
         "--data", str(data)],
        cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/customers", auth=KEY, timeout=1)
            return process
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"localstripe did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)


def listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on ``port`` (from /proc/net, hex as there)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc/net (Linux)")
def test_listens_on_loopback_only_and_keeps_its_store_in_the_given_file(tmp_path: Path) -> None:
    port, data, log = free_port(), tmp_path / "var" / "localstripe.pickle", tmp_path / "ls.log"
    process = start(port, data, log)
    try:
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else
        created = httpx.post(f"http://127.0.0.1:{port}/v1/customers", auth=KEY,
                             data={"email": "kim@example.kr"}, timeout=5)
        assert created.status_code == 200, created.text
        customer = created.json()["id"]
        assert data.exists()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()

    process = start(port, data, log)  # right after a kill, on the same port and file
    try:
        again = httpx.get(f"http://127.0.0.1:{port}/v1/customers/{customer}", auth=KEY,
                          timeout=5)
        assert again.status_code == 200 and again.json()["email"] == "kim@example.kr"
    finally:
        process.terminate()
        process.wait(10)


def test_a_torn_store_file_is_set_aside_and_the_server_starts_empty(tmp_path: Path) -> None:
    port, data, log = free_port(), tmp_path / "localstripe.pickle", tmp_path / "ls.log"
    data.write_bytes(pickle.dumps({"customer:cus_1": {"id": "cus_1"}})[:10])  # cut short
    process = start(port, data, log)
    try:
        listed = httpx.get(f"http://127.0.0.1:{port}/v1/customers", auth=KEY, timeout=5)
        assert listed.status_code == 200 and listed.json()["data"] == []
        assert data.with_suffix(".corrupt").exists()
        assert "unreadable" in log.read_text()
    finally:
        process.terminate()
        process.wait(10)
