"""The dashboard's words in Chinese (merged into the console's catalog by ``i18n``)."""

from __future__ import annotations

DASHBOARD_ZH: dict[str, str] = {
    "Dashboard": "数据看板",
    "Today": "今天",
    "Last %(days)s days": "最近 %(days)s 天",
    "Revenue": "销售额",
    "Net revenue": "净销售额",
    "Average order value": "客单价",
    "New customers": "新顾客",
    "Orders from returning customers": "老顾客订单",
    "vs previous period": "较上一周期",
    "Sales trend": "销售趋势",
    "Top products by revenue": "销售额最高的商品",
    "Top products by units": "销量最高的商品",
    "Top categories": "热门品类",
    "Sales by country": "各国家/地区销售",
    "Sales by channel": "各渠道销售",
    "Funnel (customers per day, summed)": "转化漏斗（每日顾客数之和）",
    "Step conversion": "步骤转化率",
    "Campaigns": "营销活动",
    "Messages sent": "已发消息",
    "Revenue per 1,000 messages": "每千条消息销售额",
    "Cohort retention (customers buying again, by month of first order)": "同期群留存（按首单月份，再次购买的顾客）",
    "First order": "首单月份",
    "Months later": "之后月数",
    "Download CSV": "下载 CSV",
    "Units": "件数",
    "No sales in this period.": "此期间没有销售。",
    "Period": "周期",
}
