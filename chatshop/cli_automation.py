"""`chatshop automation ...`: rules from YAML (add), list, enable, disable, and a dry run (test).

``add`` reads the YAML here and hands the domain its mapping; the domain checks it and who may add it
(admins). ``test`` replays the rule on the last N events it triggers on and says what each would have done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from chatshop.bootstrap import Shop
from chatshop.cli_actor import ActorOption, resolve_actor
from domain.adapters.automation_repository import RuleRow, SqlAutomationRepository
from domain.commands_automation import DryRunAutomation, PutAutomationRule, SetAutomationEnabled
from domain.errors import ValidationFailed
from domain.service_layer.handlers.automation import DryRunLine

automation_app = typer.Typer(help="Automation rules: when an event, if conditions, then actions.", no_args_is_help=True)
console = Console()


def read_rule(file: Path) -> tuple[dict[str, Any], str]:
    source = file.read_text(encoding="utf-8")
    try:
        spec = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"{file} is not YAML: {exc}") from None
    if not isinstance(spec, dict):
        raise ValidationFailed(f"{file} must hold one rule (a mapping with name, when, if, then).")
    return spec, source


@automation_app.command("add")
def add(file: Annotated[Path, typer.Argument(help="The rule as YAML.", exists=True)], by: ActorOption = None) -> None:
    """Add a rule from YAML, or redefine the rule with its name."""
    from chatshop.cli import run

    async def go(shop: Shop) -> str:
        spec, source = read_rule(file)
        return str(await shop.bus.handle(PutAutomationRule(spec, source, actor=await resolve_actor(shop, by))))

    console.print(f"automation {run(go)} saved")


@automation_app.command("list")
def list_() -> None:
    """Rules with their trigger, whether they are on, and how often they ran and matched."""
    from chatshop.cli import run

    async def go(shop: Shop) -> list[RuleRow]:
        async with shop.sessions() as session:
            return await SqlAutomationRepository(session).rules()

    table = Table("name", "when", "if", "then", "on", "runs", "matched")
    for row in run(go):
        rule = row.rule
        table.add_row(
            rule.name,
            rule.when,
            "; ".join(f"{k} {v}" for k, v in rule.conditions) or "-",
            "; ".join(f"{k} {v}" for k, v in rule.actions),
            "yes" if rule.enabled else "no",
            str(row.runs),
            str(row.matched),
        )
    console.print(table)


def _set(name: str, enabled: bool, by: str | None) -> None:
    from chatshop.cli import run

    async def go(shop: Shop) -> None:
        await shop.bus.handle(SetAutomationEnabled(name, enabled, actor=await resolve_actor(shop, by)))

    run(go)
    console.print(f"automation {name} {'enabled' if enabled else 'disabled'}")


@automation_app.command("enable")
def enable(name: str, by: ActorOption = None) -> None:
    """Turn a rule on."""
    _set(name, True, by)


@automation_app.command("disable")
def disable(name: str, by: ActorOption = None) -> None:
    """Turn a rule off (events meanwhile are not run later)."""
    _set(name, False, by)


@automation_app.command("test")
def test(
    name: str,
    last: Annotated[int, typer.Option(help="How many of the latest trigger events to replay.")] = 10,
    by: ActorOption = None,
) -> None:
    """Dry run: what the rule would have done for each of the last N events it triggers on (changes nothing)."""
    from chatshop.cli import run

    async def go(shop: Shop) -> list[DryRunLine]:
        actor = await resolve_actor(shop, by)
        return list(await shop.bus.handle(DryRunAutomation(name, actor=actor, last=last)))

    lines = run(go)
    if not lines:
        console.print(f"no recent events for {name} to replay")
        return
    for line in lines:
        verdict = line.verdict
        head = "WOULD ACT" if verdict.matched else "would skip"
        console.print(f"[bold]{head}[/bold] event {line.event_id} ({str(line.occurred_at)[:19]})", soft_wrap=True)
        for reason in verdict.reasons:
            console.print(f"    {reason}", soft_wrap=True, markup=False)
        for action in verdict.actions:
            console.print(f"    -> {action}", soft_wrap=True, markup=False)
    matched = sum(1 for line in lines if line.verdict.matched)
    console.print(f"{matched} of {len(lines)} events would have triggered {name}")
