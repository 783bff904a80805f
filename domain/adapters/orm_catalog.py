"""The catalog's version (migration 0019): one row whose ``version`` database triggers raise in the same
transaction as any change to categories, products, variants, warehouses or shipping methods, whoever
writes them (a command, the admin API, an import, another process). Readers compare it with the version
of the catalog they hold in memory (``catalog_projection``) to know when to load it again.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, Table

from domain.adapters.orm import metadata

catalog_version = Table(
    "catalog_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False, default=0),
)

# The tables the in-memory catalog is made of; the migration puts a trigger on each.
CATALOG_TABLES = ("categories", "products", "variants", "warehouses", "shipping_methods")
