import re


def test_openapi_describes_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api-docs.openapi_json":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append((method, path))
    assert missing == []


def test_openapi_request_schemas_match_validation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    op = spec["paths"]["/api/v1/admin/units"]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = spec["components"]["schemas"][ref]
    assert set(schema["required"]) == {"code", "name"}
    assert schema["properties"]["name"]["maxLength"] == 255
    # Unknown fields are refused by the handlers, and the document says so.
    assert schema.get("additionalProperties") is False
    assert "bearerAuth" in spec["components"]["securitySchemes"]
