"""A staff member's second factor for the console: a TOTP secret (RFC 6238, 30-second steps, six digits) they
enrol by typing a code from it, asked for at every sign-in once confirmed. A code is good once: the step it
was made for must be later than the last one used. The port; SQL and the TOTP arithmetic in
``domain.adapters.staff_totp``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from domain.errors import DomainError, ValidationFailed
from domain.model.staff import Actor, Permission

PENDING_FOR = timedelta(minutes=5)  # between a right password and its code
ISSUER = "chatshop"


class TotpSecretUnreadable(DomainError):
    """Their stored secret does not open with this shop's key (``secret_key`` changed since they enrolled, or the
    row was tampered with): no code can be checked until an administrator resets their second factor."""

    code = "totp_unreadable"

    def __init__(self, staff_id: int) -> None:
        super().__init__(
            f"The two-step sign-in secret of staff #{staff_id} cannot be read with this shop's secret key "
            "(was it changed?). An administrator must reset their two-step sign-in "
            "(`chatshop staff totp-reset NAME`), then they enrol again."
        )
        self.staff_id = staff_id


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, as authenticator apps take it
    uri: str  # otpauth://totp/… for the QR code


@dataclass(frozen=True)
class PendingSignIn:
    staff_id: int
    name: str


class StaffTotpStore(Protocol):
    async def enabled(self, staff_id: int) -> bool:
        """Whether a confirmed secret makes them type a code at sign-in."""
        ...

    async def enrolment(self, staff_id: int, name: str, fresh: bool = False) -> Enrolment | None:
        """Their unconfirmed secret (a new one with ``fresh``, replacing any unconfirmed one); None once
        confirmed: a confirmed secret is shown never again."""
        ...

    async def confirm(self, staff_id: int, code: str) -> bool:
        """Turn the second factor on if ``code`` comes from the unconfirmed secret (that code is then used).
        Raises ``TotpSecretUnreadable`` if the stored secret does not open (so do ``verify`` and ``disable``)."""
        ...

    async def start_sign_in(self, staff_id: int) -> str:
        """A right password of someone with the second factor on: the value of a cookie that lets them type the
        code for ``PENDING_FOR`` (a newer one replaces it)."""
        ...

    async def pending(self, token: str) -> PendingSignIn | None:
        """Whose unexpired sign-in waits for a code, by its cookie value."""
        ...

    async def verify(self, staff_id: int, code: str, token: str) -> bool:
        """The code of the pending sign-in ``token``: True once per code (a replay is refused); a right code
        ends the pending sign-in."""
        ...

    async def reset(self, staff_id: int) -> bool:
        """Turn the second factor off (a lost phone); True if it was on or being set up."""
        ...

    async def disable(self, staff_id: int, code: str) -> bool:
        """Turn a confirmed second factor off if ``code`` is a current, unused code of it."""
        ...


async def turn_off_own(store: StaffTotpStore, staff_id: int, code: str) -> None:
    """A staff member switches their own second factor off, proving they still hold it with a current code
    (a stolen session alone must not be enough to strip it)."""
    if not await store.disable(staff_id, code):
        raise ValidationFailed("That code is not right, or it was used already; two-step sign-in stays on.")


async def reset_for(store: StaffTotpStore, actor: Actor, staff_id: int) -> bool:
    """Someone else's second factor off (their lost phone): only who may manage staff — an administrator, or
    the server's command line as SYSTEM. True if it was on or being set up."""
    actor.require(Permission.MANAGE_STAFF)
    return await store.reset(staff_id)
