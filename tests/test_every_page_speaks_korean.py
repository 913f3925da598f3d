"""Every page a person can reach from the menus, as each kind of user, speaks Korean and Seoul
time: no "UTC" in what is shown and no raw English enum value ("standard", "pending") where
a Korean label belongs (issue 14, acceptance). The pages are found the way people find them:
by following the links of the home page and of each role's menu, on the demo data."""

from __future__ import annotations

import enum
import html
import re
import sys
from collections import deque
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.demo_data import DEMO_PASSWORD
from tests.fixtures.apps import login

pytestmark = pytest.mark.slow

ROLES = (None, "shopper@jangteo.kr", "vendor@jangteo.kr", "organizer@jangteo.kr",
         "buyer@jangteo.kr", "admin@jangteo.kr")
#: Pages per role; enough for every menu and a page of each kind behind it.
LIMIT = 90
SKIP = re.compile(r"^/(api|static|media|schema|webhooks|metrics|healthz|calendars|logout)"
                  r"|\.(ics|csv|xlsx|png|jpg|webp)$|/(export|file|download)")
HREF = re.compile(r'href="(/[^"#]*)"')


def _visible_text(page: str) -> str:
    # A textarea holds what someone typed to edit (the synonym table's English words such
    # as "desk"), not labels of the page.
    body = re.sub(r"(?is)<(script|style|textarea)\b.*?</\1>", " ", page)
    body = re.sub(r"(?s)<[^>]+>", " ", body)
    return html.unescape(body)


def _enum_values() -> set[str]:
    """Every English value of an enum that has a Korean label (what must never show raw)."""
    found: set[str] = set()
    stack = list(enum.StrEnum.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls.__module__.startswith(("shop.", "markets.", "infra.")):
            continue
        if not isinstance(getattr(cls, "label", None), property):
            continue
        found.update(m.value for m in cls if re.fullmatch(r"[a-z][a-z_]{3,}", m.value))
    return found


async def _load_demo(session_factory: async_sessionmaker[AsyncSession]) -> None:
    import markets.demo
    import shop.demo
    import shop.procurement.demo
    import shop.snackboxes.demo

    async with session_factory() as session:
        await shop.demo.load(session)
        await shop.snackboxes.demo.load(session)
        await shop.procurement.demo.load(session)
        await markets.demo.load(session)


async def _crawl(client: AsyncTestClient[Any]) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(["/"])
    while queue and len(seen) < LIMIT:
        path = queue.popleft()
        if path in seen or SKIP.search(path.split("?")[0]):
            continue
        response = await client.get(path)
        assert response.status_code < 500, (path, response.text[:300])
        if not response.headers.get("content-type", "").startswith("text/html"):
            seen[path] = ""
            continue
        seen[path] = response.text
        for link in HREF.findall(response.text):
            link = html.unescape(link)
            if link not in seen and "page=" not in link:
                queue.append(link)
    return seen


async def test_every_reachable_page_shows_seoul_time_and_korean_labels(
    client: AsyncTestClient[Litestar], session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _load_demo(session_factory)
    values = _enum_values()
    assert {"standard", "pending"} & values or len(values) > 20, values
    offenders: list[str] = []
    visited = 0
    for email in ROLES:
        client.cookies.clear()  # a fresh visitor for each role
        if email:
            await login(client, email, DEMO_PASSWORD)
        pages = await _crawl(client)
        visited += len(pages)
        for path, page in pages.items():
            text = _visible_text(page)
            if re.search(r"\bUTC\b", text):
                offenders.append(f"{email or '손님'} {path}: UTC")
            for value in values:
                if re.search(rf"(?<![\w/.-]){re.escape(value)}(?![\w/.-])", text):
                    offenders.append(f"{email or '손님'} {path}: '{value}'")
    print(f"{visited} pages visited", file=sys.stderr)
    assert visited > 150
    assert offenders == []
