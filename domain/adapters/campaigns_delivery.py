"""The delivery ledger's hot path: claim due deliveries, record each attempt before the call, book the result.

Never duplicate: a delivery moves queued -> sending in the claiming transaction, *before* any external
call, and only the worker holding the lease may book its result. A worker that dies mid-call leaves the
row in ``sending``; once its lease is over it becomes ``unknown`` (counted and shown, never resent
blindly). So after a crash at most the rows that worker had in flight are unknown.
Never lose: every recipient has a row from the start of the run (queued), and every row ends in a
final state; a 429 puts the row back in the queue with ``not_before`` set.

Claiming: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL lets workers in many processes take disjoint rows;
on SQLite every write transaction is ``BEGIN IMMEDIATE`` (see ``db.py``), which serialises claimers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.campaigns_repository import campaign_from_row
from domain.adapters.orm_campaigns import campaign_deliveries, campaigns, stock_subscriptions
from domain.model.campaigns import Campaign, CampaignStatus, DeliveryState, SendOutcome, Trigger
from domain.ports import Clock

d = campaign_deliveries.c
DS = DeliveryState
# What counts against the frequency cap: messages that went out, or may have.
_CAPPED = [DS.SENT.value, DS.SENDING.value, DS.UNKNOWN.value]
# The first key of the per-customer advisory locks taken while claiming ("cap1"), apart from any others.
_CAP_LOCKS = 0x63617031


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    campaign_id: int
    run: int
    customer_id: int
    channel: str
    address: str
    locale: str
    skus: tuple[str, ...] = ()  # back in stock: the SKU the shopper asked about (the run's subscription)
    coupon: str | None = None  # the recipient's personal single-use code (campaigns with single-use coupons)


Outcome = SendOutcome  # kept short here: the store books what a transport reported


class SqlDeliveryStore:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        worker: str,
        lease: timedelta = timedelta(seconds=120),
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.worker = worker
        self.lease = lease

    async def claim(self, limit: int) -> tuple[list[ClaimedDelivery], dict[int, Campaign]]:
        """Up to ``limit`` deliveries to send now, already marked ``sending`` under this worker's lease.

        Consent, reachability, the frequency cap and quiet hours are checked here, at send time, not when
        the run was queued: a shopper who opted out a minute ago is skipped.
        """
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            stmt = (
                select(campaign_deliveries)
                .join(campaigns, campaigns.c.id == d.campaign_id)
                .where(d.state == DS.QUEUED.value, d.not_before <= now)
                .where(campaigns.c.status == CampaignStatus.SENDING.value)
                .order_by(d.not_before, d.id)  # the claim index's order: earliest due first, no sort
                .limit(limit)
            )
            if session.bind.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True, of=campaign_deliveries)
            rows = list((await session.execute(stmt)).all())
            if not rows:
                return [], {}
            found = await session.execute(select(campaigns).where(campaigns.c.id.in_({r.campaign_id for r in rows})))
            by_id = {row.id: campaign_from_row(row) for row in found.all()}
            if session.bind.dialect.name == "postgresql":
                await self._lock_customers(session, {r.customer_id for r in rows})
            people = await self._people(session, [r.customer_id for r in rows])
            counts = await self._recent_counts(session, rows, by_id, now)
            claimed: list[ClaimedDelivery] = []
            decided: dict[str, list[int]] = {}
            deferred: list[tuple[int, datetime]] = []
            for r in rows:
                campaign = by_id[r.campaign_id]
                opted_in, unreachable, tz = people.get(r.customer_id, (False, [], "UTC"))
                if not opted_in:
                    decided.setdefault(DS.SKIPPED_OPTOUT.value, []).append(r.id)
                    continue
                if r.channel in unreachable:
                    decided.setdefault(DS.BLOCKED.value, []).append(r.id)
                    continue
                if counts[r.customer_id] >= campaign.cap.messages:
                    decided.setdefault(DS.SKIPPED_CAP.value, []).append(r.id)
                    continue
                morning = campaign.quiet.next_allowed(now, tz or r.timezone)
                if morning is not None:
                    if campaign.quiet_policy == "skip":
                        decided.setdefault(DS.SKIPPED_QUIET.value, []).append(r.id)
                    else:
                        deferred.append((r.id, morning))
                    continue
                counts[r.customer_id] += 1
                claimed.append(
                    ClaimedDelivery(
                        r.id, r.campaign_id, r.run, r.customer_id, r.channel, r.address, r.locale, coupon=r.coupon_code
                    )
                )
            claimed, stale = await self._with_cart_contents(session, claimed, by_id)
            if stale:
                decided.setdefault(DS.SKIPPED_STALE.value, []).extend(stale)
            for state, ids in decided.items():
                await session.execute(
                    update(campaign_deliveries).where(d.id.in_(ids)).values(state=state, updated_at=now)
                )
            for row_id, morning in deferred:
                await session.execute(
                    update(campaign_deliveries).where(d.id == row_id).values(not_before=morning, updated_at=now)
                )
            if claimed:
                claimed = await self._with_requested_skus(session, claimed, by_id)
                await session.execute(
                    update(campaign_deliveries)
                    .where(d.id.in_([c.id for c in claimed]))
                    .values(
                        state=DS.SENDING.value,
                        claimed_by=self.worker,
                        lease_until=now + self.lease,
                        attempts=d.attempts + 1,
                        updated_at=now,
                    )
                )
        return claimed, by_id

    @staticmethod
    async def _with_cart_contents(
        session: AsyncSession, claimed: list[ClaimedDelivery], by_id: dict[int, Campaign]
    ) -> tuple[list[ClaimedDelivery], list[int]]:
        """An abandoned-cart reminder shows the cart as it is now (its SKUs, in line order); one whose cart was
        emptied, ordered or touched since the abandonment it was queued for (run = the cart's timestamp) is
        stale: the returned ids are skipped rather than sent (a new abandonment queues a new reminder)."""
        reminders = [c for c in claimed if by_id[c.campaign_id].trigger == Trigger.ABANDONED_CART]
        if not reminders:
            return claimed, []
        ca, li, v = orm.carts.c, orm.cart_lines.c, orm.variants.c
        stmt = (
            select(ca.customer_id, ca.updated_at, v.sku)
            .join(orm.cart_lines, li.cart_id == ca.id)
            .join(orm.variants, v.id == li.variant_id)
            .where(ca.customer_id.in_({c.customer_id for c in reminders}))
            .order_by(ca.customer_id, li.id)
        )
        carts: dict[int, tuple[int, list[str]]] = {}
        for customer_id, updated_at, sku in (await session.execute(stmt)).all():
            carts.setdefault(int(customer_id), (int(updated_at.timestamp()), []))[1].append(str(sku))
        kept: list[ClaimedDelivery] = []
        stale: list[int] = []
        for c in claimed:
            if by_id[c.campaign_id].trigger != Trigger.ABANDONED_CART:
                kept.append(c)
                continue
            touched, skus = carts.get(c.customer_id, (None, []))
            if touched != c.run or not skus:
                stale.append(c.id)
            else:
                kept.append(replace(c, skus=tuple(skus)))
        return kept, stale

    @staticmethod
    async def _with_requested_skus(
        session: AsyncSession, claimed: list[ClaimedDelivery], by_id: dict[int, Campaign]
    ) -> list[ClaimedDelivery]:
        """A back-in-stock notice names the SKU its shopper asked about (the run is the subscription's id),
        so a general back-in-stock campaign, featuring no product, still shows that product's button."""
        runs = {c.run for c in claimed if by_id[c.campaign_id].trigger == Trigger.BACK_IN_STOCK}
        if not runs:
            return claimed
        ss = stock_subscriptions.c
        found = await session.execute(select(ss.id, ss.sku).where(ss.id.in_(runs)))
        sku_of = {int(row.id): str(row.sku) for row in found.all()}
        return [
            replace(c, skus=(sku_of[c.run],))
            if by_id[c.campaign_id].trigger == Trigger.BACK_IN_STOCK and c.run in sku_of
            else c
            for c in claimed
        ]

    @staticmethod
    async def _lock_customers(session: AsyncSession, customer_ids: set[int]) -> None:
        """Serialise claimers per customer for the frequency cap (PostgreSQL; SQLite's writers are serial).

        Two workers claiming rows of *different* campaigns for one customer lock different delivery rows,
        so ``SKIP LOCKED`` does not keep them apart, and each would count the customer's messages without
        seeing the other's uncommitted ``sending`` row: both would send past the cap. A transaction-scoped
        advisory lock per customer, taken in ascending order (no deadlock between claimers, and a claimer
        waits for nothing else while holding them), makes the second claimer wait for the first's commit;
        its count is a later statement, so under READ COMMITTED it sees the first's ``sending`` rows.
        """
        keys = sorted({i % 2**31 for i in customer_ids})
        await session.execute(
            text(
                "SELECT count(pg_advisory_xact_lock(:space, k)) FROM "
                "(SELECT k FROM unnest(CAST(:keys AS integer[])) AS k ORDER BY k OFFSET 0) AS ordered"
            ),
            {"space": _CAP_LOCKS, "keys": keys},
        )

    @staticmethod
    async def _people(session: AsyncSession, ids: list[int]) -> dict[int, tuple[bool, list[str], str]]:
        cu = orm.customers.c
        stmt = select(cu.id, cu.marketing_opt_in, cu.unreachable_channels, cu.timezone).where(cu.id.in_(set(ids)))
        return {int(i): (bool(o), list(u or []), str(tz)) for i, o, u, tz in (await session.execute(stmt)).all()}

    @staticmethod
    async def _recent_counts(
        session: AsyncSession, rows: list[Any], by_id: dict[int, Campaign], now: datetime
    ) -> Counter[int]:
        # The longest cap window in the batch; each campaign's own window is applied when counting.
        days = max(c.cap.days for c in by_id.values())
        stmt = select(d.customer_id, d.updated_at).where(
            d.customer_id.in_({r.customer_id for r in rows}),
            d.state.in_(_CAPPED),
            d.updated_at >= now - timedelta(days=days),
        )
        recent = (await session.execute(stmt)).all()
        windows = {r.customer_id: by_id[r.campaign_id].cap.days for r in rows}
        counts: Counter[int] = Counter()
        for customer_id, at in recent:
            if at >= now - timedelta(days=windows[customer_id]):
                counts[customer_id] += 1
        return counts

    async def finish(self, delivery: ClaimedDelivery, outcome: Outcome) -> bool:
        """Book one result; False when the lease was lost (the row was reaped meanwhile: it stays unknown)."""
        return (await self.finish_many([(delivery, outcome)]))[0]

    async def finish_many(self, results: Sequence[tuple[ClaimedDelivery, Outcome]]) -> list[bool]:
        """Book several results in one transaction (one UPDATE per kind of outcome); for each, False when
        the lease was lost. Only rows still ``sending`` under this worker's name are booked, exactly as
        one by one: batching changes the number of commits, not who may book what."""
        if not results:
            return []
        now = self.clock.now()
        groups: dict[tuple[str, float, str | None], list[int]] = {}
        for delivery, outcome in results:
            retry_after = outcome.retry_after if outcome.kind == "retry" else 0.0
            groups.setdefault((outcome.kind, retry_after, outcome.error), []).append(delivery.id)
        booked: set[int] = set()
        async with self.sessions() as session, session.begin():
            for (kind, retry_after, error), ids in groups.items():
                values: dict[str, Any] = {"updated_at": now, "claimed_by": None, "lease_until": None}
                if kind == "sent":
                    values |= {"state": DS.SENT.value, "sent_at": now, "error": None}
                elif kind == "blocked":
                    values |= {"state": DS.BLOCKED.value, "error": error}
                elif kind == "retry":
                    # The transport refused before delivering (429): safe to queue again.
                    values |= {
                        "state": DS.QUEUED.value,
                        "not_before": now + timedelta(seconds=retry_after),
                        "error": error,
                    }
                else:
                    values |= {"state": DS.FAILED.value, "error": (error or "failed")[:2000]}
                result = await session.execute(
                    update(campaign_deliveries)
                    .where(d.id.in_(ids), d.state == DS.SENDING.value, d.claimed_by == self.worker)
                    .values(**values)
                    .returning(d.id)
                )
                booked.update(int(i) for i in result.scalars().all())
        return [delivery.id in booked for delivery, _ in results]

    async def release(self, deliveries: Sequence[ClaimedDelivery]) -> int:
        """Put rows this worker claimed but never sent back in the queue (a graceful stop): nothing left for
        them, so sending them later duplicates nothing. The attempt is not counted. Returns how many."""
        if not deliveries:
            return 0
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(campaign_deliveries)
                .where(
                    d.id.in_([x.id for x in deliveries]),
                    d.state == DS.SENDING.value,
                    d.claimed_by == self.worker,
                )
                .values(
                    state=DS.QUEUED.value,
                    claimed_by=None,
                    lease_until=None,
                    attempts=d.attempts - 1,
                    updated_at=now,
                )
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def reap(self) -> int:
        """Deliveries whose worker died mid-call: ``unknown``, never resent. Returns how many."""
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(campaign_deliveries)
                .where(d.state == DS.SENDING.value, d.lease_until < now)
                .values(state=DS.UNKNOWN.value, updated_at=now, error="worker lost during the call")
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def finished_runs(self) -> list[int]:
        """Campaigns sending whose current run has nothing queued or sending left."""
        c = campaigns.c
        open_rows = (
            select(func.count())
            .where(
                and_(d.campaign_id == c.id, d.run == c.run),
                d.state.in_([DS.QUEUED.value, DS.SENDING.value]),
            )
            .scalar_subquery()
        )
        async with self.sessions() as session:
            stmt = select(c.id).where(c.status == CampaignStatus.SENDING.value, c.trigger.is_(None), open_rows == 0)
            return [int(i) for i in (await session.execute(stmt)).scalars().all()]

    async def due_campaigns(self) -> list[int]:
        """Approved campaigns whose time has come (cron and one-off; automations run on their own)."""
        c = campaigns.c
        async with self.sessions() as session:
            stmt = select(c.id).where(
                c.status == CampaignStatus.APPROVED.value, c.next_run_at <= self.clock.now(), c.trigger.is_(None)
            )
            return [int(i) for i in (await session.execute(stmt.order_by(c.id))).scalars().all()]

    async def sending_with_products(self) -> list[int]:
        """Sending campaigns that feature products (their stock is checked before each batch)."""
        c = campaigns.c
        async with self.sessions() as session:
            rows = (
                await session.execute(select(c.id, c.contents).where(c.status == CampaignStatus.SENDING.value))
            ).all()
        return [int(i) for i, contents in rows if any((v or {}).get("skus") for v in (contents or {}).values())]

    async def counts(self, campaign_id: int) -> dict[str, int]:
        async with self.sessions() as session:
            stmt = select(d.state, func.count()).where(d.campaign_id == campaign_id).group_by(d.state)
            return {str(s): int(n) for s, n in (await session.execute(stmt)).all()}

    async def open_now(self, horizon_seconds: float) -> int:
        """Deliveries of sending campaigns still to go within ``horizon_seconds``, or in this worker's flight
        (other workers' rows are theirs to finish, or the reaper's)."""
        later = self.clock.now() + timedelta(seconds=horizon_seconds)
        async with self.sessions() as session:
            stmt = (
                select(func.count())
                .select_from(campaign_deliveries.join(campaigns, campaigns.c.id == d.campaign_id))
                .where(campaigns.c.status == CampaignStatus.SENDING.value)
                .where(
                    ((d.state == DS.SENDING.value) & (d.claimed_by == self.worker))
                    | ((d.state == DS.QUEUED.value) & (d.not_before <= later))
                )
            )
            return int((await session.execute(stmt)).scalar_one())
