"""The message bus: routes each command to its handler and retries transient conflicts."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from domain import commands as c
from domain.acting import acting
from domain.commands_tracking import RecordTrackingUpdate
from domain.errors import Conflict
from domain.model.staff import Actor
from domain.observability import command_finished
from domain.service_layer.context import Context
from domain.service_layer.handlers import (
    analytics,
    automation,
    campaign_automations,
    campaign_messages,
    campaigns,
    cart,
    catalog,
    customers,
    external_orders,
    inventory,
    order_notes,
    orders,
    payments,
    purchasing,
    reorder,
    store,
    support,
    telegram_payments,
    tracking,
    transfers,
    webhooks,
)

log = logging.getLogger(__name__)

Handler = Callable[[Any, Context], Awaitable[Any]]

HANDLERS: dict[type[c.Command], Handler] = {
    c.UpsertProduct: catalog.upsert_product,
    c.ArchiveProduct: catalog.archive_product,
    c.CreateWarehouse: inventory.create_warehouse,
    c.ReceiveStock: inventory.receive_stock,
    c.AdjustStock: inventory.adjust_stock,
    c.CountStock: inventory.count_stock,
    c.IdentifyCustomer: customers.identify_customer,
    c.LinkIdentity: customers.link_identity,
    c.UpdateCustomer: customers.update_customer,
    c.SetMarketingConsent: customers.set_marketing_consent,
    c.AnonymiseCustomer: customers.anonymise_customer,
    c.AddStaff: customers.add_staff,
    c.DeactivateStaff: customers.deactivate_staff,
    c.AddToCart: cart.add_to_cart,
    c.SetCartQuantity: cart.set_cart_quantity,
    c.ClearCart: cart.clear_cart,
    c.ApplyCoupon: cart.apply_coupon,
    c.RemoveCoupon: cart.remove_coupon,
    c.CreateShippingMethod: store.create_shipping_method,
    c.CreateCoupon: store.create_coupon,
    c.DisableCoupon: store.disable_coupon,
    c.EnableCoupon: store.enable_coupon,
    c.PlaceOrder: orders.place_order,
    c.PlaceExternalOrder: external_orders.place_external_order,
    c.ExpireReservations: orders.expire_reservations,
    c.CancelOrder: orders.cancel_order,
    c.AdvanceOrder: orders.advance_order,
    c.ApproveOrder: orders.approve_order,
    c.RejectOrder: orders.reject_order,
    c.ShipOrder: orders.ship_order,
    c.RequestReturn: orders.request_return,
    c.ReceiveReturn: orders.receive_return,
    c.StartPayment: payments.start_payment,
    c.ConfirmPayment: payments.confirm_payment,
    c.FailPayment: payments.fail_payment,
    c.RefundOrder: orders.request_refund,
    c.ClaimProviderEvent: payments.claim_provider_event,
    c.RecordPaymentAttemptFailed: payments.record_payment_attempt_failed,
    c.RecordProviderRefunds: payments.record_provider_refunds,
    c.RetryRefund: payments.retry_refund,
    c.MarkRefundDone: payments.mark_refund_done,
    c.RecordAnalytics: analytics.record_analytics,
    c.RecordAnalyticsBatch: analytics.record_analytics_batch,
    c.OpenTicket: support.open_ticket,
    c.PostTicketMessage: support.post_ticket_message,
    c.CloseTicket: support.close_ticket,
    c.LinkTicketThread: support.link_ticket_thread,
    c.OpenChatPayment: telegram_payments.open_chat_payment,
    c.CheckChatPayment: telegram_payments.check_chat_payment,
    c.SetChannelReachable: telegram_payments.set_channel_reachable,
    c.CreateCampaign: campaigns.create_campaign,
    c.SubmitCampaign: campaigns.submit_campaign,
    c.ApproveCampaign: campaigns.approve_campaign,
    c.PauseCampaign: campaigns.pause_campaign,
    c.ResumeCampaign: campaigns.resume_campaign,
    c.CancelCampaign: campaigns.cancel_campaign,
    c.StartCampaignRun: campaigns.start_campaign_run,
    c.FinishCampaignRun: campaigns.finish_campaign_run,
    c.RunCampaignAutomations: campaign_automations.run_campaign_automations,
    c.SubscribeToStock: campaign_automations.subscribe_to_stock,
    c.NotifyBackInStock: campaign_automations.notify_back_in_stock,
    c.AttributeOrder: campaign_automations.attribute_order,
    c.PublishMarketingMessage: campaign_messages.publish_marketing_message,
    c.SendCampaignTest: campaign_messages.send_campaign_test,
    **webhooks.HANDLERS,
    **automation.HANDLERS,
    **purchasing.HANDLERS,
    **reorder.HANDLERS,
    RecordTrackingUpdate: tracking.record_tracking_update,
    **transfers.HANDLERS,
    **order_notes.HANDLERS,
}

MAX_ATTEMPTS = 4


def _actor_name(command: c.Command) -> str | None:
    actor = getattr(command, "actor", None)
    return actor.name if isinstance(actor, Actor) else None


class MessageBus:
    def __init__(self, ctx: Context, handlers: dict[type[c.Command], Handler] | None = None) -> None:
        self.ctx = ctx
        self.handlers = dict(HANDLERS if handlers is None else handlers)

    def register(self, command_type: type[c.Command], handler: Handler) -> None:
        self.handlers[command_type] = handler

    async def handle(self, command: c.Command) -> Any:
        try:
            with acting(_actor_name(command)):
                result = await self._handle(command)
        except Exception as exc:
            command_finished(command, exc)
            raise
        command_finished(command, None)
        return result

    async def _handle(self, command: c.Command) -> Any:
        handler = self.handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await handler(command, self.ctx)
            except Conflict:
                # A racing transaction won (unique key, deadlock, busy SQLite); the whole command is
                # re-run from a clean transaction, so it sees what the winner wrote.
                if attempt == MAX_ATTEMPTS:
                    raise
                log.info("retrying %s after a conflict (attempt %d)", type(command).__name__, attempt)
                await asyncio.sleep(random.uniform(0.005, 0.05) * attempt)
        raise AssertionError("unreachable")

    # Refunds span a provider call: pending refunds are committed first, then the provider is asked.
    async def refund(self, command: c.RefundOrder) -> str:
        """Refund and wait for the provider's answer; returns the refund's final status (of the worst part,
        when it came from two payments): succeeded, failed, needs_action (a person must do it) or pending."""
        with acting(_actor_name(command)):
            return await self._process(list(await self.handle(command)))

    async def retry_refund(self, command: c.RetryRefund) -> str:
        """Try a failed refund again; returns the new refund's final status."""
        with acting(_actor_name(command)):
            return await self._process([int(await self.handle(command))])

    async def cancel(self, command: c.CancelOrder | c.RejectOrder) -> int | None:
        """Cancel; a paid order is refunded in full right after. Returns the (first) refund id, if any."""
        with acting(_actor_name(command)):
            refund_ids = list(await self.handle(command))
            await self._process(refund_ids)
        return refund_ids[0] if refund_ids else None

    async def _process(self, refund_ids: list[int]) -> str:
        outcomes = [await payments.process_refund(refund_id, self.ctx) for refund_id in refund_ids]
        for worst in ("failed", "needs_action", "pending"):
            if worst in outcomes:
                return worst
        return "succeeded"
