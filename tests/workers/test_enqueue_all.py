"""The relay's pipelined enqueue: every message reaches its queue, in order, with its own Redis
id, as ``RedisBroker.enqueue`` would have put it there, and a consumer reads it back."""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

from infra.broker import enqueue_all, make_broker
from infra.settings import Settings


class _Seen(Middleware):
    def __init__(self) -> None:
        self.before: list[str] = []
        self.after: list[str] = []

    def before_enqueue(self, broker: Any, message: Any, delay: Any) -> None:
        self.before.append(message.options["redis_message_id"])

    def after_enqueue(self, broker: Any, message: Any, delay: Any) -> None:
        self.after.append(message.options["redis_message_id"])


def _consume(broker: Any, queue: str, count: int) -> list[dramatiq.Message[Any]]:
    consumer = broker.consume(queue, prefetch=count * 2, timeout=500)
    read: list[dramatiq.Message[Any]] = []
    try:
        for _ in range(count * 4):
            message = next(consumer)
            if message is None:
                continue
            read.append(message)
            consumer.ack(message)
            if len(read) == count:
                break
    finally:
        consumer.close()
    return read


def test_messages_enqueued_in_one_pipeline_are_read_back_in_order(
    worker_settings: Settings,
) -> None:
    broker = make_broker(worker_settings)
    seen = _Seen()
    broker.add_middleware(seen)
    try:
        broker.declare_queue("pipelined")
        messages: list[dramatiq.Message[Any]] = [
            dramatiq.Message(queue_name="pipelined", actor_name="noop", args=({"n": n},),
                             kwargs={}, options={}) for n in range(25)]
        enqueue_all(broker, messages)

        read = _consume(broker, "pipelined", 25)
        assert [m.args[0]["n"] for m in read] == list(range(25))
        assert [m.message_id for m in read] == [m.message_id for m in messages]
        ids = [m.options["redis_message_id"] for m in read]
        assert len(set(ids)) == 25
        assert seen.before == seen.after == ids
        assert _consume(broker, "pipelined", 1) == []
    finally:
        broker.flush_all()
        broker.close()
