"""The Chinese of the console's campaign pages; joined to the console's catalog in ``i18n``. Campaign states,
the action buttons and the "done" notices are listed too: templates translate them by value."""

from __future__ import annotations

ZH_CAMPAIGNS: dict[str, str] = {
    "As soon as it is approved": "批准后立即发送",
    "At (UTC)": "定时（UTC）",
    "At most this many messages per person": "每人最多收到的消息数",
    "Automation": "自动化",
    "Back to campaigns": "返回营销活动列表",
    "Campaign": "营销活动",
    "Campaign actions": "营销活动操作",
    "Channels": "渠道",
    "Chinese": "中文",
    "Clicks": "点击",
    "Coupon": "优惠码",
    "Done: %(what)s.": "完成：%(what)s。",
    "Edit draft": "编辑草稿",
    "English": "英文",
    "Failed": "失败",
    "Fields: channel, locale, country, tag, consent, first_order, last_order, order_count, lifetime_value, "
    'bought_category, bought_product, cart_abandoned_hours, inactive_days; combine with "all", "any", "not".': (
        "字段：channel、locale、country、tag、consent、first_order、last_order、order_count、lifetime_value、"
        'bought_category、bought_product、cart_abandoned_hours、inactive_days；用 "all"、"any"、"not" 组合。'
    ),
    "Filter campaigns": "筛选营销活动",
    "Image URL": "图片网址",
    "Message in %(language)s": "%(language)s消息",
    "New campaign": "新建营销活动",
    "No campaigns match.": "没有符合条件的营销活动。",
    "Opted out": "已退订",
    "Preview": "预览",
    "Product buttons (SKUs, comma-separated, at most 3)": "商品按钮（SKU，用逗号分隔，最多 3 个）",
    "Quiet hours": "免打扰时段",
    "Reaches %(reachable)s of %(matching)s matching customers": (
        "可触达 %(reachable)s 位客户（共 %(matching)s 位符合条件）"
    ),
    "Repeats (cron, UTC)": "重复（cron，UTC）",
    "Report": "报告",
    "Schedule": "发送时间",
    "Segment": "人群",
    "Segment rule (JSON)": "人群规则（JSON）",
    "Send me a test": "给我发送测试消息",
    "Sent / total": "已发送 / 总数",
    "Text (**bold**, *italic*, [link](https://…))": "文字（**粗体**、*斜体*、[链接](https://…)）",
    "Written by %(name)s": "由 %(name)s 撰写",
    "Your Telegram chat id, web chat id or e-mail address": "你的 Telegram 聊天 ID、网页聊天 ID 或电子邮件地址",
    "approved by %(name)s": "由 %(name)s 批准",
    "in days": "天内",
    "next": "下次",
    "submitted by %(name)s": "由 %(name)s 提交",
    # states, buttons and notices, translated by value
    "awaiting_approval": "待批准",
    "sending": "发送中",
    "paused": "已暂停",
    "finished": "已完成",
    "Submit": "提交审批",
    "Pause": "暂停",
    "Resume": "恢复",
    "Cancel": "取消",
    "Saved": "已保存",
    "Test message sent": "测试消息已发送",
    "Submitted for approval": "已提交审批",
    "Approved": "已批准",
    "Paused": "已暂停",
    "Resumed": "已恢复",
    "Cancelled": "已取消",
}
