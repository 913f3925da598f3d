"""A bare Litestar handler: the framework's own speed on this machine, for ``bench_pages``.

Served by the same uvicorn, with the same options, as ``jangteo web``; the pages' figures
are reported as ratios of this one's, measured in the same run.
"""

from __future__ import annotations

from litestar import Litestar, get


@get("/", sync_to_thread=False)
def hello() -> dict[str, str]:
    return {"hello": "장터"}


app = Litestar(route_handlers=[hello])
