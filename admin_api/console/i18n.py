"""The console's words in Chinese: a small catalog of our own (the bots' gettext catalogs are not ours to
import). English is the message id itself; a test checks every id the templates use has a Chinese entry."""

from __future__ import annotations

from collections.abc import Callable

from babel import negotiate_locale

from admin_api.console.dashboard_i18n import DASHBOARD_ZH
from admin_api.console.i18n_campaigns import ZH_CAMPAIGNS
from admin_api.console.i18n_more import ZH_MORE
from admin_api.console.i18n_reorder import ZH_REORDER
from admin_api.console.i18n_scores import ZH_SCORES
from admin_api.console.i18n_warehouse import ZH_WAREHOUSE
from domain.staff_access import LOCALES

ZH: dict[str, str] = {
    "chatshop console": "chatshop 后台",
    "Skip to content": "跳到正文",
    "Sign in": "登录",
    "Sign out": "退出登录",
    "Name": "姓名",
    "Password": "密码",
    "Signed in as %(name)s (%(role)s)": "已登录：%(name)s（%(role)s）",
    "That name and password do not match an active staff member.": "姓名和密码与任何在职员工都不匹配。",
    "Too many failed sign-ins. Try again in %(minutes)s minutes.": "登录失败次数过多，请 %(minutes)s 分钟后再试。",
    "This form has expired or did not come from this console; nothing was changed. Reload the page and try again.": (
        "此表单已过期或并非来自本后台，未做任何更改。请刷新页面后重试。"
    ),
    "Not allowed": "无权操作",
    "Not found": "未找到",
    "Could not do that": "无法完成",
    "Bad input": "输入有误",
    "Text can't contain a NUL character.": "文本不能包含 NUL 字符。",
    "Back to orders": "返回订单列表",
    "Orders": "订单",
    "Filter orders": "筛选订单",
    "State": "状态",
    "Any state": "任何状态",
    "Channel": "渠道",
    "Any channel": "任何渠道",
    "Placed from": "下单起始日",
    "Placed until": "下单截止日",
    "Needs approval only": "仅看待审批",
    "Search": "搜索",
    "Order id, customer or SKU": "订单号、顾客或 SKU",
    "Filter": "筛选",
    "Clear": "清除",
    "No orders match these filters.": "没有符合条件的订单。",
    "Order": "订单",
    "Customer": "顾客",
    "Items": "件数",
    "Total": "合计",
    "Placed": "下单时间",
    "Payment": "付款",
    "Next page": "下一页",
    "First page": "第一页",
    "Order %(id)s": "订单 %(id)s",
    "Lines": "商品明细",
    "Product": "商品",
    "SKU": "SKU",
    "Quantity": "数量",
    "Unit price": "单价",
    "Subtotal": "小计",
    "Discount": "折扣",
    "Shipping": "运费",
    "Tax": "税费",
    "Captured": "已收款",
    "Refunded": "已退款",
    "Payments": "付款记录",
    "Refunds": "退款记录",
    "Provider": "支付渠道",
    "Amount": "金额",
    "Status": "状态",
    "Reason": "原因",
    "None yet.": "暂无。",
    "Shipment": "发货",
    "Carrier": "承运商",
    "Tracking number": "运单号",
    "Shipped": "发货时间",
    "Stock held": "库存占用",
    "Warehouse": "仓库",
    "Ship to": "收货地址",
    "Why it waits for approval": "需要审批的原因",
    "Actions": "操作",
    "Approve": "批准",
    "Reject": "拒绝",
    "Reason for rejecting": "拒绝原因",
    "Cancel order": "取消订单",
    "Reason for cancelling": "取消原因",
    "Start picking": "开始拣货",
    "Mark packed": "标记为已打包",
    "Mark delivered": "标记为已送达",
    "Ship": "发货",
    "You may look at this order but not change it.": "您可以查看此订单，但不能修改。",
    "Nothing can be done to this order now.": "此订单目前无可执行的操作。",
    "Done: %(what)s": "已完成：%(what)s",
    "approved": "已批准",
    "rejected": "已拒绝",
    "shipped": "已发货",
    "cancelled": "已取消",
    "advanced": "已推进",
    "viewer": "查看者",
    "operator": "操作员",
    "approver": "审批人",
    "admin": "管理员",
    **ZH_WAREHOUSE,
    **ZH_REORDER,
}
ZH.update(ZH_MORE)
ZH.update(ZH_CAMPAIGNS)
ZH.update(DASHBOARD_ZH)  # each page group keeps its words in its own module
ZH.update(ZH_SCORES)
CATALOGS: dict[str, dict[str, str]] = {"en": {}, "zh": ZH}


def translator(locale: str) -> Callable[..., str]:
    """``_("Order %(id)s", id=7)``: the locale's words with the values filled in (escaped later, by Jinja)."""
    catalog = CATALOGS.get(locale, {})

    def gettext(message: str, **values: object) -> str:
        text = catalog.get(message, message)
        return text % values if values else text

    return gettext


def locale_from_header(accept_language: str | None) -> str:
    """The sign-in page's language before we know who it is: the browser's preference, else English."""
    preferred = []
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().replace("-", "_")
        if tag:
            preferred.append(tag.split("_")[0].lower())
    return negotiate_locale(preferred, list(LOCALES)) or "en"
