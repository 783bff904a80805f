"""Campaign files refuse what they don't understand, approval takes a second person after submit, the CLI acts
as a named staff member, and ``unknown`` deliveries are explained and resent only by an approver's decision."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from chatshop.bootstrap import Shop
from chatshop.cli_campaign import unknown_note, what_happens_next
from domain import commands as c
from domain.adapters.campaigns_repository import SqlCampaignRepository
from domain.errors import IllegalTransition, PermissionDenied, ValidationFailed
from domain.model.staff import Actor, Role
from domain.service_layer.campaign_files import command_from_yaml
from domain.service_layer.handlers.campaigns import resend_unknown
from tests.integration.campaigns.helpers import (
    APPROVER,
    MARKETER,
    Person,
    add_people,
    add_staff,
    approved,
    campaign,
    store,
)
from tests.integration.campaigns.test_cli import cli
from tests.integration.campaigns.test_lifecycle import Recorder, dispatcher
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop

BASE = {"name": "x", "channels": ["telegram"], "content": {"en": {"text": "hi"}}}
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typo", "refused", "listed"),
    [
        ({"schedul": {"at": "2026-12-01T10:00:00+00:00"}}, "schedul (did you mean schedule?)", "quiet_hours"),
        ({"quiet_hour": "22:00-08:00"}, "quiet_hour (did you mean quiet_hours?)", "frequency_cap"),
        ({"frequencycap": {"messages": 1}}, "frequencycap (did you mean frequency_cap?)", "schedule"),
        ({"frequency_cap": {"message": 1}}, "message (did you mean messages?) in frequency_cap", "days"),
        ({"schedule": {"at": "2026-12-01T10:00:00+00:00", "when": 1}}, "when in schedule", "at, cron"),
        ({"content": {"en": {"text": "hi", "skus": [], "coupn": "X"}}}, "coupn (did you mean coupon?)", "image_url"),
    ],
)
def test_a_campaign_file_with_a_key_it_does_not_know_is_refused_listing_the_valid_ones(
    typo: dict[str, object], refused: str, listed: str
) -> None:
    with pytest.raises(ValidationFailed) as problem:
        command_from_yaml(BASE | typo, MARKETER, now=NOW)
    assert refused in problem.value.message and listed in problem.value.message
    assert "docs/campaigns.md" in problem.value.message


def test_a_scheduled_time_already_past_is_refused_unless_the_marketer_says_now() -> None:
    past = BASE | {"schedule": {"at": (NOW - timedelta(hours=1)).isoformat()}}
    with pytest.raises(ValidationFailed, match="in the past.*--now"):
        command_from_yaml(past, MARKETER, now=NOW)
    assert command_from_yaml(past, MARKETER, now=NOW, send_now=True).schedule == "now"
    later = command_from_yaml(BASE | {"schedule": {"at": NOW + timedelta(days=1)}}, MARKETER, now=NOW)
    assert (later.schedule, later.send_at) == ("at", (NOW + timedelta(days=1)).isoformat())


async def test_a_campaign_is_approved_after_submit_by_someone_who_neither_wrote_nor_submitted_it(
    small: SmallShop,
) -> None:
    shop = small.shop
    other_approver = Actor.staff("ada", Role.APPROVER)
    await shop.bus.handle(campaign(actor=other_approver))  # an approver writes it...
    with pytest.raises(IllegalTransition, match="submit it for approval first"):
        await shop.bus.handle(c.ApproveCampaign("spring", actor=APPROVER))  # ...approval can't skip submit
    await shop.bus.handle(c.SubmitCampaign("spring", actor=MARKETER))
    for own in (other_approver, Actor.staff("mia", Role.ADMIN)):  # its author; its submitter, even as admin
        with pytest.raises(PermissionDenied, match="someone else must approve"):
            await shop.bus.handle(c.ApproveCampaign("spring", actor=own))
    with pytest.raises(PermissionDenied, match="named staff member"):
        await shop.bus.handle(c.ApproveCampaign("spring", actor=Actor.system("cli:abe")))  # not "whoever types --by"
    await shop.bus.handle(c.ApproveCampaign("spring", actor=APPROVER))
    async with shop.sessions() as session:
        saved = await SqlCampaignRepository(session).get("spring")
    assert saved is not None and (saved.submitted_by, saved.approved_by) == ("mia", "abe")


def test_after_approval_the_marketer_hears_when_the_first_message_goes_out_and_for_how_long() -> None:
    from domain.service_layer.handlers.campaigns import build_campaign

    now_campaign = build_campaign(campaign(quiet_hours=("00:00", "00:00")), NOW)
    said = what_happens_next(now_campaign, 1500, 30.0, NOW)
    assert "within a few seconds" in said and "1500 reachable" in said and "about 52 s" in said
    later = build_campaign(campaign(schedule="at", send_at="2026-12-01T10:00:00+00:00"), NOW)
    later.next_run_at = later.send_at
    said = what_happens_next(later, 90_000, 30.0, NOW)
    assert "at 2026-12-01T10:00+00:00" in said and "about 52 min" in said and "quiet hours (21:00-09:00" in said


@pytest.mark.timeout(180)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_cli_acts_as_a_named_staff_member_and_a_marketer_cannot_approve_their_own_campaign(
    shop: Shop, database_url: str, tmp_path: Path
) -> None:
    await add_staff(shop)
    await add_people(shop, [Person(webchat="wa")], datetime.now(UTC))
    spec = tmp_path / "campaign.yml"
    spec.write_text(yaml.safe_dump(BASE | {"name": "mine", "channels": ["webchat"]}))
    typo = tmp_path / "typo.yml"
    typo.write_text(yaml.safe_dump(BASE | {"name": "typo", "schedul": "now"}))
    refused = cli(database_url, "create", "--file", str(typo), "--as", "mia")
    assert refused.returncode == 1 and "did you mean schedule?" in refused.stderr
    nobody = cli(database_url, "create", "--file", str(spec), "--as", "mallory")
    assert nobody.returncode == 1 and "not an active staff member" in nobody.stderr
    assert cli(database_url, "create", "--file", str(spec), "--as", "mia").returncode == 0
    assert cli(database_url, "approve", "mine", "--as", "abe").returncode == 1  # not submitted yet
    assert cli(database_url, "submit", "mine", "--as", "mia").returncode == 0
    own = cli(database_url, "approve", "mine", "--as", "mia")
    assert own.returncode == 1 and "may not approve" in own.stderr  # an operator; and she submitted it
    ok = cli(database_url, "approve", "mine", "--as", "abe")
    assert ok.returncode == 0, ok.stderr
    assert "first message goes out within a few seconds" in ok.stdout and "1 reachable" in ok.stdout
    shown = json.loads(cli(database_url, "show", "mine", "--json").stdout)
    assert (shown["submitted_by"], shown["approved_by"]) == ("mia", "abe")
    helped = cli(database_url, "create", "--help")
    assert "docs/campaigns.md" in helped.stdout


async def test_unknown_deliveries_are_explained_and_resent_only_by_an_approver(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    await add_people(shop, [Person(telegram=i) for i in (1, 2, 3)], clock.now())
    campaign_id = await approved(shop, campaign(quiet_hours=("00:00", "00:00")))
    await shop.bus.handle(c.StartCampaignRun(campaign_id, now=True))
    crashed = store(shop, "crashed-worker")
    claimed, _ = await crashed.claim(2)  # a worker claims two and dies during the calls
    clock.advance(minutes=5)
    assert await store(shop).reap() == 2
    send = Recorder()
    sender = dispatcher(shop, send)
    await sender.drain()
    assert await store(shop).counts(campaign_id) == {"sent": 1, "unknown": 2}
    async with shop.sessions() as session:
        repo = SqlCampaignRepository(session)
        found = await repo.get("spring")
        assert found is not None
        note = unknown_note(await repo.report(found, "USD"), "spring")
    assert note is not None and "2 unknown" in note and "is not known" in note
    assert "not sent again, to avoid sending anyone the campaign twice" in note
    assert "chatshop campaign resend-unknown spring" in note
    with pytest.raises(PermissionDenied):
        await resend_unknown("spring", MARKETER, shop.bus.ctx)
    assert await resend_unknown("spring", APPROVER, shop.bus.ctx) == 2
    await sender.drain()
    assert await store(shop).counts(campaign_id) == {"sent": 3}
    assert sorted(int(m.address) for m in send.sent) == [1, 2, 3]
    assert {d.address for d in claimed} <= {m.address for m in send.sent}
    with pytest.raises(ValidationFailed, match="no recipient whose outcome is unknown"):
        await resend_unknown("spring", APPROVER, shop.bus.ctx)
