from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.integration.bots.conftest import nlu_engine  # noqa: F401 - the real embedded NLU, loaded once
from tests.support.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    """Starts at the real time: receivers check ``webhook-timestamp`` against their own clock (5 minutes)."""
    return FakeClock(datetime.now(UTC))
