"""Automation rule tables (issue 18, migration 0015), read and written with Core by ``automation_repository``.

``automation_rules``: the parsed rule (``spec``) beside the YAML it came from (``source``, shown back).
``automation_runs``: one row per (rule, event), made before the rule acts, in the same transaction as its
actions: a rule runs at most once per event, and the row says what it did (or why it did nothing).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, String, Table, Text, UniqueConstraint

from domain.adapters.orm_base import JSONType, UTCDateTime, _fk, _pk, metadata

automation_rules = Table(
    "automation_rules",
    metadata,
    _pk(),
    Column("name", String(80), nullable=False, unique=True),
    Column("trigger", String(80), nullable=False, index=True),
    Column("spec", JSONType, nullable=False),
    Column("source", Text, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_by", String(120), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

automation_runs = Table(
    "automation_runs",
    metadata,
    _pk(),
    _fk("rule_id", "automation_rules.id", index=False, ondelete="CASCADE"),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(80), nullable=False),
    Column("matched", Boolean, nullable=False, default=False),
    Column("actions", JSONType, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("rule_id", "event_id", name="uq_automation_runs_rule_event"),
)
