"""Coupons: apply a code from the message (or ask for one), show why a code doesn't apply, remove it."""

from __future__ import annotations

import re

from bots.conversation.messages import FormPrompt, QuickReplies, Reply
from bots.conversation.payloads import Payload
from bots.conversation.turn import Form, Router, Turn
from bots.shopper.problems import translate_message
from bots.shopper.render import cart_summary, main_menu
from domain import commands as c
from domain.errors import CouponNotApplicable, NotFound
from nlu.interface import ParseResult

_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{1,39}")


def ask_code(turn: Turn) -> list[Reply]:
    _ = turn.t
    turn.state.start("coupon", "code")
    return [
        FormPrompt(
            "coupon",
            "code",
            _("Type your coupon code:"),
            1,
            1,
            placeholder="WELCOME10",
            buttons=(turn.button(_("Never mind"), "cart"),),
        )
    ]


async def apply(turn: Turn, code: str) -> list[Reply]:
    _ = turn.t
    turn.state.finish()
    try:
        await turn.services.bus.handle(c.ApplyCoupon(turn.customer_id, code, actor=turn.actor))
    except CouponNotApplicable as exc:
        text = _("Coupon {code} can't be used: {reason}", code=code, reason=translate_message(turn.t, exc.reason))
        return [QuickReplies(text, (turn.button(_("Try another code"), "cpn"), turn.button(_("View cart"), "cart")))]
    except NotFound:
        text = _("There is no coupon {code}. Check the spelling?", code=code)
        return [QuickReplies(text, (turn.button(_("Try another code"), "cpn"), turn.button(_("View cart"), "cart")))]
    cart = await turn.services.views.cart(turn.customer_id, turn.locale)
    replies: list[Reply] = []
    if cart.coupon_problem:
        text = _(
            "Coupon {code} is saved, but it doesn't apply yet: {reason}",
            code=code,
            reason=translate_message(turn.t, cart.coupon_problem),
        )
    else:
        saved = turn.money(cart.discount, cart.currency)
        text = _("Coupon {code} applied: you save {amount}.", code=code, amount=saved)
    replies.append(QuickReplies(text, ()))
    replies.append(cart_summary(turn, cart))
    return replies


async def coupon_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    code = parse.first("coupon_code")
    if not code:
        return ask_code(turn)
    return await apply(turn, code.upper())


async def code_form(turn: Turn, text: str) -> list[Reply]:
    _ = turn.t
    code = text.strip().upper()
    if not _CODE.fullmatch(code):
        reply = ask_code(turn)[0]
        assert isinstance(reply, FormPrompt)
        error = _("A coupon code is letters and digits, like WELCOME10.")
        return [FormPrompt(reply.form, reply.field, reply.prompt, 1, 1, error, reply.placeholder, reply.buttons)]
    return await apply(turn, code)


async def ask_button(turn: Turn, payload: Payload) -> list[Reply]:
    return ask_code(turn)


async def remove_button(turn: Turn, payload: Payload) -> list[Reply]:
    await turn.services.bus.handle(c.RemoveCoupon(turn.customer_id, actor=turn.actor))
    return [cart_summary(turn, await turn.services.views.cart(turn.customer_id, turn.locale))]


async def resume(turn: Turn) -> list[Reply]:
    return ask_code(turn)


async def leave(turn: Turn) -> list[Reply]:
    _ = turn.t
    turn.state.finish()
    return [main_menu(turn, _("No coupon then. Anything else?"))]


def title(turn: Turn) -> str:
    _ = turn.t
    return _("your coupon code")


def register(router: Router) -> None:
    router.intents["apply_coupon"] = coupon_intent
    router.actions.update(cpn=ask_button, cpnx=remove_button)
    router.forms["coupon"] = Form(code_form, resume, leave, title, answer_intents=frozenset({"apply_coupon"}))
    router.labels.update({"Add a coupon": "cpn", "Try another code": "cpn"})
