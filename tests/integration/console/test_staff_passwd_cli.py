"""`chatshop staff passwd NAME`: the password is asked twice (or read from stdin), checked, hashed; signing in
works with it and only it, and setting a new one ends the sessions opened with the old."""

from __future__ import annotations

import asyncio

from click.testing import Result
from typer.testing import CliRunner

from chatshop.cli import app
from chatshop.settings import get_settings
from domain import commands as c
from domain.adapters.staff_access import SqlStaffAccessStore
from domain.model.staff import Role
from tests.support.shopdata import SmallShop


async def chatshop(small: SmallShop, *args: str, stdin: str) -> Result:
    def invoke() -> Result:
        get_settings.cache_clear()
        try:
            env = {"CHATSHOP_DATABASE_URL": small.shop.settings.database_url}
            return CliRunner().invoke(app, list(args), input=stdin, env=env)
        finally:
            get_settings.cache_clear()

    return await asyncio.to_thread(invoke)


def store(small: SmallShop) -> SqlStaffAccessStore:
    return SqlStaffAccessStore(small.shop.sessions, small.shop.clock)


async def test_a_password_set_on_the_command_line_signs_in_and_the_old_one_stops_working(small: SmallShop) -> None:
    await small.shop.bus.handle(c.AddStaff("Mei", Role.APPROVER, actor=c.SYSTEM))
    result = await chatshop(small, "staff", "passwd", "Mei", "--locale", "zh", stdin="first password\nfirst password\n")
    assert result.exit_code == 0, result.output
    assert "Password set for staff #1 Mei; console language zh." in result.output
    signed = await store(small).sign_in("Mei", "first password")
    assert signed is not None and signed[1].locale == "zh" and signed[1].role == Role.APPROVER
    result = await chatshop(small, "staff", "passwd", "#1", "--stdin", stdin="second password\n")
    assert result.exit_code == 0, result.output
    assert await store(small).sign_in("Mei", "first password") is None
    assert await store(small).session(signed[0]) is None  # the old password's session ended
    assert await store(small).sign_in("Mei", "second password") is not None


async def test_two_different_entries_change_nothing(small: SmallShop) -> None:
    await small.shop.bus.handle(c.AddStaff("Mei", Role.VIEWER, actor=c.SYSTEM))
    result = await chatshop(small, "staff", "passwd", "Mei", stdin="first password\nother password\n")
    assert result.exit_code == 1
    assert "differ" in result.output
    assert await store(small).sign_in("Mei", "first password") is None


async def test_a_short_password_an_unknown_name_and_an_unknown_language_are_refused(small: SmallShop) -> None:
    await small.shop.bus.handle(c.AddStaff("Mei", Role.VIEWER, actor=c.SYSTEM))
    short = await chatshop(small, "staff", "passwd", "Mei", "--stdin", stdin="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    nobody = await chatshop(small, "staff", "passwd", "Nobody", "--stdin", stdin="long enough pw\n")
    assert nobody.exit_code == 1 and "No active staff member Nobody" in nobody.output
    french = await chatshop(small, "staff", "passwd", "Mei", "--stdin", "--locale", "fr", stdin="long enough pw\n")
    assert french.exit_code == 1 and "en, zh" in french.output


async def test_a_name_two_people_share_must_be_given_as_an_id(small: SmallShop) -> None:
    for _ in range(2):
        await small.shop.bus.handle(c.AddStaff("Sam", Role.VIEWER, actor=c.SYSTEM))
    result = await chatshop(small, "staff", "passwd", "Sam", "--stdin", stdin="long enough pw\n")
    assert result.exit_code == 1 and "2 staff members are called Sam (#1, #2)" in result.output
