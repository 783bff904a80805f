"""What every SQL read view shares: the session factory, the read scope of a turn (one read connection,
domain/adapters/read_scope.py) and the catalog in memory."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.analytics_buffer import BufferedAnalytics
from domain.adapters.campaigns_views import SqlCampaignViews
from domain.adapters.catalog_projection import Catalog, CatalogProjection
from domain.adapters.read_scope import ReadConnection, read_scope
from domain.adapters.rollup_views import RollupViews
from domain.ports import Clock

P, V, S, W, C = orm.products.c, orm.variants.c, orm.stock_levels.c, orm.warehouses.c, orm.categories.c
Ord, OL = orm.orders.c, orm.order_lines.c
LIKE_ESCAPE = str.maketrans({"%": r"\%", "_": r"\_", "\\": r"\\"})


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, UTC), datetime.combine(end + timedelta(days=1), time.min, UTC)


class SqlViewsBase:
    """The plumbing of the per-area views; ``SqlShopViews`` composes them over one instance, so a read scope
    is shared by every area."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        currency: str,
        catalog: CatalogProjection | None = None,
        analytics: BufferedAnalytics | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.currency = currency
        self.projection = catalog or CatalogProjection()  # shared by the copies read scopes hand out
        self._reads: ReadConnection | None = None  # set on the copy a read scope hands out
        self._campaigns = SqlCampaignViews(sessions, clock, currency)
        self._reports = RollupViews(sessions, currency, clock)
        self._analytics = analytics  # rows still in memory are written before a view reads analytics

    @property
    def campaigns(self) -> SqlCampaignViews:
        return self._campaigns

    @property
    def reports(self) -> RollupViews:
        return self._reports

    def _session(self) -> AsyncSession:
        return self.sessions()

    @asynccontextmanager
    async def read_scope(self) -> AsyncIterator[Self]:
        """These views on one read connection until the block ends (domain/adapters/read_scope.py)."""
        if self._reads is not None and not self._reads.closed:
            yield self  # already inside one: the outer scope owns the connection
            return
        bind = self.sessions.kw.get("bind")
        if not isinstance(bind, AsyncEngine):
            raise TypeError("SqlShopViews needs a sessionmaker bound to an AsyncEngine")
        async with read_scope(bind) as reads:
            scoped = copy.copy(self)
            scoped._reads = reads
            yield scoped

    async def release(self) -> None:
        """End this scope's read transaction (before a command, so later views see what it wrote)."""
        if self._reads is not None:
            await self._reads.release()

    async def _rows(self, stmt: Any, params: dict[str, Any] | None = None) -> list[Any]:
        reads = self._reads
        if reads is not None and not reads.closed:
            return await reads.execute(stmt, params)
        async with self._session() as session:
            conn = await session.connection(execution_options={"sqlite_readonly": True})
            return list((await conn.execute(stmt, params)).all())

    async def _analytics_written(self) -> None:
        if self._analytics is not None:
            await self._analytics.flush()

    async def _catalog_and_stock(
        self, variant_ids: Callable[[Catalog], Iterable[int]]
    ) -> tuple[Catalog, dict[int, int]]:
        """The catalog and the stock of ``variant_ids(catalog)``, checked and read in one statement."""
        catalog, stock = await self.projection.with_stock(self._rows, variant_ids)
        reads = self._reads
        if reads is not None and not reads.closed:
            reads.memo["catalog"] = [catalog]  # checked for the rest of the scope
        return catalog, stock

    async def _catalog(self) -> Catalog:
        """The catalog in memory, its version checked once per read scope (so once per turn)."""
        reads = self._reads
        if reads is None or reads.closed:
            return await self.projection.current(self._rows)
        held = reads.memo.get("catalog")
        if held is None:
            held = reads.memo["catalog"] = [await self.projection.current(self._rows)]
        catalog: Catalog = held[0]
        return catalog

    # The category tree, which the cart's coupon preview needs as well as the catalog views.
    async def _category_rows(self) -> list[Any]:
        """Every category's id, slug, name, parent and translations (from the catalog in memory)."""
        return list((await self._catalog()).categories)

    async def _descendants(self, slug: str) -> list[int]:
        return (await self._catalog()).descendants(slug)
