"""Signed links in campaign messages: unsubscribe and click-through, carrying the campaign id.

A link is ``<base>/c/<kind>/<customer>/<campaign>/<mac>``: an HMAC over kind, customer and campaign, so
nobody can unsubscribe someone else or fake clicks for a campaign.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass


@dataclass(frozen=True)
class LinkTarget:
    kind: str  # "u" (unsubscribe) or "c" (click)
    customer_id: int
    campaign_id: int


class LinkSigner:
    def __init__(self, secret: str, base_url: str) -> None:
        self._key = hashlib.sha256(("chatshop-campaign-links:" + secret).encode()).digest()
        self.base_url = base_url.rstrip("/")

    def _mac(self, kind: str, customer_id: int, campaign_id: int) -> str:
        digest = hmac.new(self._key, f"{kind}/{customer_id}/{campaign_id}".encode(), hashlib.sha256).digest()[:12]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def url(self, kind: str, customer_id: int, campaign_id: int) -> str:
        return f"{self.base_url}/c/{kind}/{customer_id}/{campaign_id}/{self._mac(kind, customer_id, campaign_id)}"

    def verify(self, kind: str, customer_id: str, campaign_id: str, mac: str) -> LinkTarget | None:
        if (
            kind not in ("u", "c")
            or not (customer_id + campaign_id).isascii()
            or not customer_id.isdigit()
            or not campaign_id.isdigit()
        ):
            return None
        expected = self._mac(kind, int(customer_id), int(campaign_id))
        if not hmac.compare_digest(expected.encode(), mac.encode()):
            return None
        return LinkTarget(kind, int(customer_id), int(campaign_id))
