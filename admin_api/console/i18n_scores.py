"""The Chinese of the customer scores ("at risk, high value") and the markdown suggestions (issue 20); joined to
the console's catalog in ``i18n``. The markdown reasons come from ``domain.markdowns`` as English message ids."""

from __future__ import annotations

ZH_SCORES: dict[str, str] = {
    "At risk, high value": "高价值流失风险客户",
    "Customers likely to buy nothing in the next 90 days who are expected to be worth the most over the next year. "
    "Scores are refreshed nightly; customers who never paid for an order have none.": (
        "未来 90 天内很可能不再购买、且预计未来一年价值最高的客户。评分每晚更新；从未付款下单的客户没有评分。"
    ),
    "Filter at-risk customers": "筛选流失风险客户",
    "Churn risk above (%)": "流失风险高于（%）",
    "Expected value at least (%(currency)s)": "预期价值至少（%(currency)s）",
    "Show": "显示",
    "Churn risk": "流失风险",
    "Expected value (12 months)": "预期价值（12 个月）",
    "Model": "模型",
    "Scored": "评分时间",
    "No scored customer matches.": "没有符合条件的已评分客户。",
    "Win them back": "赢回他们",
    "A campaign with this segment reaches the same customers (see docs/campaigns.md):": (
        "使用以下分群规则的营销活动会触达同一批客户（见 docs/campaigns.md）："
    ),
    "Not scored": "未评分",
    "Markdown suggestions": "降价建议",
    "Back to stock": "返回库存",
    "SKUs with days of cover at least twice the target of %(target)s days and a 28-day sell-through below "
    "%(limit)s%%. Suggestions only: prices change only when someone edits them in the catalog.": (
        "库存可售天数至少为目标 %(target)s 天的两倍、且 28 天售罄率低于 %(limit)s%% 的 SKU。"
        "仅为建议：只有在商品目录中编辑价格后价格才会改变。"
    ),
    "Units a day": "日均销量",
    "Days of cover": "可售天数",
    "Suggested markdown": "建议降价",
    "Price after": "降价后价格",
    "Units freed (%(days)s days)": "预计多售出件数（%(days)s 天）",
    "Why": "原因",
    "No SKU is overstocked or slow enough to suggest a markdown.": "没有库存积压或滞销到需要降价的 SKU。",
    "No sales in the last %(days)s days with %(units)s available": "最近 %(days)s 天无销售，可售 %(units)s 件",
    "%(cover)s days of cover against a target of %(target)s (%(times)s×)": (
        "可售 %(cover)s 天，目标 %(target)s 天（%(times)s 倍）"
    ),
    "Sell-through %(rate)s%% in %(days)s days, below %(limit)s%%": (
        "售罄率 %(rate)s%%（%(days)s 天），低于 %(limit)s%%"
    ),
    "%(depth)s%% off lifts demand %(lift)s× at elasticity %(elasticity)s": (
        "降价 %(depth)s%% 使需求提升至 %(lift)s 倍（弹性 %(elasticity)s）"
    ),
}
