"""Start the platform's own processes (worker, web) for tests that need the real thing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

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
