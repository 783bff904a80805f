"""Automation rules and their runs in SQL (Core), and the recent events a dry run replays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.adapters import orm
from domain.adapters.dialect_insert import session_insert
from domain.adapters.orm_automation import automation_rules, automation_runs
from domain.model.automation import Rule, rule_from_spec, rule_spec


@dataclass(frozen=True)
class RuleRow:
    rule: Rule
    source: str
    created_by: str
    updated_at: datetime
    runs: int
    matched: int


class SqlAutomationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, name: str) -> Rule | None:
        t = automation_rules.c
        row = (await self.session.execute(select(automation_rules).where(t.name == name))).first()
        return None if row is None else rule_from_spec(row.spec, row.enabled, row.id)

    async def put(self, rule: Rule, source: str, actor: str, now: datetime) -> int:
        """Add the rule, or redefine the one with its name (keeping whether it is enabled)."""
        t = automation_rules.c
        values = {"trigger": rule.when, "spec": rule_spec(rule), "source": source, "updated_at": now}
        existing = await self.get(rule.name)
        if existing is not None:
            await self.session.execute(update(automation_rules).where(t.id == existing.id).values(**values))
            return int(existing.id or 0)
        stmt = insert(automation_rules).values(name=rule.name, enabled=True, created_by=actor, created_at=now, **values)
        return int((await self.session.execute(stmt.returning(t.id))).scalar_one())

    async def set_enabled(self, name: str, enabled: bool, now: datetime) -> bool:
        t = automation_rules.c
        result = await self.session.execute(
            update(automation_rules).where(t.name == name).values(enabled=enabled, updated_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def enabled_for(self, event_type: str) -> list[Rule]:
        t = automation_rules.c
        stmt = select(automation_rules).where(t.trigger == event_type, t.enabled).order_by(t.id)
        return [rule_from_spec(r.spec, r.enabled, r.id) for r in (await self.session.execute(stmt)).all()]

    async def claim_run(self, rule_id: int, event_id: str, event_type: str, now: datetime) -> int | None:
        """The run row of (rule, event), or None when the rule already ran for the event."""
        values = {"rule_id": rule_id, "event_id": event_id, "event_type": event_type, "actions": [], "created_at": now}
        # ON CONFLICT DO NOTHING, not a caught IntegrityError (see outbox.mark_processed: on SQLite the error's
        # cursor, collected on the event loop's thread, can stall the process); no row back = already ran.
        stmt = (
            session_insert(self.session, automation_runs)
            .values(**values)
            .on_conflict_do_nothing()
            .returning(automation_runs.c.id)
        )
        run_id = (await self.session.execute(stmt)).scalar_one_or_none()
        return None if run_id is None else int(run_id)

    async def finish_run(self, run_id: int, matched: bool, actions: list[str]) -> None:
        stmt = update(automation_runs).where(automation_runs.c.id == run_id).values(matched=matched, actions=actions)
        await self.session.execute(stmt)

    async def note_run(self, rule_name: str, event_id: str, line: str) -> None:
        """Add a line to the record of the rule's run on that event (a retried action's outcome)."""
        t, r = automation_rules.c, automation_runs.c
        rule_id = select(t.id).where(t.name == rule_name).scalar_subquery()
        stmt = select(r.id, r.actions).where(r.rule_id == rule_id, r.event_id == event_id).with_for_update()
        row = (await self.session.execute(stmt)).first()
        if row is not None:
            await self.finish_run_lines(int(row.id), [*row.actions, line])

    async def finish_run_lines(self, run_id: int, actions: list[str]) -> None:
        await self.session.execute(
            update(automation_runs).where(automation_runs.c.id == run_id).values(actions=actions)
        )

    async def recent_events(self, event_type: str, limit: int) -> list[tuple[str, datetime, dict[str, Any]]]:
        o = orm.outbox.c
        stmt = (
            select(o.event_id, o.created_at, o.payload).where(o.name == event_type).order_by(o.id.desc()).limit(limit)
        )
        return [(r.event_id, r.created_at, dict(r.payload)) for r in (await self.session.execute(stmt)).all()]

    async def rules(self) -> list[RuleRow]:
        t, r = automation_rules.c, automation_runs.c
        counts = (
            select(r.rule_id, func.count().label("runs"), func.count().filter(r.matched).label("matched"))
            .group_by(r.rule_id)
            .subquery()
        )
        stmt = (
            select(automation_rules, counts.c.runs, counts.c.matched)
            .outerjoin(counts, counts.c.rule_id == t.id)
            .order_by(t.name)
        )
        return [
            RuleRow(
                rule_from_spec(x.spec, x.enabled, x.id),
                x.source,
                x.created_by,
                x.updated_at,
                int(x.runs or 0),
                int(x.matched or 0),
            )
            for x in (await self.session.execute(stmt)).all()
        ]
