"""What a database refusal becomes: a retryable conflict whose words a shopper may read."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from domain.adapters.unit_of_work import translate_db_error
from domain.errors import Conflict


def test_a_constraint_violation_becomes_a_conflict_without_the_databases_words() -> None:
    raw = IntegrityError(
        "INSERT INTO channel_identities ...",
        {},
        Exception('duplicate key value violates unique constraint "uq_identity" DETAIL: Key (external_id)=(ann@x)'),
    )
    translated = translate_db_error(raw)
    assert isinstance(translated, Conflict)
    assert "please try again" in translated.message
    assert "uq_identity" not in translated.message and "ann@x" not in translated.message
