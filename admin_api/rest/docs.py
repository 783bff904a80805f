"""``/api/docs``: Swagger UI over our OpenAPI document, its assets served by us (the ``swagger-ui-py``
package vendors them), so the page works with no CDN and no network."""

from __future__ import annotations

import html
from pathlib import Path

import swagger_ui
from aiohttp import web

ASSETS = Path(swagger_ui.__file__).parent / "static"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chatshop admin API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({url: "{spec}", dom_id: "#swagger-ui", deepLinking: true});
</script>
</body>
</html>
"""


def setup_docs(app: web.Application, spec_url: str = "/api/v1/openapi.json") -> None:
    page = PAGE.replace("{spec}", html.escape(spec_url, quote=True))

    async def docs(_: web.Request) -> web.Response:
        return web.Response(
            text=page,
            content_type="text/html",
            headers={
                "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                "style-src 'self' 'unsafe-inline'; img-src 'self' data:"
            },
        )

    app.router.add_get("/api/docs", docs)
    app.router.add_static("/api/docs/assets/", ASSETS, show_index=False)
