"""Sending one signed webhook: Standard Webhooks headers, a timeout, no redirects, no private addresses.

Signed with the ``standardwebhooks`` package, so any Standard Webhooks library verifies it. While a rotated
secret is in its grace period ``webhook-signature`` carries both signatures, space-separated (the spec's
way): a receiver holding either secret accepts the message.

Addresses are checked where the connection is made: a URL naming an IP literal is checked before the
request, and host names go through a resolver that refuses private, loopback, link-local, multicast and
reserved answers (so a name that resolves to 127.0.0.1 or 169.254.169.254 is refused too, whatever it
resolved to a moment earlier). ``allow_private`` lifts this for tests and shops that post inside their
own network.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from standardwebhooks.webhooks import Webhook

USER_AGENT = "chatshop-webhooks/1"
MAX_ERROR = 500


class RefusedAddress(Exception):
    pass


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


class PublicOnlyResolver(AbstractResolver):
    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        refused = [a["host"] for a in answers if not is_public(a["host"])]
        if refused:
            raise RefusedAddress(f"{host} resolves to a private address ({refused[0]}); refused")
        return answers

    async def close(self) -> None:
        await self._inner.close()


def signature(secrets: tuple[str, ...], message_id: str, timestamp: datetime, body: str) -> str:
    return " ".join(Webhook(secret).sign(message_id, timestamp, body) for secret in secrets)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


class WebhookSender:
    def __init__(self, timeout_seconds: float = 5.0, allow_private: bool = False, limit: int = 100) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self.allow_private = allow_private
        self.limit = limit
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            resolver = None if self.allow_private else PublicOnlyResolver()
            connector = aiohttp.TCPConnector(limit=self.limit, resolver=resolver)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)
        return self._session

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be called (an IP literal that is not public), or None."""
        if self.allow_private:
            return None
        host = (urlsplit(url).hostname or "").strip("[]")
        try:
            public = is_public(host)
        except ValueError:
            return None  # a name: the resolver checks what it resolves to
        return None if public else f"{host} is a private address; refused"

    async def send(
        self, url: str, message_id: str, body: str, secrets: tuple[str, ...], timestamp: datetime
    ) -> Outcome:
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        refused = self.refusal(url)
        if refused:
            return Outcome(None, 0, refused)
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": message_id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": signature(secrets, message_id, timestamp, body),
        }
        try:
            async with self._client().post(url, data=body.encode(), headers=headers, allow_redirects=False) as resp:
                await resp.read()
                status = resp.status
        except TimeoutError:
            return Outcome(None, elapsed(), f"timed out after {self.timeout.total:g} s")
        except RefusedAddress as exc:
            return Outcome(None, elapsed(), str(exc))
        except aiohttp.ClientError as exc:
            cause = exc.__cause__ if isinstance(exc.__cause__, RefusedAddress) else exc
            return Outcome(None, elapsed(), f"{type(cause).__name__}: {cause}"[:MAX_ERROR])
        if 200 <= status < 300:
            return Outcome(status, elapsed(), None)
        return Outcome(status, elapsed(), f"HTTP {status}")

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
