"""Assembly: the one place that builds engines, providers, the bus and the views from settings."""

from __future__ import annotations

from dataclasses import dataclass

from chatshop.settings import Settings
from chatshop.subscribers import analytics as analytics_subscribers
from chatshop.subscribers import payments as payment_subscribers
from domain.adapters.analytics_buffer import BufferedAnalytics
from domain.adapters.catalog_projection import CatalogProjection
from domain.adapters.db import Engine, Sessions, create_engine, ping, session_factory
from domain.adapters.jobs import SlotGuard
from domain.adapters.orm import start_mappers
from domain.adapters.outbox import OutboxWorker, worker_id
from domain.adapters.payments.sandbox import SandboxPaymentProvider
from domain.adapters.payments.stripe import MIN_RESERVATION_MINUTES, StripePaymentProvider
from domain.adapters.sql_views import SqlShopViews
from domain.adapters.unit_of_work import SqlUnitOfWork
from domain.model.approvals import ApprovalPolicy
from domain.model.money import Money
from domain.ports import Clock, PaymentProvider, SystemClock
from domain.service_layer.context import Context, ShopConfig
from domain.service_layer.messagebus import MessageBus


@dataclass
class Shop:
    settings: Settings
    engine: Engine
    sessions: Sessions
    clock: Clock
    bus: MessageBus
    views: SqlShopViews
    payments: PaymentProvider
    sandbox: SandboxPaymentProvider
    outbox: OutboxWorker
    jobs: SlotGuard
    analytics: BufferedAnalytics

    async def healthy(self) -> bool:
        return await ping(self.engine)

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
    catalog = CatalogProjection()  # one copy per process: the views read it, and so does checkout's pricing
    config = ShopConfig(
        currency=settings.currency,
        tax_rate_bp=settings.tax_rate_bp,
        reservation_minutes=reservation_minutes,
        base_url=settings.base_url,
    )
    ctx = Context(
        uow=lambda: SqlUnitOfWork(sessions, clock, catalog),
        payments=provider,
        config=config,
        clock=clock,
        approvals=approval_policy(settings),
        providers={p.name: p for p in (sandbox, provider)},
        analytics=analytics,
    )
    runner = worker_id()
    outbox = OutboxWorker(sessions, clock, name=runner, max_attempts=settings.outbox_max_attempts)
    payment_subscribers.register(outbox, ctx)
    analytics_subscribers.register(outbox, sessions, clock)  # the dashboard's rollups (issue 20)
    return Shop(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        bus=MessageBus(ctx),
        views=SqlShopViews(sessions, clock, settings.currency, catalog=catalog, analytics=analytics),
        payments=provider,
        sandbox=sandbox,
        outbox=outbox,
        jobs=SlotGuard(sessions, clock, runner),
        analytics=analytics,
    )
