"""CRM commands: identify shoppers by channel, link and merge identities, consent, erasure, staff."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from domain import commands as c
from domain import events
from domain.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from domain.model import ChannelIdentity, ConsentEntry, Customer
from domain.model.customers import ConsentPurpose
from domain.model.shipping import valid_country
from domain.model.staff import ActorKind, Permission, StaffMember
from domain.service_layer.context import Context
from domain.service_layer.unit_of_work import UnitOfWork


async def get_customer(uow: UnitOfWork, customer_id: int) -> Customer:
    customer = await uow.customers.get(customer_id)
    if customer is None or customer.merged_into_id is not None:
        raise NotFound(f"No customer {customer_id}.")
    return customer


async def identify_customer(cmd: c.IdentifyCustomer, ctx: Context) -> int:
    async with ctx.uow().reading() as uow:  # a known shopper is a look, without the write lock
        known = await uow.customers.by_identity(cmd.channel, cmd.external_id)
        reachable = known is not None and not (cmd.contact and str(cmd.channel) in known.unreachable_channels)
        if known is not None and known.merged_into_id is None and reachable:
            assert known.id is not None
            return known.id
    async with ctx.uow() as uow:
        customer = await uow.customers.by_identity(cmd.channel, cmd.external_id)
        if customer is not None:
            while customer.merged_into_id is not None:  # identities move on merge; this is belt and braces
                customer = await get_customer(uow, customer.merged_into_id)
            assert customer.id is not None
            channel = str(cmd.channel)
            if cmd.contact and channel in customer.unreachable_channels:
                # They wrote to us there, so they can be messaged there again (e.g. unblocked the bot).
                customer.unreachable_channels = [ch for ch in customer.unreachable_channels if ch != channel]
                uow.publish(events.ChannelReachable(customer.id, channel))
                await uow.commit()
            return customer.id
        now = ctx.now()
        customer = await uow.customers.add(
            Customer(
                name=cmd.name.strip()[:200],
                locale=(cmd.locale or "en")[:16],
                country=valid_country(cmd.country) if cmd.country else None,
                created_at=now,
            )
        )
        assert customer.id is not None
        await uow.customers.add_identity(ChannelIdentity(customer.id, cmd.channel, cmd.external_id, now))
        uow.publish(events.CustomerCreated(customer.id, str(cmd.channel)))
        await uow.commit()
        return customer.id


async def link_identity(cmd: c.LinkIdentity, ctx: Context) -> int:
    cmd.actor.require_owner_or(cmd.customer_id, Permission.MANAGE_CUSTOMERS)
    async with ctx.uow() as uow:
        target = await get_customer(uow, cmd.customer_id)
        assert target.id is not None
        now = ctx.now()
        existing = await uow.customers.identity(cmd.channel, cmd.external_id)
        if existing is None:
            await uow.customers.add_identity(ChannelIdentity(target.id, cmd.channel, cmd.external_id, now))
        elif existing.customer_id != target.id:
            await _merge(uow, existing.customer_id, target, ctx)
        await uow.commit()
        return target.id


async def _merge(uow: UnitOfWork, source_id: int, target: Customer, ctx: Context) -> None:
    assert target.id is not None
    source = await get_customer(uow, source_id)
    now = ctx.now()
    source_cart = await uow.sales.cart_of(source_id)
    if source_cart is not None and source_cart.lines:
        target_cart = await uow.sales.cart_of(target.id)
        if target_cart is None:
            from domain.model import Cart

            target_cart = await uow.sales.add_cart(Cart(target.id, source_cart.currency, now))
        target_cart.merge(source_cart, now)
    await uow.customers.reassign(source_id, target.id)
    target.name = target.name or source.name
    target.email = target.email or source.email
    target.phone = target.phone or source.phone
    target.country = target.country or source.country
    target.tag(*source.tags)
    for address in source.addresses:
        target.remember_address(address)
    source.merged_into_id = target.id
    uow.publish(events.CustomersMerged(source_id, target.id))


async def update_customer(cmd: c.UpdateCustomer, ctx: Context) -> None:
    cmd.actor.require_owner_or(cmd.customer_id, Permission.MANAGE_CUSTOMERS)
    async with ctx.uow() as uow:
        customer = await get_customer(uow, cmd.customer_id)
        if cmd.name is not None:
            customer.name = cmd.name.strip()[:200]
        if cmd.locale is not None:
            customer.locale = cmd.locale[:16]
        if cmd.email is not None:
            try:
                customer.email = validate_email(cmd.email, check_deliverability=False).normalized
            except EmailNotValidError as exc:
                raise ValidationFailed(f"{cmd.email} is not an e-mail address: {exc}") from exc
        if cmd.country is not None:
            customer.country = valid_country(cmd.country)
        if cmd.timezone is not None:
            customer.timezone = _valid_timezone(cmd.timezone)
        if cmd.remove_tags:
            customer.untag(*cmd.remove_tags)
        if cmd.add_tags:
            customer.tag(*cmd.add_tags)
        if cmd.notes is not None:
            if cmd.actor.kind == ActorKind.SHOPPER:
                raise PermissionDenied("Notes are for staff.")
            customer.notes = cmd.notes
        await uow.commit()


def _valid_timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(f"{name} is not a time zone (e.g. Europe/Berlin).") from exc
    return name


async def set_marketing_consent(cmd: c.SetMarketingConsent, ctx: Context) -> None:
    cmd.actor.require_owner_or(cmd.customer_id, Permission.MANAGE_CUSTOMERS)
    async with ctx.uow() as uow:
        customer = await get_customer(uow, cmd.customer_id)
        assert customer.id is not None
        entry = ConsentEntry(customer.id, ConsentPurpose.MARKETING, cmd.granted, cmd.source[:120], ctx.now())
        await uow.customers.add_consent(entry)
        customer.marketing_opt_in = cmd.granted
        uow.publish(events.ConsentChanged(customer.id, ConsentPurpose.MARKETING.value, cmd.granted, cmd.source))
        await uow.commit()


async def anonymise_customer(cmd: c.AnonymiseCustomer, ctx: Context) -> None:
    cmd.actor.require_owner_or(cmd.customer_id, Permission.MANAGE_CUSTOMERS)
    async with ctx.uow() as uow:
        customer = await get_customer(uow, cmd.customer_id)
        assert customer.id is not None
        now = ctx.now()
        known = customer.personal_values()  # before they are erased: looked for in their orders' timelines
        customer.anonymise(now)
        await uow.customers.add_consent(
            ConsentEntry(customer.id, ConsentPurpose.MARKETING, False, "erasure request", now)
        )
        cart = await uow.sales.cart_of(customer.id)
        if cart is not None:
            cart.clear(now)
        # Orders keep lines and totals for the books, but not who or where; channel ids go too.
        await uow.customers.scrub_personal_data(customer.id, known)
        uow.publish(events.CustomerAnonymised(customer.id))
        await uow.commit()


async def add_staff(cmd: c.AddStaff, ctx: Context) -> int:
    """A new staff member; an existing Slack user is changed only when asked to (``update``), so adding
    someone with a mistyped Slack id does not silently rename a colleague."""
    cmd.actor.require(Permission.MANAGE_STAFF)
    name = cmd.name.strip()
    if not name:
        raise ValidationFailed("A staff member needs a name.")
    async with ctx.uow() as uow:
        member = None
        if cmd.slack_user_id:
            member = await uow.customers.staff_by_slack_user(cmd.slack_user_id)
        if member is None:
            member = await uow.customers.add_staff(StaffMember(name, cmd.role, ctx.now(), cmd.slack_user_id))
        elif not cmd.update:
            state = "" if member.active else ", deactivated"
            raise Conflict(
                f"Slack user {cmd.slack_user_id} is already staff #{member.id} {member.name} "
                f"({member.role.name.lower()}{state}); to change them, add them again with --update."
            )
        else:
            member.name, member.role, member.active = name, cmd.role, True
        await uow.commit()
        assert member.id is not None
        return member.id


async def deactivate_staff(cmd: c.DeactivateStaff, ctx: Context) -> str:
    """Returns the member's name (for the answer)."""
    cmd.actor.require(Permission.MANAGE_STAFF)
    async with ctx.uow() as uow:
        member = await uow.customers.staff_member(cmd.staff_id)
        if member is None:
            raise NotFound(f"There is no staff member #{cmd.staff_id}.")
        member.active = False
        await uow.commit()
        return member.name
