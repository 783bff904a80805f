"""SQL behind the read views, one module per area; works on SQLite and PostgreSQL alike.

Each area's class implements that area's Protocol in ``domain/views/port.py``. ``SqlShopViews`` composes them
on one instance, so a read scope (one read connection per turn or request) is shared by every area.
"""

from __future__ import annotations

from domain.adapters.sql_views.catalog import SqlCatalogViews
from domain.adapters.sql_views.customers import SqlCustomerViews
from domain.adapters.sql_views.reports import SqlReportViews
from domain.adapters.sql_views.staff import SqlStaffViews
from domain.adapters.sql_views.stock import SqlStockViews


class SqlShopViews(SqlCatalogViews, SqlCustomerViews, SqlStockViews, SqlStaffViews, SqlReportViews):
    """Every area's views (customers brings orders and cart along: its export reads them)."""


__all__ = ["SqlShopViews"]
