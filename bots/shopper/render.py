"""Reply builders shared by several flows (menu, product card, result list, cart, order)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bots.conversation.messages import (
    Button,
    CartLine,
    CartSummary,
    OptionPicker,
    OptionValue,
    OrderStatus,
    ProductCard,
    ProductList,
    ProductListItem,
    QuickReplies,
    VariantChoice,
)
from bots.conversation.turn import Turn
from bots.i18n import Translator
from bots.shopper.problems import translate_message
from domain.model.orders import RETURNABLE, SHOPPER_CANCELLABLE
from domain.views.models import (
    CartView,
    OrderLineView,
    OrderView,
    Page,
    ProductDetail,
    ProductSummary,
    ShippingOption,
    VariantView,
)

PAGE_SIZE = 5
QUOTE_CHARS = 40
OPTION_ORDER = ("color", "colour", "size")  # colour first, then size, then the rest by name


def quoted(text: str, limit: int = QUOTE_CHARS, marks: bool = True) -> str:
    """Something the shopper typed, shown back short ("REMOVE THE SHOES…"), never a whole paste."""
    text = " ".join(text.split())
    short = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return f"“{short}”" if marks else short


def menu_buttons(turn: Turn) -> tuple[Button, ...]:
    _ = turn.t
    return (
        turn.button(_("Browse categories"), "cats"),
        turn.button(_("My cart"), "cart"),
        turn.button(_("My orders"), "ords"),
        turn.button(_("Talk to a person"), "hum"),
    )


def main_menu(turn: Turn, text: str | None = None) -> QuickReplies:
    _ = turn.t
    return QuickReplies(text or _("What would you like to do?"), menu_buttons(turn))


def _mark(message: str) -> str:
    """Marks shop vocabulary for extraction; translated when shown, by the name the shop stored."""
    return message


def _shop_vocabulary() -> frozenset[str]:
    _ = _mark
    return frozenset(
        (
            _("red"), _("blue"), _("black"), _("white"), _("green"), _("grey"), _("gray"), _("navy"), _("pink"),
            _("yellow"), _("beige"), _("brown"), _("purple"), _("orange"), _("silver"), _("gold"), _("Standard"),
            _("Express"), _("Pick up in store"), _("Economy"), _("Overnight"), _("Free shipping"),
        )
    )  # fmt: skip


# Words shops use for option values and shipping methods: a Chinese shopper reads 红色 for the value "red" and
# 标准配送 for the method "Standard". Other values (sizes, SKUs, names we don't know) are shown as stored.
SHOP_WORDS = _shop_vocabulary()
# A method named with its delivery time ("Standard (3-5 days)", as older demo shops were seeded): the button
# says the days itself, so the name is shown without them.
_DAYS_IN_NAME = re.compile(r"\s*\((?=[^)]*\d)[^)]*\)\s*$")


def shop_word(turn: Turn, word: str) -> str:
    """A stored value in the shopper's language when it is one of SHOP_WORDS ("red" -> 红色), else as stored."""
    return shop_word_in(turn.t, word)


def shop_word_in(t: Translator, word: str) -> str:
    """``shop_word`` with a translator alone (for texts built outside a turn, such as a broadcast)."""
    for known in (word, word.casefold()):
        if known in SHOP_WORDS:
            return t(known)
    return word


def option_value(turn: Turn, value: str) -> str:
    return shop_word(turn, value)


def variant_label(variant: VariantView, turn: Turn | None = None) -> str:
    """ "red / 42" (红色 / 42 for a Chinese shopper when ``turn`` is given)."""
    values = [v if turn is None else option_value(turn, v) for _k, v in sorted(variant.options.items())]
    return " / ".join(values) or variant.sku


def method_name(turn: Turn, option: ShippingOption) -> str:
    """The shipping method's name without delivery days in it, in the shopper's language when we know it."""
    return shop_word(turn, _DAYS_IN_NAME.sub("", option.name) or option.name)


def days_text(turn: Turn, option: ShippingOption) -> str:
    ngettext = turn.t.plural
    if option.min_days == option.max_days:
        return ngettext("{n} day", "{n} days", option.max_days)
    return ngettext("{low}-{n} day", "{low}-{n} days", option.max_days, low=option.min_days)


def stock_text(turn: Turn, available: int) -> str:
    _ = turn.t
    return _("In stock: {n}", n=available) if available > 0 else _("Out of stock")


def price_range(turn: Turn, low: int, high: int, currency: str) -> str:
    if low == high:
        return turn.money(low, currency)
    return f"{turn.money(low, currency)} - {turn.money(high, currency)}"


def choose_variant(product: ProductDetail, selected: VariantView | None) -> VariantView | None:
    """The variant a card shows: the shopper's choice, else the first in stock, else the first."""
    variants = [v for v in product.variants if v.active]
    if selected is not None and selected in variants:
        return selected
    return next((v for v in variants if v.available > 0), variants[0] if variants else None)


def active_variants(product: ProductDetail) -> list[VariantView]:
    return [v for v in product.variants if v.active]


def varying_options(product: ProductDetail) -> list[str]:
    """The option keys whose value differs between the active variants, colour first, then size."""
    active = active_variants(product)
    keys = {k for v in active for k in v.options}
    varying = [k for k in keys if len({v.options.get(k) for v in active}) > 1]
    rank = {k: i for i, k in enumerate(OPTION_ORDER)}
    return sorted(varying, key=lambda k: (rank.get(k, len(OPTION_ORDER)), k))


def matching(product: ProductDetail, chosen: Mapping[str, str]) -> list[VariantView]:
    return [v for v in active_variants(product) if all(v.options.get(k) == val for k, val in chosen.items())]


def options_of(product: ProductDetail, variant: VariantView) -> dict[str, str]:
    """A variant as a choice: its values of the options that vary (its SKU when none vary)."""
    keys = varying_options(product)
    if not keys:
        return {"sku": variant.sku}
    return {k: variant.options[k] for k in keys if k in variant.options}


def selected_variant(product: ProductDetail, chosen: Mapping[str, str]) -> VariantView | None:
    """The variant every varying option was chosen for; None until then. A product whose variants don't
    differ by any option (one variant) has it selected from the start."""
    keys = varying_options(product)
    if not keys:  # variants told apart by SKU only: chosen as {"sku": ...}
        active = active_variants(product)
        if len(active) == 1:
            return active[0]
        return next((v for v in active if v.sku == chosen.get("sku")), None)
    if not all(k in chosen for k in keys):
        return None
    found = matching(product, {k: chosen[k] for k in keys})
    return found[0] if found else None


def find_option_value(product: ProductDetail, key: str, wanted: str) -> str | None:
    """The product's spelling of an option value the shopper typed ("NAVY", "42码" -> "42"), if it has it."""
    norm = wanted.strip().casefold()
    for variant in active_variants(product):
        value = variant.options.get(key)
        if value is not None and value.casefold() == norm:
            return value
    return None


def choice_payload(turn: Turn, product: ProductDetail, chosen: Mapping[str, str]) -> str:
    """``po.<product>.<variant>.<mask>``: a variant that has the choices, and which of its options are chosen."""
    keys = varying_options(product)
    found = matching(product, chosen)
    variant = next((v for v in found if v.available > 0), found[0])
    mask = sum(1 << i for i, k in enumerate(keys) if k in chosen)
    return turn.services.codec.encode(turn.chat, "po", product.id, variant.id, mask)


def option_name(turn: Turn, key: str) -> str:
    _ = turn.t
    names = {"color": _("Colour"), "colour": _("Colour"), "size": _("Size")}
    return names.get(key, key.replace("_", " ").capitalize())


def pickers(turn: Turn, product: ProductDetail, chosen: Mapping[str, str]) -> tuple[OptionPicker, ...]:
    """One picker per varying option, shown once the options before it are chosen (or it is): colour, then
    the sizes of that colour. A value sold out with the other choices is marked unavailable."""
    keys = varying_options(product)
    out: list[OptionPicker] = []
    for index, key in enumerate(keys):
        if index > 0 and key not in chosen and not all(k in chosen for k in keys[:index]):
            continue
        others = {k: v for k, v in chosen.items() if k != key}
        candidates = matching(product, others)
        values: dict[str, bool] = {}
        for variant in candidates:
            value = variant.options.get(key)
            if value is not None:
                values[value] = values.get(value, False) or variant.available > 0
        choices = []
        for value, available in values.items():
            picked = {key: value}
            for k in keys:  # keep the other choices that still combine with this value
                if k != key and k in chosen and matching(product, {**picked, k: chosen[k]}):
                    picked[k] = chosen[k]
            choices.append(
                OptionValue(
                    option_value(turn, value),
                    chosen.get(key) == value,
                    available,
                    choice_payload(turn, product, picked),
                )
            )
        out.append(OptionPicker(key, option_name(turn, key), tuple(choices)))
    return tuple(out)


def product_card(turn: Turn, product: ProductDetail, chosen: Mapping[str, str] | None = None) -> ProductCard:
    """The card with what the shopper chose so far. Nothing is pre-selected: "Add to cart" appears only
    when every option that varies is chosen (a product with one variant has it chosen already)."""
    _ = turn.t
    keys = varying_options(product)
    chosen = {k: v for k, v in (chosen or {}).items() if k in keys or (not keys and k == "sku")}
    variants = active_variants(product)
    selected = selected_variant(product, chosen)
    choices: tuple[VariantChoice, ...] = ()
    if not keys and len(variants) > 1:  # variants that differ by no option: choose between them by name
        choices = tuple(
            VariantChoice(
                variant_label(v, turn),
                turn.money(v.price, v.currency),
                v.available,
                selected is not None and v.id == selected.id,
                turn.services.codec.encode(turn.chat, "pv", product.id, v.id),
            )
            for v in variants
        )
    buttons: list[Button] = []
    if selected is not None and selected.available > 0:
        buttons.append(turn.button(_("Add to cart"), "add", product.id, selected.id, 1))
    elif selected is not None:
        buttons.append(turn.button(_("Notify me when it's back"), "bis", product.id, selected.id))
    buttons.append(turn.button(_("My cart"), "cart"))
    candidates = matching(product, {k: chosen[k] for k in keys if k in chosen}) if keys else variants
    if selected is not None:
        price, stock = turn.money(selected.price, selected.currency), stock_text(turn, selected.available)
    elif candidates:
        low, high = min(v.price for v in candidates), max(v.price for v in candidates)
        price = price_range(turn, low, high, candidates[0].currency)
        stock = "" if any(v.available > 0 for v in candidates) else _("Out of stock")
    else:
        price, stock = "-", _("Out of stock")
    missing = [k for k in keys if k not in chosen]
    if missing:
        prompt = _("Choose the {option}:", option=option_name(turn, missing[0]).lower())
    elif choices:
        prompt = _("Choose a variant:")
    else:
        prompt = _("Your choice: {options}", options=" / ".join(option_value(turn, chosen[k]) for k in keys))
    return ProductCard(
        product_id=product.id,
        name=product.name,
        price=price,
        image=product.images[0] if product.images else None,
        description=product.description[:300],
        stock=stock,
        variant_prompt=prompt,
        variants=choices,
        buttons=tuple(buttons),
        pickers=pickers(turn, product, chosen),
    )


def product_list(turn: Turn, page: Page[ProductSummary], title: str) -> ProductList:
    _ = turn.t
    items = tuple(
        ProductListItem(
            p.id,
            p.name,
            price_range(turn, p.min_price, p.max_price, p.currency),
            p.image,
            stock_text(turn, p.available),
            turn.button(p.name[:60], "p", p.id),
        )
        for p in page.items
    )
    first = page.offset + 1 if page.items else 0
    label = _("{first}-{last} of {total}", first=first, last=page.offset + len(page.items), total=page.total)
    previous = turn.button(_("Previous"), "pg", max(0, page.offset - page.limit)) if page.offset > 0 else None
    following = turn.button(_("More"), "pg", page.offset + page.limit) if page.has_more else None
    return ProductList(title, items, label, previous, following)


def cart_summary(turn: Turn, cart: CartView) -> CartSummary:
    _ = turn.t
    lines = []
    for line in cart.lines:
        label = " / ".join(option_value(turn, v) for _k, v in sorted(line.options.items()))
        name = f"{line.name} ({label})" if label else line.name
        problem = ""
        if not line.sellable:
            problem = _("no longer sold")
        elif line.available < line.quantity:
            problem = _("only {n} left", n=line.available)
        more = line.available > line.quantity
        increase = turn.button("+", "cq", line.variant_id, line.quantity + 1) if more else None
        lines.append(
            CartLine(
                name,
                line.quantity,
                turn.money(line.unit_price, cart.currency),
                turn.money(line.line_total, cart.currency),
                increase,
                turn.button("-", "cq", line.variant_id, line.quantity - 1),
                turn.button(_("Remove"), "cq", line.variant_id, 0),
                problem,
            )
        )
    if not cart.lines:
        return CartSummary(_("Your cart is empty."), (), (), "", (turn.button(_("Browse categories"), "cats"),))
    totals: list[tuple[str, str]] = [(_("Subtotal"), turn.money(cart.subtotal, cart.currency))]
    if cart.discount:
        discount = "-" + turn.money(cart.discount, cart.currency)
        totals.append((_("Discount ({code})", code=cart.coupon_code or ""), discount))
    totals.append((_("Total before shipping"), turn.money(cart.total_before_shipping, cart.currency)))
    note = ""
    if cart.coupon_problem:
        note = _(
            "Coupon {code}: {problem}", code=cart.coupon_code, problem=translate_message(turn.t, cart.coupon_problem)
        )
    buttons = [turn.button(_("Check out"), "co")]
    if cart.coupon_code:
        buttons.append(turn.button(_("Remove coupon"), "cpnx"))
    else:
        buttons.append(turn.button(_("Add a coupon"), "cpn"))
    buttons.append(turn.button(_("Keep shopping"), "cats"))
    ngettext = turn.t.plural
    title = ngettext("Your cart ({n} item)", "Your cart ({n} items)", cart.item_count)
    return CartSummary(title, tuple(lines), tuple(totals), note, tuple(buttons))


def status_text(turn: Turn, status: str) -> str:
    _ = turn.t
    names = {
        "pending_payment": _("waiting for payment"),
        "paid": _("paid"),
        "awaiting_approval": _("paid, being checked"),
        "approved": _("paid, approved"),
        "picking": _("being packed"),
        "packed": _("packed"),
        "shipped": _("shipped"),
        "delivered": _("delivered"),
        "cancelled": _("cancelled"),
        "return_requested": _("return requested"),
        "returned": _("returned"),
        "partially_refunded": _("partially refunded"),
        "refunded": _("refunded"),
    }
    return names.get(status, status.replace("_", " "))


CANCELLABLE = SHOPPER_CANCELLABLE  # the domain's rules; shown here only to offer the right buttons


def order_line_name(turn: Turn, line: OrderLineView) -> str:
    """ "Stride 女款轻量跑鞋 (红色 / 42)": the product's name and option values in the shopper's language (the
    order view gives the name in the locale it was asked for); the name kept at checkout otherwise."""
    if not line.product_name:
        return line.name
    label = " / ".join(option_value(turn, v) for _k, v in sorted(line.options.items()))
    return f"{line.product_name} ({label})" if label else line.product_name


def order_status(turn: Turn, order: OrderView) -> OrderStatus:
    _ = turn.t
    lines = tuple(f"{line.quantity} x {order_line_name(turn, line)}" for line in order.lines)
    buttons: list[Button] = []
    if order.status == "pending_payment":
        buttons.append(turn.button(_("Pay now"), "pay", order.id))
    if order.status in CANCELLABLE:
        buttons.append(turn.button(_("Cancel order"), "cx", order.id))
    if order.status in RETURNABLE:
        buttons.append(turn.button(_("Return it"), "rt", order.id))
    buttons.append(turn.button(_("My orders"), "ords"))
    return OrderStatus(
        order_id=order.id,
        title=_("Order #{id}", id=order.id),
        status=order.status,
        status_text=status_text(turn, order.status),
        lines=lines,
        total=_("Total: {amount}", amount=turn.money(order.total, order.currency)),
        tracking_url=order.tracking_url,
        buttons=tuple(buttons),
    )
