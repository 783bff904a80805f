"""The console's "at risk, high value" list, the scores on a profile and the markdown suggestions: who sees them,
in English and Chinese, with shoppers' and imported text escaped; nothing on these pages changes anything."""

from __future__ import annotations

import re

from sqlalchemy import update

from domain.adapters import orm
from domain.adapters.scores_store import SqlScoreStore
from domain.scoring import CustomerScore
from tests.integration.campaigns.helpers import paid_order
from tests.integration.console.conftest import Console, StaffShop

HOSTILE = '<img src=x onerror="alert(1)"> & "Eve"'
ESCAPED = "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &#34;Eve&#34;"


def main(html: str) -> str:
    return html[html.index('<main id="main"') : html.index("</main>")]


async def scored(staffed: StaffShop) -> tuple[int, int, int]:
    small = staffed.small
    eve, bob, kim = (
        await small.customer("web-eve", HOSTILE),
        await small.customer("web-bob", "Bob"),
        await small.customer("web-kim", "Kim"),
    )
    now = small.shop.clock.now()
    await SqlScoreStore(small.shop.sessions).replace(
        [
            CustomerScore(eve, 0.82, 90000, "USD", "logistic", now),
            CustomerScore(bob, 0.95, 7000, "USD", "logistic", now),
            CustomerScore(kim, 0.10, 500000, "USD", "logistic", now),  # safe: not at risk
        ]
    )
    return eve, bob, kim


async def test_at_risk_high_value_customers_are_listed_sortable_escaped_and_in_chinese(
    console: Console, staffed: StaffShop
) -> None:
    eve, bob, kim = await scored(staffed)
    await console.sign_in("abe")
    _, listing = await console.get("/customers")
    assert 'href="/admin/customers/at-risk"' in listing
    status, html = await console.get("/customers/at-risk")
    assert status == 200, html
    body = main(html)
    assert HOSTILE not in html and ESCAPED in body
    rows = re.findall(r'href="/admin/customers/(\d+)">#', body)
    assert rows == [str(eve), str(bob)]  # by expected value; kim's risk is low
    assert "900.00 USD" in body and "82%" in body
    _, by_risk = await console.get("/customers/at-risk?sort=risk")
    assert re.findall(r'href="/admin/customers/(\d+)">#', main(by_risk)) == [str(bob), str(eve)]
    _, richer = await console.get("/customers/at-risk?value=100")
    assert re.findall(r'href="/admin/customers/(\d+)">#', main(richer)) == [str(eve)]
    assert "churn_risk" in main(richer) and "expected_value" in main(richer)  # the win-back segment to copy
    _, profile = await console.get(f"/customers/{eve}")
    assert "Churn risk</dt><dd>82%" in profile and "900.00 USD" in profile
    status, _ = await console.get("/customers/at-risk?value=lots")
    assert status == 409  # a ValidationFailed, said on the page
    await console.sign_in("otto")  # reads the console in Chinese
    _, zh = await console.get("/customers/at-risk")
    assert "高价值流失风险客户" in zh and "流失风险" in zh and ESCAPED in zh
    _ = kim


async def test_a_viewer_sees_no_scores_and_is_refused_the_at_risk_list(console: Console, staffed: StaffShop) -> None:
    eve, _, _ = await scored(staffed)
    await console.sign_in("viv")
    _, listing = await console.get("/customers")
    assert "/customers/at-risk" not in listing
    status, _ = await console.get("/customers/at-risk")
    assert status == 403
    _, profile = await console.get(f"/customers/{eve}")
    assert "Churn risk" not in profile and "900.00 USD" not in profile


async def test_markdowns_suggest_the_slow_movers_with_reasons_and_leave_the_fast_seller_alone(
    console: Console, staffed: StaffShop
) -> None:
    small = staffed.small
    async with small.shop.sessions() as session, session.begin():
        await session.execute(
            update(orm.products).where(orm.products.c.name == "Hearth Ceramic Mug").values(name=HOSTILE)
        )
    buyer = await small.customer("web-buyer", "Buyer")
    await paid_order(small, buyer, "MUG-WHT", 2)  # 2 of 50 in 28 days: about 670 days of cover
    await paid_order(small, buyer, "SHOE-RED-42", 5)  # 5 of 8: sells through
    await console.sign_in("viv")  # anyone may look; there is nothing to press
    status, html = await console.get("/stock/markdowns")
    assert status == 200, html
    body = main(html)
    skus = re.findall(r'href="/admin/stock/([A-Z0-9-]+)"', body)
    assert skus == ["SHOE-BLU-42", "MUG-WHT"]  # no sales at all first, then the most cover
    assert HOSTILE not in html and ESCAPED in body
    assert "No sales in the last 28 days with 2 available" in body
    assert "days of cover against a target of 90" in body and "Sell-through 4% in 28 days, below 30%" in body
    assert "<button" not in body and 'method="post"' not in body
    _, stock = await console.get("/stock")
    assert 'href="/admin/stock/markdowns"' in stock
    await console.sign_in("otto")
    _, zh = await console.get("/stock/markdowns")
    assert "降价建议" in zh and "低于 30%" in zh
