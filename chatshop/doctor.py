"""``chatshop doctor``'s checks: is this configuration ready for real shoppers, and if not, what to change.

Each check asks the real thing (the database, Redis, the Bot API, Slack's Web API, the Rasa server) through
the same libraries the shop uses, with a short timeout, and says how to fix what it finds. Secrets are never
printed: a finding names the setting, not its value.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from chatshop.settings import DEFAULT_SECRET_KEY, Settings, _loopback_url

TIMEOUT_SECONDS = 5.0


class Status(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"  # works, but worth a look before going live
    ERROR = "error"  # the shop, or one of its channels, will not work as configured
    SKIPPED = "skipped"  # not configured: nothing to check


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    message: str
    fix: str = ""


Check = Callable[[Settings], Awaitable[list[Finding]]]


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


# --- database and Redis ---------------------------------------------------------------------------
async def check_database(settings: Settings) -> list[Finding]:
    from domain.adapters.db import create_engine, display_url
    from domain.adapters.health import current_revisions, head_revisions

    engine = create_engine(settings.database_url, pool_size=1)
    where = display_url(settings.database_url)
    try:
        current = await current_revisions(engine)
    except Exception as exc:
        return [
            Finding(
                "database",
                Status.ERROR,
                f"cannot reach {where}: {type(exc).__name__}: {exc}",
                "check CHATSHOP_DATABASE_URL (host, port, user, password, database name) and that the server runs",
            )
        ]
    finally:
        await engine.dispose()
    head = head_revisions()
    found = [Finding("database", Status.OK, f"{where} reachable")]
    if current == head:
        found.append(Finding("migrations", Status.OK, f"at head {', '.join(head)}"))
    else:
        found.append(
            Finding(
                "migrations",
                Status.ERROR,
                f"database at {', '.join(current) or 'no revision'}, the code expects {', '.join(head)}",
                "run `chatshop db upgrade` (back up first: see docs/deploy.md)",
            )
        )
    if settings.database_url.startswith("sqlite"):
        found.append(
            Finding(
                "database",
                Status.WARNING,
                "SQLite: one process only",
                "for several processes use PostgreSQL (CHATSHOP_DATABASE_URL=postgresql://…) and Redis",
            )
        )
    return found


async def check_redis(settings: Settings) -> list[Finding]:
    if not settings.redis_url:
        return [Finding("redis", Status.SKIPPED, "CHATSHOP_REDIS_URL not set: state and rate limits stay per process")]
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
    try:
        await client.ping()
    except Exception as exc:
        return [
            Finding(
                "redis",
                Status.ERROR,
                f"no answer from {urlsplit(settings.redis_url).hostname}: {type(exc).__name__}: {exc}",
                "check CHATSHOP_REDIS_URL and that Redis runs (unset it to run a single process without Redis)",
            )
        ]
    finally:
        await client.aclose()
    return [Finding("redis", Status.OK, "PING answered")]


# --- secret and public address --------------------------------------------------------------------
async def check_secret(settings: Settings) -> list[Finding]:
    key = _secret(settings.secret_key)
    generate = 'set CHATSHOP_SECRET_KEY to python -c "import secrets; print(secrets.token_urlsafe(48))"'
    if key == DEFAULT_SECRET_KEY:
        exposed = settings.unsafe_secret() is not None
        status = Status.ERROR if exposed else Status.WARNING
        where = "and the shop is reachable by real people" if exposed else "(fine on a laptop only)"
        return [
            Finding("secret key", status, f"CHATSHOP_SECRET_KEY is the built-in development value {where}", generate)
        ]
    if len(key) < 32:
        return [Finding("secret key", Status.WARNING, f"CHATSHOP_SECRET_KEY has only {len(key)} characters", generate)]
    return [Finding("secret key", Status.OK, "set, not the default")]


def _webhooks_needed(settings: Settings) -> list[str]:
    needed = []
    if settings.telegram_token is not None:
        needed.append("Telegram")
    if settings.stripe_webhook_secret is not None:
        needed.append("Stripe")
    if settings.slack_bot_token is not None and settings.slack_app_token is None:
        needed.append("Slack (HTTP mode)")
    return needed


async def check_public_url(settings: Settings) -> list[Finding]:
    needed = _webhooks_needed(settings)
    url = settings.public_url
    if not url:
        if needed:
            return [
                Finding(
                    "public URL",
                    Status.ERROR,
                    f"CHATSHOP_PUBLIC_URL is not set, but {', '.join(needed)} must reach the shop",
                    "set CHATSHOP_PUBLIC_URL=https://your-shop.example (the address your reverse proxy serves)",
                )
            ]
        return [Finding("public URL", Status.SKIPPED, "CHATSHOP_PUBLIC_URL not set: links point at the local address")]
    parts = urlsplit(url)
    if parts.scheme != "https" and not _loopback_url(url):
        return [
            Finding(
                "public URL",
                Status.ERROR,
                f"{url} is not https: payment pages and webhooks need TLS",
                "serve the shop behind a TLS reverse proxy and set CHATSHOP_PUBLIC_URL=https://… (docs/deploy.md)",
            )
        ]
    if parts.path not in ("", "/"):
        return [
            Finding(
                "public URL",
                Status.WARNING,
                f"{url} has a path: webhooks are registered under it",
                "serve the shop at the root of its host",
            )
        ]
    found = [Finding("public URL", Status.OK, url)]
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)) as http,
            http.get(url.rstrip("/") + "/healthz") as response,
        ):
            reachable = response.status == 200
            detail = f"HTTP {response.status}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        reachable, detail = False, f"{type(exc).__name__}: {exc}"
    if not reachable:
        found.append(
            Finding(
                "public URL",
                Status.WARNING,
                f"{url}/healthz did not answer ({detail})",
                "start `chatshop run` and check the reverse proxy forwards to it (fine if the shop is not started yet)",
            )
        )
    return found


# --- Telegram ---------------------------------------------------------------------------------------
async def check_telegram(settings: Settings) -> list[Finding]:
    from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError

    from channels.telegram.channel import TelegramConfig, build_bot
    from channels.telegram.webhook import PATH

    config = TelegramConfig.from_settings(settings)
    if config is None:
        return [Finding("telegram", Status.SKIPPED, "CHATSHOP_TELEGRAM_TOKEN not set: no Telegram channel")]
    bot = build_bot(config)
    found: list[Finding] = []
    try:
        try:
            me = await asyncio.wait_for(bot.get_me(), TIMEOUT_SECONDS)
            info = await asyncio.wait_for(bot.get_webhook_info(), TIMEOUT_SECONDS)
        except TelegramUnauthorizedError:
            return [
                Finding(
                    "telegram",
                    Status.ERROR,
                    "the Bot API refused the token (getMe: Unauthorized)",
                    "copy the token again from @BotFather into CHATSHOP_TELEGRAM_TOKEN",
                )
            ]
        except (TelegramAPIError, aiohttp.ClientError, TimeoutError) as exc:
            return [
                Finding(
                    "telegram",
                    Status.ERROR,
                    f"the Bot API at {config.api_url} did not answer: {type(exc).__name__}: {exc}",
                    "check the network to api.telegram.org (or CHATSHOP_TELEGRAM_API_URL)",
                )
            ]
    finally:
        await bot.session.close()
    found.append(Finding("telegram", Status.OK, f"token valid: @{me.username}"))
    register = "run `chatshop telegram set-webhook` (it registers the URL and the secret together)"
    if not config.webhook_secret:
        found.append(
            Finding(
                "telegram webhook",
                Status.ERROR,
                "CHATSHOP_TELEGRAM_WEBHOOK_SECRET is not set: the webhook refuses every update",
                f"set it to a long random string, then {register}",
            )
        )
    expected = (settings.public_url or "").rstrip("/") + PATH if settings.public_url else None
    if not info.url:
        found.append(
            Finding(
                "telegram webhook",
                Status.ERROR,
                "no webhook is registered: Telegram keeps updates until someone polls",
                register if expected else f"set CHATSHOP_PUBLIC_URL, then {register}",
            )
        )
    elif expected and info.url != expected:
        found.append(
            Finding(
                "telegram webhook",
                Status.ERROR,
                f"the webhook points at {info.url}, not {expected}",
                register,
            )
        )
    else:
        found.append(Finding("telegram webhook", Status.OK, f"set to {info.url}"))
    if info.last_error_message:
        found.append(
            Finding(
                "telegram webhook",
                Status.ERROR if info.pending_update_count else Status.WARNING,
                f"Telegram's last delivery failed: {info.last_error_message} "
                f"({info.pending_update_count or 0} update(s) waiting)",
                "a 401/403 means the secret differs: " + register + "; otherwise check the proxy and the server",
            )
        )
    return found


# --- Slack ------------------------------------------------------------------------------------------
async def check_slack(settings: Settings) -> list[Finding]:
    token = _secret(settings.slack_bot_token)
    if not token:
        return [Finding("slack", Status.SKIPPED, "CHATSHOP_SLACK_BOT_TOKEN not set: no Slack ops bot")]
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=token, base_url=settings.slack_api_url, timeout=int(TIMEOUT_SECONDS))
    try:
        auth = await client.auth_test()
    except SlackApiError as exc:
        return [
            Finding(
                "slack",
                Status.ERROR,
                f"auth.test refused the bot token: {exc.response.get('error')}",
                "copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page into "
                "CHATSHOP_SLACK_BOT_TOKEN and reinstall the app if its scopes changed",
            )
        ]
    except (aiohttp.ClientError, TimeoutError) as exc:
        return [
            Finding("slack", Status.ERROR, f"Slack did not answer: {type(exc).__name__}: {exc}", "check the network")
        ]
    found = [Finding("slack", Status.OK, f"token valid: {auth.get('user')} in {auth.get('team')}")]
    if not _secret(settings.slack_signing_secret):
        found.append(
            Finding(
                "slack",
                Status.ERROR,
                "CHATSHOP_SLACK_SIGNING_SECRET is not set: Slack's requests cannot be verified, the bot stays off",
                "copy the Signing Secret from the app's Basic Information page",
            )
        )
    for setting, channel in (
        ("CHATSHOP_SLACK_OPS_CHANNEL", settings.slack_ops_channel),
        ("CHATSHOP_SLACK_SUPPORT_CHANNEL", settings.slack_support_channel),
    ):
        if not channel:
            found.append(Finding("slack channels", Status.WARNING, f"{setting} is not set", f"set {setting}=C…"))
            continue
        invite = f"invite the bot: /invite @{auth.get('user')} in that channel"
        try:
            answer = await client.conversations_info(channel=channel)
        except SlackApiError as exc:
            error = exc.response.get("error")
            found.append(
                Finding(
                    "slack channels",
                    Status.ERROR,
                    f"{setting}={channel}: {error}",
                    f"use the channel's id (C…, from its details) and {invite}",
                )
            )
            continue
        info = answer.get("channel") or {}
        if info.get("is_member"):
            found.append(Finding("slack channels", Status.OK, f"{setting}: bot is a member of #{info.get('name')}"))
        else:
            found.append(
                Finding(
                    "slack channels", Status.ERROR, f"{setting}: bot is not a member of #{info.get('name')}", invite
                )
            )
    return found


# --- Stripe -----------------------------------------------------------------------------------------
async def check_stripe(settings: Settings) -> list[Finding]:
    key = _secret(settings.stripe_secret_key)
    if not key:
        return [Finding("stripe", Status.SKIPPED, "CHATSHOP_STRIPE_SECRET_KEY not set: payments use the sandbox")]
    mode = "live" if "_live_" in key else "test" if "_test_" in key else None
    found: list[Finding] = []
    if mode is None:
        found.append(
            Finding(
                "stripe",
                Status.ERROR,
                "CHATSHOP_STRIPE_SECRET_KEY is not a Stripe secret key (sk_live_…, sk_test_…, rk_…)",
                "copy the secret key from the Stripe dashboard, Developers → API keys",
            )
        )
    elif mode == "test":
        found.append(
            Finding(
                "stripe",
                Status.WARNING,
                "test mode: no real money moves",
                "use the live secret key (sk_live_…) when you open the shop",
            )
        )
    else:
        found.append(Finding("stripe", Status.OK, "live mode"))
    secret = _secret(settings.stripe_webhook_secret)
    if not secret:
        found.append(
            Finding(
                "stripe webhook",
                Status.ERROR,
                "CHATSHOP_STRIPE_WEBHOOK_SECRET is not set: paid orders are only noticed when the shopper returns",
                "add an endpoint at <public URL>/webhooks/stripe in the dashboard (checkout.session.*, "
                "charge.refunded…) and copy its signing secret (whsec_…)",
            )
        )
    elif not secret.startswith("whsec_"):
        found.append(
            Finding(
                "stripe webhook",
                Status.ERROR,
                "CHATSHOP_STRIPE_WEBHOOK_SECRET does not look like a signing secret (whsec_…)",
                "copy the endpoint's signing secret from the dashboard, not an API key",
            )
        )
    else:
        found.append(Finding("stripe webhook", Status.OK, "signing secret set"))
    return found


# --- SMTP (campaign e-mails) -----------------------------------------------------------------------
async def check_smtp(settings: Settings) -> list[Finding]:
    from chatshop.cli_campaign import CampaignSettings

    smtp = CampaignSettings()
    if not smtp.smtp_host:
        return [Finding("smtp", Status.SKIPPED, "CHATSHOP_SMTP_HOST not set: no e-mail campaigns")]
    import aiosmtplib

    where = f"{smtp.smtp_host}:{smtp.smtp_port}"
    client = aiosmtplib.SMTP(
        hostname=smtp.smtp_host, port=smtp.smtp_port, start_tls=smtp.smtp_starttls, timeout=TIMEOUT_SECONDS
    )
    try:
        await client.connect()
        if smtp.smtp_username:
            await client.login(smtp.smtp_username, smtp.smtp_password or "")
    except aiosmtplib.SMTPAuthenticationError as exc:
        return [
            Finding(
                "smtp",
                Status.ERROR,
                f"{where} refused the login of {smtp.smtp_username}: {exc.code} {exc.message}",
                "check CHATSHOP_SMTP_USERNAME and CHATSHOP_SMTP_PASSWORD (an app password for hosted mail)",
            )
        ]
    except (aiosmtplib.SMTPException, OSError) as exc:
        return [
            Finding(
                "smtp",
                Status.ERROR,
                f"cannot talk to the relay at {where}: {type(exc).__name__}: {exc}",
                "check CHATSHOP_SMTP_HOST / _PORT / _STARTTLS and that the relay accepts this machine",
            )
        ]
    finally:
        if client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.quit()
    logged_in = f", logged in as {smtp.smtp_username}" if smtp.smtp_username else " (no login configured)"
    return [Finding("smtp", Status.OK, f"{where} answered{logged_in}")]


# --- Rasa -------------------------------------------------------------------------------------------
async def check_rasa(settings: Settings) -> list[Finding]:
    if not settings.rasa_url:
        return [Finding("rasa", Status.SKIPPED, "CHATSHOP_RASA_URL not set: the embedded NLU engine answers")]
    from nlu.rasa_build import model_hash

    url = settings.rasa_url.rstrip("/")
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)) as http,
            http.get(f"{url}/status") as response,
        ):
            response.raise_for_status()
            status = await response.json()
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return [
            Finding(
                "rasa",
                Status.ERROR,
                f"no answer from {url}/status: {type(exc).__name__}: {exc}",
                "start it with `make rasa` (needs --enable-api), or unset CHATSHOP_RASA_URL for the embedded engine",
            )
        ]
    expected = f"nlu-{model_hash()}"
    loaded = PurePosixPath(str(status.get("model_file") or "")).name
    if not loaded.startswith(expected):
        return [
            Finding(
                "rasa",
                Status.ERROR,
                f"Rasa serves {loaded or 'no model'}, but the current NLU data needs {expected}.tar.gz",
                "restart it with `make rasa` (it trains the model for the current data when needed)",
            )
        ]
    return [Finding("rasa", Status.OK, f"serving {loaded}, which matches the NLU data")]


CHECKS: list[Check] = [
    check_database,
    check_redis,
    check_secret,
    check_public_url,
    check_telegram,
    check_slack,
    check_stripe,
    check_smtp,
    check_rasa,
]


async def diagnose(settings: Settings, checks: list[Check] = CHECKS) -> list[Finding]:
    """Every check, one after the other (an import in one would eat another's timeout); a check that crashes
    is itself a finding."""

    async def run(check: Check) -> list[Finding]:
        try:
            return await check(settings)
        except Exception as exc:
            name = check.__name__.removeprefix("check_").replace("_", " ")
            return [Finding(name, Status.ERROR, f"the check itself failed: {type(exc).__name__}: {exc}")]

    return [finding for check in checks for finding in await run(check)]
