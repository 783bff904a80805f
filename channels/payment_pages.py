"""Our pages around a payment: where Stripe Checkout sends the shopper back (``success_url`` is
``/orders/N/paid``, ``cancel_url`` is ``/orders/N/cancelled``), and the HTML the sandbox pay page shares.

The pages show the order's real state as the shop knows it, never what the URL claims: Stripe sends the
shopper to ``/paid`` before its webhook has told us anything. Order ids are guessable, so these pages show
what an order number alone may show (state, items, total) and never a name, an address or a coupon code
(campaign codes are personal). Everything that goes into the HTML is escaped here, translations included.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bots.i18n import normalise_locale
from bots.shopper.pay_page_texts import PAID_STATES, PaymentPageTexts
from domain.model.catalog import catalog_locale
from domain.model.money import Money
from domain.ports import Clock
from domain.views.models import OrderView
from domain.views.port import ShopViews

# An order's channel -> a link back to that conversation (web chat page, Telegram chat), None if there is none.
# Built by chatshop/ (channels may not import each other, and only the wiring knows which are mounted).
ChatLink = Callable[[str], Awaitable[str | None]]

# While the payment is being confirmed the /paid page reloads itself this often (seconds).
REFRESH_SECONDS = 3
# Route pattern for order ids: digits only and short enough for a 32-bit id, so junk is a 404, not a 500.
ORDER_ID = r"{order_id:[0-9]{1,9}}"

_CSS = """body{font-family:system-ui,sans-serif;max-width:28rem;margin:1rem auto;padding:0 1rem;color:#222}
.card{border:1px solid #ddd;border-radius:12px;padding:1.25rem;box-shadow:0 2px 8px #0001}
h2{margin:.2rem 0 .8rem}table{width:100%;border-collapse:collapse}td{padding:.25rem 0;vertical-align:top}
td.r{text-align:right;white-space:nowrap;padding-left:.5rem}tr.adj td{color:#555}
.total td{font-weight:700;border-top:1px solid #ddd}
button{width:100%;padding:.8rem;margin-top:.6rem;border:0;border-radius:8px;font:inherit;cursor:pointer}
.pay{background:#635bff;color:#fff}.decline{background:#eee;color:#222}
.expire{background:#fff;color:#222;border:1px solid #ddd}.note{color:#666;font-size:.85rem}
.state{font-size:1.2rem}.alert{background:#fdecea;color:#8a1c1c;border-radius:8px;padding:.6rem .8rem}
a.back{display:block;text-align:center;margin-top:1rem;padding:.7rem;border-radius:8px;background:#f2f2f7;
color:#222;text-decoration:none}"""


@dataclass(frozen=True)
class PaymentPages:
    views: ShopViews
    clock: Clock
    chat_link: ChatLink


PAGES_KEY = web.AppKey("payment_pages", PaymentPages)


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def document(texts: PaymentPageTexts, title: str, body: str, refresh_seconds: int | None = None) -> str:
    refresh = f'<meta http-equiv="refresh" content="{int(refresh_seconds)}">' if refresh_seconds else ""
    return (
        f'<!doctype html><html lang="{esc(texts.html_lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{refresh}<title>{esc(title)}</title><style>{_CSS}</style></head>"
        f'<body><div class="card">{body}</div></body></html>'
    )


def html_response(text: str, status: int = 200) -> web.Response:
    # The state on these pages changes by the second: never show a cached "confirming…".
    return web.Response(
        text=text,
        status=status,
        content_type="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def order_table(texts: PaymentPageTexts, order: OrderView, show_coupon: bool = False) -> str:
    """Lines, then the discount, shipping and tax the order has, then the total: the rows add up."""

    def money(amount: int) -> str:
        return esc(Money(amount, order.currency).format())

    def row(label: str, amount: int, kind: str = "", row_id: str = "") -> str:
        attrs = (f' class="{kind}"' if kind else "") + (f' id="{row_id}"' if row_id else "")
        return f'<tr{attrs}><td>{esc(label)}</td><td class="r">{money(amount)}</td></tr>'

    rows = [row(texts.line(line.quantity, line.name), line.unit_price * line.quantity) for line in order.lines]
    if order.discount:
        label = texts.discount(order.coupon_code if show_coupon else None)
        rows.append(row(label, -order.discount, "adj", "discount"))
    if order.shipping:
        rows.append(row(texts.shipping(), order.shipping, "adj", "shipping"))
    if order.tax:
        rows.append(row(texts.tax(), order.tax, "adj", "tax"))
    rows.append(row(texts.total(), order.total, "total", "total"))
    return f"<table>{''.join(rows)}</table>"


async def back_to_chat(texts: PaymentPageTexts, chat_link: ChatLink, channel: str) -> str:
    url = await chat_link(channel)
    if not url:
        return f'<p class="note">{esc(texts.close_page())}</p>'
    return f'<a class="back" id="back" href="{esc(url)}">{esc(texts.back_to_chat(channel))}</a>'


def accepted_language(header: str) -> str | None:
    """The first supported language of an Accept-Language header, by its q weights (RFC 9110)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0:
            ranked.append((-weight, position, tag.strip()))
    for _weight, _position, tag in sorted(ranked):
        if locale := normalise_locale(tag):
            return locale
    return None


async def shopper_locale(request: web.Request, views: ShopViews, customer_id: int | None) -> str:
    """The language the shop speaks with this customer in the chat; else what the browser asks for."""
    if customer_id is not None:
        profile = await views.customer(customer_id)
        if profile is not None and (locale := normalise_locale(profile.locale)):
            return locale
    return accepted_language(request.headers.get("Accept-Language", "")) or "en"


def expiry_note(texts: PaymentPageTexts, expires_at: datetime | None, now: datetime) -> str:
    if expires_at is None:
        return ""
    return f'<p class="note" id="expires">{esc(texts.expires_in(expires_at - now))}</p>'


async def _load(request: web.Request) -> tuple[PaymentPages, OrderView | None, PaymentPageTexts]:
    pages = request.app[PAGES_KEY]
    order = await pages.views.order(int(request.match_info["order_id"]))
    locale = await shopper_locale(request, pages.views, order.customer_id if order else None)
    if order is not None and catalog_locale(locale):  # its lines named in the shopper's language
        order = await pages.views.order(order.id, locale)
    return pages, order, PaymentPageTexts(locale)


def _not_found(texts: PaymentPageTexts) -> web.Response:
    body = f'<p class="state">{esc(texts.not_found())}</p>'
    return html_response(document(texts, texts.not_found(), body), status=404)


async def paid(request: web.Request) -> web.Response:
    """Stripe's success_url: what the order's state is now; while unconfirmed, it says so and reloads."""
    pages, order, texts = await _load(request)
    if order is None:
        return _not_found(texts)
    pending = order.status == "pending_payment"
    state = texts.order_state(order.status)
    hint = texts.confirming_hint() if pending else texts.paid_next() if order.status in PAID_STATES else ""
    body = (
        f"<h2>{esc(texts.return_title(order.id))}</h2>"
        f'<p class="state" id="state" data-status="{esc(order.status)}">{esc(state)}</p>'
        + (f'<p class="note">{esc(hint)}</p>' if hint else "")
        + order_table(texts, order)
        + await back_to_chat(texts, pages.chat_link, order.channel)
    )
    title = texts.return_title(order.id)
    return html_response(document(texts, title, body, refresh_seconds=REFRESH_SECONDS if pending else None))


async def cancelled(request: web.Request) -> web.Response:
    """Stripe's cancel_url: the shopper left Checkout. Nothing was charged; the order may still be paid."""
    pages, order, texts = await _load(request)
    if order is None:
        return _not_found(texts)
    if order.status == "pending_payment":
        state = texts.left_checkout()
        notes = [texts.still_reserved()]
        expires = expiry_note(texts, order.reservation_expires_at, pages.clock.now())
    else:
        # Paid meanwhile (another tab, Telegram) or ended: the real state, not "you cancelled".
        state, notes, expires = texts.order_state(order.status), [], ""
    body = (
        f"<h2>{esc(texts.return_title(order.id))}</h2>"
        f'<p class="state" id="state" data-status="{esc(order.status)}">{esc(state)}</p>'
        + "".join(f'<p class="note">{esc(note)}</p>' for note in notes)
        + expires
        + order_table(texts, order)
        + await back_to_chat(texts, pages.chat_link, order.channel)
    )
    return html_response(document(texts, texts.return_title(order.id), body))


def setup(app: web.Application, views: ShopViews, clock: Clock, chat_link: ChatLink) -> None:
    app[PAGES_KEY] = PaymentPages(views, clock, chat_link)
    app.router.add_get(f"/orders/{ORDER_ID}/paid", paid)
    app.router.add_get(f"/orders/{ORDER_ID}/cancelled", cancelled)
