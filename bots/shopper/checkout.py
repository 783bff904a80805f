"""Checkout: the shipping address step by step (validated by the domain's Address rules), a shipping
method, a summary, then PlaceOrder with the total the shopper saw and StartPayment for the link."""

from __future__ import annotations

import math
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bots.conversation.messages import FormPrompt, PaymentLink, QuickReplies, Reply, Text
from bots.conversation.payloads import BadPayload, Payload
from bots.conversation.turn import Form, Router, Turn
from bots.shopper.problems import country_name, problem_text
from bots.shopper.render import cart_summary, days_text, main_menu, method_name, quoted
from domain import commands as c
from domain.errors import CartEmpty, OutOfStock, PriceChanged, ValidationFailed
from domain.model.money import bp_of
from domain.model.shipping import Address, valid_country
from domain.views.models import CartView, ShippingOption
from nlu.interface import ParseResult

FLOW = "checkout"
STEPS = ("name", "line1", "city", "country", "postal_code")
# A known-good address fills the fields not asked yet, so Address.create judges only what was typed.
_FILLER = {
    "name": "Ann Shopper",
    "line1": "1 Main Street",
    "city": "Springfield",
    "country": "US",
    "postal_code": "12345",
}
MAX_ANSWER = 120  # longer than any name, street or city we can print on a label
SAVED_OFFERED = 3


def _prompt(turn: Turn, step: str) -> tuple[str, str]:
    """The question and an example answer (a hint in the shopper's language: 张三 / 人民路1号 in Chinese)."""
    _ = turn.t
    prompts = {
        "name": (_("Who should we ship to? Type the recipient's full name."), _("Ann Shopper")),
        "line1": (_("Street and house number?"), _("1 Main Street")),
        "city": (_("City?"), _("Springfield")),
        "country": (_("Country? Its name or two letters, like US, GB or CN."), _("United States")),
        "postal_code": (_("Postal code?"), _("12345")),
    }
    return prompts[step]


def ask(turn: Turn, step: str, error: str = "") -> list[Reply]:
    _ = turn.t
    prompt, placeholder = _prompt(turn, step)
    turn.state.step = step
    return [
        FormPrompt(
            FLOW,
            step,
            prompt,
            STEPS.index(step) + 1,
            len(STEPS),
            error,
            placeholder,
            (turn.button(_("Cancel checkout"), "cox"),),
        )
    ]


async def start(turn: Turn) -> list[Reply]:
    _ = turn.t
    cart = await turn.services.views.cart(turn.customer_id, turn.locale)
    if not cart.lines:
        return [main_menu(turn, _("Your cart is empty. Find something first:"))]
    turn.record("checkout_started", value=cart.total_before_shipping, properties={"items": cart.item_count})
    turn.state.start(FLOW, STEPS[0], address={}, nonce=secrets.token_hex(4))
    saved = await _saved_addresses(turn)
    if saved:
        turn.state.data["saved"] = saved
        return offer_saved(turn)
    return [Text(_("Let's check out. I need a shipping address; it takes five short questions.")), *ask(turn, "name")]


async def _saved_addresses(turn: Turn) -> list[dict[str, str]]:
    """Addresses this shopper shipped to before that are still valid, newest first."""
    profile = await turn.services.views.customer(turn.customer_id)
    found: list[dict[str, str]] = []
    for raw in profile.addresses if profile is not None else ():
        try:
            address = Address.create(**{k: raw.get(k, "") for k in (*STEPS, "line2", "region", "phone")})
        except (ValidationFailed, TypeError):
            continue
        if address.as_dict() not in found:
            found.append(address.as_dict())
    return found[:SAVED_OFFERED]


def address_line(turn: Turn, address: Address) -> str:
    """The address on one line; in Chinese with the country's name (美国), where a Latin code reads as noise
    (English keeps the code: "US" is how English speakers write it)."""
    line = address.one_line()
    if turn.t.locale == "en" or not line.endswith(address.country):
        return line
    return line[: -len(address.country)] + country_name(turn.t, address.country)


def offer_saved(turn: Turn) -> list[Reply]:
    _ = turn.t
    saved: list[dict[str, str]] = turn.state.data.get("saved", [])
    turn.state.step = "saved"
    first = address_line(turn, Address.create(**saved[0]))
    buttons = [turn.button(_("Yes, ship there"), "cos", 0)]
    buttons += [
        turn.button(
            _("Ship to {address}", address=quoted(address_line(turn, Address.create(**a)), 50, marks=False)), "cos", i
        )
        for i, a in enumerate(saved[1:], start=1)
    ]
    buttons += [turn.button(_("Another address"), "coa"), turn.button(_("Cancel checkout"), "cox")]
    return [QuickReplies(_("Let's check out. Ship to {address}?", address=first), tuple(buttons))]


def _check(step: str, value: str, address: dict[str, str]) -> str:
    """The normalised value, or ValidationFailed with the domain's message."""
    if step == "country":
        return valid_country(value)
    if step == "postal_code":  # the last step: the whole address is there
        return Address.create(**{**address, "postal_code": value}).as_dict()["postal_code"]
    # Name, street and city come before the country: judge them inside the (valid) filler address.
    return Address.create(**{**_FILLER, **address, step: value}).as_dict()[step]


def _problem(turn: Turn, message: str, value: str) -> str:
    """The domain's message with the shopper's answer in it quoted short (it may be a whole paste)."""
    _ = turn.t
    for typed in {value, value.upper(), value.strip().upper()}:
        if typed and typed in message:
            message = message.replace(typed, quoted(typed))
            break
    return _("That doesn't look right: {problem}", problem=message)


async def address_form(turn: Turn, text: str) -> list[Reply]:
    _ = turn.t
    step = turn.state.step or STEPS[0]
    if step not in STEPS:
        return [Text(_("Please use the buttons above to go on."))]
    value = " ".join(text.split())
    if len(value) > MAX_ANSWER:
        error = _("{answer} is too long for an address. Please type a shorter answer.", answer=quoted(value))
        return ask(turn, step, error)
    address: dict[str, str] = dict(turn.state.data.get("address", {}))
    try:
        address[step] = _check(step, value, address)
    except ValidationFailed as exc:
        return ask(turn, step, _problem(turn, problem_text(turn, exc), value))
    turn.state.data["address"] = address
    index = STEPS.index(step)
    if index + 1 < len(STEPS):
        return ask(turn, STEPS[index + 1])
    try:
        full = Address.create(**address)
    except ValidationFailed as exc:  # a field judged with the filler fails next to the real country
        return ask(turn, STEPS[0], _("That doesn't look right: {problem}", problem=problem_text(turn, exc)))
    turn.state.data["address"] = full.as_dict()
    return await ask_method(turn)


async def resume(turn: Turn) -> list[Reply]:
    """The question the checkout is waiting on, asked again."""
    step = turn.state.step or STEPS[0]
    if step in STEPS:
        return ask(turn, step)
    if step == "saved" and turn.state.data.get("saved"):
        return offer_saved(turn)
    if step == "confirm":
        return await summary(turn)
    return await ask_method(turn)


async def step_back(turn: Turn) -> list[Reply]:
    """One question back (the address field before, or the address again from the shipping choice)."""
    step = turn.state.step or STEPS[0]
    if step in STEPS and STEPS.index(step) > 0:
        return ask(turn, STEPS[STEPS.index(step) - 1])
    if step == "confirm":
        return await ask_method(turn)
    if step == "method":
        turn.state.data["address"] = {}
        return offer_saved(turn) if turn.state.data.get("saved") else ask(turn, STEPS[0])
    return await leave(turn)


async def leave(turn: Turn) -> list[Reply]:
    _ = turn.t
    turn.state.finish()
    return [main_menu(turn, _("Checkout stopped. Your cart is kept."))]


def title(turn: Turn) -> str:
    _ = turn.t
    return _("your checkout")


async def _options(turn: Turn, cart: CartView) -> list[ShippingOption]:
    country = str(turn.state.data["address"]["country"])
    return await turn.services.views.shipping_options(country, cart.total_before_shipping)


async def ask_method(turn: Turn) -> list[Reply]:
    _ = turn.t
    cart = await turn.services.views.cart(turn.customer_id, turn.locale)
    options = await _options(turn, cart)
    if not options:
        turn.state.finish()
        country = turn.state.data.get("address", {}).get("country", "")
        return [main_menu(turn, _("Sorry, we don't ship to {country} yet.", country=country_name(turn.t, country)))]
    turn.state.step = "method"
    turn.state.data["methods"] = [o.code for o in options]
    buttons = []
    for index, option in enumerate(options):
        price = _("free") if option.price == 0 or cart.free_shipping else turn.money(option.price, option.currency)
        buttons.append(turn.button(f"{method_name(turn, option)} - {price} ({days_text(turn, option)})", "ship", index))
    buttons.append(turn.button(_("Cancel checkout"), "cox"))
    return [QuickReplies(_("How should we ship it?"), tuple(buttons))]


def _totals(turn: Turn, cart: CartView, option: ShippingOption) -> dict[str, int]:
    shipping = 0 if cart.free_shipping else option.price
    base = cart.total_before_shipping + shipping
    tax = bp_of(base, turn.services.tax_rate_bp)
    return {"shipping": shipping, "tax": tax, "total": base + tax}


async def summary(turn: Turn, note: str = "") -> list[Reply]:
    _ = turn.t
    data: dict[str, Any] = turn.state.data
    cart = await turn.services.views.cart(turn.customer_id, turn.locale)
    if not cart.lines:
        turn.state.finish()
        return [main_menu(turn, _("Your cart is empty. Find something first:"))]
    options = {o.code: o for o in await _options(turn, cart)}
    option = options.get(str(data.get("method")))
    if option is None:
        return await ask_method(turn)
    totals = _totals(turn, cart, option)
    data["expected_total"] = totals["total"]
    turn.state.step = "confirm"
    cart_reply = cart_summary(turn, cart)
    address = Address.create(**data["address"])
    rows = [
        *cart_reply.totals,
        (_("Shipping ({method})", method=method_name(turn, option)), turn.money(totals["shipping"], cart.currency)),
    ]
    if totals["tax"]:
        rows.append((_("Tax"), turn.money(totals["tax"], cart.currency)))
    rows.append((_("Total"), turn.money(totals["total"], cart.currency)))
    body = "\n".join(
        [
            _("Ship to: {address}", address=address_line(turn, address)),
            *(f"{line.quantity} x {line.name} - {line.line_total}" for line in cart_reply.lines),
            *(f"{label}: {amount}" for label, amount in rows),
        ]
    )
    buttons = (
        turn.button(
            _("Place order and pay {amount}", amount=turn.money(totals["total"], cart.currency)), "ok", data["nonce"]
        ),
        turn.button(_("Change address"), "coa"),
        turn.button(_("Cancel checkout"), "cox"),
    )
    header = (note + "\n" if note else "") + _("Please check your order:")
    return [QuickReplies(header + "\n" + body, buttons)]


def _in_checkout(turn: Turn) -> dict[str, Any]:
    if turn.state.flow != FLOW:
        raise BadPayload("stale")
    return turn.state.data


async def method_button(turn: Turn, payload: Payload) -> list[Reply]:
    data = _in_checkout(turn)
    index = payload.int_arg(0)
    methods = data.get("methods", [])
    if index >= len(methods):
        raise BadPayload("stale")
    data["method"] = methods[index]
    return await summary(turn)


async def confirm_button(turn: Turn, payload: Payload) -> list[Reply]:
    _ = turn.t
    data = _in_checkout(turn)
    if payload.str_arg(0) != data.get("nonce") or turn.state.step != "confirm":
        raise BadPayload("stale")
    command = c.PlaceOrder(
        customer_id=turn.customer_id,
        shipping_address=dict(data["address"]),
        shipping_method=str(data["method"]),
        channel=turn.inbound.channel,
        idempotency_key=f"chat-{turn.customer_id}-{data['nonce']}",
        expected_total=int(data["expected_total"]),
        actor=turn.actor,
    )
    try:
        order_id = int(await turn.services.bus.handle(command))
    except PriceChanged as exc:
        return await summary(turn, _("Prices changed since you looked: {problem}", problem=problem_text(turn, exc)))
    except (OutOfStock, CartEmpty) as exc:
        turn.state.finish()
        cart = await turn.services.views.cart(turn.customer_id, turn.locale)
        return [Text(problem_text(turn, exc)), cart_summary(turn, cart)]
    turn.state.finish()
    turn.state.memory["last_order"] = order_id
    return await payment_link(turn, order_id)


async def payment_link(turn: Turn, order_id: int) -> list[Reply]:
    _ = turn.t
    link = await turn.services.bus.handle(c.StartPayment(order_id, actor=turn.actor))
    order = await turn.services.views.order(order_id, turn.locale)
    total = turn.money(order.total, order.currency) if order else ""
    return [
        PaymentLink(
            order_id=order_id,
            text=_("Order #{id} is reserved for you. Total: {total}.", id=order_id, total=total),
            url=link.url,
            button_label=_("Pay {total}", total=total),
            expires_at=link.expires_at.isoformat(),
            expires_text=await expiry_text(turn, link.expires_at),
        )
    ]


async def expiry_text(turn: Turn, expires_at: datetime) -> str:
    """ "in 15 minutes", with the clock time only in the shopper's own time zone when we know it (a bare UTC
    time means nothing to most shoppers)."""
    ngettext = turn.t.plural
    minutes = max(1, math.ceil((expires_at - turn.services.clock.now()).total_seconds() / 60))
    profile = await turn.services.views.customer(turn.customer_id)
    zone = profile.timezone if profile is not None else ""
    if zone and zone != "UTC":
        try:
            local = expires_at.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            local = None
        if local is not None:
            return ngettext(
                "The link and your reservation expire in {n} minute (at {time}).",
                "The link and your reservation expire in {n} minutes (at {time}).",
                minutes,
                time=local.strftime("%H:%M"),
            )
    return ngettext(
        "The link and your reservation expire in {n} minute.",
        "The link and your reservation expire in {n} minutes.",
        minutes,
    )


async def start_button(turn: Turn, payload: Payload) -> list[Reply]:
    return await start(turn)


async def checkout_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    return await start(turn)


async def change_address_button(turn: Turn, payload: Payload) -> list[Reply]:
    data = _in_checkout(turn)
    data["address"] = {}
    return ask(turn, STEPS[0])


async def saved_address_button(turn: Turn, payload: Payload) -> list[Reply]:
    data = _in_checkout(turn)
    saved: list[dict[str, str]] = data.get("saved", [])
    index = payload.int_arg(0)
    if index >= len(saved) or turn.state.step != "saved":
        raise BadPayload("stale")
    data["address"] = Address.create(**saved[index]).as_dict()
    return await ask_method(turn)


async def cancel_button(turn: Turn, payload: Payload) -> list[Reply]:
    if turn.state.flow == FLOW:
        return await leave(turn)
    _ = turn.t
    return [main_menu(turn, _("Checkout stopped. Your cart is kept."))]


def register(router: Router) -> None:
    router.intents["checkout"] = checkout_intent
    router.actions.update(
        co=start_button,
        ship=method_button,
        ok=confirm_button,
        coa=change_address_button,
        cos=saved_address_button,
        cox=cancel_button,
    )
    router.forms[FLOW] = Form(address_form, resume, leave, title, back=step_back)
    router.labels.update({"Check out": "co", "Cancel checkout": "cox"})
