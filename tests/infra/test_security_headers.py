"""Security headers (issue 15, item 9; decision 46): a strict script policy the templates keep,
no framing, no sniffing, and https-only cookies and HSTS when the site is on https."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from infra.app import TEMPLATE_DIRS
from infra.settings import Settings
from tests.fixtures.apps import app_client

Client = AsyncTestClient[Litestar]
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


async def test_every_answer_carries_the_headers(client: Client) -> None:
    for path in ("/", "/login", "/api/markets", "/no-such-page", "/static/charts.js"):
        response = await client.get(path)
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split(
            "script-src", 1)[1].split(";", 1)[0], path
        assert "frame-ancestors 'none'" in csp, path
        assert response.headers.get("x-frame-options") == "DENY", path
        assert response.headers.get("x-content-type-options") == "nosniff", path
        assert response.headers.get("referrer-policy") == "same-origin", path
        assert "strict-transport-security" not in response.headers, path
    assert "secure" not in (await client.get("/login")).headers.get("set-cookie", "").lower()


async def test_https_sites_send_hsts_and_secure_cookies(app_settings: Settings) -> None:
    async with app_client(app_settings.with_(public_url="https://jangteo.example")) as client:
        response = await client.get("/login")
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert "secure" in response.headers.get("set-cookie", "").lower()


def test_templates_have_no_inline_code_without_a_nonce() -> None:
    """What the policy refuses must not be in a template: an inline ``<script>`` with code
    needs ``nonce="{{ csp_nonce() }}"``, and ``on…=`` handler attributes are never allowed."""
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for match in SCRIPT.finditer(text):
                attributes = match.group(1)
                if "src=" in attributes or 'type="application/json"' in attributes:
                    continue
                if "csp_nonce()" not in attributes:
                    offenders.append(f"{path}: <script{attributes}>")
            offenders += [f"{path}: {m.group(0)}" for m in HANDLER.finditer(text)]
    assert offenders == []
