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
