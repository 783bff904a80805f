"""Who may do what with a campaign: staff by role, API keys by scope (an operator's part at most), and the
approval always a named staff approver's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import PermissionDenied
from domain.model.campaigns import Campaign, CampaignStatus, Content, require_role
from domain.model.staff import Actor, Role

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)
WRITER = Actor.api_key("crm", frozenset({"campaigns:write"}))
READER = Actor.api_key("bi", frozenset({"campaigns:read"}))


def draft() -> Campaign:
    return Campaign(
        name="spring",
        contents={"en": Content("Hello")},
        channels=("webchat",),
        segment={"field": "consent", "op": "is", "value": True},
        created_by="api:crm",
        created_at=NOW,
    )


def test_a_key_with_campaigns_write_edits_and_submits_but_never_approves() -> None:
    campaign = draft()
    campaign.edit(WRITER)
    campaign.submit(WRITER)
    assert campaign.status == CampaignStatus.AWAITING_APPROVAL and campaign.submitted_by == "api:crm"
    with pytest.raises(PermissionDenied, match="named staff"):
        campaign.approve(WRITER, NOW)
    campaign.approve(Actor.staff("abe", Role.APPROVER), NOW)
    assert campaign.status == CampaignStatus.APPROVED


def test_a_key_that_only_reads_campaigns_may_look_but_not_write_and_is_told_the_scope() -> None:
    require_role(READER, Role.VIEWER, "count campaign audiences")
    with pytest.raises(PermissionDenied, match="campaigns:write"):
        draft().submit(READER)
    with pytest.raises(PermissionDenied, match="named staff member"):
        require_role(WRITER, Role.APPROVER, "resend to recipients whose outcome is unknown")


def test_staff_roles_decide_as_before() -> None:
    with pytest.raises(PermissionDenied, match="A viewer may not submit campaigns"):
        draft().submit(Actor.staff("vic", Role.VIEWER))
    draft().submit(Actor.staff("mia", Role.OPERATOR))
