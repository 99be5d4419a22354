"""Document the error answers every operation can give, in the OpenAPI schema.

Endpoints declare the answers particular to them (a 409 on a stale version, a 413 on a large
upload). The ones that come from the shared layers — a missing or wrong token (401), a role
that does not allow it (403), an object that does not exist or belongs to another
organization (404), a malformed request (422) — are added here, for every operation they
can happen on, so that a client generated from the schema knows each status and its body.
Every error body is a problem document (RFC 9457), served as ``application/problem+json``.
"""

from __future__ import annotations

from typing import Any

PROBLEM_TYPE = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"

_COMMON = {
    "400": "Input refused: the request is well formed but its content is not acceptable.",
    "401": "Not signed in: no valid API token or session.",
    "403": "Your role in this organization does not allow this.",
    "404": "Not found, or not in an organization you belong to.",
    "409": "Conflicts with what is stored: a stale version, a name in use, the last owner.",
    "422": "The request does not match the schema; `errors` lists each bad parameter.",
}
_UNSAFE = {"post", "put", "patch", "delete"}


def _problem(description: str) -> dict[str, Any]:
    content = {PROBLEM_TYPE: {"schema": {"$ref": PROBLEM_REF}}}
    return {"description": description, "content": content}


def _applies(status: str, method: str, operation: dict[str, Any]) -> bool:
    params = operation.get("parameters", [])
    if status in {"401", "403"}:
        return bool(operation.get("security"))
    if status == "404":
        return any(p.get("in") == "path" for p in params)
    if status == "409":
        return method in _UNSAFE
    return bool(params) or "requestBody" in operation  # 400, 422: there is input to refuse


def document_problems(schema: dict[str, Any], problem_schema: dict[str, Any]) -> dict[str, Any]:
    """Add the shared error answers to ``schema`` (an OpenAPI document), in place."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    defs = problem_schema.pop("$defs", {})
    components.setdefault("Problem", problem_schema)
    for name, definition in defs.items():
        components.setdefault(name, definition)
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            # Django Ninja keys the statuses by int until the document is serialised.
            responses = {str(k): v for k, v in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for status, response in responses.items():
                # Every error answer of the API is a problem document (config/api.py).
                if status[0] in "45" and "application/json" in response.get("content", {}):
                    media = response["content"].pop("application/json")
                    response["content"][PROBLEM_TYPE] = media
            for status, description in _COMMON.items():
                if status not in responses and _applies(status, method, operation):
                    responses[status] = _problem(description)
    return schema
