"""What the staff console keeps besides the shop: staff passwords (only an argon2 hash) and sign-in sessions.
Plain records and the port; SQL and hashing in ``domain.adapters.staff_access``."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.errors import ValidationFailed
from domain.model.staff import Actor, Role

MIN_PASSWORD_LENGTH = 10
LOCALES = ("en", "zh")


def check_password(password: str) -> None:
    """Refuse a password too short to resist guessing (the throttle slows guessing; it does not stop it)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if password != password.strip():
        raise ValidationFailed("A password may not start or end with a space.")


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise ValidationFailed(f"The console speaks {', '.join(LOCALES)}; not {locale}.")
    return locale


def new_session_token() -> str:
    """A session cookie's value: 256 random bits."""
    return secrets.token_urlsafe(32)


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StaffSession:
    staff_id: int
    name: str
    role: Role
    locale: str
    csrf_token: str
    expires_at: datetime

    def as_actor(self) -> Actor:
        return Actor.staff(self.name, self.role)


class StaffAccessStore(Protocol):
    async def set_password(self, staff_id: int, password: str, locale: str) -> None:
        """Set (or replace) a staff member's password; their open sessions end."""
        ...

    async def sign_in(self, name: str, password: str) -> tuple[str, StaffSession] | None:
        """A new session (its cookie value and record) for the active staff member with that name and password,
        else None (unknown name, wrong password, deactivated, no password set: the caller can't tell which)."""
        ...

    async def verify_password(self, name: str, password: str) -> int | None:
        """The id of the active staff member with that name and password, else None (``sign_in`` without the
        session: for a sign-in that still needs a second factor)."""
        ...

    async def open_session(self, staff_id: int) -> tuple[str, StaffSession] | None:
        """A new session for an active staff member with a password (after their second factor)."""
        ...

    async def session(self, token: str) -> StaffSession | None:
        """The unexpired session of an active staff member, with their role as it is now."""
        ...

    async def sign_out(self, token: str) -> None: ...
