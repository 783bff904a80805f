"""Support: the hand-off tickets with their conversation; staff reply (reaching the shopper's chat through the
outbox) and close them with the same domain commands Slack uses (``PostTicketMessage``, ``CloseTicket``)."""

from __future__ import annotations

from aiohttp import web

from admin_api.console.deps import deps
from admin_api.console.pages import PREFIX, SESSION, page, see_other
from domain import commands as c
from domain.errors import NotFound, ValidationFailed
from domain.model.staff import Permission

routes = web.RouteTableDef()
QUEUE_ROWS = 200
STATUSES = ("open", "closed", "all")


def _ticket_id(request: web.Request) -> int:
    text = request.match_info["ticket_id"]
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        raise NotFound(f"No ticket {text}.")
    return int(text)


@routes.get("/support")
async def queue(request: web.Request) -> web.Response:
    d = deps(request)
    status = request.query.get("status") or "open"
    if status not in STATUSES:
        raise ValidationFailed(f"There is no ticket status {status}.")
    rows = await d.more.support_queue(None if status == "all" else status, QUEUE_ROWS)
    return page(request, "support.html", {"rows": rows, "status": status, "statuses": STATUSES})


@routes.get("/support/{ticket_id}")
async def ticket(request: web.Request) -> web.Response:
    d, ticket_id = deps(request), _ticket_id(request)
    found = await d.views.ticket(ticket_id)
    if found is None:
        raise NotFound(f"No ticket {ticket_id}.")
    customer = await d.views.customer(int(found["customer_id"]))
    transcript = [t for t in (found.get("context") or {}).get("transcript") or [] if isinstance(t, dict)]
    status = str(getattr(found["status"], "value", found["status"]))
    context = {
        "t": found,
        "status": status,
        "customer": customer,
        "transcript": transcript,
        "can_answer": request[SESSION].as_actor().may(Permission.SUPPORT) and status == "open",
        "done": request.query.get("done"),
    }
    return page(request, "ticket.html", context)


@routes.post("/support/{ticket_id}/reply")
async def reply(request: web.Request) -> web.Response:
    d, ticket_id = deps(request), _ticket_id(request)
    form, actor = await request.post(), request[SESSION].as_actor()
    text = str(form.get("text", "")).strip()
    if not text:
        raise ValidationFailed("Write something to send.")
    if len(text) > 4000:
        raise ValidationFailed("At most 4000 characters, please.")
    await d.bus.handle(c.PostTicketMessage(ticket_id, text, actor=actor))
    return see_other(f"{PREFIX}/support/{ticket_id}?done=sent")


@routes.post("/support/{ticket_id}/close")
async def close(request: web.Request) -> web.Response:
    d, ticket_id = deps(request), _ticket_id(request)
    await d.bus.handle(c.CloseTicket(ticket_id, actor=request[SESSION].as_actor()))
    return see_other(f"{PREFIX}/support/{ticket_id}?done=closed")
