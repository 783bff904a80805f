"""Campaigns through the admin API, on SQLite and PostgreSQL: drafts written as campaign.yml (the CLI's own
reading of it), submitted by a key, approved only by a named staff approver; lists paged by cursor; reports."""

from __future__ import annotations

import pytest

from domain import commands as c
from domain.errors import PermissionDenied
from domain.model.staff import Actor, Role
from tests.integration.api.conftest import ApiClient, MakeKey
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(60)

SPRING_YAML = """\
name: spring
channels: [telegram, webchat]
content:
  en: {text: "Spring sale: 20% off shoes", skus: [SHOE-RED-42]}
segment: {field: country, op: in, value: [US]}
frequency_cap: {messages: 3, days: 7}
"""


async def test_a_key_writes_a_draft_replaces_it_and_submits_it_and_the_campaign_reads_back_with_its_report(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    await small.customer()
    key = await make_key("campaigns:read", "campaigns:write")
    status, created, _ = await api.call("POST", "/campaigns", key, {"yaml": SPRING_YAML})
    assert status == 201, created
    made = created["campaign"]
    assert isinstance(made, dict)
    assert (made["name"], made["status"], made["channels"]) == ("spring", "draft", ["telegram", "webchat"])
    assert made["contents"] == {
        "en": {"text": "Spring sale: 20% off shoes", "image_url": None, "skus": ["SHOE-RED-42"], "coupon": None}
    }
    assert made["frequency_cap"] == {"messages": 3, "days": 7} and made["created_by"] == "api:key-1"
    assert created["audience"] == {"matching": 0, "reachable": 0}  # the web chat shopper has no country
    report = created["report"]
    assert isinstance(report, dict) and report["recipients"] == 0
    assert report["revenue"] == {"amount": 0, "currency": "USD"}

    status, again, _ = await api.call("POST", "/campaigns", key, {"yaml": SPRING_YAML})
    assert status == 422 and "PUT" in str(again["detail"])

    draft = {
        "channels": ["webchat"],
        "content": {"en": {"text": "Spring sale: 25% off"}},
        "segment": {"field": "consent", "op": "is", "value": False},
    }
    status, replaced, _ = await api.call("PUT", "/campaigns/spring", key, {"campaign": draft})
    assert status == 200, replaced
    assert replaced["campaign"]["contents"]["en"]["text"] == "Spring sale: 25% off"  # type: ignore[index]
    assert replaced["campaign"]["id"] == made["id"]  # type: ignore[index]

    status, submitted, _ = await api.call("POST", "/campaigns/spring/submit", key)
    assert status == 200 and submitted["campaign"]["status"] == "awaiting_approval"  # type: ignore[index]
    assert submitted["campaign"]["submitted_by"] == "api:key-1"  # type: ignore[index]

    # Approval is a named staff approver's (four eyes); nothing in the API approves, and a key is refused.
    with pytest.raises(PermissionDenied):
        await small.shop.bus.handle(
            c.ApproveCampaign("spring", actor=Actor.api_key("key-1", frozenset({"campaigns:write"})))
        )
    await small.shop.bus.handle(c.ApproveCampaign("spring", actor=Actor.staff("abe", Role.APPROVER)))
    status, problem, _ = await api.call("PUT", "/campaigns/spring", key, {"campaign": draft})
    assert status == 409 and "only drafts can change" in str(problem["detail"])

    status, got, _ = await api.call("GET", "/campaigns/spring", key)
    assert status == 200 and got["campaign"]["approved_by"] == "abe"  # type: ignore[index]
    status, alone, _ = await api.call("GET", "/campaigns/spring/report", key)
    assert status == 200 and alone == got["report"]


async def test_the_campaign_list_pages_by_cursor_without_skipping_or_repeating_and_filters_by_status(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    key = await make_key("campaigns:read", "campaigns:write")
    for name in ("a1", "a2", "a3"):
        doc = {"name": name, "channels": ["webchat"], "content": {"en": {"text": f"Hello {name}"}}}
        assert (await api.call("POST", "/campaigns", key, {"campaign": doc}))[0] == 201
    await api.call("POST", "/campaigns/a2/submit", key)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        query = "/campaigns?limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page, _ = await api.call("GET", query, key)
        assert status == 200, page
        seen += [item["name"] for item in page["items"]]  # type: ignore[attr-defined]
        cursor = page["next_cursor"]  # type: ignore[assignment]
        if cursor is None:
            break
    assert seen == ["a1", "a2", "a3"]
    status, waiting, _ = await api.call("GET", "/campaigns?status=awaiting_approval", key)
    assert status == 200 and [x["name"] for x in waiting["items"]] == ["a2"]  # type: ignore[attr-defined]


async def test_campaign_files_are_checked_as_the_cli_checks_them_and_a_read_key_cannot_write(
    api: ApiClient, make_key: MakeKey
) -> None:
    writer = await make_key("campaigns:write")
    typo = {"name": "x", "channels": ["webchat"], "content": {"en": {"text": "Hi"}}, "schedul": "now"}
    status, problem, _ = await api.call("POST", "/campaigns", writer, {"campaign": typo})
    assert status == 422 and "schedul (did you mean schedule?)" in str(problem["detail"])
    status, problem, _ = await api.call("POST", "/campaigns", writer, {"yaml": "- just\n- a list\n"})
    assert status == 422 and "mapping" in str(problem["detail"])
    status, problem, _ = await api.call("POST", "/campaigns", writer, {"campaign": {"channels": 5}})
    assert status == 422, problem
    status, problem, _ = await api.call("GET", "/campaigns/nope", await make_key("campaigns:read"))
    assert status == 404
    reader = await make_key("campaigns:read")
    doc = {"name": "y", "channels": ["webchat"], "content": {"en": {"text": "Hi"}}}
    status, problem, _ = await api.call("POST", "/campaigns", reader, {"campaign": doc})
    assert status == 403 and problem["scope"] == "campaigns:write"
