import asyncio, dataclasses, os, random, sys
from typing import Any
from tests.bench import bench_checkout as bc
from tests.bench.services import bench_settings, fresh_database, release

async def trace(settings, stripe_url, ids):
    from litestar.testing import AsyncTestClient
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from infra.app import create_app
    sent = []
    def count(conn, cursor, statement, params, context, executemany):
        sent.append(statement.split("\n")[0][:150].replace("\n"," "))
    async with AsyncTestClient(app=create_app(dataclasses.replace(settings, stripe_api_base=stripe_url))) as client:
        await bc.checkout(client, [{"variant_id": ids[0], "quantity": 1}])
        plan = [{"variant_id": ids[1], "quantity": 1}, {"variant_id": ids[5], "quantity": 2}]
        event.listen(Engine, "before_cursor_execute", count)
        orig = client.request
        async def req(method, url, **kw):
            sent.append(f"==== {method} {url}")
            return await orig(method, url, **kw)
        client.request = req
        try:
            print(await bc.checkout(client, plan))
        finally:
            event.remove(Engine, "before_cursor_execute", count)
    for s in sent: print(s)
    print(len([s for s in sent if not s.startswith("====")]))

settings = bench_settings("checkout")
fresh_database(settings)
ids, race_variant, label = asyncio.run(bc.seed(settings))
print(label)
ls, url = bc._start_localstripe(settings.var_dir / "p.log")
try:
    asyncio.run(trace(settings, url, ids))
finally:
    bc.stop(ls); release(settings)
