"""Commands for reorder suggestions (issue 20): where a SKU is bought, and turning suggestions into drafts."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.commands import Command
from domain.model.staff import Actor


@dataclass(frozen=True)
class SetVariantSourcing(Command):
    """Buy ``sku`` from ``supplier_id`` in packs of ``pack_size`` at ``unit_cost`` (minor units of the supplier's
    currency)."""

    sku: str
    supplier_id: int
    pack_size: int = 1
    unit_cost: int = 0
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class DraftReorderPurchaseOrders(Command):
    """Draft one purchase order per supplier for ``items`` ((SKU, units) pairs; a SKU named twice, e.g. for two
    warehouses, is one line). ``key`` names the submitted form: the same key again returns the same orders.
    SKUs with no supplier are skipped and returned as such."""

    items: tuple[tuple[str, int], ...]
    key: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class PublishReorderSuggestions(Command):
    """Publish the current suggestions as ``ReorderSuggestionsReady`` (the weekly Slack post); same line shape."""

    lines: tuple[tuple[str, str, str, int, str, str], ...]
    covered: int
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class DraftedOrders:
    po_ids: tuple[int, ...]
    skipped: tuple[str, ...]  # SKUs without a supplier
    replayed: bool = False
