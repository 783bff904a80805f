"""Assembly: the one place that builds engines, providers, the bus and the views from settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from chatshop.settings import Settings
from domain.adapters.analytics_buffer import BufferedAnalytics
from domain.adapters.db import create_engine, session_factory
from domain.adapters.jobs import SlotGuard
from domain.adapters.orm import start_mappers
from domain.adapters.outbox import OutboxWorker, worker_id
from domain.adapters.payments.sandbox import SandboxPaymentProvider
from domain.adapters.payments.stripe import MIN_RESERVATION_MINUTES, StripePaymentProvider
from domain.adapters.sql_views import SqlShopViews
from domain.adapters.webhooks_uow import SqlWebhookUnitOfWork
from domain.events import Event
from domain.model.approvals import ApprovalPolicy
from domain.model.money import Money
from domain.ports import Clock, PaymentProvider, SystemClock
from domain.service_layer.context import Context, ShopConfig
from domain.service_layer.handlers.payments import PAYMENT_SUBSCRIBERS
from domain.service_layer.messagebus import MessageBus


@dataclass
class Shop:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    bus: MessageBus
    views: SqlShopViews
    payments: PaymentProvider
    sandbox: SandboxPaymentProvider
    outbox: OutboxWorker
    jobs: SlotGuard
    analytics: BufferedAnalytics

    async def healthy(self) -> bool:
        async with self.engine.connect() as conn:
            return (await conn.execute(text("SELECT 1"))).scalar_one() == 1

    async def close(self) -> None:
        if isinstance(self.payments, StripePaymentProvider):
            await self.payments.aclose()
        await self.analytics.close()  # the rows of the last moments, before the connections go
        await self.engine.dispose()


def approval_policy(settings: Settings) -> ApprovalPolicy:
    total = settings.approval_total_over
    return ApprovalPolicy(
        total_over=Money.parse(total, settings.currency).amount if total else None,
        first_order=settings.approval_first_order,
        risky_countries=frozenset(c.strip().upper() for c in settings.approval_countries.split(",") if c.strip()),
        max_quantity=settings.approval_max_quantity,
    )


def stripe_provider(settings: Settings, clock: Clock) -> StripePaymentProvider | None:
    """Stripe when its secret key is configured; None keeps the offline sandbox."""
    if settings.stripe_secret_key is None or not settings.stripe_secret_key.get_secret_value():
        return None
    return StripePaymentProvider(settings.stripe_secret_key.get_secret_value(), clock, settings.stripe_api_url)


def subscribe_payments(outbox: OutboxWorker, ctx: Context) -> None:
    """Provider calls that follow a payment change (closing other sessions, automatic refunds), after commit."""
    for name, (handler, event_type) in PAYMENT_SUBSCRIBERS.items():

        async def deliver(event_id: str, event: Event, handler: Any = handler) -> None:
            await handler(event, ctx)

        outbox.subscribe(name, deliver, events={event_type.__name__})


def build_shop(settings: Settings, clock: Clock | None = None, payments: PaymentProvider | None = None) -> Shop:
    start_mappers()
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    sessions = session_factory(engine)
    sandbox = SandboxPaymentProvider(sessions, clock, settings.base_url)
    provider = payments or stripe_provider(settings, clock) or sandbox
    reservation_minutes = settings.reservation_minutes
    if provider.name == StripePaymentProvider.name:
        # Stripe Checkout sessions live at least 30 minutes. Holding stock at least that long lets a link
        # started soon after checkout expire together with the hold (see domain/adapters/payments/stripe.py).
        reservation_minutes = max(reservation_minutes, MIN_RESERVATION_MINUTES)
    analytics = BufferedAnalytics(engine)
    config = ShopConfig(
        currency=settings.currency,
        tax_rate_bp=settings.tax_rate_bp,
        reservation_minutes=reservation_minutes,
        base_url=settings.base_url,
    )
    ctx = Context(
        uow=lambda: SqlWebhookUnitOfWork(sessions, clock),
        payments=provider,
        config=config,
        clock=clock,
        approvals=approval_policy(settings),
        providers={p.name: p for p in (sandbox, provider)},
        analytics=analytics,
    )
    runner = worker_id()
    outbox = OutboxWorker(sessions, clock, name=runner, max_attempts=settings.outbox_max_attempts)
    subscribe_payments(outbox, ctx)
    return Shop(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        bus=MessageBus(ctx),
        views=SqlShopViews(sessions, clock, settings.currency, analytics=analytics),
        payments=provider,
        sandbox=sandbox,
        outbox=outbox,
        jobs=SlotGuard(sessions, clock, runner),
        analytics=analytics,
    )
