"""Who may do what: actors and staff roles, checked by the service layer for every command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum

from domain.errors import PermissionDenied, ValidationFailed


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
    SUPPORT = "support"  # answer shoppers in their chat, close their tickets
    MANAGE_INTEGRATIONS = "manage_integrations"  # webhook subscriptions and their secrets
    MANAGE_COUPONS = "manage_coupons"  # discount codes: apart from the catalog, since they give money away
    MANAGE_PURCHASING = "manage_purchasing"  # suppliers, purchase orders, receiving, bin locations
    MANAGE_CAMPAIGNS = "manage_campaigns"  # write, edit, submit, pause and cancel campaigns (approving is staff's)
    VIEW_REPORTS = "view_reports"  # revenue, customers and campaigns on the dashboard


REQUIRED_ROLE: dict[Permission, Role] = {
    Permission.VIEW: Role.VIEWER,
    Permission.ADJUST_STOCK: Role.OPERATOR,
    Permission.FULFIL: Role.OPERATOR,
    Permission.CANCEL_ORDER: Role.OPERATOR,
    Permission.MANAGE_CATALOG: Role.OPERATOR,
    # Operators already hand a shopper a support coupon from Slack; a sync tool that writes products needs none.
    Permission.MANAGE_COUPONS: Role.OPERATOR,
    Permission.APPROVE_ORDER: Role.APPROVER,
    Permission.REFUND: Role.APPROVER,
    Permission.MANAGE_CUSTOMERS: Role.ADMIN,
    Permission.MANAGE_STAFF: Role.ADMIN,
    # A reply reaches a customer's phone in the shop's name: not something a read-only seat does.
    Permission.SUPPORT: Role.OPERATOR,
    # A subscription receives customers' and orders' data: whoever adds one decides where that data goes.
    Permission.MANAGE_INTEGRATIONS: Role.ADMIN,
    # Buying and booking goods in is the warehouse's daily work, like adjusting stock.
    Permission.MANAGE_PURCHASING: Role.OPERATOR,
    Permission.MANAGE_CAMPAIGNS: Role.OPERATOR,
    # The shop's revenue is the owner's business: a read-only seat (a temp, a contractor) sees orders, not the books.
    Permission.VIEW_REPORTS: Role.OPERATOR,
}

# What each permission lets one do, as a sentence ends: "A viewer may not <approve orders>".
DOES: dict[Permission, str] = {
    Permission.VIEW: "look at the shop",
    Permission.MANAGE_CATALOG: "manage the catalog",
    Permission.ADJUST_STOCK: "adjust stock",
    Permission.FULFIL: "fulfil orders",
    Permission.CANCEL_ORDER: "cancel orders",
    Permission.APPROVE_ORDER: "approve orders",
    Permission.REFUND: "refund payments",
    Permission.MANAGE_CUSTOMERS: "manage customers",
    Permission.MANAGE_STAFF: "manage staff",
    Permission.SUPPORT: "answer shoppers or close their tickets",
    Permission.MANAGE_INTEGRATIONS: "manage webhooks and integrations",
    Permission.MANAGE_COUPONS: "manage coupons",
    Permission.MANAGE_PURCHASING: "manage purchasing",
    Permission.MANAGE_CAMPAIGNS: "manage campaigns",
    Permission.VIEW_REPORTS: "see the sales reports",
}


def with_article(word: str) -> str:
    """ "an operator", "a viewer": role names all start with their sound's letter, so the letter decides."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


class ActorKind(StrEnum):
    SYSTEM = "system"  # CLI on the server, scheduled jobs, payment webhooks
    STAFF = "staff"
    SHOPPER = "shopper"
    API_KEY = "api_key"  # another system through the admin API: exactly the key's scopes


# API key scopes and the permissions each gives; a key may do what its scopes give and nothing else.
# Every read scope lets the key look at the shop; writes are split so a sync tool need not be able to refund.
SCOPE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "products:read": frozenset({Permission.VIEW}),
    "products:write": frozenset({Permission.MANAGE_CATALOG}),
    "stock:read": frozenset({Permission.VIEW}),
    "stock:write": frozenset({Permission.ADJUST_STOCK}),
    "orders:read": frozenset({Permission.VIEW}),
    "orders:write": frozenset({Permission.FULFIL, Permission.CANCEL_ORDER, Permission.APPROVE_ORDER}),
    "refunds:write": frozenset({Permission.REFUND}),
    "customers:read": frozenset({Permission.VIEW}),
    "customers:write": frozenset({Permission.MANAGE_CUSTOMERS}),
    "coupons:read": frozenset({Permission.VIEW}),
    "coupons:write": frozenset({Permission.MANAGE_COUPONS}),
    "reports:read": frozenset({Permission.VIEW, Permission.VIEW_REPORTS}),
    # Integrations: reading them is looking at the shop; changing them decides where the shop's data goes.
    "webhooks:read": frozenset({Permission.VIEW}),
    "webhooks:write": frozenset({Permission.MANAGE_INTEGRATIONS}),
    "automation:read": frozenset({Permission.VIEW}),
    "automation:write": frozenset({Permission.MANAGE_INTEGRATIONS}),
    "purchasing:read": frozenset({Permission.VIEW}),
    "purchasing:write": frozenset({Permission.MANAGE_PURCHASING}),
    # Campaigns: drafts and submitting them; approval stays with a named staff approver (four eyes).
    "campaigns:read": frozenset({Permission.VIEW}),
    "campaigns:write": frozenset({Permission.MANAGE_CAMPAIGNS}),
}
SCOPES: tuple[str, ...] = tuple(SCOPE_PERMISSIONS)


def parse_scopes(text: str | list[str] | tuple[str, ...]) -> frozenset[str]:
    """``"orders:read, stock:write"`` → the scopes; an unknown one is refused, naming the known ones."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    scopes = frozenset(part.strip() for part in parts if part.strip())
    unknown = sorted(scopes - set(SCOPES))
    if unknown:
        raise ValidationFailed(f"Unknown scope {', '.join(unknown)}; the scopes are {', '.join(SCOPES)}.")
    if not scopes:
        raise ValidationFailed(f"Give at least one scope: {', '.join(SCOPES)}.")
    return scopes


def scope_for(permission: Permission) -> str:
    """The (first) scope that gives ``permission``: what a refusal tells the key's owner to add."""
    return next(scope for scope, given in SCOPE_PERMISSIONS.items() if permission in given)


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    name: str
    role: Role | None = None
    customer_id: int | None = None
    scopes: frozenset[str] = frozenset()

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(ActorKind.SYSTEM, name)

    @classmethod
    def staff(cls, name: str, role: Role) -> Actor:
        return cls(ActorKind.STAFF, name, role=role)

    @classmethod
    def shopper(cls, customer_id: int) -> Actor:
        return cls(ActorKind.SHOPPER, f"customer:{customer_id}", customer_id=customer_id)

    @classmethod
    def api_key(cls, name: str, scopes: frozenset[str]) -> Actor:
        return cls(ActorKind.API_KEY, f"api:{name}", scopes=frozenset(scopes))

    def refusal(self, permission: Permission) -> str | None:
        """Why this actor may not do it ("An operator may not approve orders; it takes an approver."), or None.

        For asking before the work starts (a button that opens a form); ``require`` is the check that counts."""
        if self.kind == ActorKind.SYSTEM:
            return None
        if self.kind == ActorKind.API_KEY:
            if any(permission in SCOPE_PERMISSIONS.get(scope, ()) for scope in self.scopes):
                return None
            return f"This API key may not {DOES[permission]}; it needs the scope {scope_for(permission)}."
        needed = REQUIRED_ROLE[permission]
        if self.kind == ActorKind.STAFF and self.role is not None and self.role >= needed:
            return None
        who = self.role.name.lower() if self.role is not None else self.kind.value
        takes = with_article(needed.name.lower())
        return f"{with_article(who).capitalize()} may not {DOES[permission]}; it takes {takes}."

    def may(self, permission: Permission) -> bool:
        return self.refusal(permission) is None

    def require(self, permission: Permission) -> None:
        refusal = self.refusal(permission)
        if refusal is not None:
            raise PermissionDenied(refusal)

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
