"""`chatshop doctor` against the real database and Redis and the fake Bot API, Slack and a Rasa server that
speak their wire formats: a clean configuration passes, each broken one is named with its fix."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr

from channels.telegram.channel import TelegramConfig, build_bot
from channels.telegram.setup import set_webhook
from chatshop.cli_doctor import exit_code
from chatshop.doctor import Finding, Status, diagnose
from chatshop.settings import Settings
from nlu.rasa_build import model_hash
from tests.integration.campaigns.server_rig import free_port
from tests.support.fake_slack import FakeSlack
from tests.support.fake_telegram import FakeTelegram
from tests.support.services import redis_url

PUBLIC = "https://localhost:1"  # https, and nothing listens: reachability is only a warning
SECRET_KEY = "k" * 48
WEBHOOK_SECRET = "telegram-webhook-secret-0123456789"


@dataclass
class FakeRasa:
    """Rasa's HTTP API as `rasa run --enable-api` answers GET /status."""

    model_file: str
    url: str = ""

    async def __aenter__(self) -> FakeRasa:
        async def status(request: web.Request) -> web.Response:
            return web.json_response(
                {"model_id": "abc123", "model_file": self.model_file, "num_active_training_jobs": 0}
            )

        app = web.Application()
        app.router.add_get("/status", status)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()


@dataclass
class Rig:
    telegram: FakeTelegram
    slack: FakeSlack
    rasa: FakeRasa
    database_url: str

    def settings(self, **changes: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": self.database_url,
            "redis_url": redis_url(),
            "secret_key": SECRET_KEY,
            "public_url": PUBLIC,
            "telegram_token": self.telegram.token,
            "telegram_webhook_secret": WEBHOOK_SECRET,
            "telegram_api_url": self.telegram.url,
            "slack_bot_token": self.slack.token,
            "slack_signing_secret": "slack-signing-secret",
            "slack_api_url": self.slack.api_url,
            "slack_ops_channel": "COPS",
            "slack_support_channel": "CSUPPORT",
            "stripe_secret_key": "sk_live_0123456789abcdef",
            "stripe_webhook_secret": "whsec_0123456789abcdef",
            "rasa_url": self.rasa.url,
        }
        return Settings(_env_file=None, **(values | changes))  # type: ignore[call-arg]

    def environment(self, **changes: Any) -> dict[str, str]:
        settings = self.settings(**changes)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHATSHOP_")}
        for name, value in settings.model_dump().items():
            if value is not None and name in self.settings().model_fields_set:
                env[f"CHATSHOP_{name.upper()}"] = (
                    value.get_secret_value() if isinstance(value, SecretStr) else str(value)
                )
        return env


@pytest.fixture
async def rig(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Rig]:
    shutil.copy(sqlite_template, tmp_path / "shop.db")
    async with FakeTelegram() as telegram, FakeRasa(f"/app/models/nlu-{model_hash()}.tar.gz") as rasa:
        slack = await FakeSlack().start()
        try:
            yield Rig(telegram, slack, rasa, f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
        finally:
            await slack.stop()


async def register_webhook(rig: Rig, base: str, secret: str = WEBHOOK_SECRET) -> None:
    config = TelegramConfig.from_settings(rig.settings())
    assert config is not None
    bot = build_bot(config)
    try:
        await set_webhook(bot, base, secret)
    finally:
        await bot.session.close()


def by_check(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.check, []).append(finding)
    return grouped


def errors(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check: f for f in findings if f.status is Status.ERROR}


async def run_cli(env: dict[str, str], cwd: Path) -> tuple[int, dict[str, Any]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "chatshop.cli", "doctor", "--json",
        cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, json.loads(out or err)


async def test_a_ready_configuration_has_no_errors_and_the_command_exits_0(rig: Rig, tmp_path: Path) -> None:
    await register_webhook(rig, PUBLIC)
    env = rig.environment() | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    code, report = await run_cli(env, tmp_path)
    statuses = {(f["check"], f["status"]) for f in report["findings"]}
    assert code == 0 and report["ok"] is True, [f for f in report["findings"] if f["status"] == "error"]
    for check in ("database", "migrations", "redis", "secret key", "telegram", "telegram webhook", "slack",
                  "slack channels", "stripe", "stripe webhook", "rasa"):  # fmt: skip
        assert (check, "ok") in statuses, check
    assert ("public URL", "warning") in statuses  # nothing serves https://localhost:1 during the test
    assert ("database", "warning") in statuses  # SQLite: one process only
    assert not any(SECRET_KEY in json.dumps(f) or "sk_live_" in json.dumps(f) for f in report["findings"])


async def test_a_broken_configuration_is_an_error_and_says_how_to_fix_each_problem(rig: Rig) -> None:
    await register_webhook(rig, "https://old-host.example")
    rig.slack.not_member.add("CSUPPORT")
    rig.rasa.model_file = "/app/models/nlu-0000000000000000.tar.gz"
    findings = await diagnose(
        rig.settings(
            redis_url="redis://127.0.0.1:1/0",
            stripe_webhook_secret=None,
            stripe_secret_key="sk_test_0123456789abcdef",
        )
    )
    found = {f.check: f for f in findings if f.status is Status.ERROR}
    assert exit_code(findings) == 1  # what `chatshop doctor` exits with
    assert set(found) == {"redis", "telegram webhook", "slack channels", "stripe webhook", "rasa"}
    assert "https://old-host.example/webhooks/telegram" in found["telegram webhook"].message
    assert "chatshop telegram set-webhook" in found["telegram webhook"].fix
    assert "CHATSHOP_SLACK_SUPPORT_CHANNEL" in found["slack channels"].message
    assert "/invite @chatshop" in found["slack channels"].fix
    assert "whsec_" in found["stripe webhook"].fix
    assert f"nlu-{model_hash()}.tar.gz" in found["rasa"].message and "make rasa" in found["rasa"].fix
    assert "CHATSHOP_REDIS_URL" in found["redis"].fix
    stripe = next(f for f in findings if f.check == "stripe")
    assert stripe.status is Status.WARNING and "test mode" in stripe.message


async def test_a_token_telegram_refuses_and_a_missing_webhook_secret_are_errors(rig: Rig) -> None:
    findings = await diagnose(rig.settings(telegram_token="123:wrong"))
    assert "refused the token" in errors(findings)["telegram"].message
    assert "@BotFather" in errors(findings)["telegram"].fix
    rig.telegram.webhook = None
    findings = await diagnose(rig.settings(telegram_webhook_secret=None))
    webhook = [f for f in by_check(findings)["telegram webhook"] if f.status is Status.ERROR]
    assert any("WEBHOOK_SECRET is not set" in f.message for f in webhook)
    assert any("no webhook is registered" in f.message for f in webhook)


async def test_telegrams_last_delivery_error_is_reported_with_the_secret_as_a_likely_cause(rig: Rig) -> None:
    await register_webhook(rig, PUBLIC)
    rig.telegram.webhook_error = "Wrong response from the webhook: 401 Unauthorized"
    rig.telegram.push_update({"update_id": 1})
    webhook = by_check(await diagnose(rig.settings()))["telegram webhook"]
    failed = next(f for f in webhook if "last delivery failed" in f.message)
    assert failed.status is Status.ERROR and "401 Unauthorized" in failed.message and "secret" in failed.fix


async def test_a_slack_token_slack_refuses_is_an_error_naming_the_token(rig: Rig) -> None:
    findings = await diagnose(rig.settings(slack_bot_token="xoxb-revoked"))
    slack = errors(findings)["slack"]
    assert "invalid_auth" in slack.message and "CHATSHOP_SLACK_BOT_TOKEN" in slack.fix
    unknown = await diagnose(rig.settings(slack_ops_channel="CGONE"))
    assert "channel_not_found" in errors(unknown)["slack channels"].message


async def test_the_default_secret_with_a_real_channel_and_plain_http_are_errors(rig: Rig) -> None:
    findings = errors(await diagnose(rig.settings(secret_key="dev-only-change-me", public_url="http://shop.example")))
    assert "built-in development value" in findings["secret key"].message
    assert "token_urlsafe" in findings["secret key"].fix
    assert "not https" in findings["public URL"].message


async def test_webhooks_without_a_public_url_are_an_error(rig: Rig) -> None:
    findings = errors(await diagnose(rig.settings(public_url=None)))
    assert "Telegram, Stripe" in findings["public URL"].message


async def test_a_database_behind_the_migrations_and_one_unreachable_are_errors(rig: Rig, tmp_path: Path) -> None:
    empty = errors(await diagnose(rig.settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")))
    assert "no revision" in empty["migrations"].message and "chatshop db upgrade" in empty["migrations"].fix
    gone = errors(await diagnose(rig.settings(database_url="postgresql+asyncpg://shop:pw-secret@127.0.0.1:1/shop")))
    assert "cannot reach" in gone["database"].message and "pw-secret" not in gone["database"].message
    assert "migrations" not in gone


class Relay:
    """An SMTP relay (aiosmtpd) that wants AUTH LOGIN/PLAIN as shop / relay-password."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            ok = data.login == b"shop" and data.password == b"relay-password"
            return AuthResult(success=ok, handled=False)

        self.port = free_port()
        self.controller = Controller(
            object(), hostname="127.0.0.1", port=self.port, authenticator=authenticate, auth_require_tls=False
        )

    def __enter__(self) -> int:
        self.controller.start()
        return self.port

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


async def test_the_smtp_relay_login_is_checked(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    from chatshop.doctor import check_smtp

    with Relay() as port:
        monkeypatch.setenv("CHATSHOP_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CHATSHOP_SMTP_PORT", str(port))
        monkeypatch.setenv("CHATSHOP_SMTP_STARTTLS", "false")
        monkeypatch.setenv("CHATSHOP_SMTP_USERNAME", "shop")
        monkeypatch.setenv("CHATSHOP_SMTP_PASSWORD", "relay-password")
        [good] = await check_smtp(rig.settings())
        monkeypatch.setenv("CHATSHOP_SMTP_PASSWORD", "wrong")
        [refused] = await check_smtp(rig.settings())
    [gone] = await check_smtp(rig.settings())
    assert good.status is Status.OK and "logged in as shop" in good.message
    assert refused.status is Status.ERROR and "refused the login of shop" in refused.message
    assert "CHATSHOP_SMTP_PASSWORD" in refused.fix and "wrong" not in refused.message
    assert gone.status is Status.ERROR and "cannot talk to the relay" in gone.message
