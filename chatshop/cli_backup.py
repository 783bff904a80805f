"""``chatshop backup PATH`` / ``chatshop restore PATH``: SQLite through its online backup API.

A backup is one consistent snapshot taken while the shop keeps running (SQLite's backup API copies the
database as of one read transaction; in WAL mode writers carry on meanwhile), checked with
``PRAGMA integrity_check`` before it replaces PATH. A restore copies the snapshot back through the same API
(never a plain file copy, which would leave a stale ``-wal`` file beside it), after setting the current
database aside. PostgreSQL is backed up with its own tools; the commands say which, with the exact line.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chatshop.settings import get_settings
from domain.adapters.db import display_url, sqlite_database

console = Console()
err = Console(stderr=True)
backup_app = typer.Typer()


class BackupError(Exception):
    pass


def sqlite_path(database_url: str) -> Path | None:
    database = sqlite_database(database_url)
    if database is None:
        return None
    if not database or database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return Path(database)


def postgres_advice(database_url: str, what: str, path: Path) -> str:
    shown = display_url(database_url, drivername="postgresql")
    if what == "backup":
        line = f"pg_dump --format=custom --file {path} '{shown}'"
    else:
        line = f"pg_restore --clean --if-exists --no-owner --dbname '{shown}' {path}"
    return (
        f"{what} works on SQLite only; for PostgreSQL use its own tools (password from PGPASSWORD or ~/.pgpass):\n"
        f'  {line}\nsee docs/deploy.md "Backups".'
    )


def _check(path: Path) -> str | None:
    """The Alembic revision of a healthy chatshop database file; BackupError otherwise."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            result = db.execute("PRAGMA integrity_check").fetchone()
            if result is None or result[0] != "ok":
                raise BackupError(f"{path} fails SQLite's integrity check: {result}")
            row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a chatshop SQLite database: {exc}") from exc
    return str(row[0]) if row else None


def backup(source: Path, target: Path) -> str | None:
    """Snapshot ``source`` into ``target`` (written beside it, then renamed); returns the schema revision."""
    if not source.exists():
        raise BackupError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30) as src, sqlite3.connect(partial) as dst:
        # All pages in one step: one read transaction, so the copy is one moment of the shop.
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    revision = _check(partial)
    os.replace(partial, target)
    return revision


def restore(snapshot: Path, target: Path, now: datetime) -> tuple[str | None, Path | None]:
    """Copy ``snapshot`` over the database at ``target``; returns its revision and where the old one went."""
    from domain.adapters.health import head_revisions

    if not snapshot.exists():
        raise BackupError(f"no backup at {snapshot}")
    revision = _check(snapshot)
    if revision is None:
        raise BackupError(f"{snapshot} has no schema revision: not a chatshop backup")
    known = _known_revisions()
    if revision not in known:
        raise BackupError(
            f"{snapshot} is at revision {revision}, which this version of chatshop does not know "
            f"(it knows up to {', '.join(head_revisions())}): restore it with the version that made it"
        )
    kept: Path | None = None
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{now:%Y%m%dT%H%M%SZ}")
        backup(target, kept)
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True) as src, sqlite3.connect(target, timeout=30) as dst:
        src.backup(dst, pages=-1)
    return revision, kept


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from domain.adapters.migrate import alembic_config

    return {script.revision for script in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()}


@backup_app.command("backup")
def backup_command(
    path: Annotated[Path, typer.Argument(help="Where to write the snapshot (a SQLite file).")],
) -> None:
    """Back up the running shop's SQLite database to PATH (consistent while it runs); PostgreSQL: pg_dump."""
    settings = get_settings()
    try:
        source = sqlite_path(settings.database_url)
        if source is None:
            typer.echo(postgres_advice(settings.database_url, "backup", path), err=True)
            raise typer.Exit(2)
        revision = backup(source, path)
    except BackupError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"backed up {source} to {path} ({path.stat().st_size:,} bytes, schema {revision})")


@backup_app.command("restore")
def restore_command(
    path: Annotated[Path, typer.Argument(help="A snapshot made by `chatshop backup`.")],
) -> None:
    """Replace the SQLite database with the snapshot at PATH (stop the shop first); PostgreSQL: pg_restore.

    The current database is kept beside it as <name>.before-restore-<time>."""
    settings = get_settings()
    try:
        target = sqlite_path(settings.database_url)
        if target is None:
            typer.echo(postgres_advice(settings.database_url, "restore", path), err=True)
            raise typer.Exit(2)
        revision, kept = restore(path, target, datetime.now(UTC))
    except BackupError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    if kept is not None:
        console.print(f"the database it replaced is kept at {kept}")
    console.print(f"restored {path} into {target} (schema {revision}); then run `chatshop db upgrade`")
