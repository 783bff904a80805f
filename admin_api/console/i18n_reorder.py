"""The Chinese of the reorder suggestions page and the forecast on the dashboard (issue 20); joined in ``i18n``."""

from __future__ import annotations

ZH_REORDER: dict[str, str] = {
    "Reorder suggestions": "补货建议",
    "Draft purchase orders created:": "已创建采购单草稿：",
    "No purchase order was needed.": "无需创建采购单。",
    "%(n)s SKUs without a supplier were skipped.": "%(n)s 个没有供应商的 SKU 已跳过。",
    "No forecast yet: run `chatshop forecast run` (it also runs every night).": (
        "尚无预测：请运行 `chatshop forecast run`（每晚也会自动运行）。"
    ),
    "Nothing to order: every SKU has enough stock for its lead time.": "无需补货：每个 SKU 的库存都足以覆盖交货周期。",
    "%(n)s SKU × warehouse need ordering; %(covered)s have enough cover.": (
        "%(n)s 个 SKU × 仓库需要补货；%(covered)s 个库存充足。"
    ),
    "No supplier, so listed but not ordered:": "没有供应商，仅列出不下单：",
    "Days of cover": "可售天数",
    "Reorder point": "再订货点",
    "Suggested": "建议数量",
    "Why": "原因",
    "Order": "订购",
    "none: skipped": "无：已跳过",
    "Create draft purchase orders": "创建采购单草稿",
    "Suggestions": "补货建议",
    "Forecast": "预测",
    "Forecast, 80% band": "预测，80% 区间",
    "Forecast for the next 28 days (expected revenue at today's prices; the band holds 80% of outcomes)": (
        "未来 28 天的预测（按当前价格计算的预期收入；区间覆盖 80% 的结果）"
    ),
}
