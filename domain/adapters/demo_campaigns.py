"""The demo history's broadcast campaigns (``chatshop seed --demo``): about one a month, each with its
segment, its deliveries, a few clicks and opt-outs, the orders it brought (a lift in the days after the
send) and the orders credited to it by the domain's rule — so the dashboard's campaign panel and Slack's
``/campaign`` have something true to show after ``make run``.

Plain Python over the history's customers (indices, not ids): ``demo_history`` calls ``plan_broadcasts``,
``simulate`` and ``attribute`` and writes the rows with the rest of the history, in the same transaction.
Everything follows its own generator seeded from the demo's seed, so the same seed gives the same campaigns.

What a broadcast reaches is decided as the live campaign would: customers who exist at the send, consented
to marketing (and did not opt out of an earlier campaign), matching the segment on what they ordered before
the send, one message each on their channel. Orders are credited as ``attribute_order`` credits them
(domain/service_layer/handlers/campaign_automations.py): the customer's last touch (a sent delivery or a
click) at or before the order, if it lies within that campaign's attribution window.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from domain.adapters.campaigns_repository import campaign_values
from domain.model.campaigns import Campaign, CampaignStatus, Content, DeliveryState, ScheduleKind

if TYPE_CHECKING:
    from domain.adapters.demo_history import DemoPlan

CHANNELS = ("telegram", "webchat")  # the demo's customers each have one of these
AUTHOR, APPROVER = "Marketing", "Shop Owner"  # four eyes: written and submitted by one, approved by another
SEND_HOUR = 10  # UTC: outside quiet hours in UTC and in Asia/Shanghai (18:00)
FAILED = 0.04  # deliveries a channel refused for good
OPT_OUT = 0.012  # recipients who press Unsubscribe
LAPSED_DAYS = 90  # the win-back segment: no order for this long
ERRORS = {
    "telegram": ("Telegram: Bad Request: chat not found", "Telegram: timed out"),
    "webchat": ("web chat: no open connection and no mailbox", "web chat: timed out"),
}


@dataclass(frozen=True)
class Broadcast:
    """One planned campaign: what it says, to whom, when, and how people answer it."""

    name: str
    kind: str  # sale | new_arrivals | win_back | holiday
    send_at: datetime
    segment: dict[str, Any]
    text_en: str
    text_zh: str
    coupon: str | None
    attribution_days: int
    clicks: float  # share of delivered messages clicked
    lift: float  # share of delivered messages that bring an order in the window

    def matches(self, order_days: Sequence[int], send_day: int) -> bool:
        """The segment, on the orders placed before the send (day numbers from the history's start)."""
        before = [d for d in order_days if d < send_day]
        if self.kind == "new_arrivals":
            return len(before) >= 1
        if self.kind == "win_back":
            return len(before) >= 1 and send_day - max(before) >= LAPSED_DAYS
        return True


@dataclass(frozen=True)
class Person:
    """What a campaign needs to know of one of the history's customers."""

    created_at: datetime
    channel: str
    address: str
    locale: str
    timezone: str
    opted_in: bool
    order_days: tuple[int, ...]


@dataclass
class CampaignHistory:
    """Rows to write, by index: ``campaign`` into the broadcasts, ``customer`` into the people."""

    broadcasts: list[Broadcast]
    featured: list[list[tuple[str, int]]]  # per broadcast: (sku, product id) of up to 3 featured products
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    clicks: list[tuple[int, int, datetime]] = field(default_factory=list)  # campaign, customer, when
    opt_outs: list[tuple[int, int, datetime]] = field(default_factory=list)
    lift: list[tuple[int, datetime]] = field(default_factory=list)  # customer, when the extra order is placed

    def touches(self) -> dict[int, list[tuple[datetime, int]]]:
        """Per customer, every touch (sent delivery or click) as (when, campaign), in time order."""
        by_customer: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
        for row in self.deliveries:
            if row["state"] == DeliveryState.SENT.value:
                by_customer[row["customer"]].append((row["sent_at"], row["campaign"]))
        for k, i, at in self.clicks:
            by_customer[i].append((at, k))
        for touches in by_customer.values():
            touches.sort()
        return by_customer


_TEXTS = {
    "sale": (
        "The {name} is on: 20% off orders over 50.00 with code {coupon}, this week only.",
        "{name_zh}开始啦：订单满 50.00 立减 20%，优惠码 {coupon}，仅限本周。",
    ),
    "new_arrivals": (
        "New in this month: a few things we think you'll like. Have a look before they're gone.",
        "本月新品上架：挑了几件你可能喜欢的，先睹为快。",
    ),
    "win_back": (
        "It's been a while! Here's what's new since your last order — we'd love to see you back.",
        "好久不见！看看你上次下单后的新品吧，期待你回来。",
    ),
    "holiday": (
        "Our holiday gift guide is here: presents for everyone on your list, delivered in time.",
        "节日礼物指南来了：为你清单上的每个人挑好礼，准时送达。",
    ),
}
_SALES_ZH = {"spring sale": "春季大促", "summer sale": "夏季大促", "black friday week": "黑色星期五周"}


def plan_broadcasts(plan: DemoPlan, now: datetime, promo_code: str, seed: int) -> list[Broadcast]:
    """About one campaign a month from the history's second month: the promo weeks' sale (sent on the first
    day of the promo, with its coupon), December's gift guide, and otherwise new arrivals and win-backs in
    turn. Each is sent at least two days before now, so its window has orders in it."""
    rng = random.Random(f"{seed}-campaign-plan")
    sales = {(first.year, first.month): (first, name) for first, _last, name in plan.promos}
    out: list[Broadcast] = []
    year, month = plan.start.year, plan.start.month
    routine = 0
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        if (year, month) > (plan.end.year, plan.end.month):
            break
        if (year, month) in sales:
            day, promo = sales[(year, month)]
            kind = "sale"
        elif month == 12:
            day, kind = date(year, month, rng.randint(1, 6)), "holiday"
        else:
            kind = ("new_arrivals", "win_back")[routine % 2]
            routine += 1
            day = date(year, month, rng.randint(3, 26))
        send_at = datetime.combine(day, time(SEND_HOUR), tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 50))
        if send_at > now - timedelta(days=2):
            latest = (now - timedelta(days=2)).date()
            if latest.month != month or latest.year != year:
                continue
            send_at = datetime.combine(latest, time(SEND_HOUR), tzinfo=UTC)
            if send_at < datetime.combine(plan.start, time.min, tzinfo=UTC):
                continue
        en, zh = _TEXTS[kind]
        label = promo if kind == "sale" else kind.replace("_", "-")
        segment: dict[str, Any]
        if kind == "new_arrivals":
            segment = {"all": [{"field": "order_count", "op": "gte", "value": 1}]}
        elif kind == "win_back":
            segment = {
                "all": [
                    {"field": "order_count", "op": "gte", "value": 1},
                    {"field": "inactive_days", "op": "gte", "value": LAPSED_DAYS},
                ]
            }
        else:
            segment = {"all": [{"field": "consent", "op": "is", "value": True}]}
        out.append(
            Broadcast(
                name=f"{year}-{month:02d}-{label.replace(' ', '-')}",
                kind=kind,
                send_at=send_at,
                segment=segment,
                text_en=en.format(name=label, coupon=promo_code),
                text_zh=zh.format(name_zh=_SALES_ZH.get(label, label), coupon=promo_code),
                coupon=promo_code if kind == "sale" else None,
                attribution_days=14 if kind == "win_back" else 7,
                clicks={"sale": 0.12, "holiday": 0.09, "new_arrivals": 0.07, "win_back": 0.05}[kind],
                lift={"sale": 0.10, "holiday": 0.07, "new_arrivals": 0.05, "win_back": 0.10}[kind],
            )
        )
    return out


def choose_featured(
    broadcasts: Sequence[Broadcast], plan: DemoPlan, variants: Sequence[Any], seed: int
) -> list[list[tuple[str, int]]]:
    """Up to three products per campaign, one SKU each, on sale on the send day: new arrivals feature what
    launched in the 60 days before (when anything did), the rest any products on sale."""
    rng = random.Random(f"{seed}-campaign-featured")
    out: list[list[tuple[str, int]]] = []
    for b in broadcasts:
        day = b.send_at.date()
        on_sale = [v for v in variants if plan.on_sale(v.product_id, v.id, day)]
        first_sku: dict[int, tuple[str, int]] = {}
        for v in on_sale:
            first_sku.setdefault(int(v.product_id), (str(v.sku), int(v.product_id)))
        products = sorted(first_sku)
        if b.kind == "new_arrivals":
            fresh = [p for p in products if p in plan.launches and day - timedelta(days=60) <= plan.launches[p] <= day]
            products = fresh or products
        chosen = sorted(rng.sample(products, min(3, len(products))))
        out.append([first_sku[p] for p in chosen])
    return out


def simulate(
    broadcasts: list[Broadcast],
    featured: list[list[tuple[str, int]]],
    people: Sequence[Person],
    start: date,
    now: datetime,
    seed: int,
) -> CampaignHistory:
    """Each campaign in send order: its recipients, each message sent or failed (about two a second), and
    what the people who got it did: a click, an Unsubscribe (no later campaign reaches them), an order in
    the campaign's window (the lift; it counts as an order before the next campaign's segment is read)."""
    rng = random.Random(f"{seed}-campaigns")
    history = CampaignHistory(broadcasts, featured)
    opted_out: set[int] = set()
    extra: dict[int, list[int]] = defaultdict(list)  # lift orders so far, as day numbers
    latest = now - timedelta(hours=1)
    for k, b in enumerate(broadcasts):
        send_day = (b.send_at.date() - start).days
        window = timedelta(days=b.attribution_days)
        n = 0
        for i, p in enumerate(people):
            if not p.opted_in or i in opted_out or p.created_at >= b.send_at:
                continue
            if not b.matches((*p.order_days, *extra[i]), send_day):
                continue
            at = b.send_at + timedelta(seconds=n * 0.5 + rng.uniform(0, 0.5))
            n += 1
            failed = rng.random() < FAILED
            history.deliveries.append(
                {
                    "campaign": k,
                    "customer": i,
                    "channel": p.channel,
                    "address": p.address,
                    "locale": p.locale,
                    "timezone": p.timezone,
                    "state": (DeliveryState.FAILED if failed else DeliveryState.SENT).value,
                    "attempts": 1,
                    "not_before": b.send_at,
                    "claimed_by": None,
                    "lease_until": None,
                    "created_at": b.send_at - timedelta(minutes=1),
                    "updated_at": at,
                    "sent_at": None if failed else at,
                    "error": rng.choice(ERRORS[p.channel]) if failed else None,
                    "coupon_code": None,
                }
            )
            if failed:
                continue
            if rng.random() < OPT_OUT:
                history.opt_outs.append((k, i, min(latest, at + timedelta(minutes=rng.uniform(1, 240)))))
                opted_out.add(i)
                continue
            if rng.random() < b.clicks:
                history.clicks.append((k, i, min(latest, at + timedelta(minutes=rng.expovariate(1 / 120)))))
            bought = any(d < send_day for d in (*p.order_days, *extra[i]))
            if rng.random() < b.lift * (1.0 if bought else 0.2):
                placed = at + timedelta(hours=rng.expovariate(1 / 36))
                if placed - at <= window and placed < latest:
                    history.lift.append((i, placed))
                    extra[i].append((placed.date() - start).days)
    return history


def attribute(
    orders: Sequence[tuple[int, datetime]],
    touches: dict[int, list[tuple[datetime, int]]],
    broadcasts: Sequence[Broadcast],
) -> list[int | None]:
    """Per order (customer, placed at): the campaign credited with it, as ``attribute_order`` decides —
    the last touch at or before the order, if within that campaign's attribution window."""
    out: list[int | None] = []
    for i, placed in orders:
        mine = touches.get(i, [])
        n = bisect_right(mine, (placed, len(broadcasts)))
        if n == 0:
            out.append(None)
            continue
        at, k = mine[n - 1]
        out.append(k if placed - at <= timedelta(days=broadcasts[k].attribution_days) else None)
    return out


def campaign_rows(history: CampaignHistory) -> list[dict[str, Any]]:
    """The campaigns as the repository writes them: finished broadcasts, approved by the owner."""
    last_sent: dict[int, datetime] = {}
    for row in history.deliveries:
        last_sent[row["campaign"]] = max(last_sent.get(row["campaign"], row["updated_at"]), row["updated_at"])
    rows = []
    for k, (b, featured) in enumerate(zip(history.broadcasts, history.featured, strict=True)):
        skus = tuple(sku for sku, _ in featured)
        campaign = Campaign(
            b.name,
            {
                "en": Content(b.text_en, skus=skus, coupon=b.coupon),
                "zh": Content(b.text_zh, skus=skus, coupon=b.coupon),
            },
            CHANNELS,
            b.segment,
            AUTHOR,
            b.send_at - timedelta(days=3),
            schedule=ScheduleKind.AT,
            send_at=b.send_at,
            attribution_days=b.attribution_days,
            status=CampaignStatus.FINISHED,
            approved_by=APPROVER,
            submitted_by=AUTHOR,
            run=1,
        )
        rows.append(campaign_values(campaign, last_sent.get(k, b.send_at)))
    return rows
