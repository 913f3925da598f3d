"""ASGI entry point for servers: ``uvicorn infra.asgi:app``."""

from infra.app import create_app

app = create_app()
