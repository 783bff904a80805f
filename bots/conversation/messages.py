"""What channels hand the engine (`Inbound`) and what flows answer (`Reply` kinds).

Every Reply is already translated by the flow that built it, so rendering never needs a locale; each
has a plain-text fallback (`as_text`, for SMS-like channels, logs and transcripts) and a JSON form
(`to_dict`, the web chat's wire format).
"""

from __future__ import annotations

import abc
import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bots.conversation.formatting import Span, plain


@dataclass(frozen=True)
class Inbound:
    channel: str
    chat_id: str
    user_id: str
    user_name: str = ""
    text: str | None = None
    payload: str | None = None  # a button press; wins over text when both are set
    locale: str | None = None

    def __post_init__(self) -> None:
        # NUL is valid Unicode but PostgreSQL refuses it in text columns: a shopper's message (or a name)
        # carrying one would fail the turn where it is stored (a ticket, an address). It never means anything.
        for name in ("user_name", "text", "payload", "locale"):
            value = getattr(self, name)
            if isinstance(value, str) and "\x00" in value:  # a broken caller's non-text is the engine's to answer
                object.__setattr__(self, name, value.replace("\x00", ""))


@dataclass(frozen=True)
class Button:
    label: str
    payload: str | None = None  # pressed: sent back as Inbound.payload
    url: str | None = None  # or a link opened by the channel

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "payload": self.payload, "url": self.url}


def _buttons_text(buttons: tuple[Button, ...]) -> str:
    return "\n".join(f"[{b.label}]" + (f" {b.url}" if b.url else "") for b in buttons)


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Reply(abc.ABC):
    kind: ClassVar[str] = "reply"

    @abc.abstractmethod
    def as_text(self) -> str:
        """The plain-text fallback every channel can show."""

    def all_buttons(self) -> tuple[Button, ...]:
        """Every button in display order (channels without widgets number them)."""
        return ()

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["kind"] = self.kind
        data["text_fallback"] = self.as_text()
        return data


@dataclass(frozen=True)
class Text(Reply):
    kind: ClassVar[str] = "text"
    text: str

    def as_text(self) -> str:
        return self.text


@dataclass(frozen=True)
class QuickReplies(Reply):
    kind: ClassVar[str] = "buttons"
    text: str
    buttons: tuple[Button, ...]

    def as_text(self) -> str:
        return _join(self.text, _buttons_text(self.buttons))

    def all_buttons(self) -> tuple[Button, ...]:
        return self.buttons


@dataclass(frozen=True)
class VariantChoice:
    label: str
    price: str
    available: int
    selected: bool
    payload: str


@dataclass(frozen=True)
class OptionValue:
    label: str
    selected: bool
    available: bool  # False: sold out with the other choices made (web chat shows it disabled)
    payload: str  # chooses this value (a sold-out one shows "Out of stock" and "Notify me")


@dataclass(frozen=True)
class OptionPicker:
    """One option that varies between a product's variants (colour, then size: the sizes of that colour)."""

    key: str  # "color", "size"
    name: str  # "Colour", translated
    values: tuple[OptionValue, ...]


@dataclass(frozen=True)
class ProductCard(Reply):
    kind: ClassVar[str] = "product_card"
    product_id: int
    name: str
    price: str
    image: str | None
    description: str
    stock: str  # "In stock: 8" / "Out of stock", already translated
    variant_prompt: str
    variants: tuple[VariantChoice, ...]  # only for variants that differ by no option (else ``pickers``)
    buttons: tuple[Button, ...]  # add to cart (once every varying option is chosen), my cart…
    pickers: tuple[OptionPicker, ...] = ()

    def as_text(self) -> str:
        choices = "\n".join(
            f"{'(*)' if v.selected else '( )'} {v.label} - {v.price} [{v.available}]" for v in self.variants
        )
        options = "\n".join(
            f"{p.name}: "
            + ", ".join(f"[{v.label}]" if v.selected else v.label + ("" if v.available else " (-)") for v in p.values)
            for p in self.pickers
        )
        prompt = self.variant_prompt if len(self.variants) > 1 or self.pickers else ""
        return _join(
            f"{self.name} - {self.price}",
            self.description,
            self.stock,
            prompt,
            options,
            choices,
            _buttons_text(self.buttons),
        )

    def all_buttons(self) -> tuple[Button, ...]:
        options = tuple(
            Button(v.label, v.payload) for p in self.pickers for v in p.values if v.available and not v.selected
        )
        choices = tuple(Button(v.label, v.payload) for v in self.variants if not v.selected and len(self.variants) > 1)
        return options + choices + self.buttons


@dataclass(frozen=True)
class ProductListItem:
    product_id: int
    name: str
    price: str
    image: str | None
    stock: str
    button: Button


@dataclass(frozen=True)
class ProductList(Reply):
    kind: ClassVar[str] = "product_list"
    title: str
    items: tuple[ProductListItem, ...]
    page_label: str  # "1-5 of 12"
    previous: Button | None = None
    next: Button | None = None

    def as_text(self) -> str:
        lines = [f"- {i.name} - {i.price} ({i.stock})" for i in self.items]
        paging = [b for b in (self.previous, self.next) if b is not None]
        return _join(self.title, *lines, self.page_label, _buttons_text(self._item_buttons() + tuple(paging)))

    def _item_buttons(self) -> tuple[Button, ...]:
        return tuple(i.button for i in self.items)

    def all_buttons(self) -> tuple[Button, ...]:
        return self._item_buttons() + tuple(b for b in (self.previous, self.next) if b is not None)


@dataclass(frozen=True)
class CartLine:
    name: str
    quantity: int
    unit_price: str
    line_total: str
    increase: Button | None
    decrease: Button
    remove: Button
    problem: str = ""  # "only 2 left", "no longer sold"


@dataclass(frozen=True)
class CartSummary(Reply):
    kind: ClassVar[str] = "cart"
    title: str
    lines: tuple[CartLine, ...]
    totals: tuple[tuple[str, str], ...]  # (label, amount) rows: subtotal, discount, total
    note: str = ""  # coupon problem, empty-cart hint
    buttons: tuple[Button, ...] = ()

    def as_text(self) -> str:
        rows = [
            f"{line.quantity} x {line.name} - {line.line_total}" + (f" ({line.problem})" if line.problem else "")
            for line in self.lines
        ]
        totals = [f"{label}: {amount}" for label, amount in self.totals]
        return _join(self.title, *rows, *totals, self.note, _buttons_text(self.buttons))

    def all_buttons(self) -> tuple[Button, ...]:
        per_line: list[Button] = []
        for line in self.lines:
            per_line.extend(b for b in (line.increase, line.decrease, line.remove) if b is not None)
        return tuple(per_line) + self.buttons


@dataclass(frozen=True)
class FormPrompt(Reply):
    """One step of a multi-step form (the checkout address): the channel may show a form field."""

    kind: ClassVar[str] = "form_step"
    form: str
    field: str
    prompt: str
    step: int
    steps: int
    error: str = ""
    placeholder: str = ""
    buttons: tuple[Button, ...] = ()

    def as_text(self) -> str:
        return _join(self.error, f"({self.step}/{self.steps}) {self.prompt}", _buttons_text(self.buttons))

    def all_buttons(self) -> tuple[Button, ...]:
        return self.buttons


@dataclass(frozen=True)
class PaymentLink(Reply):
    kind: ClassVar[str] = "payment_link"
    order_id: int
    text: str
    url: str
    button_label: str
    expires_at: str  # ISO 8601, for countdowns
    expires_text: str

    def as_text(self) -> str:
        return _join(self.text, f"{self.button_label}: {self.url}", self.expires_text)

    def all_buttons(self) -> tuple[Button, ...]:
        return (Button(self.button_label, url=self.url),)


@dataclass(frozen=True)
class OrderStatus(Reply):
    kind: ClassVar[str] = "order_status"
    order_id: int
    title: str
    status: str  # machine value, e.g. "paid"
    status_text: str  # translated
    lines: tuple[str, ...]
    total: str
    tracking_url: str | None = None
    buttons: tuple[Button, ...] = ()

    def as_text(self) -> str:
        tracking = self.tracking_url or ""
        return _join(
            f"{self.title}: {self.status_text}", *self.lines, self.total, tracking, _buttons_text(self.buttons)
        )

    def all_buttons(self) -> tuple[Button, ...]:
        return self.buttons


@dataclass(frozen=True)
class HandoffNotice(Reply):
    kind: ClassVar[str] = "handoff"
    text: str
    ticket_id: int
    active: bool  # True: a human now answers; False: back with the bot
    buttons: tuple[Button, ...] = field(default=())

    def as_text(self) -> str:
        return _join(self.text, _buttons_text(self.buttons))

    def all_buttons(self) -> tuple[Button, ...]:
        return self.buttons


@dataclass(frozen=True)
class Promotion(Reply):
    """A campaign message: text with safe formatting (``formatting.Span`` runs: bold, italic, http(s) links,
    line breaks), an optional image, the shopper's code and the campaign's buttons. Channels build their own
    markup from the spans; nothing in them is markup already."""

    kind: ClassVar[str] = "promotion"
    spans: tuple[Span, ...]
    image: str | None
    code_text: str  # "Your code: SPRING20", translated; "" without a code
    buttons: tuple[Button, ...]  # Unsubscribe
    products: tuple[ProductListItem, ...] = ()  # the featured products, each with its button

    def as_text(self) -> str:
        items = "\n".join(f"- {p.name} - {p.price}" for p in self.products)
        return _join(plain(self.spans), self.code_text, items, _buttons_text(self.all_buttons()))

    def all_buttons(self) -> tuple[Button, ...]:
        return tuple(p.button for p in self.products) + self.buttons


REPLY_KINDS: dict[str, type[Reply]] = {
    cls.kind: cls
    for cls in (
        Text,
        QuickReplies,
        ProductCard,
        ProductList,
        CartSummary,
        FormPrompt,
        PaymentLink,
        OrderStatus,
        HandoffNotice,
        Promotion,
    )
}
