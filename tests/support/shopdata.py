"""A small shop built through the real commands, shared by integration tests."""

from __future__ import annotations

from dataclasses import dataclass

from chatshop.bootstrap import Shop
from domain import commands as c
from domain.model.customers import Channel
from domain.model.staff import Actor

ADDRESS = {
    "name": "Ann Shopper",
    "line1": "1 Main Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}


@dataclass
class SmallShop:
    shop: Shop

    async def build(self) -> SmallShop:
        bus = self.shop.bus
        await bus.handle(c.CreateWarehouse("EAST", "East", priority=1, country="US", actor=c.SYSTEM))
        await bus.handle(c.CreateWarehouse("WEST", "West", priority=2, country="US", actor=c.SYSTEM))
        await bus.handle(
            c.UpsertProduct(
                "Stride Running Shoes",
                (
                    c.VariantSpec("SHOE-RED-42", 8000, {"color": "red", "size": "42"}),
                    c.VariantSpec("SHOE-BLU-42", 8000, {"color": "blue", "size": "42"}),
                ),
                ("Shoes",),
                brand="Stride",
                attributes={"material": "mesh"},
                actor=c.SYSTEM,
            )
        )
        await bus.handle(
            c.UpsertProduct(
                "Hearth Ceramic Mug",
                (c.VariantSpec("MUG-WHT", 1200, {"color": "white"}),),
                ("Home", "Mugs"),
                brand="Hearth",
                actor=c.SYSTEM,
            )
        )
        await bus.handle(c.ReceiveStock("SHOE-RED-42", "EAST", 3, actor=c.SYSTEM))
        await bus.handle(c.ReceiveStock("SHOE-RED-42", "WEST", 5, actor=c.SYSTEM))
        await bus.handle(c.ReceiveStock("SHOE-BLU-42", "WEST", 2, actor=c.SYSTEM))
        await bus.handle(c.ReceiveStock("MUG-WHT", "EAST", 50, actor=c.SYSTEM))
        await bus.handle(c.CreateShippingMethod("standard", "Standard", 500, free_over=10000, actor=c.SYSTEM))
        await bus.handle(c.CreateShippingMethod("express", "Express", 1500, countries=("US", "CA"), actor=c.SYSTEM))
        await bus.handle(c.CreateCoupon("WELCOME10", "percent", 1000, actor=c.SYSTEM))
        await bus.handle(
            c.CreateCoupon("FIVEOFF", "fixed", 500, min_subtotal=3000, per_customer_limit=None, actor=c.SYSTEM)
        )
        return self

    async def customer(self, external_id: str = "web-1", name: str = "Ann") -> int:
        return int(await self.shop.bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, external_id, name)))

    async def checkout(self, customer_id: int, sku: str = "SHOE-RED-42", quantity: int = 1, **kw: object) -> int:
        await self.shop.bus.handle(c.AddToCart(customer_id, sku, quantity, actor=Actor.shopper(customer_id)))
        kw.setdefault("actor", Actor.shopper(customer_id))
        return int(await self.shop.bus.handle(c.PlaceOrder(customer_id, ADDRESS, "standard", "webchat", **kw)))  # type: ignore[arg-type]
