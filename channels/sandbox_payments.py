"""The sandbox provider's checkout page: pay, decline or let it expire, all offline.

It plays both parts of a real provider: the hosted page the shopper sees, and the webhook that tells
the shop what happened (here a direct command on the bus, after the sandbox state is saved).
"""

from __future__ import annotations

import html

from aiohttp import web

from domain import commands as c
from domain.adapters.payments.sandbox import NAME, SandboxPaymentProvider, SandboxSession
from domain.errors import DomainError, NotFound
from domain.model.money import Money
from domain.service_layer.messagebus import MessageBus

SANDBOX_KEY = web.AppKey("sandbox", SandboxPaymentProvider)
BUS_KEY = web.AppKey("bus", MessageBus)

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sandbox payment</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#222}}
.card{{border:1px solid #ddd;border-radius:12px;padding:1.25rem;box-shadow:0 2px 8px #0001}}
table{{width:100%;border-collapse:collapse}}td{{padding:.25rem 0}}td.r{{text-align:right}}
.total{{font-weight:700;border-top:1px solid #ddd}}button{{width:100%;padding:.8rem;margin-top:.6rem;border:0;
border-radius:8px;font-size:1rem;cursor:pointer}}.pay{{background:#635bff;color:#fff}}.decline{{background:#eee}}
.expire{{background:#fff;border:1px solid #ddd}}.note{{color:#666;font-size:.85rem}}.state{{font-size:1.2rem}}</style>
</head><body><div class="card"><p class="note">chatshop sandbox &middot; no real money moves</p>
<h2>Order #{order_id}</h2><table>{rows}<tr class="total"><td>Total</td><td class="r" id="total">{total}</td></tr>
</table>{body}</div></body></html>"""


def _rows(session: SandboxSession) -> str:
    out = []
    for line in session.lines:
        amount = Money(int(line["unit_amount"]) * int(line["quantity"]), session.currency)
        out.append(
            f"<tr><td>{int(line['quantity'])} × {html.escape(str(line['name']))}</td><td class='r'>{amount}</td></tr>"
        )
    return "".join(out)


def _render(session: SandboxSession, message: str = "") -> str:
    if session.status == "open":
        body = (
            f"<p class='note'>Expires at {session.expires_at:%H:%M} UTC.</p>"
            "<form method='post'><button class='pay' name='outcome' value='paid' id='pay'>"
            f"Pay {Money(session.amount, session.currency)}</button>"
            "<button class='decline' name='outcome' value='declined' id='decline'>Decline the card</button>"
            "<button class='expire' name='outcome' value='expired' id='expire'>Let it expire</button></form>"
        )
    else:
        label = {
            "paid": "Payment received. You can go back to the chat.",
            "declined": "The card was declined.",
            "expired": "This payment link has expired.",
            "closed": "This order is already paid.",
        }[session.status]
        body = f"<p class='state' id='state' data-status='{session.status}'>{html.escape(label)}</p>"
    if message:
        body += f"<p class='note'>{html.escape(message)}</p>"
    total = Money(session.amount, session.currency)
    return _PAGE.format(order_id=session.order_id, rows=_rows(session), total=total, body=body)


async def show(request: web.Request) -> web.Response:
    try:
        session = await request.app[SANDBOX_KEY].get(request.match_info["session_id"])
    except NotFound:
        raise web.HTTPNotFound(text="No such payment.") from None
    return web.Response(text=_render(session), content_type="text/html")


async def settle(request: web.Request) -> web.Response:
    sandbox, bus = request.app[SANDBOX_KEY], request.app[BUS_KEY]
    form = await request.post()
    outcome = str(form.get("outcome", ""))
    if outcome not in ("paid", "declined", "expired"):
        raise web.HTTPBadRequest(text="Choose pay, decline or expire.")
    try:
        session = await sandbox.settle(request.match_info["session_id"], outcome)
    except NotFound:
        raise web.HTTPNotFound(text="No such payment.") from None
    message = ""
    try:
        if session.status == "paid":
            await bus.handle(c.ConfirmPayment(NAME, session.id, session.amount, session.currency, session.id))
        else:
            expired = session.status == "expired"
            reason = "payment link expired" if expired else "card declined"
            await bus.handle(c.FailPayment(NAME, session.id, reason, expired=expired))
    except DomainError as exc:
        message = exc.message
    return web.Response(text=_render(session, message), content_type="text/html")


def setup(app: web.Application, sandbox: SandboxPaymentProvider, bus: MessageBus) -> None:
    app[SANDBOX_KEY] = sandbox
    app[BUS_KEY] = bus
    app.router.add_get("/sandbox/pay/{session_id}", show)
    app.router.add_post("/sandbox/pay/{session_id}", settle)
