"""The OpenAPI document the app serves: valid OpenAPI, public, and describing every operation with its errors."""

from __future__ import annotations

from openapi_spec_validator import validate

from .apitable import RULES


def test_the_served_openapi_document_validates(api_as):
    response = api_as("anonymous").get("/api/v1/openapi.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    document = response.json()
    validate(document)  # raises OpenAPIValidationError on an invalid document
    assert document["info"]["title"] == "mailadmin API"
    served = {(m.upper(), p.removeprefix("/api/v1")) for p, ms in document["paths"].items() for m in ms}
    assert served == set(RULES) - {("GET", "/openapi.json")}


def test_every_operation_documents_its_token_and_errors(api_as):
    document = api_as("anonymous").get("/api/v1/openapi.json").json()
    assert document["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            assert operation["security"] == [{"TokenAuth": []}], (method, path)
            assert {"401", "403", "404", "422", "429"} <= set(operation["responses"]), (method, path)
            if method != "get":
                assert {"409", "412", "428"} <= set(operation["responses"]), (method, path)


def test_the_search_is_documented_as_a_paged_list(api_as):
    document = api_as("anonymous").get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "domain", "page", "per_page"}
    assert [p["required"] for p in operation["parameters"] if p["name"] == "q"] == [True]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    properties = document["components"]["schemas"][answer]["properties"]
    assert {"items", "total", "page", "pages", "per_page", "valias"} <= set(properties)
    assert "HEAD" in document["info"]["description"]
