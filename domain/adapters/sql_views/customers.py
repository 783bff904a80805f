"""Customer views: a profile, its export (what we hold about them), a campaign's audience."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, literal, or_, select

from domain.adapters import orm
from domain.adapters.campaigns_repository import SqlCampaignRepository
from domain.adapters.campaigns_segments import cu, matching_customers, reachable_on
from domain.adapters.sql_views.base import Ord
from domain.adapters.sql_views.cart import SqlCartViews
from domain.adapters.sql_views.orders import SqlOrderViews
from domain.views.campaigns import AudienceSlice, CampaignAudience, SampleRecipient
from domain.views.models import CustomerProfile


class SqlCustomerViews(SqlOrderViews, SqlCartViews):
    """Customers; the export gathers their orders and cart too."""

    async def customer(self, customer_id: int) -> CustomerProfile | None:
        rows = await self._rows(select(orm.customers).where(orm.customers.c.id == customer_id))
        if not rows:
            return None
        c = rows[0]
        Ident = orm.channel_identities.c
        identities = await self._rows(select(Ident.channel, Ident.external_id).where(Ident.customer_id == customer_id))
        stats = await self._rows(
            select(
                func.count(), func.coalesce(func.sum(Ord.captured - Ord.refunded), 0), func.max(Ord.placed_at)
            ).where(Ord.customer_id == customer_id, Ord.paid_at.is_not(None))
        )
        n, ltv, last = stats[0]
        return CustomerProfile(
            c.id,
            c.name,
            c.locale,
            c.country,
            c.email,
            c.timezone,
            tuple(c.tags or ()),
            tuple((r[0], r[1]) for r in identities),
            bool(c.marketing_opt_in),
            int(n),
            int(ltv),
            last,
            c.anonymised_at is not None,
            tuple(c.unreachable_channels or ()),
            tuple({str(k): str(v) for k, v in a.items()} for a in (c.addresses or ()) if isinstance(a, dict)),
            c.created_at,
        )

    async def customer_export(self, customer_id: int) -> dict[str, Any]:
        """Everything we hold about a customer (the data-subject access request)."""
        await self._analytics_written()  # before the first read: SQLite reads from one snapshot
        profile = await self.customer(customer_id)
        if profile is None:
            return {}
        raw = (await self._rows(select(orm.customers).where(orm.customers.c.id == customer_id)))[0]
        consent = await self._rows(
            select(orm.consent_entries)
            .where(orm.consent_entries.c.customer_id == customer_id)
            .order_by(orm.consent_entries.c.id)
        )
        orders = [await self.order(o.id) for o in await self.orders_of(customer_id, limit=10_000)]
        cart = await self.cart(customer_id)
        A = orm.analytics_events.c
        activity = await self._rows(
            select(A.name, A.occurred_at, A.channel, A.product_id, A.order_id)
            .where(A.customer_id == customer_id)
            .order_by(A.occurred_at)
        )

        def iso(value: Any) -> Any:
            return value.isoformat() if isinstance(value, datetime | date) else value

        return {
            "customer": {k: iso(v) for k, v in raw._mapping.items()},
            "identities": [{"channel": ch, "id": ext} for ch, ext in profile.identities],
            "consent": [
                {"purpose": r.purpose, "granted": r.granted, "source": r.source, "at": iso(r.created_at)}
                for r in consent
            ],
            "orders": [
                {k: iso(v) for k, v in o.__dict__.items() if k != "lines"}
                | {"lines": [line.__dict__ for line in o.lines]}
                for o in orders
                if o
            ],
            "cart": [{"sku": line.sku, "quantity": line.quantity} for line in cart.lines],
            "activity": [
                {"event": r[0], "at": iso(r[1]), "channel": r[2], "product_id": r[3], "order_id": r[4]}
                for r in activity
            ],
        }

    # --- campaigns ---------------------------------------------------------------------------------
    async def campaign_audience(self, name_or_id: str | int, sample: int = 5) -> CampaignAudience | None:
        now = self.clock.now()
        async with self._session() as session:
            repo = SqlCampaignRepository(session)
            campaign = await repo.get(name_or_id)
            if campaign is None:
                return None
            counts = await repo.count(campaign, now)  # the segment's own count, as the sender's
            dialect = repo.dialect
            # One message each, on the first of the campaign's channels that reaches them (as the sender's
            # ``recipients`` chooses), grouped in SQL: listing every recipient took 16 s for 20,000 on SQLite, this
            # 0.08 s (0.4 s on PostgreSQL once its statistics are current; measured).
            reach = [reachable_on(ch, dialect) for ch in campaign.channels]
            first = case(*((r, literal(ch)) for r, ch in zip(reach, campaign.channels, strict=True)), else_=None)
            audience = (
                select(cu.id, cu.name, first.label("channel"), func.coalesce(cu.locale, "en").label("locale"))
                .where(
                    cu.id.in_(matching_customers(campaign.rule, now, dialect)),
                    cu.marketing_opt_in.is_(True),
                    or_(*reach),
                )
                .subquery()
            )
            a = audience.c
            grouped = select(a.channel, a.locale, func.count()).group_by(a.channel, a.locale)
            slices = (await session.execute(grouped)).all()
            chosen = (await session.execute(select(audience).order_by(a.id).limit(max(0, sample)))).all()
        channels = list(campaign.channels)

        def order(row: Any) -> tuple[int, int, str]:  # most first; ties in the campaign's channel order
            return -int(row[2]), channels.index(row[0]) if row[0] in channels else len(channels), str(row[1])

        return CampaignAudience(
            campaign,
            counts["matching"],
            counts["reachable"],
            tuple(AudienceSlice(str(ch), str(loc), int(n)) for ch, loc, n in sorted(slices, key=order)),
            tuple(SampleRecipient(int(r.id), str(r.name or ""), str(r.channel), str(r.locale)) for r in chosen),
        )
