"""Pages that no route serves still answer like the rest of the site."""

from litestar.testing import AsyncTestClient

from tests.fixtures.apps import scrape


async def test_unknown_page_is_a_korean_404_page(client: AsyncTestClient) -> None:
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "요청을 처리할 수 없습니다" in response.text


async def test_unknown_api_path_is_a_problem_detail(client: AsyncTestClient) -> None:
    response = await client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_health_reports_database_broker_and_search(client: AsyncTestClient) -> None:
    body = (await client.get("/healthz")).json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "search"}
    assert all(check["ok"] for check in body["checks"].values())


async def test_metrics_expose_outbox_backlog_and_request_latency(client: AsyncTestClient) -> None:
    await client.get("/healthz")
    text = await scrape(client)
    assert "jangteo_outbox_backlog" in text
    assert "jangteo_outbox_oldest_unsent_age_seconds" in text
    assert "jangteo_request_duration_seconds" in text or "request_duration" in text


async def test_openapi_schema_lists_the_fixed_paths(client: AsyncTestClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/search/products" in schema["paths"]
    assert "/healthz" in schema["paths"]
    assert "/api/markets" in schema["paths"]
    operation = schema["paths"]["/api/search/products"]["get"]
    assert operation["operationId"] == "searchProducts"


async def test_request_id_is_returned_and_kept_when_given(client: AsyncTestClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    generated = await client.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32
