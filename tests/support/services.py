"""How tests reach PostgreSQL and Redis: skip with instructions, or fail when CI requires them."""

from __future__ import annotations

import os

import pytest

REQUIRE = os.environ.get("CHATSHOP_REQUIRE_SERVICES") == "1"


def service_url(env: str, what: str, example: str) -> str:
    url = os.environ.get(env)
    if url:
        return url
    message = f"needs {what}: set {env}={example} to run this test"
    if REQUIRE:
        pytest.fail(f"{message} (CHATSHOP_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(message)


def postgres_url() -> str:
    return service_url("CHATSHOP_TEST_POSTGRES_URL", "PostgreSQL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def redis_url() -> str:
    return service_url("CHATSHOP_TEST_REDIS_URL", "Redis", "redis://127.0.0.1:6379/0")


def chromium_path() -> str:
    """Debian's chromium, which `make test` installs; Playwright's own download can't work offline."""
    import shutil

    found = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if found:
        return found
    message = "needs Debian's chromium: apt-get install -y chromium (make test does it)"
    if REQUIRE:
        pytest.fail(f"{message} (CHATSHOP_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(message)
