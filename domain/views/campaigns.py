"""Read models for a campaign as an approver sees it: who it reaches, split by channel and language, and a
few of them by name (beside ``models.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.model.campaigns import Campaign


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
