"""The HTTP entry of a turn: every request to the shop's server runs under a turn id (domain/observability.py).

A reverse proxy's ``X-Request-ID`` is kept when it is a plain token, so the proxy's access log and ours
share the id; otherwise a new one is made. The response carries it back in ``X-Request-ID``. A web chat
socket is one request but many turns: its frames each start their own (channels/webchat/server.py).
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from domain.observability import bound_turn

HEADER = "X-Request-ID"


@web.middleware
async def turn_ids(request: web.Request, handler: Handler) -> web.StreamResponse:
    with bound_turn(request.headers.get(HEADER)) as turn:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers[HEADER] = turn
            raise
        if not response.prepared:
            response.headers[HEADER] = turn
        return response
