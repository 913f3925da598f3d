"""The API document works without internet and says which operations need a token."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient


async def test_the_viewer_loads_only_the_projects_own_files(client: AsyncTestClient) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert sources, page.text[:500]
    assert all(source.startswith("/static/vendor/swagger-ui/") for source in sources), sources
    for source in sources:
        asset = await client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 10_000


async def test_operations_that_need_a_person_declare_the_bearer_scheme(
    client: AsyncTestClient,
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    scheme = schema["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert schema["paths"]["/api/orders"]["get"].get("security") == [{"bearer": []}]
    # Guarded by an admin-only controller, asking for nobody.
    assert schema["paths"]["/api/settlement/commission-rates/vendors/{vendor_id}"]["delete"][
        "security"] == [{"bearer": []}]
    # Public operations stay public.
    for path in ("/api/search/products", "/api/markets"):
        assert "security" not in schema["paths"][path]["get"], path
    operations = [
        (method.upper(), path, operation) for path, item in schema["paths"].items()
        for method, operation in item.items() if isinstance(operation, dict)
    ]
    secured = [path for _, path, operation in operations if operation.get("security")]
    assert len(secured) > 50
    assert not [path for path in secured if not path.startswith("/api")]
    # Every change through the API needs a person, except a guest's checkout and payment
    # (a guest checks out with an e-mail address), signing in and a forgotten password's reset.
    guest_writes = ("/api/auth/token", "/api/auth/password-reset", "/api/checkout",
                    "/api/payments/")
    anonymous_writes = [
        f"{method} {path}" for method, path, operation in operations
        if path.startswith("/api") and method in {"POST", "PUT", "PATCH", "DELETE"}
        and not operation.get("security") and not path.startswith(guest_writes)
    ]
    assert anonymous_writes == []


async def test_operations_declare_the_problem_details_they_answer_with(
    client: AsyncTestClient,
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])

    def declared(path: str, method: str) -> dict[str, str]:
        responses = schema["paths"][path][method]["responses"]
        return {
            status: next(iter(answer.get("content", {})), "")
            for status, answer in responses.items() if status.startswith("4")
        }

    problem_json = "application/problem+json"
    # A signed-in change of something named in the path, with a JSON body.
    assert declared("/api/vendors/{vendor_id}", "patch") == dict.fromkeys(
        ("400", "401", "403", "404", "409", "415"), problem_json)
    # A public read with parameters and no path id.
    assert declared("/api/search/products", "get") == {"400": problem_json}
    # A signed-in read without parameters.
    assert declared("/api/orders", "get").keys() >= {"401", "403"}
    assert "404" not in declared("/api/orders", "get")
    # Every refusal of every operation is problem details.
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if path.startswith("/api") and isinstance(operation, dict):
                for status, media in declared(path, method).items():
                    assert media == problem_json, (method, path, status)
