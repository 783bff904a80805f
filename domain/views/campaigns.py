"""Read models for campaigns: as an approver sees one (who it reaches, split by channel and language, and a
few of them by name), reports, and the views port (beside ``models.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.model.campaigns import Campaign, CampaignReport, CampaignStatus


@dataclass(frozen=True)
class AudienceSlice:
    """How many recipients get the campaign on ``channel`` in ``locale`` (their own locale, before any
    fallback to the campaign's first language)."""

    channel: str
    locale: str
    recipients: int


@dataclass(frozen=True)
class SampleRecipient:
    customer_id: int
    name: str  # as the customer gave it (not escaped: the view does not know the markup)
    channel: str
    locale: str


@dataclass(frozen=True)
class CampaignAudience:
    """A campaign with the people it would reach now: ``matching`` the segment, ``reachable`` (opted in,
    not blocked, on one of its channels: one message each, on the first channel that reaches them)."""

    campaign: Campaign
    matching: int
    reachable: int
    slices: tuple[AudienceSlice, ...]
    sample: tuple[SampleRecipient, ...]


@dataclass(frozen=True)
class CampaignRow:
    """A campaign as a list shows it, with when it last changed (what a sync pulls by)."""

    campaign: Campaign
    updated_at: datetime


class CampaignViews(Protocol):
    """Campaigns as channels, the CLI and the admin API read them (SQL in ``domain.adapters.campaigns_views``)."""

    async def campaign(self, name_or_id: str | int) -> CampaignRow | None: ...

    async def reports(self, name_or_id: str | int | None = None) -> list[CampaignReport]:
        """Every campaign's report in id order (one query), or the named one's ([] when there is none)."""
        ...

    async def audience(self, campaign: Campaign) -> dict[str, int]:
        """``matching`` the segment now and ``reachable`` on the campaign's channels."""
        ...

    async def page(self, limit: int, after_id: int | None, status: CampaignStatus | None) -> list[CampaignRow]:
        """Campaigns in id order after ``after_id``, optionally of one status."""
        ...
