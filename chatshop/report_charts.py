"""Draw the Slack reports (figures and charts) from a shop's database into a folder; docs/reports/ is made so:

    export CHATSHOP_DATABASE_URL=sqlite+aiosqlite:////tmp/demo/shop.db
    chatshop db upgrade && chatshop seed --demo
    python -m chatshop.report_charts docs/reports

Each report becomes ``<slug>.png`` (the chart as Slack receives it) and its figures go to ``README.md``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bots.ops import reports
from bots.ops.charts import render_png
from chatshop.bootstrap import build_shop
from chatshop.settings import get_settings

REPORTS = (
    ("sales", "today"),
    ("sales", "7d"),
    ("sales", "30d"),
    ("sales", "90d"),
    ("top-products", "30d"),
    ("funnel", "30d"),
)

ABOUT = (
    "What `/report` posts in Slack: the figures below and the chart, in one message. Made with "
    "`python -m chatshop.report_charts docs/reports` against a shop seeded with `chatshop seed --demo`. "
    "The demo's history is 18 months long, with weekend peaks, a November/December peak, promo weeks and "
    "customers who arrive, reorder and lapse (README, Demo data).",
    "",
    "Against Shopify's analytics overview: total sales, orders, average order value, orders from returning "
    "customers, conversion, sales by channel and top products (by revenue) are here, read from the same rollups "
    "as the /admin dashboard; money and orders compared with the same stretch of time one period earlier, the "
    "rates with the whole previous period. Not here yet: sessions (we count customers who wrote, not visits), sales by "
    "traffic source, location or device, a gross sales / discounts / returns / shipping / taxes breakdown, "
    "and first-time vs returning customers over time.",
)


async def draw() -> tuple[str, dict[str, bytes]]:
    """The figures as Markdown and each chart's PNG by file name."""
    shop = build_shop(get_settings())
    try:
        now = shop.clock.now()
        text = [f"# Slack reports from the demo shop, {now:%Y-%m-%d %H:%M} UTC", "", *ABOUT, ""]
        pngs: dict[str, bytes] = {}
        for kind, period in REPORTS:
            report = await reports.build(shop.views.reports, kind, period, now)
            text += [f"## `/report {kind} {period}`: {report.title}", ""]
            text += [f"- **{f.label}**: {f.value}" + (f" ({f.detail})" if f.detail else "") for f in report.figures]
            text += [f"- {line}" for line in report.lines]
            text += ["", f"_{report.note}_", ""]
            for i, chart in enumerate(report.charts, 1):
                name = f"{report.slug}.png" if len(report.charts) == 1 else f"{report.slug}-{i}.png"
                pngs[name] = await asyncio.to_thread(render_png, chart)
                text += [f"![{chart.title}]({name})", ""]
        return "\n".join(text), pngs
    finally:
        await shop.close()


def main(folder: Path) -> None:
    text, pngs = asyncio.run(draw())
    folder.mkdir(parents=True, exist_ok=True)
    for name, png in pngs.items():
        (folder / name).write_bytes(png)
    (folder / "README.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/reports"))
