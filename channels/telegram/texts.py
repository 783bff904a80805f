"""Words only the Telegram channel says (menu keyboard, commands, payments, errors), in English and Chinese.

Everything a flow says comes translated from the engine; these are the few strings that exist because
of Telegram itself, kept here rather than in the bots' catalogs so the engine stays channel-neutral.
"""

from __future__ import annotations

from bots.i18n import normalise_locale

TEXTS: dict[str, dict[str, str]] = {
    "menu_shop": {"en": "🛍 Shop", "zh": "🛍 逛逛"},
    "menu_cart": {"en": "🛒 Cart", "zh": "🛒 购物车"},
    "menu_orders": {"en": "📦 Orders", "zh": "📦 我的订单"},
    "menu_help": {"en": "❓ Help", "zh": "❓ 帮助"},
    "cmd_start": {"en": "Start or restart the shop bot", "zh": "开始或重新开始"},
    "cmd_shop": {"en": "Browse the catalog", "zh": "浏览商品"},
    "cmd_cart": {"en": "Show my cart", "zh": "查看购物车"},
    "cmd_orders": {"en": "My orders", "zh": "我的订单"},
    "cmd_help": {"en": "What I can do", "zh": "我能做什么"},
    "cmd_stop": {"en": "Stop: forget this chat and turn off offers", "zh": "停止：结束对话并关闭推广消息"},
    "help": {
        "en": "I'm the shop's assistant. Type what you are looking for (\"red shoes\"), or use:\n"
        "/shop - browse the catalog\n/cart - your cart\n/orders - your orders\n/stop - stop and turn off offers\n"
        "You can also search from any chat: type @{bot} followed by a product name.",
        "zh": "我是商店助手。直接输入您想找的东西（如“红色跑鞋”），或使用：\n"
        "/shop - 浏览商品\n/cart - 购物车\n/orders - 我的订单\n/stop - 停止并关闭推广消息\n"
        "在任何聊天中输入 @{bot} 加商品名也可以搜索。",
    },
    "stopped": {
        "en": "Stopped. I forgot this conversation and won't send offers. Order updates still reach you. "
        "Send /start to come back.",
        "zh": "已停止。我清除了本次对话，不再发送推广消息；订单通知仍会送达。发送 /start 即可回来。",
    },
    "error": {
        "en": "Sorry, something went wrong on our side. Please try again in a moment.",
        "zh": "抱歉，我们这边出了点问题，请稍后再试。",
    },
    "slow_down": {"en": "You're going a bit fast. Please wait a few seconds.", "zh": "您操作得太快了，请稍等几秒。"},
    "bad_button": {
        "en": "That button doesn't work any more. Here is the menu instead.",
        "zh": "这个按钮已失效，为您显示菜单。",
    },
    "not_text": {
        "en": "I can only read text messages. Type what you are looking for.",
        "zh": "我只能读懂文字消息，请输入您想找的东西。",
    },
    "product_missing": {"en": "Sorry, that product is no longer available.", "zh": "抱歉，该商品已下架。"},
    "cart_link_bad": {
        "en": "That cart link has expired or is not valid. Here is the menu instead.",
        "zh": "该购物车链接已过期或无效，为您显示菜单。",
    },
    "cart_linked": {
        "en": "Welcome back! I moved your cart from the web chat here.",
        "zh": "欢迎回来！已把网页聊天中的购物车带到这里。",
    },
    "pay_in_telegram": {"en": "💳 Pay in Telegram", "zh": "💳 在 Telegram 内支付"},
    "track": {"en": "Track the parcel", "zh": "查询物流"},
    "invoice_title": {"en": "Order #{id}", "zh": "订单 #{id}"},
    "invoice_failed": {"en": "This order can't be paid now: {problem}", "zh": "此订单暂时无法支付：{problem}"},
    "checkout_unknown": {
        "en": "We can't find this payment. Please check out again.",
        "zh": "找不到这笔付款，请重新结账。",
    },
    "checkout_paid": {
        "en": "This order is already paid, so no money was taken.",
        "zh": "此订单已付款，本次未扣款。",
    },
    "checkout_not_pending": {
        "en": "This order is no longer waiting for payment.",
        "zh": "此订单已不再等待付款。",
    },
    "checkout_expired": {
        "en": "The reservation for this order has expired. Please check out again.",
        "zh": "此订单的库存保留已过期，请重新结账。",
    },
    "checkout_amount": {
        "en": "The order total changed. Please check out again.",
        "zh": "订单金额已变化，请重新结账。",
    },
    "checkout_slow": {
        "en": "We couldn't check your order in time. Please try again.",
        "zh": "未能及时核对订单，请重试。",
    },
    "inline_open": {"en": "Open in the shop", "zh": "在商店中打开"},
    "order_status": {"en": "Order status", "zh": "订单状态"},
}


def text(key: str, locale: str | None, **values: object) -> str:
    forms = TEXTS[key]
    template = forms.get(normalise_locale(locale) or "en", forms["en"])
    return template.format(**values) if values else template


def all_forms(key: str) -> frozenset[str]:
    """Every translation of a label (a reply-keyboard press arrives as its text, in the sender's locale)."""
    return frozenset(TEXTS[key].values())
