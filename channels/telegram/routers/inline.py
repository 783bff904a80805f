"""Inline mode: ``@bot shoes`` in any chat lists matching products; each opens in the bot by deep link."""

from __future__ import annotations

import html

from aiogram import Router
from aiogram.enums import ParseMode
from aiogram.methods import AnswerInlineQuery
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultPhoto,
    InlineQueryResultUnion,
    InputTextMessageContent,
)

from channels.telegram.channel import TelegramChannel
from domain.model.catalog import SearchQuery
from domain.model.money import Money

PAGE = 10
MAX_QUERY = 64


async def inline_query(query: InlineQuery, channel: TelegramChannel, locale: str) -> None:
    text = query.query.strip()[:MAX_QUERY]
    offset = int(query.offset) if query.offset.isascii() and query.offset.isdigit() else 0
    page = await channel.views.search(SearchQuery(text=text, limit=PAGE, offset=offset, locale=locale))
    me = await channel.bot.me()
    results: list[InlineQueryResultUnion] = []
    for product in page.items:
        price = Money(product.min_price, product.currency).format()
        if product.max_price != product.min_price:
            price += " - " + Money(product.max_price, product.currency).format()
        link = f"https://t.me/{me.username}?start=p_{product.slug[:60]}"
        open_button = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text=channel.text("inline_open", locale), url=link)]]
        )
        caption = f"<b>{html.escape(product.name, quote=False)}</b> - {html.escape(price, quote=False)}"
        photo = channel.renderer.image_url(product.image)
        if photo is not None:
            results.append(
                InlineQueryResultPhoto(
                    id=f"p{product.id}",
                    photo_url=photo,
                    thumbnail_url=photo,
                    title=product.name,
                    description=price,
                    caption=caption,
                    parse_mode=ParseMode.HTML,
                    reply_markup=open_button,
                )
            )
        else:
            results.append(
                InlineQueryResultArticle(
                    id=f"p{product.id}",
                    title=product.name,
                    description=price,
                    input_message_content=InputTextMessageContent(message_text=caption, parse_mode=ParseMode.HTML),
                    reply_markup=open_button,
                )
            )
    next_offset = str(offset + PAGE) if page.has_more else ""
    await channel.sender.send(
        AnswerInlineQuery(
            inline_query_id=query.id, results=results, cache_time=30, is_personal=False, next_offset=next_offset
        )
    )


def router() -> Router:
    r = Router(name="inline")
    r.inline_query.register(inline_query)
    return r
