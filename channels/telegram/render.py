"""Replies -> Bot API calls (aiogram method objects; the sender executes them).

Pure functions of the Reply, so rendering is tested without a network. Text goes out as HTML with every
value escaped (product names may contain ``<`` or ``&``). Product cards with a picture are photos with
a caption; paging, variant choice and cart changes edit the message they came from (see ``edit``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from aiogram.enums import ParseMode
from aiogram.methods import EditMessageMedia, EditMessageText, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
)

from bots.conversation.formatting import telegram_html
from bots.conversation.messages import (
    Button,
    CartSummary,
    FormPrompt,
    HandoffNotice,
    OrderStatus,
    PaymentLink,
    ProductCard,
    ProductList,
    Promotion,
    QuickReplies,
    Reply,
    Text,
)
from channels.telegram import texts
from channels.telegram.callbacks import MAX_CALLBACK_BYTES, PayInvoice

MAX_TEXT = 4096
MAX_CAPTION = 1024
SHORT_LABEL = 18  # buttons with labels up to this long go two to a row
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

Method = TelegramMethod[Any]


def esc(value: str) -> str:
    return html.escape(value, quote=False)


# Our HTML is escaped text, entities and the few tags we write: a tag, an entity, or a run of text.
_HTML_TOKENS = re.compile(r"<(/?)([a-z][a-z-]*)\b[^>]*>|&(?:#\d+|#x[0-9a-f]+|[a-z]+);|[^<&]+|[<&]", re.IGNORECASE)


def _cut(value: str, limit: int) -> str:
    """At most ``limit`` visible characters, as Telegram counts them (after parsing the HTML): never through an
    entity like ``&amp;`` nor leaving a tag open, either of which Telegram refuses ("can't parse entities")."""
    tokens = [(m.group(0), m.group(1), m.group(2)) for m in _HTML_TOKENS.finditer(value)]

    def width(token: str, tag: str | None) -> int:
        return 0 if tag else (1 if token.startswith("&") and len(token) > 1 else len(token))

    if sum(width(token, tag) for token, _, tag in tokens) <= limit:
        return value
    out: list[str] = []
    opened: list[str] = []
    left = limit - 1  # room for the ellipsis
    for token, closing, tag in tokens:
        if tag:
            if closing and opened and opened[-1] == tag.lower():
                opened.pop()
            elif not closing:
                opened.append(tag.lower())
            out.append(token)
            continue
        size = width(token, tag)
        if size > left:
            if not token.startswith("&"):
                out.append(token[:left])
            break
        out.append(token)
        left -= size
    return "".join(out) + "…" + "".join(f"</{tag}>" for tag in reversed(opened))


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Origin:
    """The message a pressed button sits on; replies of the same kind replace it in place."""

    chat_id: int
    message_id: int
    has_photo: bool
    action: str  # the engine action of the pressed button


# Which pressed action may redraw which reply kind in place (paging, variant or option choice, cart changes).
EDITABLE = {"pg": ProductList, "pv": ProductCard, "po": ProductCard, "cq": CartSummary}
PICKER_ROW = 4  # option values per keyboard row (sizes are short)
SOLD_OUT = "✕"


class Renderer:
    def __init__(self, base_url: str = "", invoices: bool = False) -> None:
        self.base_url = base_url.rstrip("/")
        self.invoices = invoices  # offer "Pay in Telegram" beside payment links (a provider token is set)

    # --- helpers ------------------------------------------------------------------------------
    def image_url(self, image: str | None) -> str | None:
        if not image:
            return None
        if image.startswith(("http://", "https://")):
            return image
        return f"{self.base_url}/{image.lstrip('/')}" if self.base_url else None

    @staticmethod
    def button(button: Button) -> InlineKeyboardButton | None:
        if button.url:
            return InlineKeyboardButton(text=_cut(button.label, 64), url=button.url)
        if button.payload and len(button.payload.encode()) <= MAX_CALLBACK_BYTES:
            return InlineKeyboardButton(text=_cut(button.label, 64), callback_data=button.payload)
        return None  # a button Telegram can't carry is left out rather than failing the whole message

    def keyboard(self, *rows: list[Button]) -> InlineKeyboardMarkup | None:
        built: list[list[InlineKeyboardButton]] = []
        for row in rows:
            widgets = [w for w in (self.button(b) for b in row) if w is not None]
            if widgets:
                built.append(widgets)
        return InlineKeyboardMarkup(inline_keyboard=built) if built else None

    @staticmethod
    def flow(buttons: tuple[Button, ...]) -> list[list[Button]]:
        """Short labels two to a row, long ones alone (readable on a phone)."""
        rows: list[list[Button]] = []
        for b in buttons:
            if len(b.label) <= SHORT_LABEL and rows and len(rows[-1]) == 1 and len(rows[-1][0].label) <= SHORT_LABEL:
                rows[-1].append(b)
            else:
                rows.append([b])
        return rows

    @staticmethod
    def main_menu(locale: str | None) -> ReplyKeyboardMarkup:
        def label(key: str) -> KeyboardButton:
            return KeyboardButton(text=texts.text(key, locale))

        return ReplyKeyboardMarkup(
            keyboard=[[label("menu_shop"), label("menu_cart")], [label("menu_orders"), label("menu_help")]],
            resize_keyboard=True,
            is_persistent=True,
        )

    # --- one reply -> text + markup -----------------------------------------------------------
    def _text_and_markup(self, reply: Reply, locale: str | None = None) -> tuple[str, InlineKeyboardMarkup | None]:
        if isinstance(reply, Text):
            return esc(reply.text), None
        if isinstance(reply, QuickReplies | HandoffNotice):
            return esc(reply.text), self.keyboard(*self.flow(reply.buttons))
        if isinstance(reply, Promotion):
            return _join(telegram_html(reply.spans), esc(reply.code_text)), self.keyboard(*self.flow(reply.buttons))
        if isinstance(reply, ProductCard):
            return self._card_caption(reply), self._card_keyboard(reply)
        if isinstance(reply, ProductList):
            lines = [
                f"{n}. <b>{esc(item.name)}</b> - {esc(item.price)} ({esc(item.stock)})"
                for n, item in enumerate(reply.items, 1)
            ]
            paging = [b for b in (reply.previous, reply.next) if b is not None]
            rows = [[item.button] for item in reply.items] + ([paging] if paging else [])
            return _join(f"<b>{esc(reply.title)}</b>", *lines, f"<i>{esc(reply.page_label)}</i>"), self.keyboard(*rows)
        if isinstance(reply, CartSummary):
            return self._cart(reply)
        if isinstance(reply, FormPrompt):
            body = _join(esc(reply.error), f"<b>({reply.step}/{reply.steps})</b> {esc(reply.prompt)}")
            return body, self.keyboard(*self.flow(reply.buttons))
        if isinstance(reply, PaymentLink):
            rows = [[Button(reply.button_label, url=reply.url)]]
            markup = self.keyboard(*rows)
            if self.invoices and markup is not None:
                pay = InlineKeyboardButton(
                    text=texts.text("pay_in_telegram", locale),
                    callback_data=PayInvoice(order_id=reply.order_id).pack(),
                )
                markup.inline_keyboard.append([pay])
            return _join(esc(reply.text), f"<i>{esc(reply.expires_text)}</i>"), markup
        if isinstance(reply, OrderStatus):
            rows = self.flow(reply.buttons)
            if reply.tracking_url:
                rows.insert(0, [Button(texts.text("track", locale), url=reply.tracking_url)])
            body = _join(
                f"<b>{esc(reply.title)}</b>: {esc(reply.status_text)}", *map(esc, reply.lines), esc(reply.total)
            )
            return body, self.keyboard(*rows)
        return esc(reply.as_text()), self.keyboard(*self.flow(reply.all_buttons()))

    def _card_caption(self, card: ProductCard) -> str:
        return _join(
            f"<b>{esc(card.name)}</b> - {esc(card.price)}",
            esc(card.description),
            esc(card.stock),
            esc(card.variant_prompt) if len(card.variants) > 1 or card.pickers else "",
        )

    def _card_keyboard(self, card: ProductCard) -> InlineKeyboardMarkup | None:
        """Option pickers as rows of the inline keyboard, colour rows then size rows (the caption names the
        option to choose). Telegram can't disable a button: a sold-out value is marked ✕ and, pressed, shows
        it sold out (with "Notify me when it's back")."""
        rows: list[list[Button]] = []
        for picker in card.pickers:
            values = [
                Button(
                    ("✓ " if v.selected else "") + v.label + ("" if v.available else f" {SOLD_OUT}"),
                    v.payload,
                )
                for v in picker.values
            ]
            rows += [values[i : i + PICKER_ROW] for i in range(0, len(values), PICKER_ROW)]
        if len(card.variants) > 1:
            choices = [
                Button(("✓ " if v.selected else "") + f"{v.label} · {v.price}", v.payload) for v in card.variants
            ]
            rows += [choices[i : i + 2] for i in range(0, len(choices), 2)]
        return self.keyboard(*rows, *self.flow(card.buttons))

    def _cart(self, cart: CartSummary) -> tuple[str, InlineKeyboardMarkup | None]:
        rows: list[list[Button]] = []
        lines = []
        for line in cart.lines:
            problem = f" <i>({esc(line.problem)})</i>" if line.problem else ""
            lines.append(f"{line.quantity} × {esc(line.name)} - {esc(line.line_total)}{problem}")
            short = _cut(line.name, 16)
            row = [Button(f"− {short}", line.decrease.payload)]
            if line.increase is not None:
                row.append(Button("+", line.increase.payload))
            row.append(Button("✕", line.remove.payload))
            rows.append(row)
        totals = [f"{esc(label)}: <b>{esc(amount)}</b>" for label, amount in cart.totals]
        body = _join(f"<b>{esc(cart.title)}</b>", *lines, *totals, esc(cart.note))
        return body, self.keyboard(*rows, *self.flow(cart.buttons))

    # --- public -------------------------------------------------------------------------------
    def render(self, reply: Reply, chat_id: int, locale: str | None = None, with_menu_keyboard: bool = False) -> Method:
        """One reply as one new message. ``with_menu_keyboard``: attach the main-menu reply keyboard instead
        of inline buttons (the greeting after /start, whose inline buttons are that same menu)."""
        body, markup = self._text_and_markup(reply, locale)
        keyboard: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = markup
        if with_menu_keyboard and isinstance(reply, QuickReplies):
            keyboard = self.main_menu(locale)
        if isinstance(reply, ProductCard):
            photo = self.image_url(reply.image)
            if photo is not None:
                return SendPhoto(
                    chat_id=chat_id,
                    photo=photo,
                    caption=_cut(body, MAX_CAPTION),
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard,
                )
        return SendMessage(
            chat_id=chat_id,
            text=_cut(body or "…", MAX_TEXT),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            link_preview_options=NO_PREVIEW,
        )

    def edit(self, reply: Reply, origin: Origin, locale: str | None = None) -> Method | None:
        """Redraw ``origin`` with ``reply`` when the pressed button is paging/variant/cart, else None."""
        kind = EDITABLE.get(origin.action)
        if kind is None or not isinstance(reply, kind):
            return None
        body, markup = self._text_and_markup(reply, locale)
        if isinstance(reply, ProductCard):
            photo = self.image_url(reply.image)
            if origin.has_photo and photo is not None:
                media = InputMediaPhoto(media=photo, caption=_cut(body, MAX_CAPTION), parse_mode=ParseMode.HTML)
                return EditMessageMedia(
                    chat_id=origin.chat_id, message_id=origin.message_id, media=media, reply_markup=markup
                )
            if origin.has_photo or photo is not None:
                return None  # a photo can't become text (or back): send a new card
        return EditMessageText(
            chat_id=origin.chat_id,
            message_id=origin.message_id,
            text=_cut(body or "…", MAX_TEXT),
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=NO_PREVIEW,
        )

    def render_all(
        self,
        replies: list[Reply],
        chat_id: int,
        locale: str | None = None,
        origin: Origin | None = None,
        with_menu_keyboard: bool = False,
    ) -> list[Method]:
        """Every reply as a call; a single reply may edit the pressed message instead of adding one."""
        if origin is not None and len(replies) == 1:
            edited = self.edit(replies[0], origin, locale)
            if edited is not None:
                return [edited]
        return [
            self.render(reply, chat_id, locale, with_menu_keyboard=with_menu_keyboard and index == 0)
            for index, reply in enumerate(replies)
        ]
