"""CRM: customers with channel identities, addresses, tags, and a consent ledger."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.errors import ValidationFailed


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WEBCHAT = "webchat"
    SLACK = "slack"
    EMAIL = "email"
    CLI = "cli"


class ConsentPurpose(StrEnum):
    MARKETING = "marketing"


class Customer:
    def __init__(
        self,
        name: str = "",
        locale: str = "en",
        country: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        timezone: str = "UTC",
        created_at: datetime | None = None,
    ) -> None:
        self.id: int | None = None
        self.name = name
        self.locale = locale
        self.country = country
        self.email = email
        self.phone = phone
        self.timezone = timezone
        self.tags: list[str] = []
        self.notes = ""
        self.addresses: list[dict[str, str]] = []
        self.marketing_opt_in = False
        self.unreachable_channels: list[str] = []
        self.created_at = created_at
        self.updated_at = created_at  # any later change sets it (the adapter's flush, for every kind of change)
        self.anonymised_at: datetime | None = None
        self.merged_into_id: int | None = None

    def tag(self, *tags: str) -> None:
        for t in tags:
            t = t.strip().lower()
            if t and t not in self.tags:
                self.tags = [*self.tags, t]

    def untag(self, *tags: str) -> None:
        gone = {t.strip().lower() for t in tags}
        self.tags = [t for t in self.tags if t not in gone]

    def remember_address(self, address: dict[str, str]) -> None:
        if address not in self.addresses:
            self.addresses = [address, *self.addresses][:5]

    def personal_values(self) -> frozenset[str]:
        """What identifies them as they gave it (name, e-mail, phone, address lines): erasure looks for these
        in text kept elsewhere, such as the payloads of their orders' timelines."""
        values = {self.name, self.email or "", self.phone or ""}
        for address in self.addresses:
            values |= {v for k, v in address.items() if k != "country"}
        return frozenset(v.strip() for v in values if len(v.strip()) >= MIN_ERASABLE)

    def anonymise(self, at: datetime) -> None:
        """Erase personal data but keep the row, so orders and accounting stay whole."""
        self.name = "(deleted)"
        self.email = None
        self.phone = None
        self.addresses = []
        self.notes = ""
        self.tags = []
        self.marketing_opt_in = False
        self.anonymised_at = at


class ChannelIdentity:
    def __init__(self, customer_id: int, channel: Channel, external_id: str, created_at: datetime) -> None:
        if not external_id or len(external_id) > 200:
            raise ValidationFailed("A channel identity needs an id of at most 200 characters.")
        self.id: int | None = None
        self.customer_id = customer_id
        self.channel = channel
        self.external_id = external_id
        self.created_at = created_at


class ConsentEntry:
    """One row per decision; the latest row for a purpose is the customer's current answer."""

    def __init__(self, customer_id: int, purpose: ConsentPurpose, granted: bool, source: str, at: datetime) -> None:
        self.id: int | None = None
        self.customer_id = customer_id
        self.purpose = purpose
        self.granted = granted
        self.source = source
        self.created_at = at


ERASED = "(deleted)"
MIN_ERASABLE = 3  # shorter values ("7", "NY") would blank unrelated text wherever they occur
# Keys whose values are about the person wherever they appear in an event's payload; an address keeps its country.
PERSONAL_KEYS = frozenset(
    {"customer_name", "email", "customer_email", "phone", "address", "shipping_address", "billing_address"}
)


def scrub_payload(value: Any, known: frozenset[str]) -> Any:
    """``value`` (an event's payload) with the person taken out: personal keys blanked (an address down to its
    country) and any of their ``known`` values erased inside other text (a reason typed with their name in it)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in PERSONAL_KEYS:
                if isinstance(item, dict):
                    out[key] = {"country": item["country"]} if "country" in item else {}
                else:
                    out[key] = ERASED if item else item
            else:
                out[key] = scrub_payload(item, known)
        return out
    if isinstance(value, list):
        return [scrub_payload(item, known) for item in value]
    if isinstance(value, str):
        for text in sorted(known, key=len, reverse=True):  # "Ann Lee" before "Ann"
            if len(text) >= MIN_ERASABLE:
                value = re.sub(re.escape(text), ERASED, value, flags=re.IGNORECASE)
        return value
    return value
