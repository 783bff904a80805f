"""Small secrets sealed at rest with AES-GCM, under a key derived (HKDF-SHA256) from the shop's ``secret_key``.
Stored as ``v1:<base64url(nonce + ciphertext)>``; what the secret belongs to (e.g. a staff id) is the associated
data, so a sealed value copied onto another row does not open."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1:"
NONCE_BYTES = 12  # 96 bits, random per write: AES-GCM's recommended nonce size


class SealBroken(ValueError):
    """A sealed value that does not open: another key (``secret_key`` rotated), another owner, or tampering."""


class SecretBox:
    def __init__(self, secret_key: str, info: bytes) -> None:
        # ``info`` separates uses of the one shop key: a TOTP key is never the key of anything else.
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret_key.encode())
        self._aead = AESGCM(key)

    @staticmethod
    def is_sealed(stored: str) -> bool:
        return stored.startswith(PREFIX)

    def seal(self, plaintext: str, owner: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, plaintext.encode(), owner.encode())
        return PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii")

    def open(self, stored: str, owner: str) -> str:
        if not self.is_sealed(stored):
            raise SealBroken("not a sealed value")
        try:
            raw = base64.urlsafe_b64decode(stored[len(PREFIX) :].encode("ascii"))
            nonce, ciphertext = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
            return self._aead.decrypt(nonce, ciphertext, owner.encode()).decode()
        except (InvalidTag, ValueError) as exc:  # ValueError: bad base64, short input, not UTF-8
            raise SealBroken("the sealed value does not open with this key for this owner") from exc
