"""The sandbox provider's checkout page: pay, decline or let it expire, all offline.

It plays both parts of a real provider: the hosted page the shopper sees, and the webhook that tells
the shop what happened (here a direct command on the bus, after the sandbox state is saved).

Like a real card page, a declined card does not end anything: the page stays open for another card
until the link expires, and only the expiry (or a payment) decides the order.
"""

from __future__ import annotations

from aiohttp import web

from bots.shopper.pay_page_texts import PAID_STATES, PaymentPageTexts
from channels.payment_pages import (
    ChatLink,
    back_to_chat,
    document,
    esc,
    expiry_note,
    html_response,
    order_table,
    shopper_locale,
)
from domain import commands as c
from domain.adapters.payments.sandbox import NAME, SandboxPaymentProvider, SandboxSession
from domain.errors import DomainError, NotFound
from domain.model.catalog import catalog_locale
from domain.model.money import Money
from domain.service_layer.messagebus import MessageBus
from domain.views.port import ShopViews

SANDBOX_KEY = web.AppKey("sandbox", SandboxPaymentProvider)
BUS_KEY = web.AppKey("bus", MessageBus)
VIEWS_KEY = web.AppKey("sandbox_views", ShopViews)
CHAT_LINK_KEY: web.AppKey[ChatLink] = web.AppKey("sandbox_chat_link")
OUTCOMES = ("paid", "declined", "expired")


async def _render(request: web.Request, session: SandboxSession, declined: bool = False, message: str = "") -> str:
    views, sandbox = request.app[VIEWS_KEY], request.app[SANDBOX_KEY]
    order = await views.order(session.order_id)
    if order is None:  # a session outlives nothing it belongs to; treat a lost order as a lost link
        raise web.HTTPNotFound(text="No such payment.")
    locale = await shopper_locale(request, views, order.customer_id)
    if catalog_locale(locale):  # its lines named in the shopper's language
        order = await views.order(order.id, locale) or order
    texts = PaymentPageTexts(locale)
    amount = Money(session.amount, session.currency).format()
    body = (
        f'<p class="note">{esc(texts.sandbox_note())}</p>'
        f"<h2>{esc(texts.order_title(order.id))}</h2>" + order_table(texts, order, show_coupon=True)
        # The session's URL is a secret token, so the coupon code may show here (unlike on /orders/N pages).
    )
    if session.status == "open" and order.status != "pending_payment":
        # The shop is done with the order (paid another way, or cancelled) before the provider heard of it:
        # show that, and no button that could take money. A press on a page loaded earlier still reaches the
        # provider, as it would at a real one, and the shop refunds what it did not need.
        paid_elsewhere = order.status in PAID_STATES
        state = "closed" if paid_elsewhere else order.status
        text = texts.session_state("closed") if paid_elsewhere else texts.order_state(order.status)
        body += f'<p class="state" id="state" data-status="{esc(state)}">{esc(text)}</p>'
    elif session.status == "open":
        if declined:
            body += f'<p class="alert" id="declined" role="alert">{esc(texts.declined())}</p>'
        pay_label = texts.pay_again(amount) if declined else texts.pay(amount)
        body += (
            expiry_note(texts, session.expires_at, sandbox.clock.now()) + "<form method='post'>"
            f"<button class='pay' name='outcome' value='paid' id='pay'>{esc(pay_label)}</button>"
            f"<button class='decline' name='outcome' value='declined' id='decline'>{esc(texts.decline_button())}"
            "</button>"
            f"<button class='expire' name='outcome' value='expired' id='expire'>{esc(texts.expire_button())}</button>"
            "</form>"
        )
    else:
        body += (
            f'<p class="state" id="state" data-status="{esc(session.status)}">'
            f"{esc(texts.session_state(session.status))}</p>"
        )
    if message:
        body += f'<p class="note">{esc(message)}</p>'
    body += await back_to_chat(texts, request.app[CHAT_LINK_KEY], order.channel)
    return document(texts, texts.sandbox_title(), body)


async def show(request: web.Request) -> web.Response:
    try:
        session = await request.app[SANDBOX_KEY].get(request.match_info["session_id"])
    except NotFound:
        raise web.HTTPNotFound(text="No such payment.") from None
    return html_response(await _render(request, session))


async def settle(request: web.Request) -> web.Response:
    sandbox, bus = request.app[SANDBOX_KEY], request.app[BUS_KEY]
    form = await request.post()
    outcome = str(form.get("outcome", ""))
    if outcome not in OUTCOMES:
        raise web.HTTPBadRequest(text="Choose pay, decline or expire.")
    try:
        session = await sandbox.settle(request.match_info["session_id"], outcome)
    except NotFound:
        raise web.HTTPNotFound(text="No such payment.") from None
    message, declined = "", False
    try:
        # Tell the shop what the session's state now is (each is safe to repeat); a closed session (the
        # order was paid another way) or an old declined one has nothing left to tell.
        if session.status == "paid":
            await bus.handle(c.ConfirmPayment(NAME, session.id, session.amount, session.currency, session.id))
        elif session.status == "expired":
            await bus.handle(c.FailPayment(NAME, session.id, "payment link expired", expired=True))
        elif session.status == "open" and outcome == "declined":
            declined = True
            await bus.handle(c.RecordPaymentAttemptFailed(NAME, session.order_id, "card declined"))
    except DomainError as exc:
        message = exc.message
    return html_response(await _render(request, session, declined, message))


def setup(
    app: web.Application, sandbox: SandboxPaymentProvider, bus: MessageBus, views: ShopViews, chat_link: ChatLink
) -> None:
    app[SANDBOX_KEY] = sandbox
    app[BUS_KEY] = bus
    app[VIEWS_KEY] = views
    app[CHAT_LINK_KEY] = chat_link
    app.router.add_get("/sandbox/pay/{session_id}", show)
    app.router.add_post("/sandbox/pay/{session_id}", settle)
