"""What analytics tells its own worker: an export was asked for (decision 44)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExportRequested(DomainEvent):
    """A background export was queued; the export actor writes its file."""

    name: ClassVar[str] = "analytics.export_requested"
    aggregate: ClassVar[str] = "analytics_export"
    id: int
