"""Shared set-up for campaign tests: a shop with campaigns enabled, bulk customers, paid orders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert

from chatshop.bootstrap import Shop
from domain import commands as c
from domain.adapters import orm
from domain.adapters.campaigns_delivery import SqlDeliveryStore
from domain.model.staff import Actor, Role
from tests.support.shopdata import SmallShop

MARKETER = Actor.staff("mia", Role.OPERATOR)
APPROVER = Actor.staff("abe", Role.APPROVER)
VIEWER = Actor.staff("vic", Role.VIEWER)


@dataclass(frozen=True)
class Person:
    telegram: int | None = None
    email: str | None = None
    webchat: str | None = None
    opted_in: bool = True
    locale: str = "en"
    country: str | None = "US"
    timezone: str = "UTC"
    tags: tuple[str, ...] = ()
    unreachable: tuple[str, ...] = ()


async def add_people(shop: Shop, people: Iterable[Person], now: datetime) -> list[int]:
    """Bulk insert (thousands in a second); returns the customer ids in order."""
    people = list(people)
    ids: list[int] = []
    async with shop.sessions() as session, session.begin():
        for chunk_start in range(0, len(people), 500):
            chunk = people[chunk_start : chunk_start + 500]
            rows = [
                {
                    "name": f"P{chunk_start + i}",
                    "locale": p.locale,
                    "country": p.country,
                    "email": p.email,
                    "timezone": p.timezone,
                    "tags": list(p.tags),
                    "notes": "",
                    "addresses": [],
                    "marketing_opt_in": p.opted_in,
                    "unreachable_channels": list(p.unreachable),
                    "created_at": now,
                }
                for i, p in enumerate(chunk)
            ]
            result = await session.execute(insert(orm.customers).returning(orm.customers.c.id), rows)
            chunk_ids = [int(x) for x in result.scalars().all()]
            ids += chunk_ids
            identities = []
            for cid, p in zip(chunk_ids, chunk, strict=True):
                if p.telegram is not None:
                    identities.append({"customer_id": cid, "channel": "telegram", "external_id": str(p.telegram)})
                if p.webchat is not None:
                    identities.append({"customer_id": cid, "channel": "webchat", "external_id": p.webchat})
            if identities:
                await session.execute(insert(orm.channel_identities), [i | {"created_at": now} for i in identities])
    return ids


async def paid_order(small: SmallShop, customer_id: int, sku: str = "SHOE-RED-42", quantity: int = 1) -> int:
    order_id = await small.checkout(customer_id, sku, quantity)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    order = await small.shop.views.order(order_id)
    assert order is not None
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, order.currency))
    return order_id


def campaign(name: str = "spring", **kw: object) -> c.CreateCampaign:
    fields: dict[str, object] = {
        "name": name,
        "contents": {"en": {"text": "Spring sale: 20% off shoes"}, "zh": {"text": "春季促销"}},
        "channels": ("telegram",),
        "segment": {"all": [{"field": "consent", "op": "is", "value": True}]},
        "actor": MARKETER,
    }
    fields.update(kw)
    return c.CreateCampaign(**fields)  # type: ignore[arg-type]


async def add_staff(shop: Shop) -> None:
    """mia (operator), abe (approver) and vic (viewer) as staff members, for the CLI's ``--as``."""
    for actor in (MARKETER, APPROVER, VIEWER):
        assert actor.role is not None
        await shop.bus.handle(c.AddStaff(actor.name, actor.role, None, actor=c.SYSTEM))


async def approved(shop: Shop, command: c.CreateCampaign) -> int:
    campaign_id = int(await shop.bus.handle(command))
    await shop.bus.handle(c.SubmitCampaign(command.name, actor=MARKETER))
    await shop.bus.handle(c.ApproveCampaign(command.name, actor=APPROVER))
    return campaign_id


def store(shop: Shop, worker: str = "test-worker") -> SqlDeliveryStore:
    return SqlDeliveryStore(shop.sessions, shop.clock, worker)
