"""``infra.supervisor``: a dead child is started again with backoff and a line naming it;
one that keeps dying stops everything with a message naming it."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from infra.supervisor import ChildKeepsDying, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def crasher(marker: Path) -> list[str]:
    """Exits with 3 at once, noting each start in ``marker``."""
    return [sys.executable, "-c",
            f"open({str(marker)!r}, 'a').write('x'); raise SystemExit(3)"]


def until(predicate: Callable[[], bool], supervisor: Supervisor, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        supervisor.check()
        time.sleep(0.05)


def test_a_killed_child_is_started_again_after_a_pause_and_the_log_names_it() -> None:
    lines: list[str] = []
    supervisor = Supervisor({"worker": SLEEPER, "web": SLEEPER}, env={}, echo=lines.append,
                            first_backoff_s=0.3)
    supervisor.start_all()
    try:
        first = supervisor.pids()
        web_before = first["web"]
        supervisor.children[0].process.kill()  # type: ignore[union-attr]
        supervisor.children[0].process.wait()  # type: ignore[union-attr]
        died_at = time.monotonic()
        until(lambda: supervisor.pids().get("worker", first["worker"]) != first["worker"]
              and "worker" in supervisor.pids(), supervisor)
        assert time.monotonic() - died_at >= 0.3  # the pause, not a tight loop
        assert supervisor.pids()["web"] == web_before  # the others are left alone
        assert lines[0].startswith("worker 프로세스가 종료되었습니다 (코드 -9)")
        assert lines[1].startswith("worker 프로세스를 다시 띄웠습니다")
    finally:
        supervisor.stop_all(timeout_s=5)
    assert supervisor.pids() == {}


def test_the_pause_doubles_while_a_child_keeps_dying(tmp_path: Path) -> None:
    lines: list[str] = []
    supervisor = Supervisor({"scheduler": crasher(tmp_path / "starts")}, env={},
                            echo=lines.append, first_backoff_s=0.1, max_deaths=10)
    supervisor.start_all()
    try:
        until(lambda: (tmp_path / "starts").exists()
              and len((tmp_path / "starts").read_text()) >= 4, supervisor)
    finally:
        supervisor.stop_all(timeout_s=5)
    pauses = [line.split("; ")[1] for line in lines if "종료되었습니다" in line]
    assert pauses[:3] == ["0.1초 뒤 다시 띄웁니다.", "0.2초 뒤 다시 띄웁니다.",
                          "0.4초 뒤 다시 띄웁니다."]


def test_a_child_that_keeps_dying_stops_everything_with_its_name(tmp_path: Path) -> None:
    supervisor = Supervisor({"web": SLEEPER, "localstripe": crasher(tmp_path / "starts")},
                            env={}, echo=lambda line: None, first_backoff_s=0.01,
                            max_deaths=3)
    supervisor.start_all()
    try:
        deadline = time.monotonic() + 20
        try:
            while time.monotonic() < deadline:
                supervisor.check()
                time.sleep(0.02)
            raise AssertionError("the supervisor never gave up")
        except ChildKeepsDying as exc:
            assert exc.name == "localstripe"
            assert "localstripe 프로세스가 60초 안에 3번 죽어" in exc.message
            assert "마지막 종료 코드 3" in exc.message
    finally:
        supervisor.stop_all(timeout_s=5)
    assert supervisor.pids() == {}


def test_deaths_long_ago_do_not_count() -> None:
    supervisor = Supervisor({"worker": [sys.executable, "-c", "pass"]}, env={},
                            echo=lambda line: None, max_deaths=2, window_s=10)
    child = supervisor.children[0]
    supervisor.start_all()
    assert child.process is not None
    child.process.wait()
    supervisor.check(now=100.0)       # died once: restart planned at 100.5
    supervisor.check(now=100.6)       # restarted
    child.process.wait()
    supervisor.check(now=200.0)       # died again, but 100 s later: still a restart
    assert child.restart_at is not None
    supervisor.stop_all(timeout_s=5)


def test_a_child_in_a_group_of_its_own_is_out_of_reach_of_ctrl_c_and_stopped_last() -> None:
    supervisor = Supervisor({"redis": SLEEPER, "worker": SLEEPER}, env={},
                            echo=lambda line: None, own_group={"redis"})
    supervisor.start_all()
    try:
        pids = supervisor.pids()
        assert os.getpgid(pids["redis"]) == pids["redis"]  # its own group leader
        assert os.getpgid(pids["worker"]) == os.getpgid(0)
    finally:
        supervisor.stop_all(timeout_s=5, last=("redis",))
    assert supervisor.pids() == {}
