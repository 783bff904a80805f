"""The broadcast loop: start due runs, claim deliveries, pace them, call the channel, book the result.

Pacing happens *after* a claim (rows are ``sending`` while they wait for a slot), so the number of rows
a crash can leave ``unknown`` is bounded by ``max_in_flight``: claim no more than that many at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bots.campaigns.featured import FeaturedProducts
from bots.campaigns.links import LinkSigner
from bots.campaigns.ratelimit import GLOBAL, RateLimiter
from bots.campaigns.transport import CampaignTransport, Message
from domain import commands as c
from domain.model.campaigns import Campaign, SendOutcome, Trigger
from domain.observability import metrics
from domain.service_layer.handlers.campaign_messages import marked_as_test, sample_personal_code

log = logging.getLogger(__name__)


class Claimed(Protocol):
    # Read-only members, so frozen dataclasses (a claimed delivery, a test recipient) satisfy it.
    @property
    def id(self) -> int: ...
    @property
    def campaign_id(self) -> int: ...
    @property
    def run(self) -> int: ...
    @property
    def customer_id(self) -> int: ...
    @property
    def channel(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def locale(self) -> str: ...
    @property
    def skus(self) -> tuple[str, ...]: ...  # what this recipient asked about (back in stock), else ()
    @property
    def coupon(self) -> str | None: ...  # a personal single-use code, else None


@dataclass(frozen=True)
class _TestRecipient:
    """A marketer's own address for a test send: no delivery row (id 0) and no customer (0)."""

    campaign_id: int
    channel: str
    address: str
    locale: str
    id: int = 0
    run: int = 0
    customer_id: int = 0
    skus: tuple[str, ...] = ()
    coupon: str | None = None  # a single-use campaign shows the shape of a personal code


def sample_recipient(campaign: Campaign, channel: str, locale: str, address: str = "0") -> _TestRecipient:
    """Someone reading ``locale`` on ``channel`` (no delivery row, no customer): what a test send and the
    console's preview render the campaign for."""
    assert campaign.id is not None
    return _TestRecipient(campaign.id, channel, address, locale, coupon=sample_personal_code(campaign))


def render_message(d: Claimed | _TestRecipient, campaign: Campaign, links: LinkSigner) -> Message:
    """The message one recipient gets: every send, test send and preview is built here, so they can't drift."""
    content = campaign.content_for(d.locale)
    return Message(
        campaign_id=d.campaign_id,
        delivery_id=d.id,
        customer_id=d.customer_id,
        channel=d.channel,
        address=d.address,
        locale=d.locale,
        text=content.text,
        image_url=content.image_url,
        skus=d.skus or content.skus,  # a back-in-stock notice shows the product its shopper asked about
        coupon=campaign.coupon_for(d.locale, d.coupon),
        subject=content.text.splitlines()[0][:120],
        unsubscribe_url=links.url("u", d.customer_id, d.campaign_id),
        click_url=links.url("c", d.customer_id, d.campaign_id),
        checkout=campaign.trigger == Trigger.ABANDONED_CART,
    )


class DeliveryStore(Protocol):
    async def claim(self, limit: int) -> tuple[list[Any], dict[int, Campaign]]: ...
    async def finish_many(self, results: Sequence[tuple[Any, SendOutcome]]) -> list[bool]: ...
    async def reap(self) -> int: ...
    async def finished_runs(self) -> list[int]: ...
    async def due_campaigns(self) -> list[int]: ...
    async def open_now(self, horizon_seconds: float) -> int: ...
    async def sending_with_products(self) -> list[int]: ...
    async def release(self, deliveries: Sequence[Any]) -> int: ...


class Bus(Protocol):
    async def handle(self, command: c.Command) -> Any: ...


StockCheck = Callable[[int], Awaitable[str | None]]


@dataclass
class DispatchStats:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retried: int = 0
    lost_lease: int = 0
    claims: int = 0  # claiming transactions (the booking ones: ``Booker.writes``)
    by_campaign: dict[int, int] = field(default_factory=dict)


class Booker:
    """Books results in groups: one transaction for a group of results instead of one per message.

    A group is written once ``batch`` results are waiting or ``linger`` seconds after the first of them
    arrived, whichever comes first. Each transaction costs far more than the rows it updates (on SQLite
    through aiosqlite about 1.8 ms of CPU for a one-row UPDATE, measured), so at a paced rate booking each
    result as it came cost most of the sender's CPU. The dispatcher sizes ``batch`` like its claims (half
    the in-flight window), so one booking frees room for one claim.

    Each caller still waits for its own row to be booked, so a delivery keeps its in-flight slot until its
    result is in the database: a crash leaves ``unknown`` at most the rows in flight, as when booking one
    by one."""

    def __init__(self, store: DeliveryStore, batch: int = 1, linger: float = 0.0) -> None:
        self.store = store
        self.batch = max(1, batch)
        self.linger = linger  # at most this long between a result's arrival and its group's write
        self._pending: list[tuple[Any, SendOutcome, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._full: asyncio.Event | None = None  # set when a group is complete while the writer lingers
        self.writes = 0  # transactions so far

    async def book(self, delivery: Any, outcome: SendOutcome) -> bool:
        """True when booked; False when the lease was lost meanwhile (the row stays ``unknown``)."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((delivery, outcome, done))
        if len(self._pending) >= self.batch and self._full is not None:
            self._full.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await done

    async def _write(self) -> None:
        while self._pending:
            if len(self._pending) < self.batch and self.linger > 0:
                self._full = asyncio.Event()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self.linger)
                self._full = None
            group, self._pending = self._pending, []
            self.writes += 1
            try:
                booked = await self.store.finish_many([(d, outcome) for d, outcome, _ in group])
            except Exception as exc:  # the rows stay ``sending``: the reaper makes them ``unknown``
                for _, _, done in group:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for (_, _, done), ok in zip(group, booked, strict=True):
                if not done.done():
                    done.set_result(ok)


@dataclass
class Limits:
    rate_per_second: float = 30.0  # Telegram: about 30 messages a second per bot
    chat_per_second: float = 1.0  # and one a second per chat
    max_in_flight: int = 20
    # On stop, how long calls already under way may take to answer before the process gives up on them
    # (those rows then become ``unknown``: their outcome is not known). Rows still waiting for a slot are
    # put back in the queue at once.
    stop_grace_seconds: float = 10.0


class Dispatcher:
    def __init__(
        self,
        store: DeliveryStore,
        bus: Bus,
        transports: dict[str, CampaignTransport],
        limiter: RateLimiter,
        links: LinkSigner,
        limits: Limits | None = None,
        stock_check: StockCheck | None = None,
        paced_channels: frozenset[str] = frozenset({"telegram"}),
        featured: FeaturedProducts | None = None,
    ) -> None:
        self.store = store
        self.bus = bus
        self.transports = transports
        self.limiter = limiter
        self.links = links
        self.limits = limits or Limits()
        self.stock_check = stock_check
        self.paced_channels = paced_channels
        self.featured = featured  # names and prices of featured SKUs; without it messages name the SKUs
        self.stats = DispatchStats()
        self.booker = Booker(store, batch=self._claim_batch(), linger=0.05)
        self._in_flight: set[asyncio.Task[None]] = set()
        # Tasks that have not reached their channel call yet: on stop they are cancelled and their rows
        # requeued (nothing left this process for them, so sending them later duplicates nothing).
        self._before_call: dict[asyncio.Task[None], Claimed] = {}
        self._wake = asyncio.Event()
        self.housekeeping_every = 1.0
        self.due_poll_seconds = 0.25  # while idle: how often to look for a campaign that came due
        self._last_housekeeping = float("-inf")

    def rate_key(self, channel: str) -> str:
        """The key of the channel's overall rate: the bot's own (``telegram:<bot id>``) when the transport
        names it, so every process and every kind of message sent with one bot token shares one rate."""
        transport = self.transports.get(channel)
        return f"{GLOBAL}:{getattr(transport, 'rate_key', None) or channel}"

    def wake(self) -> None:
        """Work may be due now (a campaign was approved, started or resumed): stop idling and look."""
        self._last_housekeeping = float("-inf")
        self._wake.set()

    def render(self, d: Claimed | _TestRecipient, campaign: Campaign) -> Message:
        return render_message(d, campaign, self.links)

    async def send_test(self, campaign: Campaign, channel: str, address: str, locale: str) -> SendOutcome:
        """One message as a recipient would see it, marked as a test, to a marketer's own address: paced like
        any other (it shares the bot's rate) but with no delivery row, so it is never counted or retried
        here (``CampaignTestRequested``'s outbox subscriber retries a 429 or a network error)."""
        assert campaign.id is not None
        transport = self.transports.get(channel)
        if transport is None:
            return SendOutcome.failed(f"the {channel} channel is not configured in this process")
        test = sample_recipient(campaign, channel, locale, address)
        message = await self.message_for(test, campaign)
        message = dataclasses.replace(message, text=marked_as_test(locale, message.text))
        if channel in self.paced_channels:
            await self.limiter.acquire(f"chat:{channel}:{address}", self.limits.chat_per_second)
            await self.limiter.acquire(self.rate_key(channel), self.limits.rate_per_second)
        outcome = await transport.send(message)
        if outcome.kind == "retry":
            await self.limiter.pause(outcome.retry_after)
        return outcome

    async def message_for(self, d: Claimed | _TestRecipient, campaign: Campaign) -> Message:
        message = self.render(d, campaign)
        if self.featured is None or not message.skus:
            return message
        return dataclasses.replace(message, products=await self.featured.get(message.skus, message.locale))

    async def _deliver(self, d: Claimed, campaign: Campaign) -> None:
        transport = self.transports.get(d.channel)
        outcome = SendOutcome.failed(f"no transport for {d.channel}")
        try:
            message = await self.message_for(d, campaign)
            if transport is not None and d.channel in self.paced_channels:
                await self.limiter.acquire(f"chat:{d.channel}:{d.address}", self.limits.chat_per_second)
                await self.limiter.acquire(self.rate_key(d.channel), self.limits.rate_per_second)
        except Exception as exc:  # nothing went out; booked as failed so that a lasting fault cannot loop
            log.exception("campaign %s: preparing delivery %s failed", d.campaign_id, d.id)
            transport, outcome = None, SendOutcome.failed(f"{type(exc).__name__}: {exc}")
        # No await between here and the call: a stop either cancels this task before, or lets the call run.
        task = asyncio.current_task()
        if task is not None:
            self._before_call.pop(task, None)
        if transport is not None:
            try:
                outcome = await transport.send(message)
            except Exception as exc:  # an unexpected error may hide a delivered message: final, not retried
                log.exception("campaign %s: sending delivery %s failed", d.campaign_id, d.id)
                outcome = SendOutcome.failed(f"{type(exc).__name__}: {exc}")
        metrics().campaign_send(d.channel, outcome.kind, self.limits.rate_per_second)
        if outcome.kind == "retry":
            self.stats.retried += 1
            await self.limiter.pause(outcome.retry_after)  # the flood limit is per bot: everyone slows down
        elif outcome.kind == "blocked":
            self.stats.blocked += 1
            await self.bus.handle(c.SetChannelReachable(d.customer_id, d.channel, False))
        elif outcome.kind == "sent":
            self.stats.sent += 1
            self.stats.by_campaign[d.campaign_id] = self.stats.by_campaign.get(d.campaign_id, 0) + 1
        else:
            self.stats.failed += 1
        if not await self.booker.book(d, outcome) and outcome.kind != "sent":
            self.stats.lost_lease += 1

    async def housekeeping(self) -> None:
        reaped = await self.store.reap()
        if reaped:
            log.warning("%d campaign deliveries were in flight when a worker died: marked unknown", reaped)
        for campaign_id in await self.store.due_campaigns():
            await self.bus.handle(c.StartCampaignRun(campaign_id))
        if self.stock_check is not None:
            for campaign_id in await self.store.sending_with_products():
                reason = await self.stock_check(campaign_id)
                if reason:
                    log.warning("campaign %s paused itself: %s", campaign_id, reason)

    async def run_once(self) -> int:
        """Housekeeping, then claim what fits in flight and start sending it. Returns how many were claimed."""
        if time.monotonic() - self._last_housekeeping >= self.housekeeping_every:
            self._last_housekeeping = time.monotonic()
            await self.housekeeping()
        free = self.limits.max_in_flight - len(self._in_flight)
        if free <= 0 or self._busy():
            return 0
        claimed, campaigns = await self.store.claim(free)
        self.stats.claims += 1
        for d in claimed:
            task = asyncio.create_task(self._deliver(d, campaigns[d.campaign_id]))
            self._in_flight.add(task)
            self._before_call[task] = d
            task.add_done_callback(self._task_done)
        if not claimed and not self._in_flight:
            for campaign_id in await self.store.finished_runs():
                await self.bus.handle(c.FinishCampaignRun(campaign_id))
        return len(claimed)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._before_call.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("campaign delivery task failed", exc_info=task.exception())

    def _claim_batch(self) -> int:
        return max(1, self.limits.max_in_flight // 2)

    def _busy(self) -> bool:
        # Claim again once half the slots are free: a claim is a transaction of several statements (about
        # 8 ms of CPU on SQLite, measured), so claiming whatever was free cost most of the sender's CPU;
        # half the window still leaves the other half waiting for rate-limit slots while a claim is written.
        return self.limits.max_in_flight - len(self._in_flight) < self._claim_batch()

    async def wait_in_flight(self, first: bool = True) -> None:
        if self._in_flight:
            mode = asyncio.FIRST_COMPLETED if first else asyncio.ALL_COMPLETED
            await asyncio.wait(set(self._in_flight), return_when=mode)

    async def run(self, stop: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Send until ``stop`` is set, then stop gracefully (``stop_gracefully``).

        Claims whenever there is room in flight and work is due; idles at most ``idle_seconds`` when
        there is none, less when ``wake()`` says a campaign was approved, started or resumed."""
        stopped = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                self._wake.clear()  # a wake() during this round makes the idle wait below return at once
                try:
                    claimed = await self.run_once()
                except Exception:
                    log.exception("campaign dispatch failed; retrying")
                    claimed = 0
                if stop.is_set():
                    break
                if self._busy():
                    await asyncio.wait({*self._in_flight, stopped}, return_when=asyncio.FIRST_COMPLETED)
                elif claimed == 0:
                    await self._idle(stopped, idle_seconds if not self._in_flight else 0.05)
        finally:
            stopped.cancel()
            await self.stop_gracefully()

    async def _idle(self, stopped: asyncio.Future[Any], seconds: float) -> None:
        """Wait up to ``seconds`` for a wake-up or the stop. Meanwhile, every ``due_poll_seconds``, one cheap
        read asks whether a campaign came due (approved in another process, or its time came): the outbox's
        wake-up takes up to its own poll interval, and the first message's delay counts against the
        campaign's rate (measured from approval)."""
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + seconds
            while (left := deadline - loop.time()) > 0:
                done, _ = await asyncio.wait(
                    {woken, stopped}, timeout=min(left, self.due_poll_seconds), return_when=asyncio.FIRST_COMPLETED
                )
                if done:
                    return
                if not self._in_flight and await self.store.due_campaigns():
                    self.wake()
                    return
        finally:
            woken.cancel()

    async def stop_gracefully(self, grace_seconds: float | None = None) -> int:
        """Stop without losing anyone: rows claimed but still waiting for a slot go back to the queue at
        once; calls under way get ``grace_seconds`` to answer and be booked. Returns how many rows were
        requeued. Only a call still unanswered at the deadline leaves its row ``sending`` (``unknown`` once
        its lease is over): whether Telegram delivered it is not known."""
        grace = self.limits.stop_grace_seconds if grace_seconds is None else grace_seconds
        waiting = {task: d for task, d in self._before_call.items() if not task.done()}
        for task in waiting:
            task.cancel()
        if waiting:
            await asyncio.wait(set(waiting))
        # A task that got past its call before the cancel took effect books its own row; only the
        # cancelled ones are requeued (``release`` touches rows still ``sending`` under this worker only).
        unsent = [d for task, d in waiting.items() if task.cancelled()]
        requeued = await self.store.release(unsent) if unsent else 0
        if self._in_flight:
            _, late = await asyncio.wait(set(self._in_flight), timeout=grace)
            if late:
                log.warning(
                    "%d campaign messages were still waiting for an answer after %.0f s; their outcome is "
                    "unknown (they will not be resent automatically)",
                    len(late),
                    grace,
                )
                for task in late:
                    task.cancel()
                await asyncio.wait(late)
        if requeued:
            log.info("stopping: %d campaign messages not yet sent were put back in the queue", requeued)
        return requeued

    async def aclose(self) -> None:
        """Close the transports' connections and the limiter's (those that hold any)."""
        for holder in [*set(self.transports.values()), self.limiter]:
            close = getattr(holder, "aclose", None)
            if close is not None:
                await close()

    async def drain(self, horizon_seconds: float = 30.0, idle_seconds: float = 0.05) -> int:
        """Send everything due within ``horizon_seconds`` (429 waits included), then return (tests,
        ``campaign send --foreground``). Returns how many stay queued for later (e.g. quiet hours)."""
        self._last_housekeeping = float("-inf")
        while True:
            claimed = await self.run_once()
            if self._busy() or (claimed == 0 and self._in_flight):
                await self.wait_in_flight()
            elif claimed == 0:
                await self.housekeeping()
                if await self.store.open_now(horizon_seconds) == 0:
                    break
                await asyncio.sleep(idle_seconds)
        await self.wait_in_flight(first=False)
        for campaign_id in await self.store.finished_runs():
            await self.bus.handle(c.FinishCampaignRun(campaign_id))
        return await self.store.open_now(10**9)
