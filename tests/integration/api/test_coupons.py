"""Coupons through the API: created, redefined, disabled and enabled through the domain's coupon commands,
with a permission of their own (a catalog key can't give money away)."""

from __future__ import annotations

from domain import commands as c
from domain.errors import PermissionDenied
from domain.model.staff import Actor, Role
from tests.integration.api.conftest import ApiClient, MakeKey
from tests.support.shopdata import SmallShop

SPRING = {
    "code": "spring-5",
    "kind": "fixed",
    "amount": {"amount": 500, "currency": "USD"},
    "min_subtotal": {"amount": 3000, "currency": "USD"},
    "usage_limit": 100,
    "once_per_customer": True,
    "starts_at": "2026-03-01T00:00:00Z",
    "ends_at": "2026-06-01T00:00:00Z",
    "description": "spring sale",
}


async def test_a_coupon_is_created_redefined_disabled_and_enabled(api: ApiClient, make_key: MakeKey) -> None:
    key = await make_key("coupons:read", "coupons:write")
    status, made, _ = await api.call("POST", "/coupons", key, SPRING)
    assert status == 201, made
    assert made["code"] == "SPRING-5" and made["kind"] == "fixed" and made["value"] == 500
    assert made["min_subtotal"] == {"amount": 3000, "currency": "USD"}
    assert made["usage_limit"] == 100 and made["per_customer_limit"] == 1 and made["active"] is True
    assert made["starts_at"].startswith("2026-03-01") and made["ends_at"].startswith("2026-06-01")

    status, problem, _ = await api.call("POST", "/coupons", key, SPRING | {"kind": "percent", "amount": None})
    assert status == 422  # a percent coupon takes percent_bp
    status, problem, _ = await api.call("POST", "/coupons", key, SPRING)
    assert status == 409 and "already" in str(problem["detail"])

    status, _, _ = await api.call("POST", "/coupons/spring-5/disable", key)
    assert status == 200
    redefined = {"kind": "percent", "percent_bp": 1250, "once_per_customer": False, "usage_limit": None}
    status, changed, _ = await api.call("POST", "/coupons/SPRING-5", key, redefined)
    assert status == 200, changed
    assert changed["kind"] == "percent" and changed["value"] == 1250 and changed["per_customer_limit"] is None
    assert changed["active"] is False  # redefining keeps it disabled
    status, enabled, _ = await api.call("POST", "/coupons/spring-5/enable", key)
    assert status == 200 and enabled["active"] is True
    status, got, _ = await api.call("GET", "/coupons/Spring-5", key)
    assert status == 200 and got == enabled


async def test_a_coupon_in_another_currency_or_unknown_is_refused(api: ApiClient, make_key: MakeKey) -> None:
    key = await make_key("coupons:read", "coupons:write")
    euros = SPRING | {"amount": {"amount": 500, "currency": "EUR"}}
    status, problem, _ = await api.call("POST", "/coupons", key, euros)
    assert status == 422 and "USD" in str(problem["detail"])
    status, _, _ = await api.call("POST", "/coupons/NOPE/enable", key)
    assert status == 404
    status, _, _ = await api.call("POST", "/coupons/NOPE", key, {"kind": "free_shipping"})
    assert status == 404
    status, _, _ = await api.call("GET", "/coupons/%E2%80%94", key)
    assert status == 404


async def test_a_catalog_key_or_viewer_may_not_make_coupons_but_an_operator_may(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    status, problem, _ = await api.call("POST", "/coupons", await make_key("products:write"), SPRING)
    assert status == 403 and problem["scope"] == "coupons:write"
    try:
        await small.shop.bus.handle(c.DisableCoupon("WELCOME10", actor=Actor.staff("vic", Role.VIEWER)))
    except PermissionDenied as exc:
        assert "manage coupons" in exc.message
    else:
        raise AssertionError("a viewer disabled a coupon")
    await small.shop.bus.handle(c.DisableCoupon("WELCOME10", actor=Actor.staff("ops", Role.OPERATOR)))
    coupons = {x.code: x for x in await small.shop.views.coupons()}
    assert coupons["WELCOME10"].active is False
