"""The moves a staff member may make on a campaign now, as the campaign's own rules decide (what the console
offers as buttons)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import IllegalTransition
from domain.model.campaigns import Campaign, CampaignStatus, Content
from domain.model.campaigns.actions import allowed_actions
from domain.model.staff import Actor, Role

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)
MIA = Actor.staff("mia", Role.OPERATOR)
ABE = Actor.staff("abe", Role.APPROVER)
VIC = Actor.staff("vic", Role.VIEWER)


def draft() -> Campaign:
    return Campaign(
        "spring", {"en": Content("Hello")}, ("webchat",), {"field": "consent", "op": "is", "value": True}, "mia", NOW
    )


def test_a_viewer_may_do_nothing_to_a_campaign_in_any_state() -> None:
    campaign = draft()
    assert allowed_actions(campaign, VIC, NOW) == ()
    campaign.submit(MIA)
    assert allowed_actions(campaign, VIC, NOW) == ()


def test_a_marketer_edits_submits_and_cancels_a_draft_but_never_approves_it() -> None:
    campaign = draft()
    assert allowed_actions(campaign, MIA, NOW) == ("edit", "submit", "cancel")
    campaign.submit(MIA)
    assert "approve" not in allowed_actions(campaign, MIA, NOW)
    assert campaign.status == CampaignStatus.AWAITING_APPROVAL  # asking changed nothing


def test_only_an_approver_who_neither_wrote_nor_submitted_it_is_offered_approve() -> None:
    campaign = draft()
    campaign.submit(MIA)
    assert "approve" in allowed_actions(campaign, ABE, NOW)
    own = Campaign(
        "own", {"en": Content("Hi")}, ("webchat",), {"field": "consent", "op": "is", "value": True}, "abe", NOW
    )
    own.submit(ABE)
    assert "approve" not in allowed_actions(own, ABE, NOW)


def test_an_approved_campaign_may_be_paused_or_cancelled_and_a_paused_one_resumed() -> None:
    campaign = draft()
    campaign.submit(MIA)
    campaign.approve(ABE, NOW)
    assert allowed_actions(campaign, MIA, NOW) == ("pause", "cancel")
    campaign.pause(MIA, "stock")
    assert allowed_actions(campaign, MIA, NOW) == ("resume", "cancel")


def test_a_finished_campaign_offers_nothing_and_resume_refuses_it() -> None:
    campaign = draft()
    campaign.submit(MIA)
    campaign.approve(ABE, NOW)
    campaign.start_run(NOW)
    campaign.finish_run(NOW)
    assert campaign.status == CampaignStatus.FINISHED
    assert allowed_actions(campaign, MIA, NOW) == ()
    with pytest.raises(IllegalTransition):
        campaign.resume(MIA)  # it used to start sending again
