"""Chinese for the console's stock, customer and support pages, the order timeline, refunds, bulk actions, saved
views and the second factor (issue 19); merged into ``i18n.ZH``."""

from __future__ import annotations

ZH_MORE: dict[str, str] = {
    # order states and channels in words
    "Awaiting payment": "待付款",
    "Paid": "已付款",
    "Awaiting approval": "待审批",
    "Approved": "已批准",
    "Picking": "拣货中",
    "Packed": "已打包",
    "Shipped": "已发货",
    "Delivered": "已送达",
    "Cancelled": "已取消",
    "Return requested": "已申请退货",
    "Returned": "已退货",
    "Partially refunded": "部分退款",
    "Refunded": "已退款",
    "Telegram": "Telegram",
    "Web chat": "网页聊天",
    "Slack": "Slack",
    "E-mail": "电子邮件",
    "Command line": "命令行",
    "API": "API",
    # the timeline
    "Timeline": "时间线",
    "by %(who)s": "操作人：%(who)s",
    "the shopper": "顾客",
    "the shop": "系统",
    "Order placed: %(total)s": "已下单：%(total)s",
    "Payment link sent": "已发送付款链接",
    "Paid %(total)s": "已付款 %(total)s",
    "Waits for approval: %(reasons)s": "等待审批：%(reasons)s",
    "%(old)s → %(new)s": "%(old)s → %(new)s",
    "Cancelled: %(reason)s": "已取消：%(reason)s",
    "Payment failed: %(reason)s": "付款失败：%(reason)s",
    "A payment attempt failed: %(reason)s": "一次付款尝试失败：%(reason)s",
    "Stock hold expired unpaid": "未付款，库存占用已过期",
    "Shipped with %(carrier)s, tracking %(tracking_number)s": "已由 %(carrier)s 发货，运单号 %(tracking_number)s",
    "Delivery problem: %(description)s": "配送问题：%(description)s",
    "Return requested: %(reason)s": "申请退货：%(reason)s",
    "Refund of %(amount)s asked: %(reason)s": "申请退款 %(amount)s：%(reason)s",
    "Refund of %(amount)s succeeded": "退款 %(amount)s 成功",
    "Refund of %(amount)s failed: %(reason)s": "退款 %(amount)s 失败：%(reason)s",
    "Refund of %(amount)s must be made by hand at %(provider)s": "退款 %(amount)s 需在 %(provider)s 手动完成",
    "Extra payment of %(amount)s received; it is refunded": "收到多余付款 %(amount)s，将退回",
    "Other payment sessions closed": "其他付款会话已关闭",
    "Automation %(rule)s messaged the shopper": "自动化规则 %(rule)s 已通知顾客",
    "Note: %(text)s": "备注：%(text)s",
    "Printed: %(document)s": "已打印：%(document)s",
    # refunds
    "Refund": "退款",
    "Reason for refunding": "退款原因",
    "Amount to refund (%(currency)s); empty refunds everything still refundable": (
        "退款金额（%(currency)s）；留空则退还全部可退金额"
    ),
    "refund succeeded": "退款成功",
    "refund asked; the provider has not answered yet": "已申请退款，支付渠道尚未回复",
    "refund failed; it can be retried": "退款失败，可重试",
    "refund must be made by hand at the provider": "退款需在支付渠道手动完成",
}
