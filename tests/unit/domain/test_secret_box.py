"""A sealed secret: AES-GCM under a key derived from the shop's secret_key, a fresh nonce each time, opened only
with the same key, purpose and owner."""

from __future__ import annotations

import pytest

from domain.adapters.secret_box import SealBroken, SecretBox

SECRET = "JBSWY3DPEHPK3PXP"


def test_a_sealed_secret_opens_back_to_itself_and_does_not_show_it() -> None:
    box = SecretBox("shop key", b"chatshop totp v1")
    sealed = box.seal(SECRET, "staff_totp:3")
    assert sealed.startswith("v1:") and SECRET not in sealed and len(sealed) <= 128
    assert box.open(sealed, "staff_totp:3") == SECRET


def test_each_seal_uses_a_fresh_nonce() -> None:
    box = SecretBox("shop key", b"chatshop totp v1")
    assert box.seal(SECRET, "staff_totp:3") != box.seal(SECRET, "staff_totp:3")


@pytest.mark.parametrize(
    ("key", "info", "owner"),
    [
        ("another key", b"chatshop totp v1", "staff_totp:3"),  # secret_key rotated
        ("shop key", b"another purpose", "staff_totp:3"),  # the same shop key used for something else
        ("shop key", b"chatshop totp v1", "staff_totp:4"),  # copied onto another staff member's row
    ],
)
def test_a_sealed_secret_does_not_open_with_another_key_purpose_or_owner(key: str, info: bytes, owner: str) -> None:
    sealed = SecretBox("shop key", b"chatshop totp v1").seal(SECRET, "staff_totp:3")
    with pytest.raises(SealBroken):
        SecretBox(key, info).open(sealed, owner)


@pytest.mark.parametrize("stored", [SECRET, "v1:", "v1:not base64!", "v1:" + "A" * 40])
def test_plaintext_or_garbage_is_not_opened(stored: str) -> None:
    with pytest.raises(SealBroken):
        SecretBox("shop key", b"chatshop totp v1").open(stored, "staff_totp:3")
