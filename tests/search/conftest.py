from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from search.embedded import EmbeddedEngine


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "search"


@pytest.fixture
def embedded(data_dir: Path) -> Iterator[EmbeddedEngine]:
    engine = EmbeddedEngine(data_dir)
    yield engine
    engine.close()
