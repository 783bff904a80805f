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
from domain.adapters.outbox import worker_id
from domain.errors import DomainError, NotFound
from domain.model.campaigns import Campaign, CampaignReport, CampaignStatus
from domain.model.staff import Actor
from domain.service_layer.campaign_files import FORMAT_DOC, TOP_KEYS, command_from_yaml
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


class CampaignSettings(BaseSettings):
    """Campaign delivery settings (``CHATSHOP_CAMPAIGN_*``, ``CHATSHOP_SMTP_*``)."""

    model_config = SettingsConfigDict(env_prefix="CHATSHOP_", env_file=".env", extra="ignore", env_ignore_empty=True)

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

    async def on_back(event_id: str, event: Any) -> None:
        await shop.bus.handle(c.NotifyBackInStock(event.sku))

    subscribe(shop.outbox, "campaign-back-in-stock", on_back)


def subscribe_campaign_tests(shop: Shop, dispatcher: Dispatcher) -> None:
    """Send the test messages marketers ask for (``CampaignTestRequested``) through this process's channels.
    A 429 raises, so the outbox tries again later; any other failure is logged and dropped (a test is not
    worth retrying blindly: the marketer sees nothing arrive and can ask again)."""

    async def on_test(event_id: str, event: Any) -> None:
        found = await shop.views.campaigns.campaign(event.campaign_id)
        if found is None:
            return
        campaign = found.campaign
        outcome = await dispatcher.send_test(campaign, event.channel, event.address, event.locale)
        if outcome.kind == "retry":
            raise RuntimeError(f"test of {event.campaign} to {event.channel}: rate limited, retrying")
        if outcome.kind != "sent":
            log.warning("test of %s to %s:%s: %s", event.campaign, event.channel, event.address, outcome.error)

    subscribe(shop.outbox, "campaign-tests", on_test)


def subscribe_attribution(shop: Shop) -> None:
    """Credit each new order to the customer's last campaign touch (outbox subscriber on OrderPlaced)."""

    async def on_order(event_id: str, event: Any) -> None:
        await shop.bus.handle(c.AttributeOrder(event.order_id))

    subscribe(shop.outbox, "campaign-attribution", on_order)


# --- commands -------------------------------------------------------------------------------------
def _run(fn: Callable[[Shop], Awaitable[T]]) -> T:
    async def main() -> T:
        shop = build_shop(get_settings())
        try:
            return await fn(shop)
        finally:
            await shop.close()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None


async def _campaign(shop: Shop, name: str) -> tuple[Campaign, CampaignReport, dict[str, int]]:
    views = shop.views.campaigns
    found = await views.campaign(name)
    if found is None:
        raise NotFound(f"There is no campaign {name}.")
    (report,) = await views.reports(name)
    return found.campaign, report, await views.audience(found.campaign)


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
        return await shop.views.campaigns.reports()

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
