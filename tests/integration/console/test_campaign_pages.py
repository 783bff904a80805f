"""Campaign pages in the console: the list, a marketer's draft with its live audience count and its preview
(the very text Telegram receives), submit and approve by role, refusals that change nothing, and hostile
text escaped everywhere."""

from __future__ import annotations

import html
import json
import re

import pytest

from bots.campaigns.summary import rule_in_words
from chatshop.bootstrap import Shop
from domain import commands as c
from domain.model.campaigns import CampaignStatus
from domain.model.campaigns.segments import parse_rule
from tests.integration.campaigns.helpers import Person, add_people, store
from tests.integration.campaigns.telegram_rig import telegram_dispatcher
from tests.integration.console.conftest import Console, StaffShop
from tests.support.clock import FakeClock
from tests.support.fake_telegram import FakeTelegram

pytestmark = pytest.mark.timeout(30)

HOSTILE = "Deal <script>alert(1)</script> & **bold** _now_ [x](javascript:alert(1)) <b>"
EVERYONE = {"all": [{"field": "consent", "op": "is", "value": True}]}


def draft(name: str = "spring-sale", **fields: str | list[str]) -> dict[str, object]:
    form: dict[str, object] = {
        "name": name,
        "channel": ["telegram", "webchat"],
        "segment": json.dumps(EVERYONE),
        "text_en": HOSTILE,
        "skus_en": "SHOE-RED-42",
        "text_zh": "春季促销",
        "schedule": "now",
        "quiet_hours": "00:00-00:00",
        "cap_messages": "2",
        "cap_days": "7",
    }
    return form | fields


async def post_form(console: Console, path: str, form: dict[str, object]) -> tuple[int, str, str | None]:
    pairs = [(k, v) for k, value in form.items() for v in (value if isinstance(value, list) else [value])]
    async with console.http.post(console.url(path), data=pairs, allow_redirects=False) as resp:
        return resp.status, await resp.text(), resp.headers.get("Location")


async def create(console: Console, name: str = "spring-sale", **fields: str | list[str]) -> str:
    token = await console.csrf("/campaigns/new")
    status, body, location = await post_form(console, "/campaigns", draft(name, **fields) | {"csrf": token})
    assert status == 303, body
    return location or ""


async def status_of(shop: Shop, name: str) -> CampaignStatus:
    row = await shop.views.campaigns.campaign(name)
    assert row is not None
    return row.campaign.status


async def act(console: Console, name: str, action: str) -> tuple[int, str]:
    token = await console.csrf(f"/campaigns/{name}")
    status, body, _ = await console.post(f"/campaigns/{name}/{action}", {"csrf": token})
    return status, body


def bubble(page: str, channel: str, locale: str) -> str:
    found = re.search(
        rf'data-channel="{channel}" data-locale="{locale}">.*?<div class="bubble">(.*?)</div>', page, re.DOTALL
    )
    assert found, page
    return found.group(1)


def chat_buttons(page: str, channel: str, locale: str) -> list[str]:
    section = re.search(rf'data-channel="{channel}" data-locale="{locale}">(.*?)</section>', page, re.DOTALL)
    assert section
    return [html.unescape(b) for b in re.findall(r'<span class="chat-button">(.*?)</span>', section.group(1))]


async def test_a_marketer_creates_a_draft_and_the_list_shows_it_with_state_channels_and_progress(
    console: Console, staffed: StaffShop
) -> None:
    await console.sign_in("otto")
    location = await create(console)
    assert location == "/admin/campaigns/spring-sale?done=saved"
    status, page = await console.get("/campaigns")
    assert status == 200
    assert 'href="/admin/campaigns/spring-sale"' in page and "state-draft" in page
    assert "0 / 0" in page  # nothing sent yet
    assert html.escape(rule_in_words(parse_rule(EVERYONE), "USD")) in page  # the segment as Slack words it
    status, filtered = await console.get("/campaigns?state=approved")
    assert status == 200 and "spring-sale" not in filtered
    status, drafts = await console.get("/campaigns?state=draft")
    assert "spring-sale" in drafts


async def test_the_live_count_follows_the_rule_and_the_channels(
    console: Console, staffed: StaffShop, clock: FakeClock
) -> None:
    shop = staffed.small.shop
    await add_people(
        shop,
        [Person(telegram=1, country="DE"), Person(telegram=2, country="US"), Person(webchat="w3", country="DE")],
        clock.now(),
    )
    await console.sign_in("otto")

    async def count(rule: object, *channels: str) -> dict[str, int]:
        query = [("segment", json.dumps(rule))] + [("channel", ch) for ch in channels]
        async with console.http.get(console.url("/campaigns/audience"), params=query) as resp:
            assert resp.status in (200, 400)
            return dict(await resp.json())

    everyone = await count(EVERYONE, "telegram", "webchat")
    germans = await count({"field": "country", "op": "in", "value": ["DE"]}, "telegram", "webchat")
    german_telegram = await count({"field": "country", "op": "in", "value": ["DE"]}, "telegram")
    assert everyone["reachable"] == 3 and germans["reachable"] == 2 and german_telegram["reachable"] == 1
    assert "error" in await count({"field": "shoe_size", "op": "in", "value": ["42"]}, "telegram")


async def test_the_telegram_preview_is_exactly_what_telegram_receives(
    console: Console, staffed: StaffShop, clock: FakeClock
) -> None:
    shop = staffed.small.shop
    await add_people(shop, [Person(telegram=42)], clock.now())
    await console.sign_in("otto")
    await create(console)
    _, page = await console.get("/campaigns/spring-sale")
    preview_text = bubble(page, "telegram", "en")
    preview_buttons = chat_buttons(page, "telegram", "en")

    await act(console, "spring-sale", "submit")
    await console.sign_in("abe")
    await act(console, "spring-sale", "approve")
    campaign_id = (await shop.views.campaigns.campaign("spring-sale")).campaign.id  # type: ignore[union-attr]
    assert campaign_id is not None
    await shop.bus.handle(c.StartCampaignRun(campaign_id, now=True))
    async with FakeTelegram() as fake:
        dispatcher = telegram_dispatcher(shop, fake, rate=30)
        await dispatcher.drain()
        await dispatcher.aclose()
    [call] = fake.sent("sendMessage", 42)
    assert preview_text == call.params["text"].replace("\n", "<br>\n")
    assert preview_buttons == [b["text"] for b in call.buttons()]
    assert "&lt;script&gt;" in preview_text and "<b>bold</b>" in preview_text
    assert 'href="javascript' not in preview_text  # an unsafe link stays its text
    assert (await store(shop).counts(campaign_id))["sent"] == 1
    _, page = await console.get("/campaigns/spring-sale")  # abe reads English
    report = page.split('class="list report"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"Sent / total</th><td class=\"num\">1 / 1<", report), report
    assert re.search(r"Revenue per 1,000 messages</th><td class=\"num\">0\.00 USD<", report), report


async def test_the_preview_shows_each_channel_and_language_and_escapes_what_the_marketer_typed(
    console: Console, staffed: StaffShop
) -> None:
    await console.sign_in("otto")
    await create(console)
    _, page = await console.get("/campaigns/spring-sale")
    assert "<script>" not in page  # not in the form, the preview or anywhere
    assert "Deal &lt;script&gt;alert(1)&lt;/script&gt; &amp; <strong>bold</strong> <em>now</em>" in bubble(
        page, "webchat", "en"
    )
    assert bubble(page, "webchat", "zh").strip() == "春季促销"
    assert "Unsubscribe" in chat_buttons(page, "webchat", "en") and "退订" in chat_buttons(page, "telegram", "zh")
    assert 'href="javascript' not in page
    _, listing = await console.get("/campaigns")
    assert "<script>" not in listing


async def test_a_name_the_domain_refuses_is_shown_escaped_and_nothing_is_created(
    console: Console, staffed: StaffShop
) -> None:
    await console.sign_in("otto")
    token = await console.csrf("/campaigns/new")
    status, page, _ = await post_form(console, "/campaigns", draft("<script>x</script>") | {"csrf": token})
    assert status == 409 and "<script>x" not in page
    assert 'role="alert"' in page and 'value="&lt;script&gt;x&lt;/script&gt;"' in page  # the form comes back
    assert "Deal &lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page  # with what was typed, escaped
    assert await staffed.small.shop.views.campaigns.page(10, None, None) == []


async def test_a_refused_edit_shows_the_form_again_with_what_was_typed_and_keeps_the_saved_draft(
    console: Console, staffed: StaffShop
) -> None:
    await console.sign_in("otto")
    await create(console)
    token = await console.csrf("/campaigns/spring-sale")
    bad = draft(text_en="Changed", segment='{"field": "shoe_size"}') | {"csrf": token}
    status, page, _ = await post_form(console, "/campaigns/spring-sale", bad)
    assert status == 409 and 'role="alert"' in page and "shoe_size" in page
    assert ">Changed</textarea>" in page
    row = await staffed.small.shop.views.campaigns.campaign("spring-sale")
    assert row is not None and row.campaign.contents["en"].text == HOSTILE


async def test_a_marketer_submits_and_only_someone_else_with_the_approver_role_approves(
    console: Console, staffed: StaffShop
) -> None:
    shop = staffed.small.shop
    await console.sign_in("otto")
    await create(console)
    _, page = await console.get("/campaigns/spring-sale")
    assert 'value="submit"' in page and 'value="approve"' not in page
    assert (await act(console, "spring-sale", "submit"))[0] == 303
    _, page = await console.get("/campaigns/spring-sale")
    assert 'value="approve"' not in page  # an operator never approves
    status, _ = await act(console, "spring-sale", "approve")
    assert status == 403 and await status_of(shop, "spring-sale") == CampaignStatus.AWAITING_APPROVAL

    await console.sign_in("abe")
    _, page = await console.get("/campaigns/spring-sale")
    assert 'value="approve"' in page
    assert (await act(console, "spring-sale", "approve"))[0] == 303
    assert await status_of(shop, "spring-sale") == CampaignStatus.APPROVED
    _, page = await console.get("/campaigns/spring-sale")
    assert 'value="pause"' in page and 'value="cancel"' in page and 'value="approve"' not in page
    assert (await act(console, "spring-sale", "pause"))[0] == 303
    assert await status_of(shop, "spring-sale") == CampaignStatus.PAUSED


async def test_an_approver_may_not_approve_a_campaign_they_submitted(console: Console, staffed: StaffShop) -> None:
    await console.sign_in("abe")
    await create(console)
    await act(console, "spring-sale", "submit")
    _, page = await console.get("/campaigns/spring-sale")
    assert 'value="approve"' not in page
    status, _ = await act(console, "spring-sale", "approve")
    assert status == 403
    assert await status_of(staffed.small.shop, "spring-sale") == CampaignStatus.AWAITING_APPROVAL


async def test_a_viewer_sees_no_buttons_and_a_forced_post_changes_nothing(console: Console, staffed: StaffShop) -> None:
    shop = staffed.small.shop
    await console.sign_in("otto")
    await create(console)
    await console.sign_in("viv")
    _, listing = await console.get("/campaigns")
    assert "/campaigns/new" not in listing
    _, page = await console.get("/campaigns/spring-sale")
    assert "<button" not in page.split("</header>", 1)[1]  # no action, edit or test form
    for action in ("submit", "cancel"):
        status, refusal = await act(console, "spring-sale", action)
        assert status == 403, refusal
    token = await console.csrf("/campaigns/spring-sale")
    status, _, _ = await post_form(console, "/campaigns/spring-sale", draft(text_en="changed") | {"csrf": token})
    assert status == 403
    row = await shop.views.campaigns.campaign("spring-sale")
    assert row is not None and row.campaign.status == CampaignStatus.DRAFT
    assert row.campaign.contents["en"].text == HOSTILE


async def test_a_form_without_the_csrf_token_is_refused_and_nothing_changes(
    console: Console, staffed: StaffShop
) -> None:
    shop = staffed.small.shop
    await console.sign_in("otto")
    status, _, _ = await post_form(console, "/campaigns", draft())
    assert status == 403
    assert await shop.views.campaigns.campaign("spring-sale") is None
    await create(console)
    status, _, _ = await console.post("/campaigns/spring-sale/submit", {})
    assert status == 403 and await status_of(shop, "spring-sale") == CampaignStatus.DRAFT


async def test_editing_a_draft_saves_it_through_the_domain_and_the_report_reads_the_campaigns_counts(
    console: Console, staffed: StaffShop
) -> None:
    shop = staffed.small.shop
    await console.sign_in("otto")
    await create(console)
    token = await console.csrf("/campaigns/spring-sale")
    status, body, _ = await post_form(
        console, "/campaigns/spring-sale", draft(text_en="Now **40%** off", channel=["email"]) | {"csrf": token}
    )
    assert status == 303, body
    row = await shop.views.campaigns.campaign("spring-sale")
    assert row is not None and row.campaign.channels == ("email",)
    _, page = await console.get("/campaigns/spring-sale")
    assert "Now <strong>40%</strong> off" in bubble(page, "email", "en")
    assert 'class="list report"' in page
