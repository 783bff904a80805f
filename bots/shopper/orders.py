"""Orders: status and history, cancel (shopper actor, refund when paid), return with a reason, pay again."""

from __future__ import annotations

from bots.conversation.messages import FormPrompt, QuickReplies, Reply, Text
from bots.conversation.payloads import BadPayload, Payload
from bots.conversation.turn import Form, Router, Turn
from bots.shopper.checkout import payment_link
from bots.shopper.render import CANCELLABLE, main_menu, order_status, quoted, status_text
from domain import commands as c
from domain.model.orders import RETURNABLE
from domain.views.models import OrderView
from nlu.interface import ParseResult

HISTORY = 8
MAX_REASON = 500


async def own_order(turn: Turn, order_id: int) -> OrderView | None:
    """The order, if it is this shopper's (someone else's order looks exactly like a missing one)."""
    order = await turn.services.views.order(order_id, turn.locale)
    return order if order is not None and order.customer_id == turn.customer_id else None


async def _order_from(turn: Turn, parse: ParseResult) -> OrderView | None:
    raw = (parse.first("order_id") or "").lstrip("#")
    return await own_order(turn, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


async def choose_order(turn: Turn, prompt: str, action: str, statuses: frozenset[str] | None) -> list[Reply]:
    _ = turn.t
    orders = await turn.services.views.orders_of(turn.customer_id, limit=HISTORY)
    eligible = [o for o in orders if statuses is None or o.status in statuses]
    if not eligible:
        text = _("You have no orders yet.") if not orders else _("None of your orders can do that right now.")
        return [main_menu(turn, text)]
    buttons = tuple(
        turn.button(
            _(
                "#{id} - {status} - {total}",
                id=o.id,
                status=status_text(turn, o.status),
                total=turn.money(o.total, o.currency),
            ),
            action,
            o.id,
        )
        for o in eligible
    )
    return [QuickReplies(prompt, buttons)]


async def status_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    _ = turn.t
    order = await _order_from(turn, parse)
    if order is not None:
        return [order_status(turn, order)]
    return await choose_order(turn, _("Your recent orders:"), "o", None)


async def orders_button(turn: Turn, payload: Payload) -> list[Reply]:
    _ = turn.t
    return await choose_order(turn, _("Your recent orders:"), "o", None)


async def order_button(turn: Turn, payload: Payload) -> list[Reply]:
    order = await own_order(turn, payload.int_arg(0))
    if order is None:
        raise BadPayload("stale")
    return [order_status(turn, order)]


# --- cancel ---------------------------------------------------------------------------------------
async def ask_cancel(turn: Turn, order: OrderView) -> list[Reply]:
    _ = turn.t
    if order.status not in CANCELLABLE:
        return [
            Text(
                _(
                    "Order #{id} is {status} and can't be cancelled any more.",
                    id=order.id,
                    status=status_text(turn, order.status),
                )
            ),
            order_status(turn, order),
        ]
    note = _("You will get a full refund.") if order.captured else ""
    text = _("Cancel order #{id} ({total})?", id=order.id, total=turn.money(order.total, order.currency))
    return [
        QuickReplies(
            f"{text} {note}".strip(),
            (turn.button(_("Yes, cancel it"), "cxy", order.id), turn.button(_("No, keep it"), "o", order.id)),
        )
    ]


async def cancel_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    _ = turn.t
    order = await _order_from(turn, parse)
    if order is not None:
        return await ask_cancel(turn, order)
    return await choose_order(turn, _("Which order should I cancel?"), "cx", CANCELLABLE)


async def cancel_button(turn: Turn, payload: Payload) -> list[Reply]:
    order = await own_order(turn, payload.int_arg(0))
    if order is None:
        raise BadPayload("stale")
    return await ask_cancel(turn, order)


async def confirm_cancel_button(turn: Turn, payload: Payload) -> list[Reply]:
    _ = turn.t
    order_id = payload.int_arg(0)
    if await own_order(turn, order_id) is None:
        raise BadPayload("stale")
    refund = await turn.services.bus.cancel(
        c.CancelOrder(order_id, "cancelled by the shopper in chat", actor=turn.actor)
    )
    text = _("Order #{id} is cancelled.", id=order_id)
    if refund is not None:
        text += " " + _("Your money is on its way back.")
    order = await own_order(turn, order_id)
    return [Text(text), *([order_status(turn, order)] if order else [])]


# --- return ---------------------------------------------------------------------------------------
def ask_reason(turn: Turn, order_id: int) -> list[Reply]:
    _ = turn.t
    turn.state.start("return", "reason", order_id=order_id)
    return [
        FormPrompt(
            "return",
            "reason",
            _("Why are you returning order #{id}?", id=order_id),
            1,
            1,
            placeholder=_("e.g. wrong size"),
            buttons=(turn.button(_("Never mind"), "m"),),
        )
    ]


async def start_return(turn: Turn, order: OrderView) -> list[Reply]:
    _ = turn.t
    if order.status not in RETURNABLE:
        return [
            Text(
                _(
                    "Order #{id} is {status}; returns open once it has shipped.",
                    id=order.id,
                    status=status_text(turn, order.status),
                )
            ),
            order_status(turn, order),
        ]
    return ask_reason(turn, order.id)


async def return_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    _ = turn.t
    order = await _order_from(turn, parse)
    if order is not None:
        return await start_return(turn, order)
    return await choose_order(turn, _("Which order would you like to return?"), "rt", RETURNABLE)


async def return_button(turn: Turn, payload: Payload) -> list[Reply]:
    order = await own_order(turn, payload.int_arg(0))
    if order is None:
        raise BadPayload("stale")
    return await start_return(turn, order)


async def reason_form(turn: Turn, text: str) -> list[Reply]:
    _ = turn.t
    if turn.state.step == "confirm":
        return [Text(_("Please use the buttons above to go on."))]
    reason = " ".join(text.split())[:MAX_REASON]
    if len(reason) < 3:
        reply = ask_reason(turn, int(turn.state.data["order_id"]))[0]
        assert isinstance(reply, FormPrompt)
        return [
            FormPrompt(
                reply.form,
                reply.field,
                reply.prompt,
                1,
                1,
                _("Please tell us a little more."),
                reply.placeholder,
                reply.buttons,
            )
        ]
    order_id = int(turn.state.data["order_id"])
    turn.state.step = "confirm"
    turn.state.data["reason"] = reason
    return ask_return_confirm(turn, order_id, reason)


def ask_return_confirm(turn: Turn, order_id: int, reason: str) -> list[Reply]:
    _ = turn.t
    text = _("Request a return of order #{id} ({reason})?", id=order_id, reason=quoted(reason, 80))
    buttons = (turn.button(_("Yes, return it"), "rty", order_id), turn.button(_("No, keep it"), "m"))
    return [QuickReplies(text, buttons)]


async def confirm_return_button(turn: Turn, payload: Payload) -> list[Reply]:
    _ = turn.t
    order_id = payload.int_arg(0)
    data = turn.state.data
    if turn.state.flow != "return" or turn.state.step != "confirm" or data.get("order_id") != order_id:
        raise BadPayload("stale")
    reason = str(data.get("reason", ""))
    turn.state.finish()
    await turn.services.bus.handle(c.RequestReturn(order_id, reason, actor=turn.actor))
    order = await own_order(turn, order_id)
    text = _("Return requested for order #{id}. We'll send you instructions for the parcel.", id=order_id)
    return [Text(text), *([order_status(turn, order)] if order else [])]


async def resume_return(turn: Turn) -> list[Reply]:
    order_id = int(turn.state.data["order_id"])
    if turn.state.step == "confirm":
        return ask_return_confirm(turn, order_id, str(turn.state.data.get("reason", "")))
    return ask_reason(turn, order_id)


async def leave_return(turn: Turn) -> list[Reply]:
    _ = turn.t
    turn.state.finish()
    return [main_menu(turn, _("No return requested. Anything else?"))]


def return_title(turn: Turn) -> str:
    _ = turn.t
    return _("your return")


async def pay_button(turn: Turn, payload: Payload) -> list[Reply]:
    order = await own_order(turn, payload.int_arg(0))
    if order is None:
        raise BadPayload("stale")
    return await payment_link(turn, order.id)


def register(router: Router) -> None:
    router.intents.update(order_status=status_intent, cancel_order=cancel_intent, return_request=return_intent)
    router.actions.update(
        ords=orders_button,
        o=order_button,
        cx=cancel_button,
        cxy=confirm_cancel_button,
        rt=return_button,
        rty=confirm_return_button,
        pay=pay_button,
    )
    # A reason is free text: words about returning, cancelling or refunds are the answer, not a new request.
    answers = frozenset({"return_request", "cancel_order", "payment_help"})
    router.forms["return"] = Form(reason_form, resume_return, leave_return, return_title, answer_intents=answers)
    router.labels["My orders"] = "ords"
