"""Who may do what: actors and staff roles, checked by the service layer for every command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum

from domain.errors import PermissionDenied


class Role(IntEnum):
    VIEWER = 10
    OPERATOR = 20
    APPROVER = 30
    ADMIN = 40


class Permission(StrEnum):
    VIEW = "view"
    MANAGE_CATALOG = "manage_catalog"
    ADJUST_STOCK = "adjust_stock"
    FULFIL = "fulfil"  # pack, ship, deliver, receive returns
    CANCEL_ORDER = "cancel_order"
    APPROVE_ORDER = "approve_order"
    REFUND = "refund"
    MANAGE_CUSTOMERS = "manage_customers"
    MANAGE_STAFF = "manage_staff"


REQUIRED_ROLE: dict[Permission, Role] = {
    Permission.VIEW: Role.VIEWER,
    Permission.ADJUST_STOCK: Role.OPERATOR,
    Permission.FULFIL: Role.OPERATOR,
    Permission.CANCEL_ORDER: Role.OPERATOR,
    Permission.MANAGE_CATALOG: Role.OPERATOR,
    Permission.APPROVE_ORDER: Role.APPROVER,
    Permission.REFUND: Role.APPROVER,
    Permission.MANAGE_CUSTOMERS: Role.ADMIN,
    Permission.MANAGE_STAFF: Role.ADMIN,
}


class ActorKind(StrEnum):
    SYSTEM = "system"  # CLI on the server, scheduled jobs, payment webhooks
    STAFF = "staff"
    SHOPPER = "shopper"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    name: str
    role: Role | None = None
    customer_id: int | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(ActorKind.SYSTEM, name)

    @classmethod
    def staff(cls, name: str, role: Role) -> Actor:
        return cls(ActorKind.STAFF, name, role=role)

    @classmethod
    def shopper(cls, customer_id: int) -> Actor:
        return cls(ActorKind.SHOPPER, f"customer:{customer_id}", customer_id=customer_id)

    def require(self, permission: Permission) -> None:
        if self.kind == ActorKind.SYSTEM:
            return
        needed = REQUIRED_ROLE[permission]
        if self.kind != ActorKind.STAFF or self.role is None or self.role < needed:
            who = self.role.name.lower() if self.role is not None else self.kind.value
            raise PermissionDenied(
                f"A {who} may not {permission.value.replace('_', ' ')}; it takes a {needed.name.lower()}."
            )

    def require_owner_or(self, customer_id: int, permission: Permission) -> None:
        """Shoppers act on their own things; staff need the permission."""
        if self.kind == ActorKind.SHOPPER:
            if self.customer_id != customer_id:
                raise PermissionDenied("That is not yours.")
            return
        self.require(permission)


class StaffMember:
    def __init__(self, name: str, role: Role, created_at: datetime, slack_user_id: str | None = None) -> None:
        self.id: int | None = None
        self.name = name
        self.role = role
        self.slack_user_id = slack_user_id
        self.active = True
        self.created_at = created_at

    def as_actor(self) -> Actor:
        return Actor.staff(self.name, self.role)
