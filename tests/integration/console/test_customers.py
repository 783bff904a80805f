"""The console's customers: search, a profile with identities, orders, lifetime value, consent history, tags,
notes and tickets; an admin edits tags and notes, exports and forgets; other roles only look."""

from __future__ import annotations

import json
import re

from admin_api.console.settings import ConsoleSettings
from domain import commands as c
from domain.adapters.staff_access import SqlStaffAccessStore
from domain.model.money import Money
from domain.model.staff import Actor, Role
from tests.integration.console.conftest import PASSWORD, Console, StaffShop, paid_order

HOSTILE = '<img src=x onerror="alert(1)"> & "Eve"'


async def admin(staffed: StaffShop, name: str = "ada") -> None:
    shop = staffed.small.shop
    staff_id = int(await shop.bus.handle(c.AddStaff(name, Role.ADMIN, actor=c.SYSTEM)))
    await SqlStaffAccessStore(shop.sessions, shop.clock).set_password(staff_id, PASSWORD, "en")


async def a_customer(staffed: StaffShop, name: str = "Ann Example") -> tuple[int, int]:
    """A customer with a paid order, a marketing consent given and withdrawn, a tag and an open ticket."""
    small = staffed.small
    order_id = await paid_order(small, quantity=1, external_id="web-ann", name=name)
    view = await small.shop.views.order(order_id)
    assert view is not None
    cid = view.customer_id
    bus = small.shop.bus
    await bus.handle(c.SetMarketingConsent(cid, True, "web chat opt-in", actor=c.SYSTEM))
    await bus.handle(c.SetMarketingConsent(cid, False, "unsubscribe link", actor=c.SYSTEM))
    await bus.handle(c.UpdateCustomer(cid, email="ann@example.com", add_tags=("vip",), actor=c.SYSTEM))
    await bus.handle(c.OpenTicket(cid, "webchat", "web-ann", "Where is my parcel?"))
    return cid, order_id


async def test_search_finds_a_customer_and_the_profile_shows_everything_held(
    console: Console, staffed: StaffShop
) -> None:
    cid, order_id = await a_customer(staffed)
    await console.sign_in("viv")
    _, html = await console.get("/customers?q=ann+ex")
    assert f'href="/admin/customers/{cid}"' in html
    status, _ = await console.get(f"/customers?q=%23{cid}")
    assert status == 303
    _, html = await console.get(f"/customers/{cid}")
    assert "Ann Example" in html and "ann@example.com" in html
    assert "Web chat: web-ann" in html
    assert f'href="/admin/orders/{order_id}"' in html
    order = await staffed.small.shop.views.order(order_id)
    assert order is not None
    assert f"Lifetime value</dt><dd><strong>{Money(order.total, 'USD').format()}</strong>" in html
    assert "web chat opt-in" in html and "unsubscribe link" in html
    assert html.index("unsubscribe link") < html.index("web chat opt-in")  # newest first
    assert "vip" in html and "Where is my parcel?" in html
    # A viewer changes nothing here: no forms, no export.
    assert f"/customers/{cid}/tags" not in html and f"/customers/{cid}/forget" not in html
    assert f"/customers/{cid}/export" not in html


async def test_an_admin_edits_tags_and_notes(console: Console, staffed: StaffShop) -> None:
    cid, _ = await a_customer(staffed)
    await admin(staffed)
    await console.sign_in("ada")
    csrf = await console.csrf(f"/customers/{cid}")
    form = {"csrf": csrf, "add": "wholesale， Returns-Often", "remove": "vip"}
    assert (await console.post(f"/customers/{cid}/tags", form))[0] == 303
    profile = await staffed.small.shop.views.customer(cid)
    assert profile is not None and set(profile.tags) == {"wholesale", "returns-often"}
    assert (await console.post(f"/customers/{cid}/notes", {"csrf": csrf, "notes": "Prefers <b>morning</b>"}))[0] == 303
    _, html = await console.get(f"/customers/{cid}")
    assert "Prefers &lt;b&gt;morning&lt;/b&gt;" in html


async def test_an_operator_may_not_edit_tags_even_by_posting(console: Console, staffed: StaffShop) -> None:
    cid, _ = await a_customer(staffed)
    await console.sign_in("otto")
    csrf = await console.csrf(f"/customers/{cid}")
    status, html, _ = await console.post(f"/customers/{cid}/tags", {"csrf": csrf, "add": "x", "remove": "vip"})
    assert status == 403, html
    assert (await console.post(f"/customers/{cid}/forget", {"csrf": csrf, "confirm": str(cid)}))[0] == 403
    assert (await console.get(f"/customers/{cid}/export"))[0] == 403
    profile = await staffed.small.shop.views.customer(cid)
    assert profile is not None and profile.tags == ("vip",) and not profile.anonymised


async def test_an_admin_exports_and_then_forgets_a_customer(console: Console, staffed: StaffShop) -> None:
    cid, order_id = await a_customer(staffed)
    await admin(staffed)
    await console.sign_in("ada")
    async with console.http.get(console.url(f"/customers/{cid}/export")) as resp:
        assert resp.status == 200
        assert "attachment" in resp.headers["Content-Disposition"]
        data = json.loads(await resp.text())
    assert "ann@example.com" in json.dumps(data)
    csrf = await console.csrf(f"/customers/{cid}")
    status, html, _ = await console.post(f"/customers/{cid}/forget", {"csrf": csrf, "confirm": "nope"})
    assert status == 409
    assert (await console.post(f"/customers/{cid}/forget", {"csrf": csrf, "confirm": str(cid)}))[0] == 303
    profile = await staffed.small.shop.views.customer(cid)
    assert profile is not None and profile.anonymised
    _, html = await console.get(f"/customers/{cid}")
    assert "Ann Example" not in html and "ann@example.com" not in html
    assert f'href="/admin/orders/{order_id}"' in html  # the order stays, for the books


async def test_a_hostile_customer_name_is_escaped_on_the_list_and_the_profile(
    console: Console, staffed: StaffShop
) -> None:
    cid, _ = await a_customer(staffed, name=HOSTILE)
    await console.sign_in("viv")
    for path in ("/customers?q=eve", f"/customers/{cid}"):
        _, html = await console.get(path)
        assert "<img src=x" not in html, path
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &#34;Eve&#34;" in html, path


async def test_tags_can_be_removed_through_the_domain_command(staffed: StaffShop) -> None:
    cid, _ = await a_customer(staffed)
    bus = staffed.small.shop.bus
    await bus.handle(c.UpdateCustomer(cid, remove_tags=("VIP",), add_tags=("new",), actor=Actor.system()))
    profile = await staffed.small.shop.views.customer(cid)
    assert profile is not None and profile.tags == ("new",)


async def test_text_with_a_nul_character_is_refused_with_a_clear_error_and_nothing_changed(
    console: Console, staffed: StaffShop
) -> None:
    cid, _ = await a_customer(staffed)
    await admin(staffed)
    await console.sign_in("ada")
    csrf = await console.csrf(f"/customers/{cid}")
    status, html, _ = await console.post(f"/customers/{cid}/notes", {"csrf": csrf, "notes": "gate\x00code"})
    assert status == 400 and "NUL" in html
    assert "gate" not in (await console.get(f"/customers/{cid}"))[1]
    status, html = await console.get("/customers?q=a%00b")
    assert status == 400 and "NUL" in html


async def test_the_customer_list_pages_on_past_the_first_page(
    console: Console, staffed: StaffShop, console_settings: ConsoleSettings
) -> None:
    size = console_settings.page_size
    ids = [await staffed.small.customer(f"web-page-{i}", f"Pager {i:03}") for i in range(size + 3)]
    await console.sign_in("viv")
    status, html = await console.get("/customers")
    assert status == 200 and "/admin/customers?q=&amp;after=" in html
    after = re.search(r"/admin/customers\?q=&amp;after=(\d+)", html)
    assert after is not None
    status, html = await console.get(f"/customers?q=&after={after.group(1)}")
    assert status == 200
    assert f"/customers/{ids[-1]}" in html and f'/customers/{ids[0]}"' not in html
