"""The route registry: each operation declares its path, scope, query/body/response models and summary once;
the same declaration serves requests (auth, scope, rate limit, idempotency, validation, problem+json) and
writes the OpenAPI document (``openapi.py``). A new resource is a few ``@api.operation`` functions."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from aiohttp import web
from pydantic import BaseModel, ValidationError

from admin_api.rest.problems import bad_json, domain_problem, problem, validation_problem
from domain.api_access import ApiKeyRecord, ApiKeyStore, IdempotencyStore
from domain.errors import DomainError, NotFound
from domain.model.staff import Actor

log = logging.getLogger(__name__)
IDEMPOTENCY_KEY_MAX = 255


@dataclass(frozen=True)
class Json:
    """A body already shaped like ``model`` (plain dicts, lists, ints, str, aware datetimes), encoded with
    orjson without validating it again: for big pages of rows we built ourselves. Its encoding is the one
    ``model.model_dump_json()`` gives (UTC as ``Z``); a unit test per use holds the two byte-equal."""

    model: type[BaseModel]
    data: Any


@dataclass(frozen=True)
class Reply:
    status: int
    body: BaseModel | Json | None = None


@dataclass
class Call:
    """One request, checked: who asks (as a domain actor), its path parameters, query and body."""

    actor: Actor
    key: ApiKeyRecord
    path: dict[str, str]
    query: Any
    body: Any
    request: web.Request


Handler = Callable[[Call], Awaitable[Reply]]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI style: /orders/{order_id}
    operation_id: str
    summary: str
    tag: str
    scope: str
    handler: Handler
    responses: dict[int, type[BaseModel] | None]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    path_params: dict[str, str] = field(default_factory=dict)  # name -> description
    description: str = ""


class RateLimiter(Protocol):
    """Per-key request budget; ``hit`` returns None when allowed, else the seconds to wait."""

    async def hit(self, key: str) -> float | None: ...


@dataclass
class ApiServices:
    keys: ApiKeyStore
    idempotency: IdempotencyStore
    limiter: RateLimiter
    # Opens one read connection for a GET request: its key lookup and its views share it (one pool checkout).
    read_scope: Callable[[], AbstractAsyncContextManager[object]] = nullcontext


class Api:
    def __init__(self) -> None:
        self.operations: list[Operation] = []

    def operation(
        self,
        method: str,
        path: str,
        *,
        scope: str,
        summary: str,
        tag: str,
        responses: dict[int, type[BaseModel] | None],
        query: type[BaseModel] | None = None,
        body: type[BaseModel] | None = None,
        path_params: dict[str, str] | None = None,
        description: str = "",
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.operations.append(
                Operation(
                    method.upper(),
                    path,
                    handler.__name__,
                    summary,
                    tag,
                    scope,
                    handler,
                    responses,
                    query,
                    body,
                    path_params or {},
                    description or (handler.__doc__ or "").strip(),
                )
            )
            return handler

        return register

    def add_routes(self, app: web.Application, services: ApiServices) -> None:
        for op in self.operations:
            app.router.add_route(op.method, op.path, dispatcher(op, services))


def bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def encode(body: BaseModel | Json) -> bytes:
    if isinstance(body, Json):
        return orjson.dumps(body.data, option=orjson.OPT_UTC_Z)
    return body.model_dump_json().encode()


def _json(body: BaseModel | Json | None, status: int) -> web.Response:
    if body is None:
        return web.Response(status=status)
    return web.Response(status=status, body=encode(body), content_type="application/json")


def dispatcher(op: Operation, services: ApiServices) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        if op.method != "GET":
            return await answer(request)
        async with services.read_scope():
            return await answer(request)

    async def answer(request: web.Request) -> web.StreamResponse:
        token = bearer(request)
        if token is None:
            return problem(
                401,
                "unauthenticated",
                "Unauthenticated",
                "Send an API key as `Authorization: Bearer <key>` (make one with `chatshop apikey create`).",
                headers={"WWW-Authenticate": 'Bearer realm="chatshop"'},
            )
        key = await services.keys.authenticate(token)
        if key is None:
            return problem(
                401,
                "invalid_key",
                "Unauthenticated",
                "The API key is unknown or revoked.",
                headers={"WWW-Authenticate": 'Bearer realm="chatshop", error="invalid_token"'},
            )
        if op.scope not in key.scopes:
            return problem(
                403,
                "missing_scope",
                "Missing scope",
                f"This API key lacks the scope {op.scope}, which {op.method} {op.path} needs.",
                scope=op.scope,
            )
        wait = await services.limiter.hit(f"key:{key.id}")
        if wait is not None:
            seconds = max(1, int(wait + 0.999))
            return problem(
                429,
                "rate_limited",
                "Too many requests",
                f"This API key sent more requests than its rate allows; try again in {seconds} s.",
                headers={"Retry-After": str(seconds)},
            )
        raw = await request.read() if op.body is not None else b""
        if op.method == "POST":
            return await _idempotent(op, services, key, request, raw)
        return await _run(op, key, request, raw)

    return handle


async def _idempotent(
    op: Operation, services: ApiServices, key: ApiKeyRecord, request: web.Request, raw: bytes
) -> web.StreamResponse:
    idem = request.headers.get("Idempotency-Key")
    if idem is None:
        return await _run(op, key, request, raw)
    if not idem.strip() or len(idem) > IDEMPOTENCY_KEY_MAX:
        return problem(
            422, "invalid_idempotency_key", "Invalid Idempotency-Key", "Idempotency-Key must be 1 to 255 characters."
        )
    fingerprint = hashlib.sha256(b"\n".join([op.method.encode(), request.path_qs.encode(), raw])).hexdigest()
    held = await services.idempotency.claim(key.id, idem, fingerprint)
    if held is not None:
        if held.request_hash != fingerprint:
            return problem(
                422,
                "idempotency_key_reused",
                "Idempotency-Key reused",
                "This Idempotency-Key was used for another request; use a new key for a new request.",
            )
        if held.status == 0:
            return problem(
                409,
                "idempotency_in_progress",
                "Request in progress",
                "A request with this Idempotency-Key is still being answered; retry in a moment.",
                headers={"Retry-After": "1"},
            )
        return web.Response(
            status=held.status,
            body=held.body,
            headers={"Content-Type": held.content_type, "Idempotent-Replayed": "true"},
        )
    try:
        response = await _run(op, key, request, raw)
    except BaseException:
        await services.idempotency.release(key.id, idem)
        raise
    if response.status >= 500 or response.status in (409, 429):
        # Nothing happened that a retry must not repeat (a transient conflict or a failure): let it run again.
        await services.idempotency.release(key.id, idem)
        return response
    assert isinstance(response, web.Response)
    body = response.body if isinstance(response.body, bytes) else b""
    await services.idempotency.finish(key.id, idem, response.status, response.content_type, body)
    return response


def has_nul(value: object) -> bool:
    """A NUL character anywhere in decoded input (PostgreSQL text can't hold one; no field needs it)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def nul_problem(where: str) -> web.Response:
    return problem(422, "invalid_request", "Invalid request", f"The {where} holds a NUL character; text can't.")


async def _run(op: Operation, key: ApiKeyRecord, request: web.Request, raw: bytes) -> web.Response:
    if has_nul(dict(request.query)):
        return nul_problem("query")
    try:
        query = op.query.model_validate(dict(request.query)) if op.query is not None else None
    except ValidationError as exc:
        return validation_problem(exc, "query")
    body = None
    if op.body is not None:
        try:
            data = json.loads(raw.decode("utf-8")) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return bad_json(exc)
        if has_nul(data):
            return nul_problem("body")
        try:
            body = op.body.model_validate(data)
        except ValidationError as exc:
            return validation_problem(exc, "body")
    call = Call(Actor.api_key(key.name, key.scopes), key, dict(request.match_info), query, body, request)
    try:
        reply = await op.handler(call)
    except DomainError as exc:
        return domain_problem(exc)
    except Exception:
        log.exception("%s %s failed", op.method, op.path)  # the path, never the Authorization header
        return problem(500, "internal", "Internal error", "Something went wrong on our side; it has been logged.")
    return _json(reply.body, reply.status)


def path_int(call: Call, name: str) -> int:
    """A numeric path parameter; anything else is a 404 (no such resource)."""
    value = call.path[name]
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise NotFound(f"No {name.removesuffix('_id')} {value}.")
    return int(value)
