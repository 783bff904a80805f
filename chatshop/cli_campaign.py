"""``chatshop campaign``: broadcast campaigns from the terminal, plus their assembly for ``chatshop run``.

create --file campaign.yml [--now] | list | show NAME | submit NAME | approve NAME | pause | resume | cancel |
resend-unknown NAME | send NAME [--foreground] (a rich progress bar while this process sends). Every
command that changes a campaign acts as a named staff member (``--as NAME``, see ``chatshop/cli_actor.py``).

Assembly (``build_dispatcher``, ``register_campaign_jobs``) lives here too, beside the only other code
that needs it; the server calls ``register_campaign_jobs(runtime)``: the sender starts with the server,
sends for as long as anything is due, is woken by approvals, and stops without losing anyone.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
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
from bots.campaigns.ratelimit import RateLimiter, RedisRateLimiter, SharedRateLimiter
from bots.campaigns.summary import what_happens_next
from bots.campaigns.transport import CampaignTransport
from bots.campaigns.webchat import OutboxChatTransport
from chatshop.bootstrap import Shop, build_shop
from chatshop.cli_actor import ActorOption, resolve_actor
from chatshop.settings import get_settings
from chatshop.subscribers.campaigns import subscribe
from domain import commands as c
from domain.adapters.campaigns_delivery import SqlDeliveryStore
from domain.adapters.campaigns_ratelimit import SqlRateLimiter
from domain.adapters.campaigns_repository import SqlCampaignRepository
from domain.adapters.campaigns_uow import enable_campaigns
from domain.adapters.outbox import worker_id
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.model.campaigns import Campaign, CampaignReport, CampaignStatus
from domain.model.staff import Actor
from domain.service_layer.handlers.campaigns import (
    UNKNOWN_MEANS,
    build_campaign,
    pause_if_out_of_stock,
    report_dict,
    resend_unknown,
)

T = TypeVar("T")
campaign_app = typer.Typer(help="Broadcast campaigns: segments, approval, sending, reports.", no_args_is_help=True)
console = Console()
log = logging.getLogger(__name__)
err = Console(stderr=True)
FORMAT_DOC = "docs/campaigns.md"


class CampaignSettings(BaseSettings):
    """Campaign delivery settings (``CHATSHOP_CAMPAIGN_*``, ``CHATSHOP_SMTP_*``)."""

    model_config = SettingsConfigDict(env_prefix="CHATSHOP_", env_file=".env", extra="ignore")

    campaign_max_in_flight: int = 20
    # On stop (SIGTERM), how long messages already handed to a channel may take to answer (see Limits).
    campaign_stop_grace_seconds: float = 10.0
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "shop@example.com"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool | None = None


# --- assembly ------------------------------------------------------------------------------------
def shared_limiter(shop: Shop) -> RateLimiter:
    """The bot's one rate, shared by every process that sends with it: through Redis when configured, else
    through the database (``rate_schedules``), so a ``send --foreground`` beside the server, or a second
    server, never doubles it."""
    if shop.settings.redis_url:
        return RedisRateLimiter.from_url(shop.settings.redis_url)
    return SharedRateLimiter(SqlRateLimiter(shop.sessions))


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
        limiter or shared_limiter(shop),
        LinkSigner(settings.secret_key.get_secret_value(), settings.base_url),
        Limits(
            rate_per_second=settings.telegram_rate_per_second,
            max_in_flight=extra.campaign_max_in_flight,
            stop_grace_seconds=extra.campaign_stop_grace_seconds,
        ),
        stock_check=lambda campaign_id: pause_if_out_of_stock(campaign_id, shop.bus.ctx),
        featured=FeaturedProducts(shop.views),
    )


def register_campaign_jobs(runtime: Any) -> Dispatcher:
    """For ``chatshop run``: the sender loop runs from start to stop in every process (workers share the
    queue through SKIP LOCKED and the bot's rate through the shared limiter); it starts due campaigns
    itself (a second or so after their time, or at once when woken by an approval), so there is no
    schedule job. Automations fire once across processes (a slot-guarded job)."""
    shop: Shop = runtime.shop
    dispatcher = build_dispatcher(shop)
    runtime.add_job("campaign-automations", timedelta(minutes=5), lambda: shop.bus.handle(c.RunCampaignAutomations()))
    runtime.add_worker("campaign-sender", lambda stop: dispatcher.run(stop, idle_seconds=1.0))
    runtime.on_stop(dispatcher.aclose)

    async def on_due(event_id: str, event: Any) -> None:
        dispatcher.wake()

    subscribe(shop.outbox, "campaign-sender-wake", on_due)
    return dispatcher


def subscribe_back_in_stock(shop: Shop) -> None:
    """Notify who asked when a SKU comes back (outbox subscriber on BackInStock; replays queue nothing)."""
    enable_campaigns(shop.bus.ctx, shop.sessions, shop.clock)

    async def on_back(event_id: str, event: Any) -> None:
        await shop.bus.handle(c.NotifyBackInStock(event.sku))

    subscribe(shop.outbox, "campaign-back-in-stock", on_back)


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

    subscribe(shop.outbox, "campaign-tests", on_test)


def subscribe_attribution(shop: Shop) -> None:
    """Credit each new order to the customer's last campaign touch (outbox subscriber on OrderPlaced)."""
    enable_campaigns(shop.bus.ctx, shop.sessions, shop.clock)

    async def on_order(event_id: str, event: Any) -> None:
        await shop.bus.handle(c.AttributeOrder(event.order_id))

    subscribe(shop.outbox, "campaign-attribution", on_order)


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


# What campaign.yml may say, level by level: anything else is refused with these listed (a typo such as
# ``schedul`` or ``quiet_hour`` used to fall back to a default silently).
TOP_KEYS = (
    "name", "channels", "content", "segment", "schedule", "quiet_hours", "quiet_policy", "frequency_cap",
    "attribution_days", "trigger", "single_use_coupons",
)  # fmt: skip
CONTENT_KEYS = ("text", "image_url", "skus", "coupon")
SCHEDULE_KEYS = ("at", "cron")
CAP_KEYS = ("messages", "days")


def _only(data: dict[Any, Any], valid: tuple[str, ...], where: str) -> None:
    unknown = [str(k) for k in data if k not in valid]
    if not unknown:
        return
    hints = [f"{k} (did you mean {m[0]}?)" if (m := difflib.get_close_matches(k, valid, 1)) else k for k in unknown]
    raise ValidationFailed(
        f"Unknown key{'s' if len(unknown) > 1 else ''} {', '.join(hints)} in {where}; "
        f"valid keys: {', '.join(sorted(valid))} (format: {FORMAT_DOC})."
    )


def _mapping(value: Any, where: str, example: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed(f"{where} is a mapping, e.g. {example}.")
    return value


def _schedule(data: dict[Any, Any], now: datetime | None, send_now: bool) -> tuple[str, str | None, str | None]:
    """(kind, send_at, cron). A time already past is refused: approving would send at once, which the
    marketer did not write; ``--now`` says that is what they want."""
    usage = "schedule is now, {at: 2026-12-01T10:00:00+00:00} or {cron: '0 10 * * MON'}."
    schedule = data.get("schedule", "now")
    if schedule == "now":
        return "now", None, None
    if not isinstance(schedule, dict):
        raise ValidationFailed(usage)
    _only(schedule, SCHEDULE_KEYS, "schedule")
    if len(schedule) != 1:
        raise ValidationFailed(usage)
    if "cron" in schedule:
        return "cron", None, str(schedule["cron"])
    at = schedule["at"]
    text = at.isoformat() if isinstance(at, datetime) else str(at)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"{text!r} is not a time like 2026-12-01T10:00:00+00:00.") from None
    if when.tzinfo is not None and now is not None and when <= now:
        if send_now:
            return "now", None, None
        raise ValidationFailed(
            f"schedule.at {text} is in the past (now: {now.isoformat(timespec='minutes')}). Give a later time, "
            "write schedule: now, or pass --now to send it as soon as it is approved."
        )
    return "at", text, None


def command_from_yaml(
    data: Any, actor: Actor, replace: bool = False, now: datetime | None = None, send_now: bool = False
) -> c.CreateCampaign:
    """A CreateCampaign from campaign.yml (see docs/campaigns.md for the format); unknown keys are refused.
    With ``now``, a ``schedule: {at: ...}`` before it is refused unless ``send_now``."""
    if not isinstance(data, dict):
        raise ValidationFailed(f"campaign.yml must be a mapping of {', '.join(TOP_KEYS)} (format: {FORMAT_DOC}).")
    _only(data, TOP_KEYS, "campaign.yml")
    contents = _mapping(data.get("content") or {}, "content", "{en: {text: Hello}}")
    for locale, content in contents.items():
        _only(_mapping(content, f"content.{locale}", "{text: Hello}"), CONTENT_KEYS, f"content.{locale}")
    kind, send_at, cron = _schedule(data, now, send_now)
    quiet = str(data.get("quiet_hours", "21:00-09:00")).split("-")
    if len(quiet) != 2:
        raise ValidationFailed("quiet_hours looks like 21:00-09:00.")
    cap = _mapping(data.get("frequency_cap") or {}, "frequency_cap", "{messages: 2, days: 7}")
    _only(cap, CAP_KEYS, "frequency_cap")
    trigger_name, trigger_hours = trigger_from_yaml(data.get("trigger"))
    return c.CreateCampaign(
        name=str(data.get("name", "")),
        contents={str(k): dict(v) for k, v in contents.items()},
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


@campaign_app.command(
    "create",
    help=(
        f"Create a draft campaign from a YAML file and show how many customers it reaches. The file's format "
        f"(every key, with an example) is in {FORMAT_DOC}; top-level keys: {', '.join(TOP_KEYS)}. Unknown "
        "keys are refused, and so is a schedule.at time already past (unless --now)."
    ),
)
def create(
    file: Annotated[Path, typer.Option("--file", "-f", exists=True, dir_okay=False, help="campaign.yml")],
    replace: Annotated[bool, typer.Option("--replace", help="Rewrite the draft of the same name.")] = False,
    send_now: Annotated[
        bool, typer.Option("--now", help="A schedule.at already past means: send as soon as approved.")
    ] = False,
    actor: ActorOption = None,
) -> None:
    data = yaml.safe_load(file.read_text(encoding="utf-8"))

    async def go(shop: Shop) -> tuple[str, dict[str, int]]:
        command = command_from_yaml(data, await resolve_actor(shop, actor), replace, shop.clock.now(), send_now)
        build_campaign(command, shop.clock.now())
        await shop.bus.handle(command)
        return command.name, (await _campaign(shop, command.name))[2]

    name, counts = _run(go)
    console.print(
        f"Draft [bold]{name}[/bold] saved: {counts['matching']} customers match, "
        f"[bold]{counts['reachable']}[/bold] reachable (opted in, not blocked). "
        f"Next: chatshop campaign submit {name}"
    )


def _progress_cell(r: CampaignReport) -> str:
    if not r.recipients:
        return "-"  # nothing queued yet (a draft, or waiting for its time)
    done = r.recipients - r.queued - r.sending
    return f"{done}/{r.recipients} {r.progress:.0%}"


def _problems_cell(r: CampaignReport) -> str:
    parts = [f"{n} {what}" for n, what in ((r.failed, "failed"), (r.blocked, "blocked"), (r.unknown, "unknown")) if n]
    return ", ".join(parts) or "-"


@campaign_app.command("list")
def list_campaigns() -> None:
    """Every campaign with its status and progress (fits 80 columns; `show NAME` has the details)."""

    async def go(shop: Shop) -> list[CampaignReport]:
        async with shop.sessions() as session:
            repo = SqlCampaignRepository(session)
            return [await repo.report(x, shop.settings.currency) for x in await repo.all()]

    table = Table("Name", "Status", "Done", "Not sent", box=None, pad_edge=False)
    for r in _run(go):
        status = "awaiting approval" if r.status == CampaignStatus.AWAITING_APPROVAL.value else r.status
        table.add_row(r.name, status, _progress_cell(r), _problems_cell(r))
    console.print(table)


def unknown_note(report: CampaignReport, name: str) -> str | None:
    if not report.unknown:
        return None
    return f"{report.unknown} unknown: {UNKNOWN_MEANS} To send them again: chatshop campaign resend-unknown {name}"


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
        "submitted_by": campaign.submitted_by,
        "approved_by": campaign.approved_by,
        "pause_reason": campaign.pause_reason,
        "unknown_means": unknown_note(report, name),
    }
    if as_json:
        console.print_json(json.dumps(data))
        return
    table = Table("Field", "Value", show_header=False)
    for key, value in data.items():
        if value is not None:
            table.add_row(key, str(value))
    console.print(table)


def _simple(make: Callable[[str, Actor], c.Command], done: str) -> Callable[..., None]:
    def command(name: str, actor: ActorOption = None) -> None:
        async def go(shop: Shop) -> None:
            await shop.bus.handle(make(name, await resolve_actor(shop, actor)))

        _run(go)
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
    actor: ActorOption = None,
) -> None:
    """Send the campaign to yourself first, marked as a test (the running server sends it)."""
    channel, _, address = to.partition(":")
    if not address:
        err.print("[red]--to is CHANNEL:ADDRESS, e.g. telegram:123456789 or email:you@example.com.[/red]")
        raise typer.Exit(2)

    async def go(shop: Shop) -> str:
        who = await resolve_actor(shop, actor)
        return str(await shop.bus.handle(c.SendCampaignTest(name, channel, address, locale, actor=who)))

    used = _run(go)
    console.print(f"Test of {name} ({used}) queued for {channel}:{address}; the running server sends it.")


@campaign_app.command("approve")
def approve(name: str, actor: ActorOption = None) -> None:
    """Approve a submitted campaign (an approver who neither wrote nor submitted it): it sends at its time."""

    async def go(shop: Shop) -> str:
        await shop.bus.handle(c.ApproveCampaign(name, actor=await resolve_actor(shop, actor)))
        campaign, _, counts = await _campaign(shop, name)
        rate = shop.settings.telegram_rate_per_second
        return what_happens_next(campaign, counts["reachable"], rate, shop.clock.now())

    console.print(f"{name} approved: {_run(go)}")


campaign_app.command("submit", help="Ask an approver to approve the campaign.")(
    _simple(lambda n, a: c.SubmitCampaign(n, actor=a), "{name} awaits approval.")
)
campaign_app.command("pause", help="Stop sending; nothing queued is lost.")(
    _simple(lambda n, a: c.PauseCampaign(n, "paused from the CLI", actor=a), "{name} paused.")
)
campaign_app.command("resume", help="Carry on sending.")(
    _simple(lambda n, a: c.ResumeCampaign(n, actor=a), "{name} resumed.")
)
campaign_app.command("cancel", help="Cancel: what is still queued is not sent.")(
    _simple(lambda n, a: c.CancelCampaign(n, actor=a), "{name} cancelled.")
)


@campaign_app.command("resend-unknown")
def resend_unknown_command(
    name: str,
    actor: ActorOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Don't ask for confirmation.")] = False,
) -> None:
    """Send again to the recipients whose outcome is unknown (an approver's decision: some of them may
    have received it already and will get it twice)."""
    _, report, _ = _run(lambda shop: _campaign(shop, name))
    if not report.unknown:
        console.print(f"{name} has no recipient whose outcome is unknown.")
        return
    if not yes:
        typer.confirm(
            f"{report.unknown} recipients of {name} may or may not have received it; send to them again?", abort=True
        )

    async def go(shop: Shop) -> int:
        return await resend_unknown(name, await resolve_actor(shop, actor), shop.bus.ctx)

    requeued = _run(go)
    console.print(f"{name}: {requeued} unknown recipients queued again; the running server sends them.")


@campaign_app.command("send")
def send(
    name: str,
    foreground: Annotated[
        bool, typer.Option("--foreground", help="Send from this process with a progress bar.")
    ] = False,
) -> None:
    """Start an approved campaign now (the server's workers send it, or this process with --foreground).
    With --foreground on a campaign already sending, this process joins in: it shares the bot's one rate
    with every other sender (through Redis or the database), so the campaign does not go out faster."""

    async def go(shop: Shop) -> None:
        campaign, _, _ = await _campaign(shop, name)
        assert campaign.id is not None
        if campaign.status == CampaignStatus.SENDING and not foreground:
            console.print(f"{name} is sending already (the running server sends it; --foreground joins in).")
            return
        if campaign.status == CampaignStatus.SENDING:
            console.print(f"{name} is sending already: this process joins in, at the bot's one shared rate.")
        else:
            queued = await shop.bus.handle(c.StartCampaignRun(campaign.id, now=True))
            console.print(f"{name}: {queued} messages queued.")
        if not foreground:
            return
        dispatcher = build_dispatcher(shop)
        try:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=console) as progress:
                _, report, _ = await _campaign(shop, name)
                task = progress.add_task(name, total=report.recipients)
                sending = asyncio.create_task(dispatcher.drain(horizon_seconds=60))
                try:
                    while not sending.done():
                        await asyncio.wait({sending}, timeout=0.5)
                        _, report, _ = await _campaign(shop, name)
                        progress.update(task, completed=report.recipients - report.queued - report.sending)
                except asyncio.CancelledError:  # Ctrl-C: requeue what waits for a slot, finish the calls
                    sending.cancel()
                    await dispatcher.stop_gracefully()
                    raise
                left = await sending
        finally:
            await dispatcher.aclose()  # before the summary: no "Unclosed client session" after it
        _, report, _ = await _campaign(shop, name)
        console.print(
            f"sent {report.sent}, blocked {report.blocked}, failed {report.failed}, unknown {report.unknown}, "
            f"skipped {report.skipped}; {left} wait for quiet hours to end (the server sends them)."
        )
        if report.unknown:
            console.print(unknown_note(report, name))

    _run(go)
