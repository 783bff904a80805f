from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    """Starts at the real time: receivers check ``webhook-timestamp`` against their own clock (5 minutes)."""
    return FakeClock(datetime.now(UTC))
