"""Segment rules -> SQL over the CRM tables, on SQLite and PostgreSQL alike.

Orders "count" once paid (``paid_at`` set): pending or expired checkouts are not purchases. JSON lists
(tags, unreachable channels) are searched with ``json_each`` on SQLite and the JSONB ``?`` operator on
PostgreSQL.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, literal, not_, or_, select, true, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from domain.adapters import orm
from domain.adapters.orm_scores import customer_scores
from domain.model.campaigns import AllOf, AnyOf, Condition, Field, NotRule, Rule
from domain.model.money import currencies_with_exponent

cu = orm.customers.c
_orders = orm.orders.c


def json_list_contains(column: Any, value: str, dialect: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        # The column type is JSON with a JSONB variant; the ``?`` operator needs the JSONB comparator.
        found: ColumnElement[bool] = type_coerce(column, JSONB).has_key(value)
        return found
    each = func.json_each(column).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value == value))


def has_channel(channel: str) -> ColumnElement[bool]:
    if channel == "email":
        return and_(cu.email.is_not(None), cu.email != "")
    ids = orm.channel_identities.c
    return exists().where(ids.customer_id == cu.id, ids.channel == channel)


def reachable_on(channel: str, dialect: str) -> ColumnElement[bool]:
    return and_(has_channel(channel), not_(json_list_contains(cu.unreachable_channels, channel, dialect)))


def _paid(customer: Any = None) -> ColumnElement[bool]:
    return and_(_orders.customer_id == (customer if customer is not None else cu.id), _orders.paid_at.is_not(None))


def _day(value: str) -> datetime:
    d = date.fromisoformat(value)
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _bought(where: ColumnElement[bool]) -> ColumnElement[bool]:
    lines = orm.order_lines.c
    stmt = (
        select(literal(1))
        .select_from(orm.order_lines.join(orm.orders, orm.orders.c.id == lines.order_id))
        .join(orm.products, orm.products.c.id == lines.product_id)
        .where(_paid(), where)
    )
    return exists(stmt)


def compile_rule(rule: Rule, now: datetime, dialect: str) -> ColumnElement[bool]:
    if isinstance(rule, AllOf):
        return and_(true(), *(compile_rule(r, now, dialect) for r in rule.rules))
    if isinstance(rule, AnyOf):
        return or_(false(), *(compile_rule(r, now, dialect) for r in rule.rules))
    if isinstance(rule, NotRule):
        return not_(compile_rule(rule.rule, now, dialect))
    return _condition(rule, now, dialect)


def _condition(cond: Condition, now: datetime, dialect: str) -> ColumnElement[bool]:
    f, op, v = cond.field, cond.op, cond.value
    if f == Field.CHANNEL:
        return or_(false(), *(has_channel(ch) for ch in v))
    if f == Field.LOCALE:
        locale = func.lower(cu.locale)
        match = or_(false(), *(or_(locale == x, locale.like(f"{x}-%"), locale.like(f"{x}_%")) for x in v))
        return match if op == "in" else not_(match)
    if f == Field.COUNTRY:
        return cu.country.in_(v) if op == "in" else or_(cu.country.is_(None), cu.country.not_in(v))
    if f == Field.TAG:
        checks = [json_list_contains(cu.tags, t, dialect) for t in v]
        if op == "any":
            return or_(false(), *checks)
        if op == "all":
            return and_(true(), *checks)
        return not_(or_(false(), *checks))
    if f == Field.CONSENT:
        return cu.marketing_opt_in.is_(True) if v else cu.marketing_opt_in.is_(False)
    if f in (Field.FIRST_ORDER, Field.LAST_ORDER):
        agg = func.min(_orders.paid_at) if f == Field.FIRST_ORDER else func.max(_orders.paid_at)
        when = select(agg).where(_paid()).scalar_subquery()
        return when < _day(v) if op == "before" else when >= _day(v) + timedelta(days=1)
    if f == Field.ORDER_COUNT:
        count = select(func.count()).where(_paid()).scalar_subquery()
        by_op: dict[str, ColumnElement[bool]] = {"gte": count >= v, "lte": count <= v, "eq": count == v}
        return by_op[op]
    if f == Field.LIFETIME_VALUE:
        value = select(func.coalesce(func.sum(_orders.captured - _orders.refunded), 0)).where(_paid()).scalar_subquery()
        compared: ColumnElement[bool] = value >= v if op == "gte" else value <= v
        return compared
    if f == Field.BOUGHT_CATEGORY:
        cat, parent = orm.categories, aliased(orm.categories)
        in_category = (
            select(cat.c.id)
            .outerjoin(parent, parent.c.id == cat.c.parent_id)
            .where(or_(func.lower(cat.c.slug).in_(v), func.lower(parent.c.slug).in_(v)))
        )
        return _bought(orm.products.c.category_id.in_(in_category))
    if f == Field.BOUGHT_PRODUCT:
        lines = orm.order_lines.c
        return _bought(or_(func.lower(orm.products.c.slug).in_(v), func.lower(lines.sku).in_(v)))
    if f == Field.CART_ABANDONED_HOURS:
        carts, lines = orm.carts.c, orm.cart_lines.c
        return exists(
            select(literal(1))
            .select_from(orm.carts.join(orm.cart_lines, lines.cart_id == carts.id))
            .where(carts.customer_id == cu.id, carts.updated_at < now - timedelta(hours=v))
        )
    if f == Field.INACTIVE_DAYS:
        return not_(exists().where(_orders.customer_id == cu.id, _orders.placed_at >= now - timedelta(days=v)))
    if f in (Field.CHURN_RISK, Field.EXPECTED_VALUE):
        return _score(cond)
    raise AssertionError(f"unhandled field {f}")


_COMPARE: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _score(cond: Condition) -> ColumnElement[bool]:
    """A condition on the customer's row in ``customer_scores``: no row, no match (an unscored customer is
    neither at risk nor safe, so a win-back campaign does not guess)."""
    sc = customer_scores.c
    compare = _COMPARE[cond.op]
    if cond.field == Field.CHURN_RISK:
        test = compare(sc.churn_risk, float(cond.value))
    else:
        # The rule says major units with at most 3 decimals; each score is in minor units of its own currency.
        # Both sides in thousandths of a major unit stay whole numbers, so the comparison is exact.
        thousandths = int(Decimal(cond.value).scaleb(3))
        scale = case(
            (sc.currency.in_(currencies_with_exponent(0)), 1000),
            (sc.currency.in_(currencies_with_exponent(3)), 1),
            else_=10,
        )
        test = compare(sc.expected_value_minor * scale, thousandths)
    return exists().where(sc.customer_id == cu.id, test)


def matching_customers(rule: Rule, now: datetime, dialect: str) -> Select[tuple[int]]:
    """Ids of live (not erased, not merged) customers matching ``rule``."""
    live = and_(cu.anonymised_at.is_(None), cu.merged_into_id.is_(None))
    # correlate(None): used as "id IN (...)" inside queries over customers, it must stay self-contained.
    return select(cu.id).where(live, compile_rule(rule, now, dialect)).correlate(None)
