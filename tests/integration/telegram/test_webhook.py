"""The webhook over real HTTP: secret, duplicates, /start, deep links, commands, inline mode, bad buttons."""

from __future__ import annotations

import pytest

from domain import commands as c
from tests.integration.telegram.conftest import Bot, find, messages
from tests.support.fake_telegram import Updates

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_a_wrong_or_missing_secret_is_refused_with_401_and_nothing_is_handled(bot: Bot, ann: Updates) -> None:
    assert await bot.post(ann.text("/start"), secret="wrong") == 401
    assert await bot.post(ann.text("/start"), secret=None) == 401
    assert bot.fake.calls == []
    assert bot.telegram.webhook.handled == 0


async def test_a_body_that_is_not_an_update_is_refused_with_400(bot: Bot) -> None:
    assert await bot.post({"hello": "world"}) == 400
    assert bot.fake.calls == []


async def test_a_duplicate_update_id_is_handled_once(bot: Bot, ann: Updates) -> None:
    update = ann.text("/start")
    first = await bot.send(update)
    again = await bot.send(update)
    assert len(messages(first)) == 1
    assert again == []
    assert bot.telegram.webhook.duplicates == 1


async def test_start_greets_by_name_with_the_main_menu_as_a_reply_keyboard(bot: Bot, ann: Updates) -> None:
    [greeting] = messages(await bot.send(ann.text("/start")))
    assert greeting.method == "sendMessage" and "Hello Ann" in greeting.text
    keyboard = greeting.params["reply_markup"]["keyboard"]
    assert [b["text"] for row in keyboard for b in row] == ["🛍 Shop", "🛒 Cart", "📦 Orders", "❓ Help"]


async def test_a_chinese_speaking_user_gets_the_menu_and_the_greeting_in_chinese(bot: Bot) -> None:
    li = Updates(5002, "Li", "zh-hans")
    [greeting] = messages(await bot.send(li.text("/start")))
    labels = [b["text"] for row in greeting.params["reply_markup"]["keyboard"] for b in row]
    assert "🛒 购物车" in labels
    assert "Hello" not in greeting.text


async def test_a_deep_link_to_a_sku_opens_the_product_card_as_a_photo_with_variant_buttons(
    bot: Bot, ann: Updates
) -> None:
    [card] = messages(await bot.send(ann.text("/start p_BOOT-BRN-43")))
    assert card.method == "sendPhoto"
    assert card.params["photo"] == "https://shop.example/media/products/boots.png"
    assert "Trail Hiking Boots" in card.text and "120.00" in card.text
    labels = [b["text"] for b in card.buttons()]
    assert any(label.startswith("✓ brown") for label in labels) and any("black" in label for label in labels)
    assert all(len(b["callback_data"].encode()) <= 64 for b in card.buttons() if "callback_data" in b)


async def test_choosing_another_variant_redraws_the_card_in_place(bot: Bot, ann: Updates) -> None:
    [card] = messages(await bot.send(ann.text("/start p_BOOT-BRN-43")))
    message = bot.fake.message(ann.user_id, 1)
    [edit] = messages(await bot.send(ann.press(card.button("black")["callback_data"], message)))
    assert edit.method == "editMessageMedia" and int(edit.params["message_id"]) == 1
    assert "125.00" in edit.params["media"]["caption"]
    assert "In stock: 2" in edit.params["media"]["caption"]


async def test_a_deep_link_to_an_unknown_product_says_so_and_shows_the_menu(bot: Bot, ann: Updates) -> None:
    sent = messages(await bot.send(ann.text("/start p_NOPE-1")))
    assert "no longer available" in sent[0].text
    assert find(sent, "Browse categories")


async def test_commands_press_the_engines_menu_buttons(bot: Bot, ann: Updates) -> None:
    await bot.send(ann.text("/start"))
    [cart] = messages(await bot.send(ann.text("/cart")))
    assert "Your cart is empty" in cart.text
    [categories] = messages(await bot.send(ann.text("🛍 Shop")))
    assert find([categories], "Shoes")
    [help_text] = messages(await bot.send(ann.text("/help")))
    assert "@chatshop_test_bot" in help_text.text and "/orders" in help_text.text


async def test_stop_forgets_the_chat_and_turns_marketing_off(bot: Bot, ann: Updates) -> None:
    await bot.send(ann.text("/start"))
    [stopped] = messages(await bot.send(ann.text("/stop")))
    assert "Stopped" in stopped.text and stopped.params["reply_markup"] == {"remove_keyboard": True}
    customer = await bot.telegram.channel.customer_for(ann.user_id)
    profile = await bot.shop.views.customer(customer)
    assert profile is not None and profile.marketing_opt_in is False


async def test_paging_through_results_edits_the_list_in_place(bot: Bot, ann: Updates) -> None:
    for n in range(6):
        await bot.shop.bus.handle(
            c.UpsertProduct(f"Court Sneaker {n}", (c.VariantSpec(f"SNK-{n}", 5000 + n),), ("Shoes",), actor=c.SYSTEM)
        )
    [categories] = messages(await bot.send(ann.text("/shop")))
    [listing] = messages(await bot.send(ann.press(categories.button("Shoes")["callback_data"])))
    assert listing.method == "sendMessage" and "1-5 of 8" in listing.text
    shown = bot.fake.message(ann.user_id, 2)
    [page_two] = messages(await bot.send(ann.press(listing.button("More")["callback_data"], shown)))
    assert page_two.method == "editMessageText" and int(page_two.params["message_id"]) == 2
    assert "6-8 of 8" in page_two.text and page_two.button("Previous")


async def test_a_forged_button_gets_a_clear_answer_and_the_menu_not_a_crash(bot: Bot, ann: Updates) -> None:
    await bot.send(ann.text("/start"))
    forged = "1.p.1~AAAAAAAA"
    sent = await bot.send(ann.press(forged))
    assert next(c.method for c in sent) == "answerCallbackQuery"
    assert "can't use that button" in messages(sent)[0].text
    junk = await bot.send(ann.press("drop table; --"))
    answer = next(c for c in junk if c.method == "answerCallbackQuery")
    assert answer.params["show_alert"] is True and "doesn't work" in answer.params["text"]
    assert find(messages(junk), "Browse categories")


async def test_a_button_copied_from_another_chat_is_refused(bot: Bot, ann: Updates) -> None:
    [card] = messages(await bot.send(ann.text("/start p_BOOT-BRN-43")))
    bob = Updates(5003, "Bob")
    sent = await bot.send(bob.press(card.button("Add to cart")["callback_data"]))
    assert "can't use that button" in messages(sent)[0].text


async def test_a_sticker_gets_a_hint_to_type(bot: Bot, ann: Updates) -> None:
    [hint] = messages(await bot.send(ann.sticker()))
    assert "only read text" in hint.text


async def test_inline_mode_answers_with_product_results_that_deep_link_into_the_bot(bot: Bot, ann: Updates) -> None:
    sent = await bot.send(ann.inline("boots"))
    [answer] = [c for c in sent if c.method == "answerInlineQuery"]
    results = answer.params["results"]
    assert results and results[0]["type"] == "photo"
    assert results[0]["photo_url"] == "https://shop.example/media/products/boots.png"
    link = results[0]["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert link == "https://t.me/chatshop_test_bot?start=p_trail-hiking-boots"
    mugs = next(c for c in await bot.send(ann.inline("mug")) if c.method == "answerInlineQuery").params["results"]
    assert mugs and mugs[0]["type"] == "article" and "Hearth Ceramic Mug" in mugs[0]["title"]


async def test_a_flood_from_one_user_is_throttled_with_one_warning(bot: Bot, ann: Updates) -> None:
    for _ in range(22):
        await bot.send(ann.text("hello"))
    warnings = [c for c in bot.fake.calls if "going a bit fast" in c.text]
    assert len(warnings) == 1
    other = Updates(5004, "Cy")
    assert messages(await bot.send(other.text("/start")))  # other shoppers are not affected


async def test_a_failing_handler_answers_the_shopper_with_an_apology_instead_of_going_silent(
    bot: Bot, ann: Updates, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(**_: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.telegram.channel, "views", type("Broken", (), {"product": staticmethod(broken)})())
    [apology] = messages(await bot.send(ann.text("/start p_BOOT-BRN-43")))
    assert "something went wrong" in apology.text


async def test_a_payment_update_that_fails_answers_500_and_is_handled_when_telegram_retries(
    bot: Bot, ann: Updates, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = bot.telegram.channel.bus
    failures = [RuntimeError("database restarting")]

    class Flaky:
        async def handle(self, command: object) -> object:
            if type(command).__name__ == "ConfirmPayment" and failures:
                raise failures.pop()
            return await real.handle(command)

    monkeypatch.setattr(bot.telegram.channel, "bus", Flaky())
    update = ann.successful_payment("te-999-000000000000", 100)
    assert await bot.post(update) == 500
    assert await bot.post(update) == 200  # the retry is handled (the unknown session is then logged, not retried)
    assert bot.telegram.webhook.duplicates == 0
