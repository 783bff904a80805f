from __future__ import annotations

import pytest

from bots.conversation.payloads import MAX_BYTES, BadPayload, PayloadCodec

codec = PayloadCodec("secret")


def test_payload_round_trips_action_and_arguments() -> None:
    payload = codec.encode("webchat:1", "add", 12, 345, 1)
    decoded = codec.decode("webchat:1", payload)
    assert (decoded.action, decoded.args, decoded.int_arg(1)) == ("add", ("12", "345", "1"), 345)


def test_payload_fits_telegram_callback_data_even_with_large_ids() -> None:
    payload = codec.encode("telegram:" + "9" * 200, "add", 2**40, 2**40, 99)
    assert len(payload.encode()) <= MAX_BYTES


def test_too_long_payload_is_refused_when_built() -> None:
    with pytest.raises(ValueError):
        codec.encode("c", "x" * 40, "y" * 40)


def test_free_text_cannot_be_put_in_a_payload() -> None:
    with pytest.raises(ValueError):
        codec.encode("c", "search", "red shoes")


TAMPERS = [
    lambda p: p.replace("add", "adc"),
    lambda p: p[:-1] + ("A" if p[-1] != "A" else "B"),
    lambda p: p.replace(".12.", ".13."),
]


@pytest.mark.parametrize("tamper", TAMPERS)
def test_tampered_payload_is_forged(tamper: object) -> None:
    payload = codec.encode("c", "add", 12, 345, 1)
    with pytest.raises(BadPayload) as info:
        codec.decode("c", tamper(payload))  # type: ignore[operator]
    assert info.value.reason == "forged"


def test_payload_from_another_chat_is_forged() -> None:
    with pytest.raises(BadPayload, match="forged"):
        codec.decode("chat-b", codec.encode("chat-a", "cart"))


def test_payload_signed_with_another_secret_is_forged() -> None:
    with pytest.raises(BadPayload, match="forged"):
        PayloadCodec("other").decode("c", codec.encode("c", "cart"))


def test_payload_of_an_older_version_is_stale() -> None:
    body = "0.cart"
    old = f"{body}~{codec._mac(body, 'c')}"
    with pytest.raises(BadPayload, match="stale"):
        codec.decode("c", old)


@pytest.mark.parametrize("junk", ["", "~", "no-mac", "1.cart~", "1..x~abc", "x" * 500, None, 42, "1.a b~zz"])
def test_garbage_payload_is_malformed_or_forged_never_a_crash(junk: object) -> None:
    with pytest.raises(BadPayload) as info:
        codec.decode("c", junk)
    assert info.value.reason in ("malformed", "forged")


def test_non_numeric_argument_is_malformed() -> None:
    decoded = codec.decode("c", codec.encode("c", "o", "abc"))
    with pytest.raises(BadPayload, match="malformed"):
        decoded.int_arg(0)
    with pytest.raises(BadPayload, match="malformed"):
        decoded.int_arg(3)
