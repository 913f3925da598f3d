"""Security headers on every answer: what the browser may load, frame, sniff and tell.

- ``Content-Security-Policy``: scripts only from this site (ECharts and ``charts.js`` are
  served from ``/static``; chart options travel in ``<script type="application/json">``,
  which is data, not script) and Stripe's ``js.stripe.com``; the one page with inline script
  (the payment page) marks it with a per-response nonce (``csp_nonce()`` in templates). No
  ``on…=`` attributes exist in the templates, so none are allowed. Styles allow inline
  ``style=`` attributes (layout tweaks in templates; they cannot run code). Framing is
  refused (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), forms post only here.
  Litestar's API reference under ``/schema`` (its own inline script and CDN) has no CSP.
- ``X-Content-Type-Options: nosniff`` (uploads under ``/media`` included),
  ``Referrer-Policy: same-origin`` (checkout and payment URLs carry tokens).
- ``Strict-Transport-Security`` only when the site is served over https
  (``JANGTEO_PUBLIC_URL``), which is also when cookies are marked ``Secure``.

Decision 46 says why these values.
"""

from __future__ import annotations

import secrets
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from infra.settings import Settings

#: Scope key of the response's script nonce, made on first use by a template.
NONCE_KEY = "jangteo.csp_nonce"
STRIPE_JS = "https://js.stripe.com"
#: Litestar's API reference pages (inline script and a CDN): framed and sniffed like the
#: rest, but not under our script policy.
SCHEMA_PATH = "/schema"


def is_https(settings: Settings) -> bool:
    return (settings.public_url or "").lower().startswith("https://")


@pass_context
def csp_nonce(context: Context) -> str:
    """The nonce an inline ``<script nonce="…">`` needs on this response (made once)."""
    request = context.get("request")
    if request is None:
        return ""
    scope: Any = request.scope
    nonce: str = scope.get(NONCE_KEY) or secrets.token_urlsafe(18)
    scope[NONCE_KEY] = nonce
    return nonce


def content_security_policy(settings: Settings, nonce: str | None) -> str:
    scripts = ["'self'", STRIPE_JS] + ([f"'nonce-{nonce}'"] if nonce else [])
    # The payment page talks to Stripe (or localstripe in test mode) from the browser.
    connect = ["'self'", "https://api.stripe.com"]
    if settings.stripe_api_base:
        connect.append(settings.stripe_api_base.rstrip("/"))
    directives = {
        "default-src": ["'self'"],
        "script-src": scripts,
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", "https://*.stripe.com"],
        "font-src": ["'self'", "data:"],
        "connect-src": connect,
        "frame-src": [STRIPE_JS, "https://hooks.stripe.com"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def security_headers_hook(settings: Settings) -> Any:
    """A ``before_send`` hook adding the headers to every response start."""
    https = is_https(settings)
    # Most responses carry no nonce (API answers, pages without inline scripts): their
    # policy is the same string every time, so it is made once (decision 96).
    plain_policy = content_security_policy(settings, None)

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        nonce = scope.get(NONCE_KEY)
        if not str(scope.get("path", "")).startswith(SCHEMA_PATH):
            headers["Content-Security-Policy"] = (
                content_security_policy(settings, str(nonce)) if nonce else plain_policy
            )
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        if https:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    return add_headers
