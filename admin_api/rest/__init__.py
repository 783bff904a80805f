"""The admin REST API at ``/api/v1`` (issue 18): an aiohttp sub-app, its OpenAPI document and its docs page."""

from __future__ import annotations

from aiohttp import web

from admin_api.rest.deps import DEPS, RestDeps
from admin_api.rest.docs import setup_docs
from admin_api.rest.openapi import openapi_document
from admin_api.rest.registry import ApiServices
from admin_api.rest.routes import (  # noqa: F401  (they register)
    API,
    automation,
    campaigns,
    coupons,
    customers,
    orders,
    products,
    purchasing,
    reports,
    stock,
    webhooks,
)
from admin_api.rest.settings import ApiSettings

PREFIX = "/api/v1"


def build_api(deps: RestDeps, services: ApiServices, settings: ApiSettings | None = None) -> web.Application:
    settings = settings or ApiSettings()
    api = web.Application(client_max_size=settings.max_body_bytes)
    api[DEPS] = deps
    document = openapi_document(API, PREFIX)

    async def openapi(_: web.Request) -> web.Response:
        return web.json_response(document)

    api.router.add_get("/openapi.json", openapi)
    API.add_routes(api, services)
    return api


def mount(app: web.Application, deps: RestDeps, services: ApiServices, settings: ApiSettings | None = None) -> None:
    app.add_subapp(PREFIX, build_api(deps, services, settings))
    setup_docs(app, PREFIX + "/openapi.json")
