"""Forms you can leave, no action on a misunderstanding, the right size: through the real engine, the real
embedded NLU and SQLite/PostgreSQL."""

from __future__ import annotations

from bots.conversation.engine import ConversationEngine
from bots.conversation.messages import FormPrompt, ProductCard
from domain import commands as c
from tests.integration.bots.conftest import Chat
from tests.integration.bots.test_shopper_flows import buy_red_shoes, fill_address
from tests.support.shopdata import SmallShop


async def at_checkout(chat: Chat, *answers: str) -> None:
    await chat.say("red shoes")
    await chat.press("Add to cart")
    await chat.press("Check out")
    await fill_address(chat, *answers)


def prompt(chat: Chat) -> FormPrompt:
    forms = [r for r in chat.last if isinstance(r, FormPrompt)]
    assert forms, f"no form step in {chat.text!r}"
    return forms[-1]


async def shoes_in_many_sizes(small: SmallShop) -> None:
    """Stride Running Shoes in red 38/40/42, blue 42 and navy 40/42/44, navy 44 sold out."""
    specs = [("SHOE-RED-42", "red", "42"), ("SHOE-BLU-42", "blue", "42"), ("SHOE-RED-38", "red", "38"),
             ("SHOE-RED-40", "red", "40"), ("SHOE-NVY-40", "navy", "40"), ("SHOE-NVY-42", "navy", "42"),
             ("SHOE-NVY-44", "navy", "44")]  # fmt: skip
    variants = tuple(c.VariantSpec(sku, 8000, {"color": col, "size": size}) for sku, col, size in specs)
    await small.shop.bus.handle(
        c.UpsertProduct("Stride Running Shoes", variants, ("Shoes",), brand="Stride", actor=c.SYSTEM)
    )
    for sku, *_ in specs[2:-1]:
        await small.shop.bus.handle(c.ReceiveStock(sku, "EAST", 4, actor=c.SYSTEM))


def card(chat: Chat) -> ProductCard:
    cards = [r for r in chat.last if isinstance(r, ProductCard)]
    assert cards, f"no product card in {chat.text!r}"
    return cards[-1]


def picked(card: ProductCard) -> dict[str, list[str]]:
    return {p.key: [v.label for v in p.values if v.selected] for p in card.pickers}


# --- forms you can leave ------------------------------------------------------------------------
async def test_cancel_stop_and_chinese_words_leave_the_checkout_form(
    small: SmallShop, engine: ConversationEngine
) -> None:
    for n, word in enumerate(["cancel", "Stop", "取消", "never mind"]):
        chat = Chat(engine, chat_id=f"leave-{n}", user_id=f"leaver-{n}")
        await at_checkout(chat, "Ann Shopper", "1 Main Street")
        await chat.say(word)
        assert "Checkout stopped" in chat.text or "已停止结账" in chat.text, word
        await chat.say("12345")  # no longer an answer: the form is closed
        assert "postal code" not in chat.text.lower()


async def test_back_returns_to_the_previous_address_question(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await at_checkout(chat, "Ann Shopper", "1 Main Street")
    assert prompt(chat).field == "city"
    await chat.say("back")
    assert prompt(chat).field == "line1"
    await chat.say("返回")
    assert prompt(chat).field == "name"


async def test_a_clear_other_request_is_answered_and_the_checkout_goes_on_where_it_was(
    small: SmallShop, engine: ConversationEngine
) -> None:
    chat = Chat(engine)
    await chat.say("mug")
    await chat.press("Add to cart")
    await at_checkout(chat, "Ann Shopper", "1 Main Street", "Springfield", "US")
    assert prompt(chat).field == "postal_code"
    await chat.say("remove the shoes")
    assert "Removed Stride Running Shoes" in chat.text and "not a valid postal code" not in chat.text
    assert "Now, back to your checkout" in chat.text and prompt(chat).field == "postal_code"
    await chat.say("show my cart")
    assert "cart" in chat.kinds() and prompt(chat).field == "postal_code"
    await chat.say("12345")
    assert "How should we ship it?" in chat.text


async def test_an_invalid_answer_is_quoted_back_short(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await at_checkout(chat, "Ann Shopper", "1 Main Street", "Springfield", "US")
    await chat.say("1" * 2000)
    assert len(chat.text) < 300 and "…" in chat.text and prompt(chat).field == "postal_code"
    await chat.say("ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    error = prompt(chat).error
    assert "not a valid postal code" in error and "…" in error and "UVWXYZ ABCDEFGHIJKLMNOPQRSTUVWXYZ" not in error


async def test_a_saved_address_is_offered_at_the_next_checkout(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await buy_red_shoes(chat)
    await chat.say("red shoes")
    await chat.press("Add to cart")
    await chat.press("Check out")
    assert "Ship to Ann Shopper, 1 Main Street, 12345 Springfield, US?" in chat.text
    assert {"Yes, ship there", "Another address"} <= {b.label for b in chat.buttons()}
    await chat.press("Yes, ship there")
    assert "How should we ship it?" in chat.text
    await chat.say("back")
    await chat.press("Another address")
    assert prompt(chat).field == "name"


# --- act only on what is understood -------------------------------------------------------------
async def test_an_unsure_message_is_asked_about_and_the_answer_acts(
    small: SmallShop, engine: ConversationEngine
) -> None:
    chat = Chat(engine)
    await chat.say("my things")  # view_cart 0.33, order_status 0.19 ("show my orders" is now understood)
    assert chat.text.startswith("Did you want to") and "cart" not in chat.kinds()
    await chat.press("See my orders")
    assert "You have no orders yet" in chat.text
    await chat.say("show my orders")  # once: view_cart 0.60
    assert "You have no orders yet" in chat.text and "Did you want to" not in chat.text


async def test_the_shops_button_labels_typed_mean_what_they_say(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await buy_red_shoes(chat)
    await chat.say("my orders")  # once: cancel_order 0.57
    assert "Your recent orders" in chat.text and "cancel" not in chat.text.lower()
    await chat.say("我的订单")
    assert "您最近的订单" in chat.text
    await chat.say("My cart")
    assert chat.kinds() == ["cart"]


async def test_markup_is_never_an_intent_and_changes_no_consent(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await chat.say("hi")
    customer = 1
    await small.shop.bus.handle(c.SetMarketingConsent(customer, True, "test", actor=c.SYSTEM))
    await chat.say("<script>alert(1)</script>")
    assert "Sorry, I didn't get that" in chat.text
    profile = await small.shop.views.customer(customer)
    assert profile is not None and profile.marketing_opt_in is True


async def test_unsubscribe_and_return_wait_for_a_yes(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await chat.say("hi")
    await small.shop.bus.handle(c.SetMarketingConsent(1, True, "test", actor=c.SYSTEM))
    await chat.say("stop sending me offers")
    assert "Stop offers from us?" in chat.text
    await chat.press("No, keep them")
    profile = await small.shop.views.customer(1)
    assert profile is not None and profile.marketing_opt_in is True


# --- the right size -----------------------------------------------------------------------------
async def test_nothing_is_added_until_colour_and_size_are_chosen(small: SmallShop, engine: ConversationEngine) -> None:
    await shoes_in_many_sizes(small)
    chat = Chat(engine)
    await chat.say("Stride Running Shoes")
    shown = card(chat)
    assert [p.key for p in shown.pickers] == ["color"] and picked(shown) == {"color": []}
    assert "Add to cart" not in [b.label for b in shown.buttons] and "Choose the colour" in chat.text
    await chat.say("add to cart")
    assert "Which one?" in chat.text and (await small.shop.views.cart(1)).lines == ()
    await chat.press("navy")
    shown = card(chat)
    sizes = {v.label: v.available for v in shown.pickers[1].values}
    assert sizes == {"40": True, "42": True, "44": False}  # the sizes of navy; 44 sold out
    assert "44" not in [b.label for b in chat.buttons()]  # a sold-out size is not offered to press
    await chat.press("42")
    assert picked(card(chat)) == {"color": ["navy"], "size": ["42"]}
    await chat.press("Add to cart")
    assert "Added 1 x Stride Running Shoes (navy / 42)" in chat.text


async def test_a_size_or_colour_typed_to_a_card_chooses_it(small: SmallShop, engine: ConversationEngine) -> None:
    await shoes_in_many_sizes(small)
    chat = Chat(engine)
    await chat.say("Stride Running Shoes")
    await chat.say("size 42")
    assert picked(card(chat)) == {"color": [], "size": ["42"]} and "Did you mean" not in chat.text
    await chat.say("navy")
    assert picked(card(chat)) == {"color": ["navy"], "size": ["42"]}
    await chat.say("40")  # a bare size, to the card on show
    assert picked(card(chat)) == {"color": ["navy"], "size": ["40"]}
    await chat.say("size 50")
    assert "doesn't come in size 50. It comes in: 38, 40, 42, 44" in chat.text


async def test_chinese_sizes_are_understood_on_a_card(small: SmallShop, engine: ConversationEngine) -> None:
    await shoes_in_many_sizes(small)
    for n, said in enumerate(["42码", "要42码的"]):
        chat = Chat(engine, chat_id=f"zh-{n}", user_id=f"zh-{n}", locale="zh-CN")
        await chat.say("Stride Running Shoes")
        await chat.say(said)
        assert picked(card(chat))["size"] == ["42"], said


async def test_a_deep_linked_sku_is_the_selected_one(small: SmallShop, engine: ConversationEngine) -> None:
    await shoes_in_many_sizes(small)
    product = await small.shop.views.product(sku="SHOE-NVY-42")
    assert product is not None
    variant = next(v for v in product.variants if v.sku == "SHOE-NVY-42")
    chat = Chat(engine, channel="telegram", chat_id="77", user_id="77")
    await chat.send_payload(engine.services.codec.encode("telegram:77", "p", product.id, variant.id))
    assert picked(card(chat)) == {"color": ["navy"], "size": ["42"]}


# --- what shoppers read -------------------------------------------------------------------------
async def test_shoppers_never_see_slugs_and_an_exact_name_opens_its_product(
    small: SmallShop, engine: ConversationEngine
) -> None:
    await small.shop.bus.handle(c.UpsertProduct(
        "Stride Trail Shoes", (c.VariantSpec("TRAIL-RED-42", 9500, {"color": "red", "size": "42"}),), ("Shoes",),
        brand="Stride", actor=c.SYSTEM))  # fmt: skip
    hoodie = (c.VariantSpec("HOOD-RED-M", 4000, {"color": "red", "size": "M"}),)
    await small.shop.bus.handle(c.UpsertProduct("Cosy Hoodie", hoodie, ("Clothing", "Hoodies"), actor=c.SYSTEM))
    chat = Chat(engine)
    await chat.say("blue hoodies")
    assert 'I found nothing for "blue hoodies"' in chat.text and "clothing-" not in chat.text
    await chat.say("Stride Running Shoes")
    assert chat.kinds() == ["product_card"] and card(chat).name == "Stride Running Shoes"


async def test_a_chinese_shopper_is_quoted_in_the_words_they_typed_not_the_english_values(
    small: SmallShop, engine: ConversationEngine
) -> None:
    hoodie = (c.VariantSpec("HOOD-RED-M", 4000, {"color": "red", "size": "M"}),)
    await small.shop.bus.handle(c.UpsertProduct("Cosy Hoodie", hoodie, ("Clothing", "Hoodies"), actor=c.SYSTEM))
    chat = Chat(engine, chat_id="zh-quote", user_id="zh-quote", locale="zh-CN")
    await chat.say("蓝色卫衣")
    assert "蓝色" in chat.text and "blue" not in chat.text and "clothing-" not in chat.text


async def test_the_cart_counts_its_items_in_words_that_agree(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await chat.say("mug")
    await chat.press("Add to cart")
    await chat.press("View cart")
    assert "Your cart (1 item)" in chat.text
    await chat.press("+")
    assert "Your cart (2 items)" in chat.text


# --- names the shop does not carry ---------------------------------------------------------------
async def test_a_brand_the_shop_does_not_carry_is_said_so_with_the_closest_products(
    small: SmallShop, engine: ConversationEngine
) -> None:
    await small.shop.bus.handle(c.UpsertProduct(
        "Stride Trail Shoes", (c.VariantSpec("TRAIL-RED-42", 9500, {"color": "red", "size": "42"}),), ("Shoes",),
        brand="Stride", actor=c.SYSTEM))  # fmt: skip
    chat = Chat(engine)
    await chat.say("Nike running shoes")
    assert chat.text.startswith("We don't carry Nike — here are our running shoes")
    assert chat.kinds() == ["product_list"] and "Stride Running Shoes" in chat.text
    await chat.say("do you have Adidas sneakers")
    assert chat.text.startswith("We don't carry Adidas — here are our sneakers")
    assert "Stride Running Shoes" in chat.text and "Stride Trail Shoes" in chat.text
    await chat.say("a Logitech mouse")  # nothing of ours is close: say so, and show what we have
    assert "We don't carry Logitech." in chat.text and "Pick a category" in chat.text
    assert "I found nothing" not in chat.text
    await chat.say("Stride shoes")  # a brand we carry is searched as ever
    assert "don't carry" not in chat.text and "Stride Trail Shoes" in chat.text


async def test_a_brand_the_shop_does_not_carry_is_said_so_in_chinese(
    small: SmallShop, engine: ConversationEngine
) -> None:
    chat = Chat(engine, chat_id="zh-brand", user_id="zh-brand", locale="zh-CN")
    await chat.say("有没有耐克的跑鞋")
    assert chat.text.startswith("我们没有耐克的商品——这是我们的跑鞋") and "Stride Running Shoes" in chat.text
    await chat.say("小米的充电宝")
    assert "我们没有小米的商品。" in chat.text and "没有找到" not in chat.text
