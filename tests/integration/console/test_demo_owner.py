"""The demo shop's owner can sign in to the console with the password the seed prints once."""

from __future__ import annotations

from chatshop.bootstrap import Shop
from chatshop.seed import OWNER, seed_demo
from domain.adapters.staff_access import SqlStaffAccessStore
from domain.model.staff import Role


async def test_the_seed_prints_a_password_the_demo_owner_signs_in_with(shop: Shop) -> None:
    summary = await seed_demo(shop, customers=2, orders=2)
    assert summary.owner_password is not None and len(summary.owner_password) >= 16
    assert f"name {OWNER}, password {summary.owner_password}" in str(summary)
    signed = await SqlStaffAccessStore(shop.sessions, shop.clock).sign_in(OWNER, summary.owner_password)
    assert signed is not None and signed[1].role == Role.ADMIN


async def test_seeding_again_keeps_the_one_owner_and_their_password(shop: Shop) -> None:
    first = await seed_demo(shop, customers=2, orders=2)
    again = await seed_demo(shop, customers=2, orders=2)
    assert again.owner_password is None and "password" not in str(again)
    assert [m.name for m in await shop.views.staff_members()] == [OWNER]
    assert first.owner_password is not None
    assert await SqlStaffAccessStore(shop.sessions, shop.clock).sign_in(OWNER, first.owner_password) is not None
