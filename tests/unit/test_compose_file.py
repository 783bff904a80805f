"""docker-compose.yml is valid Compose (schema vendored in deploy/) and sets only settings chatshop reads.

No container engine runs in CI, so this is what keeps the file honest: the schema check fails on a typo'd
key or a wrong type, and every CHATSHOP_ variable it sets must be a real setting."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from channels.webchat.settings import WebchatSettings
from chatshop.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "deploy" / "compose-spec.schema.json"


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    checker = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run(
        [str(checker), "--schemafile", str(SCHEMA), str(path)], capture_output=True, text=True, timeout=60
    )


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_the_compose_file_follows_the_compose_specification() -> None:
    result = validate(ROOT / "docker-compose.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_misspelt_key_fails_the_schema_check(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    shutil.copy(ROOT / "docker-compose.yml", broken)
    broken.write_text(broken.read_text().replace("    healthcheck:\n", "    helthcheck:\n", 1))
    result = validate(broken)
    assert result.returncode != 0 and "helthcheck" in result.stdout


def test_two_shop_replicas_wait_for_the_migration_and_the_healthy_services() -> None:
    services = compose()["services"]
    shop = services["shop"]
    assert shop["deploy"]["replicas"] == 2
    assert shop["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert "/readyz" in " ".join(shop["healthcheck"]["test"])
    for name in ("postgres", "redis"):
        assert "healthcheck" in services[name] and shop["depends_on"][name] == {"condition": "service_healthy"}
    assert "chatshop db upgrade" in " ".join(services["migrate"]["command"])
    assert services["rasa"]["profiles"] == ["rasa"]


def test_every_chatshop_variable_the_stack_sets_is_a_setting() -> None:
    known = {f"CHATSHOP_{name.upper()}" for name in Settings.model_fields}
    known |= {f"CHATSHOP_WEBCHAT_{name.upper()}" for name in WebchatSettings.model_fields}
    known |= {"CHATSHOP_TRUSTED_PROXIES", "CHATSHOP_SEED_DEMO", "CHATSHOP_DOMAIN"}
    environment = compose()["services"]["shop"]["environment"]
    assert set(environment) - known == set()
    example = (ROOT / "deploy" / "env.example").read_text().splitlines()
    names = {
        line.lstrip("#").split("=", 1)[0]
        for line in example
        if "=" in line and line.lstrip("#").startswith("CHATSHOP_")
    }
    assert names - known == set()
