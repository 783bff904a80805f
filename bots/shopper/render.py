"""Reply builders shared by several flows (menu, product card, result list, cart, order)."""

from __future__ import annotations

from bots.conversation.messages import (
    Button,
    CartLine,
    CartSummary,
    OrderStatus,
    ProductCard,
    ProductList,
    ProductListItem,
    QuickReplies,
    VariantChoice,
)
from bots.conversation.turn import Turn
from domain.model.orders import RETURNABLE, SHOPPER_CANCELLABLE
from domain.views.models import CartView, OrderView, Page, ProductDetail, ProductSummary, VariantView

PAGE_SIZE = 5


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


def variant_label(variant: VariantView) -> str:
    return " / ".join(v for _, v in sorted(variant.options.items())) or variant.sku


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


def product_card(turn: Turn, product: ProductDetail, selected: VariantView | None) -> ProductCard:
    _ = turn.t
    variants = [v for v in product.variants if v.active]
    selected = choose_variant(product, selected)
    choices = tuple(
        VariantChoice(
            variant_label(v),
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
    if selected is None:
        price, stock = "-", _("Out of stock")
    else:
        price, stock = turn.money(selected.price, selected.currency), stock_text(turn, selected.available)
    return ProductCard(
        product_id=product.id,
        name=product.name,
        price=price,
        image=product.images[0] if product.images else None,
        description=product.description[:300],
        stock=stock,
        variant_prompt=_("Choose a variant:"),
        variants=choices,
        buttons=tuple(buttons),
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
        label = " / ".join(v for _k, v in sorted(line.options.items()))
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
        note = _("Coupon {code}: {problem}", code=cart.coupon_code, problem=cart.coupon_problem)
    buttons = [turn.button(_("Check out"), "co")]
    if cart.coupon_code:
        buttons.append(turn.button(_("Remove coupon"), "cpnx"))
    else:
        buttons.append(turn.button(_("Add a coupon"), "cpn"))
    buttons.append(turn.button(_("Keep shopping"), "cats"))
    title = _("Your cart ({n} items)", n=cart.item_count)
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


def order_status(turn: Turn, order: OrderView) -> OrderStatus:
    _ = turn.t
    lines = tuple(f"{line.quantity} x {line.name}" for line in order.lines)
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
