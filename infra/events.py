"""The shape every domain event shares, and the request id that travels with it.

Domains declare their events as frozen dataclasses with a dotted ``name`` (in
``shop/events.py``, ``markets/events.py``); the outbox stores them as JSON and the workers
receive them as :class:`EventEnvelope`. The request id of the HTTP request (or CLI command)
that caused the change rides along, so a log line in a worker leads back to the click.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt
import enum
import uuid
from typing import Any, ClassVar

import msgspec

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "jangteo_request_id", default=None
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every domain event; subclasses set ``name`` and add their fields."""

    name: ClassVar[str] = "event"
    #: Aggregate the event is about, for ordering and for consumers keyed by aggregate.
    aggregate: ClassVar[str] = ""

    def aggregate_id(self) -> str:
        return str(getattr(self, "id", ""))

    def to_payload(self) -> dict[str, Any]:
        def convert(value: Any) -> Any:
            if isinstance(value, enum.Enum):
                return value.value
            if isinstance(value, dt.datetime | dt.date | uuid.UUID):
                return value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
            raise TypeError(f"cannot serialise {type(value).__name__} in {self.name}")

        # msgspec walks the dataclass itself (nested ones, lists, enums, datetimes) as it
        # walked ``dataclasses.asdict``'s deep copy, without making that copy first.
        return msgspec.to_builtins(self, enc_hook=convert)


class EventEnvelope(msgspec.Struct, frozen=True):
    """An event as the outbox relay hands it to consumers."""

    event_id: str
    name: str
    aggregate: str
    aggregate_id: str
    payload: dict[str, Any]
    occurred_at: str
    request_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventEnvelope:
        return msgspec.convert(data, cls)
