"""The OpenAPI 3.1 document, written from the route registry and the pydantic models' JSON Schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from admin_api.rest.problems import PROBLEM_JSON, Problem
from admin_api.rest.registry import Api, Operation
from domain.model.staff import SCOPES

REF = "#/components/schemas/{model}"
STANDARD_PROBLEMS = {
    401: "No API key, or an unknown or revoked one",
    403: "The key lacks the scope this operation needs, or the domain refuses",
    429: "The key's rate is spent; see `Retry-After`",
}


def _models(api: Api) -> list[type[BaseModel]]:
    seen: dict[type[BaseModel], None] = {Problem: None}
    for op in api.operations:
        for model in (op.query, op.body, *op.responses.values()):
            if model is not None:
                seen[model] = None
    return list(seen)


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF, mode="validation")
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            param["description"] = prop["description"]
        out.append(param)
    return out


def _operation(op: Operation) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "security": [{"bearer": [op.scope]}],
        "description": (op.description + "\n\n" if op.description else "") + f"Scope: `{op.scope}`.",
    }
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "description": text, "schema": {"type": "string"}}
        for name, text in op.path_params.items()
    ]
    if op.query is not None:
        params += _query_parameters(op.query)
    if op.method == "POST":
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "The same key and body replay the first response; another body is 422.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            }
        )
    if params:
        doc["parameters"] = params
    if op.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}},
        }
    problem_ref = {"$ref": REF.format(model=Problem.__name__)}
    responses: dict[str, Any] = {}
    for status, model in op.responses.items():
        entry: dict[str, Any] = {"description": "OK" if status < 300 else "Refused"}
        if model is not None:
            entry["content"] = {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}
        responses[str(status)] = entry
    problems = {**STANDARD_PROBLEMS, 422: "The request is invalid, or the domain refuses it"}
    if op.path_params or op.method == "POST":
        problems[404] = "No such resource (in the path, or named in the body: a SKU, a warehouse)"
    if op.method in ("POST", "PUT"):
        problems[409] = "Not possible now (state, stock, a request with the same key in progress)"
    if op.body is not None:
        problems[400] = "The body is not JSON"
    for status, text in sorted(problems.items()):
        responses.setdefault(str(status), {"description": text, "content": {PROBLEM_JSON: {"schema": problem_ref}}})
    doc["responses"] = responses
    return doc


def openapi_document(api: Api, server_url: str = "/api/v1") -> dict[str, Any]:
    _, schemas = models_json_schema([(m, "validation") for m in _models(api)], ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for op in api.operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    scopes = ", ".join(f"`{s}`" for s in SCOPES)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "chatshop admin API",
            "version": "1",
            "description": (
                "The shop for other systems: products, stock, orders and customers. Authenticate with an API key "
                "(`chatshop apikey create NAME --scopes …`) as `Authorization: Bearer <key>`. Errors are "
                "`application/problem+json` (RFC 9457). Lists page with `limit` and `cursor` (`next_cursor` is "
                "null on the last page). Money is `{amount, currency}` in minor units; times are RFC 3339 UTC. "
                f"Scopes: {scopes}."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "an API key"}},
        },
    }
