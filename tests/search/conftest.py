from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from search.embedded import EmbeddedEngine
from search.meilisearch_engine import MeilisearchEngine
from tests.search.fake_meilisearch import API_KEY, FakeMeilisearchServer


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "search"


@pytest.fixture
def embedded(data_dir: Path) -> Iterator[EmbeddedEngine]:
    engine = EmbeddedEngine(data_dir)
    yield engine
    engine.close()


@pytest.fixture
def server() -> Iterator[FakeMeilisearchServer]:
    fake = FakeMeilisearchServer()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def meili(server: FakeMeilisearchServer) -> MeilisearchEngine:
    return MeilisearchEngine(server.url, API_KEY)
