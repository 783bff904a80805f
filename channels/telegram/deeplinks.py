"""Deep links (``t.me/<bot>?start=<arg>``): ``p_<sku or slug>`` opens a product, ``c_<token>`` resumes a
cart started in the web chat.

A cart token is a short signed bearer token naming the web-chat customer, valid for a limited time:
whoever opens it becomes that customer on Telegram (their identities are linked and merged), so it is
signed with the shop's secret and expires. The start parameter allows 64 characters of [A-Za-z0-9_-].

The engine does not offer such a token yet: the web chat needs a "Continue in Telegram" button that
calls ``CartTokens.issue`` (this class belongs in ``bots/conversation`` so both channels can use it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_PRODUCT = re.compile(r"^p_([A-Za-z0-9_-]{1,60})$")
_CART = re.compile(r"^c_([0-9a-z]{1,12})_([0-9a-z]{1,10})_([A-Za-z0-9_-]{11,16})$")
_MAC_BYTES = 9


@dataclass(frozen=True)
class StartArg:
    kind: str  # "product", "cart" or "" (plain /start)
    value: str = ""


def parse_start(arg: str | None) -> StartArg:
    if not arg:
        return StartArg("")
    if match := _PRODUCT.match(arg):
        return StartArg("product", match.group(1))
    if arg.startswith("c_"):
        return StartArg("cart", arg)
    return StartArg("")


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


class CartTokens:
    def __init__(self, secret: str, ttl: timedelta = timedelta(hours=2)) -> None:
        self._key = hashlib.sha256(("chatshop-cart-handover:" + secret).encode()).digest()
        self.ttl = ttl

    def _mac(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:_MAC_BYTES]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self, customer_id: int, now: datetime) -> str:
        body = f"{_b36(customer_id)}_{_b36(int((now + self.ttl).timestamp()))}"
        return f"c_{body}_{self._mac(body)}"

    def verify(self, token: str, now: datetime) -> int | None:
        """The customer id, or None for a forged, malformed or expired token."""
        match = _CART.match(token)
        if match is None:
            return None
        customer, expires, mac = match.groups()
        if not hmac.compare_digest(mac, self._mac(f"{customer}_{expires}")):
            return None
        if int(expires, 36) < now.timestamp():
            return None
        return int(customer, 36)
