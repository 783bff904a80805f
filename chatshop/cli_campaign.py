"""``chatshop campaign``: broadcast campaigns from the terminal, plus their assembly for ``chatshop run``.

create --file campaign.yml | list | show NAME | submit NAME | approve NAME | pause | resume | cancel |
send NAME [--foreground] (a rich progress bar while this process sends).

Assembly (``build_dispatcher``, ``register_campaign_jobs``) lives here too, beside the only other code
that needs it; the server calls ``register_campaign_jobs(runtime)``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from pydantic_settings import BaseSettings, SettingsConfigDict
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bots.campaigns.dispatcher import Dispatcher, Limits
from bots.campaigns.featured import FeaturedProducts
from bots.campaigns.links import LinkSigner
from bots.campaigns.ratelimit import LocalRateLimiter, RateLimiter, RedisRateLimiter
from bots.campaigns.transport import CampaignTransport
from bots.campaigns.webchat import OutboxChatTransport
from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings, get_settings
from domain import commands as c
from domain.adapters.campaigns_delivery import SqlDeliveryStore
from domain.adapters.campaigns_repository import SqlCampaignRepository
from domain.adapters.campaigns_uow import enable_campaigns
from domain.adapters.outbox import worker_id
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.model.campaigns import Campaign, CampaignReport
from domain.model.staff import Actor
from domain.service_layer.handlers.campaigns import build_campaign, pause_if_out_of_stock, report_dict

T = TypeVar("T")
campaign_app = typer.Typer(help="Broadcast campaigns: segments, approval, sending, reports.", no_args_is_help=True)
console = Console()
log = logging.getLogger(__name__)
err = Console(stderr=True)
ByOption = Annotated[str, typer.Option("--by", help="Who is acting (recorded on the campaign).")]


class CampaignSettings(BaseSettings):
    """Campaign delivery settings (``CHATSHOP_CAMPAIGN_*``, ``CHATSHOP_SMTP_*``)."""

    model_config = SettingsConfigDict(env_prefix="CHATSHOP_", env_file=".env", extra="ignore")

    campaign_max_in_flight: int = 20
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "shop@example.com"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool | None = None


# --- assembly ------------------------------------------------------------------------------------
def shared_limiter(settings: Settings) -> RateLimiter:
    """Redis when configured: the rate is the bot's, shared by every process that sends."""
    return RedisRateLimiter.from_url(settings.redis_url) if settings.redis_url else LocalRateLimiter()


def build_dispatcher(shop: Shop, worker: str | None = None, limiter: RateLimiter | None = None) -> Dispatcher:
    settings = shop.settings
    extra = CampaignSettings()
    worker = worker or worker_id()
    enable_campaigns(shop.bus.ctx, shop.sessions, shop.clock)
    transports: dict[str, CampaignTransport] = {"webchat": OutboxChatTransport(shop.bus, worker)}
    if settings.telegram_token is not None and settings.telegram_token.get_secret_value():
        from bots.conversation.payloads import PayloadCodec
        from channels.telegram.campaign_transport import TelegramCampaignTransport

        transports["telegram"] = TelegramCampaignTransport(
            settings.telegram_api_url,
            settings.telegram_token.get_secret_value(),
            PayloadCodec(settings.secret_key.get_secret_value()),
        )
    if extra.smtp_host:
        from channels.email.transport import SmtpCampaignTransport, SmtpConfig

        smtp = SmtpConfig(
            extra.smtp_host,
            extra.smtp_port,
            extra.smtp_from,
            extra.smtp_username,
            extra.smtp_password,
            extra.smtp_starttls,
        )
        transports["email"] = SmtpCampaignTransport(smtp)
    return Dispatcher(
        SqlDeliveryStore(shop.sessions, shop.clock, worker),
        shop.bus,
        transports,
        limiter or shared_limiter(settings),
        LinkSigner(settings.secret_key.get_secret_value(), settings.base_url),
        Limits(rate_per_second=settings.telegram_rate_per_second, max_in_flight=extra.campaign_max_in_flight),
        stock_check=lambda campaign_id: pause_if_out_of_stock(campaign_id, shop.bus.ctx),
        featured=FeaturedProducts(shop.views),
    )


def register_campaign_jobs(runtime: Any) -> Dispatcher:
    """For ``chatshop run``: schedules and automations fire once across processes (slot-guarded jobs);
    sending runs in every process (workers share the queue through SKIP LOCKED)."""
    shop: Shop = runtime.shop
    dispatcher = build_dispatcher(shop)
    runtime.add_job("campaign-schedules", timedelta(seconds=15), dispatcher.housekeeping)
    runtime.add_job("campaign-automations", timedelta(minutes=5), lambda: shop.bus.handle(c.RunCampaignAutomations()))

    async def send_for_a_while() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(50, stop.set)
        await dispatcher.run(stop, idle_seconds=2.0)

    runtime.scheduler.add_job(
        send_for_a_while, "interval", seconds=60, id="campaign-send", max_instances=1, coalesce=True
    )
    return dispatcher


def subscribe_back_in_stock(shop: Shop) -> None:
    """Notify who asked when a SKU comes back (outbox subscriber on BackInStock; replays queue nothing)."""
    enable_campaigns(shop.bus.ctx, shop.sessions, shop.clock)

    async def on_back(event_id: str, event: Any) -> None:
        await shop.bus.handle(c.NotifyBackInStock(event.sku))

    shop.outbox.subscribe("campaign-back-in-stock", on_back, events={"BackInStock"})


def subscribe_campaign_tests(shop: Shop, dispatcher: Dispatcher) -> None:
    """Send the test messages marketers ask for (``CampaignTestRequested``) through this process's channels.
    A 429 raises, so the outbox tries again later; any other failure is logged and dropped (a test is not
    worth retrying blindly: the marketer sees nothing arrive and can ask again)."""
    enable_campaigns(shop.bus.ctx, shop.sessions, shop.clock)

    async def on_test(event_id: str, event: Any) -> None:
        async with shop.sessions() as session:
            campaign = await SqlCampaignRepository(session).get(event.campaign_id)
        if campaign is None:
            return
        outcome = await dispatcher.send_test(campaign, event.channel, event.address, event.locale)
        if outcome.kind == "retry":
            raise RuntimeError(f"test of {event.campaign} to {event.channel}: rate limited, retrying")
        if outcome.kind != "sent":
            log.warning("test of %s to %s:%s: %s", event.campaign, event.channel, event.address, outcome.error)

    shop.outbox.subscribe("campaign-tests", on_test, events={"CampaignTestRequested"})


def subscribe_attribution(shop: Shop) -> None:
    """Credit each new order to the customer's last campaign touch (outbox subscriber on OrderPlaced)."""
    enable_campaigns(shop.bus.ctx, shop.sessions, shop.clock)

    async def on_order(event_id: str, event: Any) -> None:
        await shop.bus.handle(c.AttributeOrder(event.order_id))

    shop.outbox.subscribe("campaign-attribution", on_order, events={"OrderPlaced"})


# --- commands -------------------------------------------------------------------------------------
def _run(fn: Callable[[Shop], Awaitable[T]]) -> T:
    async def main() -> T:
        shop = build_shop(get_settings())
        enable_campaigns(shop.bus.ctx, shop.sessions, shop.clock)
        try:
            return await fn(shop)
        finally:
            await shop.close()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None


def _actor(by: str) -> Actor:
    # The CLI runs on the server with its database: it acts as the system, under the operator's name.
    return Actor.system(f"cli:{by}")


def trigger_from_yaml(trigger: Any) -> tuple[str | None, int]:
    """``{abandoned_cart: 4}`` (hours), ``{win_back: 60}`` (days, kept as hours), ``{back_in_stock: true}``
    (or just ``back_in_stock``) -> (trigger, trigger_hours)."""
    if not trigger:
        return None, 0
    if isinstance(trigger, str):
        trigger = {trigger: True}
    usage = "trigger is {abandoned_cart: HOURS}, {win_back: DAYS} or {back_in_stock: true}."
    if not isinstance(trigger, dict) or len(trigger) != 1:
        raise ValidationFailed(usage)
    name, value = next(iter(trigger.items()))
    if name == "back_in_stock":
        if value is not True:
            raise ValidationFailed(usage)
        return "back_in_stock", 0
    if name not in ("abandoned_cart", "win_back") or isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(usage)
    return str(name), value * 24 if name == "win_back" else value


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed(f"{name} is true or false.")
    return value


def command_from_yaml(data: Any, actor: Actor, replace: bool = False) -> c.CreateCampaign:
    """A CreateCampaign from campaign.yml (see docs/campaigns.md for the format)."""
    if not isinstance(data, dict):
        raise ValidationFailed("campaign.yml must be a mapping (name, channels, content, segment, schedule...).")
    schedule = data.get("schedule", "now")
    kind, send_at, cron = "now", None, None
    if isinstance(schedule, dict) and "at" in schedule:
        kind, send_at = "at", str(schedule["at"])
    elif isinstance(schedule, dict) and "cron" in schedule:
        kind, cron = "cron", str(schedule["cron"])
    elif schedule != "now":
        raise ValidationFailed("schedule is now, {at: 2026-12-01T10:00:00+00:00} or {cron: '0 10 * * MON'}.")
    quiet = str(data.get("quiet_hours", "21:00-09:00")).split("-")
    if len(quiet) != 2:
        raise ValidationFailed("quiet_hours looks like 21:00-09:00.")
    cap = data.get("frequency_cap") or {}
    trigger_name, trigger_hours = trigger_from_yaml(data.get("trigger"))
    return c.CreateCampaign(
        name=str(data.get("name", "")),
        contents={str(k): dict(v) for k, v in (data.get("content") or {}).items()},
        channels=tuple(data.get("channels") or ()),
        segment=data.get("segment") or {"field": "consent", "op": "is", "value": True},
        schedule=kind,
        send_at=send_at,
        cron=cron,
        quiet_hours=(quiet[0].strip(), quiet[1].strip()),
        quiet_policy=str(data.get("quiet_policy", "defer")),
        cap_messages=int(cap.get("messages", 2)),
        cap_days=int(cap.get("days", 7)),
        attribution_days=int(data.get("attribution_days", 7)),
        trigger=trigger_name,
        trigger_hours=trigger_hours,
        single_use_coupons=_flag(data.get("single_use_coupons", False), "single_use_coupons"),
        replace=replace,
        actor=actor,
    )


async def _campaign(shop: Shop, name: str) -> tuple[Campaign, CampaignReport, dict[str, int]]:
    async with shop.sessions() as session:
        repo = SqlCampaignRepository(session)
        found = await repo.get(name)
        if found is None:
            raise NotFound(f"There is no campaign {name}.")
        return found, await repo.report(found, shop.settings.currency), await repo.count(found, shop.clock.now())


@campaign_app.command("create")
def create(
    file: Annotated[Path, typer.Option("--file", "-f", exists=True, dir_okay=False, help="campaign.yml")],
    replace: Annotated[bool, typer.Option("--replace", help="Rewrite the draft of the same name.")] = False,
    by: ByOption = "operator",
) -> None:
    """Create a draft campaign from a YAML file and show how many customers it reaches."""
    command = command_from_yaml(yaml.safe_load(file.read_text(encoding="utf-8")), _actor(by), replace)

    async def go(shop: Shop) -> dict[str, int]:
        build_campaign(command, shop.clock.now())
        await shop.bus.handle(command)
        return (await _campaign(shop, command.name))[2]

    counts = _run(go)
    console.print(
        f"Draft [bold]{command.name}[/bold] saved: {counts['matching']} customers match, "
        f"[bold]{counts['reachable']}[/bold] reachable (opted in, not blocked). "
        f"Next: chatshop campaign submit {command.name}"
    )


@campaign_app.command("list")
def list_campaigns() -> None:
    """Every campaign with its status and progress."""

    async def go(shop: Shop) -> list[CampaignReport]:
        async with shop.sessions() as session:
            repo = SqlCampaignRepository(session)
            return [await repo.report(x, shop.settings.currency) for x in await repo.all()]

    table = Table("Name", "Status", "Recipients", "Sent", "Failed", "Blocked", "Unknown", "Progress")
    for r in _run(go):
        table.add_row(
            r.name,
            r.status,
            str(r.recipients),
            str(r.sent),
            str(r.failed),
            str(r.blocked),
            str(r.unknown),
            f"{r.progress:.0%}",
        )
    console.print(table)


@campaign_app.command("show")
def show(name: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """A campaign's settings, audience and report (recipients, sent, clicks, orders, revenue...)."""
    campaign, report, counts = _run(lambda shop: _campaign(shop, name))
    data = report_dict(report) | {
        "audience": counts,
        "channels": list(campaign.channels),
        "schedule": campaign.schedule.value,
        "trigger": campaign.trigger_summary,
        "next_run_at": campaign.next_run_at.isoformat() if campaign.next_run_at else None,
        "approved_by": campaign.approved_by,
        "pause_reason": campaign.pause_reason,
    }
    if as_json:
        console.print_json(json.dumps(data))
        return
    table = Table("Field", "Value", show_header=False)
    for key, value in data.items():
        table.add_row(key, str(value))
    console.print(table)


def _simple(make: Callable[[str, Actor], c.Command], done: str) -> Callable[..., None]:
    def command(name: str, by: ByOption = "operator") -> None:
        _run(lambda shop: shop.bus.handle(make(name, _actor(by))))
        console.print(done.format(name=name))

    return command


@campaign_app.command("test")
def test_send(
    name: str,
    to: Annotated[
        str,
        typer.Option("--to", help="Your own address: telegram:CHAT_ID, email:you@example.com or webchat:CHAT_ID."),
    ],
    locale: Annotated[
        str | None, typer.Option("--locale", help="Which language's content (default: the first).")
    ] = None,
    by: ByOption = "operator",
) -> None:
    """Send the campaign to yourself first, marked as a test (the running server sends it)."""
    channel, _, address = to.partition(":")
    if not address:
        err.print("[red]--to is CHANNEL:ADDRESS, e.g. telegram:123456789 or email:you@example.com.[/red]")
        raise typer.Exit(2)
    used = _run(lambda shop: shop.bus.handle(c.SendCampaignTest(name, channel, address, locale, _actor(by))))
    console.print(f"Test of {name} ({used}) queued for {channel}:{address}; the running server sends it.")


campaign_app.command("submit", help="Ask an approver to approve the campaign.")(
    _simple(lambda n, a: c.SubmitCampaign(n, a), "{name} awaits approval.")
)
campaign_app.command("approve", help="Approve: it sends at its scheduled time (now, at, or cron).")(
    _simple(lambda n, a: c.ApproveCampaign(n, a), "{name} approved.")
)
campaign_app.command("pause", help="Stop sending; nothing queued is lost.")(
    _simple(lambda n, a: c.PauseCampaign(n, "paused from the CLI", a), "{name} paused.")
)
campaign_app.command("resume", help="Carry on sending.")(
    _simple(lambda n, a: c.ResumeCampaign(n, a), "{name} resumed.")
)
campaign_app.command("cancel", help="Cancel: what is still queued is not sent.")(
    _simple(lambda n, a: c.CancelCampaign(n, a), "{name} cancelled.")
)


@campaign_app.command("send")
def send(
    name: str,
    foreground: Annotated[
        bool, typer.Option("--foreground", help="Send from this process with a progress bar.")
    ] = False,
) -> None:
    """Start an approved campaign now (the server's workers send it, or this process with --foreground)."""

    async def go(shop: Shop) -> None:
        campaign, _, _ = await _campaign(shop, name)
        assert campaign.id is not None
        queued = await shop.bus.handle(c.StartCampaignRun(campaign.id, now=True))
        console.print(f"{name}: {queued} messages queued.")
        if not foreground:
            return
        dispatcher = build_dispatcher(shop)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console) as progress:
            _, report, _ = await _campaign(shop, name)
            task = progress.add_task(name, total=report.recipients)
            sending = asyncio.create_task(dispatcher.drain(horizon_seconds=60))
            while not sending.done():
                await asyncio.sleep(0.5)
                _, report, _ = await _campaign(shop, name)
                progress.update(task, completed=report.recipients - report.queued - report.sending)
            left = await sending
        _, report, _ = await _campaign(shop, name)
        console.print(
            f"sent {report.sent}, blocked {report.blocked}, failed {report.failed}, unknown {report.unknown}, "
            f"skipped {report.skipped}; {left} wait for quiet hours to end (the server sends them)."
        )

    _run(go)
