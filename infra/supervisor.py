"""``jangteo run``'s supervisor: one dead child is started again, not the end of everything.

Before, ``jangteo run`` stopped every process as soon as one of them exited: a killed worker,
a crashed localstripe or a Redis blip that reached the scheduler took the whole platform
down. Now a child that dies is started again after a short pause that doubles with each
death in a row (0.5 s, 1 s, 2 s … at most 8 s), and the log says which one died and when it
comes back. Everything stops only on Ctrl-C / SIGTERM, or when one child died
``max_deaths`` times within ``window_s`` seconds: then the message names it, since starting it
again would only hide the fault.

Children run in the supervisor's process group, so Ctrl-C in a terminal reaches them all at
once; the supervisor then sends SIGTERM to whatever is left and waits for it. A child named
in ``own_group`` (the broker) gets a process group of its own: Ctrl-C does not reach it, and
it is stopped last, once its clients have finished with it.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

Echo = Callable[[str], None]


@dataclass
class _Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    deaths: deque[float] = field(default_factory=deque)
    restart_at: float | None = None


class ChildKeepsDying(RuntimeError):
    def __init__(self, name: str, deaths: int, window_s: float, code: int | None) -> None:
        super().__init__(name)
        self.name = name
        self.message = (
            f"{name} 프로세스가 {window_s:.0f}초 안에 {deaths}번 죽어 더 이상 다시 띄우지 않습니다 "
            f"(마지막 종료 코드 {code}). 모두 멈춥니다; 로그에서 {name}의 오류를 확인하세요."
        )


class Supervisor:
    """Start ``commands`` in order; :meth:`watch` restarts the dead until told to stop.

    ``after_start`` callbacks run (in a thread of their own) after a child is started, the
    first time and after every restart: localstripe forgets its webhooks when it restarts.
    """

    def __init__(
        self,
        commands: Mapping[str, list[str]],
        *,
        env: Mapping[str, str],
        echo: Echo,
        after_start: Mapping[str, Callable[[], None]] | None = None,
        own_group: Collection[str] = (),
        first_backoff_s: float = 0.5,
        max_backoff_s: float = 8.0,
        max_deaths: int = 5,
        window_s: float = 60.0,
        poll_s: float = 0.2,
    ) -> None:
        self.children = [_Child(name, list(cmd)) for name, cmd in commands.items()]
        self.env = dict(env)
        self.echo = echo
        self.after_start = dict(after_start or {})
        self.own_group = set(own_group)
        self.first_backoff_s = first_backoff_s
        self.max_backoff_s = max_backoff_s
        self.max_deaths = max_deaths
        self.window_s = window_s
        self.poll_s = poll_s
        self.stopping = False

    def _start(self, child: _Child) -> None:
        child.process = subprocess.Popen(  # noqa: S603 - our own commands
            child.command, env=self.env, start_new_session=child.name in self.own_group
        )
        child.restart_at = None
        hook = self.after_start.get(child.name)
        if hook is not None:
            import threading

            threading.Thread(target=hook, name=f"after-start-{child.name}", daemon=True).start()

    def start(self, name: str) -> subprocess.Popen[bytes]:
        """Start one child now (the others keep waiting), e.g. Redis before its clients."""
        child = next(c for c in self.children if c.name == name)
        self._start(child)
        assert child.process is not None
        return child.process

    def start_all(self) -> None:
        for child in self.children:
            if child.process is None:
                self._start(child)

    def pids(self) -> dict[str, int]:
        return {c.name: c.process.pid for c in self.children
                if c.process is not None and c.process.poll() is None}

    def check(self, now: float | None = None) -> None:
        """One round: note the children that died, start the ones whose pause is over.

        Raises :class:`ChildKeepsDying` when a child died too often to go on.
        """
        now = time.monotonic() if now is None else now
        for child in self.children:
            process = child.process
            if process is None or self.stopping:
                continue
            if child.restart_at is None and process.poll() is not None:
                while child.deaths and now - child.deaths[0] > self.window_s:
                    child.deaths.popleft()
                child.deaths.append(now)
                if len(child.deaths) >= self.max_deaths:
                    raise ChildKeepsDying(child.name, len(child.deaths), self.window_s,
                                          process.returncode)
                pause = min(self.first_backoff_s * 2 ** (len(child.deaths) - 1),
                            self.max_backoff_s)
                child.restart_at = now + pause
                self.echo(
                    f"{child.name} 프로세스가 종료되었습니다 (코드 {process.returncode}); "
                    f"{pause:.1f}초 뒤 다시 띄웁니다."
                )
            elif child.restart_at is not None and now >= child.restart_at:
                self._start(child)
                assert child.process is not None
                self.echo(f"{child.name} 프로세스를 다시 띄웠습니다 (pid {child.process.pid}).")

    def request_stop(self, *_: object) -> None:
        self.stopping = True

    def watch(self) -> int:
        """Restart dead children until SIGINT/SIGTERM (exit code 0) or one keeps dying (1)."""
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)
        try:
            while not self.stopping:
                self.check()
                time.sleep(self.poll_s)
        except ChildKeepsDying as exc:
            self.echo(exc.message)
            return 1
        return 0

    def stop_all(self, timeout_s: float = 15, last: tuple[str, ...] = ()) -> None:
        """SIGTERM to every live child (those named in ``last`` after the others have
        stopped: the broker outlives its clients), then SIGKILL what is left at the deadline."""
        self.stopping = True
        first = [c for c in self.children if c.name not in last]
        then = [c for c in self.children if c.name in last]
        deadline = time.monotonic() + timeout_s
        for group in (first, then):
            for child in group:
                if child.process is not None and child.process.poll() is None:
                    child.process.send_signal(signal.SIGTERM)
            for child in group:
                if child.process is None:
                    continue
                try:
                    child.process.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.process.kill()
                    child.process.wait()
