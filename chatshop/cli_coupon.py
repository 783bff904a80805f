"""`chatshop coupon ...`: create, list and disable discount codes (a campaign's shared code or template)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from domain import commands as c
from domain.model.money import Money

coupon_app = typer.Typer(help="Discount codes: create (or redefine), list, disable, enable.", no_args_is_help=True)
console = Console()


def percent_to_basis_points(text: str) -> int:
    """'10' or '12.5' (percent) -> 1000 or 1250 basis points, exactly (never through a float)."""
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise typer.BadParameter(f"{text!r} is not a percentage like 10 or 12.5") from None
    points = value * 100
    if points != points.to_integral_value():
        raise typer.BadParameter("a percentage goes in steps of 0.01")  # its range is the domain's to check
    return int(points)


@coupon_app.command("create")
def create(
    code: Annotated[str, typer.Argument(help="The code shoppers type, e.g. SPRING20.")],
    percent: Annotated[str | None, typer.Option(help="Percent off the items in scope, e.g. 20 or 12.5.")] = None,
    amount: Annotated[str | None, typer.Option(help="A fixed amount off, in the shop currency, e.g. 5.00.")] = None,
    free_shipping: Annotated[bool, typer.Option("--free-shipping", help="Shipping costs nothing.")] = False,
    min_subtotal: Annotated[str, typer.Option(help="Smallest cart subtotal it applies to, e.g. 30.00.")] = "0",
    usage_limit: Annotated[int | None, typer.Option(help="Uses in all (default: no limit).")] = None,
    per_customer: Annotated[int | None, typer.Option(help="Uses per customer (default 1; 0: no limit).")] = 1,
    starts: Annotated[str | None, typer.Option(help="From, e.g. 2026-12-01 or 2026-12-01T09:00+01:00.")] = None,
    ends: Annotated[str | None, typer.Option(help="Until (exclusive), same format.")] = None,
    product: Annotated[list[str] | None, typer.Option(help="Only these products (slugs; repeat).")] = None,
    category: Annotated[list[str] | None, typer.Option(help="Only these categories and below (slugs; repeat).")] = None,
    description: Annotated[str, typer.Option(help="A note for staff.")] = "",
) -> None:
    """Create a coupon, or redefine (and enable) the one with that code."""
    from chatshop.cli import CLI_ACTOR, _settings, run

    chosen = [x for x in (percent is not None, amount is not None, free_shipping) if x]
    if len(chosen) != 1:
        raise typer.BadParameter("give exactly one of --percent, --amount or --free-shipping")
    currency = _settings().currency
    try:
        minimum = Money.parse(min_subtotal, currency).amount
        if percent is not None:
            kind, value = "percent", percent_to_basis_points(percent)
        elif amount is not None:
            kind, value = "fixed", Money.parse(amount, currency).amount
        else:
            kind, value = "free_shipping", 0
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    command = c.CreateCoupon(
        code,
        kind,
        value,
        min_subtotal=minimum,
        usage_limit=usage_limit,
        per_customer_limit=per_customer or None,
        starts_at=starts,
        ends_at=ends,
        product_slugs=tuple(product or ()),
        category_slugs=tuple(category or ()),
        description=description,
        actor=CLI_ACTOR,
    )
    run(lambda shop: shop.bus.handle(command))
    console.print(f"coupon {code.strip().upper()} ready")


@coupon_app.command("disable")
def disable(code: str) -> None:
    """Stop a code working (`create` with the same code enables it again)."""
    from chatshop.cli import CLI_ACTOR, run

    run(lambda shop: shop.bus.handle(c.DisableCoupon(code, actor=CLI_ACTOR)))
    console.print(f"coupon {code.strip().upper()} disabled")


@coupon_app.command("enable")
def enable(code: str) -> None:
    """Let a disabled code work again, its terms unchanged."""
    from chatshop.cli import CLI_ACTOR, run

    run(lambda shop: shop.bus.handle(c.EnableCoupon(code, actor=CLI_ACTOR)))
    console.print(f"coupon {code.strip().upper()} enabled")


@coupon_app.command("list")
def list_coupons() -> None:
    """Every coupon with its terms and uses; personal single-use codes are counted under their template."""
    from chatshop.cli import run

    coupons = run(lambda shop: shop.views.coupons())
    table = Table("code", "offer", "min subtotal", "window", "used", "limits", "personal codes used", "active")
    for x in coupons:
        if x.kind == "percent":
            offer = f"{Decimal(x.value) / 100:g}% off"
        elif x.kind == "fixed":
            offer = f"{Money(x.value, x.currency).format()} off"
        else:
            offer = "free shipping"
        window = " - ".join(f"{d:%Y-%m-%d}" if d else "…" for d in (x.starts_at, x.ends_at))
        limits = f"{x.usage_limit or '∞'} in all, {x.per_customer_limit or '∞'} each"
        personal = f"{x.personal_used} / {x.personal_codes}" if x.personal_codes else ""
        table.add_row(
            x.code,
            offer,
            Money(x.min_subtotal, x.currency).format() if x.min_subtotal else "",
            window if (x.starts_at or x.ends_at) else "",
            str(x.times_used),
            limits,
            personal,
            "yes" if x.active else "no",
        )
    console.print(table)
